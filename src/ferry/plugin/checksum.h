// ChecksumSource: an optional capability of a reader whose source can summarize its own rows
// for `ferry verify` (DESIGN 11), so that hashes cross the wire instead of rows. Two sides'
// summaries are comparable only when their method() strings are equal.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "ferry/common/status.h"

namespace ferry {

struct ChecksumRequest {
  std::vector<size_t> columns;  // output columns hashed, in this order
  std::vector<size_t> key;      // output columns that choose the bucket; empty: the whole row
};

// One bucket of 65,536: rows, and the sums (mod 2^64) of the two halves of each row's hash.
struct ChecksumBucket {
  int64_t count = 0;
  uint64_t sum_a = 0;
  uint64_t sum_b = 0;
};

class ChecksumSource {
 public:
  static constexpr int kBuckets = 65536;
  virtual ~ChecksumSource() = default;
  // "postgresql-rowtext-md5-v1": the encoding and hash, identical wherever the string is identical.
  virtual std::string checksum_method() const = 0;
  // The summary of every row the reader would read (after Prepare); nullopt when this source
  // cannot compute it for `request` (computed columns, querySql); an error when it failed.
  virtual Result<std::optional<std::vector<ChecksumBucket>>> ChecksumBuckets(
      const ChecksumRequest& request) = 0;
};

}  // namespace ferry
