// DirtySink: where refused records go. The engine's implementation writes dirty.jsonl, counts
// and enforces errorLimit; it is thread-safe. Add returns a non-OK Status once the limit is
// passed, and the caller must then stop its split.
#pragma once

#include <string>

#include "ferry/common/status.h"
#include "ferry/types/value.h"

namespace ferry {

class DirtySink {
 public:
  virtual ~DirtySink() = default;
  // A record the destination (or a conversion) refused: `row` holds num_columns values.
  virtual Status AddRecord(const std::string& split_id, const Status& reason, const Value* row,
                           size_t num_columns) = 0;
  // A source record that could not even be parsed (e.g. a CSV line with the wrong field count):
  // `where` is "file:line", `raw` the text as read.
  virtual Status AddRaw(const std::string& split_id, const Status& reason, const std::string& where,
                        const std::string& raw) = 0;
};

}  // namespace ferry
