// RowEncoding: pre-encoded rows. A plugin's own byte form of whole rows (PostgreSQL's binary COPY
// tuple, say) that its reader hands to a writer taking the same form unchanged, so that no field
// is decoded into a Value and encoded again. The engine never looks inside the bytes: it moves
// them in RecordBatch, counts each row's byte_size for the throttle and the figures, and asks
// Decode only for a row it must show as Values (a dirty record).
//
// A reader offers an encoding after Prepare (Reader::OfferedRowEncoding); the engine asks the
// writer (Writer::AcceptsRowEncoding) and, when it accepts, tells the reader to fill every batch
// of the run with encoded rows (Reader::UseRowEncoding). Only the two plugins know what the bytes
// mean; a writer accepts only an encoding it knows, with column types it takes as they are.
#pragma once

#include <string>
#include <string_view>

#include "ferry/common/status.h"
#include "ferry/types/value.h"

namespace ferry {

class RecordBatch;

class RowEncoding {
 public:
  virtual ~RowEncoding() = default;
  // What the rows are, for logs: "PostgreSQL binary COPY tuples".
  virtual std::string Describe() const = 0;
  // Fills `row` (num_columns Values, nulls on entry) from one encoded row, text copied into
  // `arena`'s arena. A field without a Ferry value is kept as its bytes; an error only for bytes
  // that are not a row of this encoding.
  virtual Status Decode(std::string_view encoded, Value* row, RecordBatch* arena) const = 0;
};

}  // namespace ferry
