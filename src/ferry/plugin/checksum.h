// ChecksumSource: an optional capability of a reader whose source can summarize its own rows
// for `ferry verify` (DESIGN 11), so that three numbers cross the wire instead of rows. Two
// sides' summaries are comparable only when their checksum_method() strings are equal; equal
// summaries mean equal rows, and any difference is left to Ferry's typed comparison to explain.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "ferry/common/status.h"

namespace ferry {

struct ChecksumRequest {
  std::vector<size_t> columns;  // output columns hashed, in this order
  // A condition in the source's SQL dialect ("id BETWEEN 1 AND 5000"), ANDed with the reader's
  // own where; empty: every row the reader would read. Verify asks per key range this way.
  std::string filter;
};

// Every row: how many, and the sums (mod 2^64) of the two 64-bit halves of each row's hash,
// so the summary does not depend on the order rows are read in.
struct ChecksumTotal {
  int64_t count = 0;
  uint64_t sum_a = 0;
  uint64_t sum_b = 0;
  bool operator==(const ChecksumTotal&) const = default;
};

// A decimal integer's text (a SQL sum, "-123") reduced mod 2^64, as the sums are kept.
uint64_t SumTextMod64(const char* text);

class ChecksumSource {
 public:
  virtual ~ChecksumSource() = default;
  // "postgresql-15-hashrecord-v2": the encoding and hash (with the server version where its
  // text or hash functions could change), identical wherever the string is identical.
  virtual std::string checksum_method() const = 0;
  // The summary of every row the reader would read (after Prepare); nullopt when this source
  // cannot compute it for `request` (computed columns, querySql); an error when it failed.
  virtual Result<std::optional<ChecksumTotal>> ChecksumRows(const ChecksumRequest& request) = 0;
};

}  // namespace ferry
