// The txtfile reader's `column` parameter: ["*"] (every field as a string) or typed entries
// {"index": N, "type": "long", "format": "yyyy-MM-dd"} and constants {"value": "x", "type": ...}.
// FieldConverter turns one field's text into a Value in the batch arena.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "ferry/common/status.h"
#include "ferry/types/record_batch.h"

namespace ferry::txtfile {

struct ReaderColumn {
  int index = -1;  // the record's field (0-based); -1 for a constant
  TypeId type = TypeId::kString;
  std::string format;          // Java date pattern for date/timestamp fields; empty: ISO text
  bool constant_null = false;  // {"value": null}
  std::string constant;        // the constant's text
};

struct ReaderColumns {
  bool star = false;                  // ["*"]: every field, as strings
  std::vector<ReaderColumn> columns;  // empty when star
  // One more than the largest field index used (0 when only constants or star).
  size_t min_fields() const;
};

// Parses `column`; errors are InvalidArgument with field "column" or "column[i]".
Result<ReaderColumns> ParseReaderColumns(const nlohmann::json& column);

// `n` string columns reading fields 0..n-1 (what "*" expands to).
std::vector<ReaderColumn> StarColumns(size_t n);

// Converts field text to the column's type, copying text into `batch`'s arena. Returns false
// and sets *error (a DataError with the reason) when the text is not a value of that type.
// A bool rather than a Status because it runs once per field, where building an OK Status
// (three strings) costs more than parsing a number.
bool ConvertField(const ReaderColumn& column, std::string_view text, RecordBatch* batch, Value* out,
                  Status* error);

}  // namespace ferry::txtfile
