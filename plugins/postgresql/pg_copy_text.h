// PostgreSQL's COPY text format, both ways, for the session settings PgConnection sets (DateStyle
// ISO, TimeZone UTC, hex bytea): one row per line, fields separated by tabs, \N for NULL,
// backslash escapes. The reader decodes each field straight into a Value of its column's type;
// the writer encodes each Value into the text its destination column's input function reads
// exactly as meant. Nothing is approximated: a field that does not parse is a DataError.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "ferry/common/status.h"
#include "ferry/types/record_batch.h"
#include "ferry/types/value.h"

namespace ferry::pg {

// Splits one COPY text line (its trailing newline optional) into fields, unescaping each into
// `scratch` storage; `null` marks \N fields. InvalidArgument when the line has a different
// number of fields than `expected`.
struct CopyFields {
  std::vector<std::string_view> text;
  std::vector<bool> null;
  std::string scratch;  // unescaped text of fields that held escapes
};
Status SplitCopyLine(std::string_view line, size_t expected, CopyFields* out);

// Decodes one field's text as PostgreSQL printed it into a Value of `type`, copying text into
// `batch`. DataError (with the reason) for text the type cannot hold: numeric NaN/Infinity,
// BC dates, infinite timestamps.
Result<Value> DecodeCopyField(TypeId type, std::string_view text, RecordBatch* batch);

// Appends the COPY text of `v` for a column whose input function is `bytea` or not. Strings and
// bytes going into bytea are written as hex (\\x...), so every byte arrives as it was; bytes
// into any other column are written as they are and the server checks them (invalid UTF-8 is
// its DataError). Doubles use PostgreSQL's spellings of Infinity and NaN.
void AppendCopyField(const Value& v, bool bytea, std::string* out);

// Appends `text` with the COPY escapes of backslash, tab, newline and carriage return.
void AppendCopyEscaped(std::string_view text, std::string* out);

}  // namespace ferry::pg
