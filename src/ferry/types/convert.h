// Conversions between Values and text: the canonical text of each type (what CSV files hold
// and what SQLite stores for types it lacks), and the parsers back. Round trips are exact:
// doubles print the shortest text that reads back to the same bits, decimals keep their digits.
#pragma once

#include <string>
#include <string_view>

#include "ferry/common/status.h"
#include "ferry/types/value.h"

namespace ferry {

// Appends the canonical text of a non-null value: 123, 1e+308, -0, "2025-10-31",
// "12:00:00.000001", "2025-10-31 12:00:00.5", "2025-10-31 12:00:00Z", true/false.
// Bytes are appended raw; callers that need text choose their own encoding (see AppendHex).
void AppendValueText(const Value& v, std::string* out);
std::string ValueText(const Value& v);
// "<type>:<canonical text>" (bytes in hex), "null" for NULL: a value as tests and logs compare it.
std::string TypedText(const Value& v);
void AppendHex(std::string_view bytes, std::string* out);  // "\x00ff..." (PostgreSQL bytea form)
Result<std::string> DecodeHex(std::string_view text);      // accepts "\x..." or bare hex

Result<int64_t> ParseInt64(std::string_view text);
Result<double> ParseDouble(std::string_view text);
Result<bool> ParseBool(std::string_view text);
// Validates and canonicalizes a decimal ("+1.50" -> "1.50", "1e3" rejected: not exact text).
Result<std::string> ParseDecimal(std::string_view text);
Result<int64_t> ParseDate(std::string_view text);  // days; "yyyy-mm-dd" or "yyyymmdd"
Result<int64_t> ParseTime(std::string_view text);  // micros; "HH:MM[:SS[.ffffff]]"
// "yyyy-mm-dd[ T]HH:MM[:SS[.ffffff]]" or a date alone; a trailing Z or +hh:mm is applied when
// `allow_offset` (timestamptz), and refused otherwise.
Result<int64_t> ParseTimestamp(std::string_view text, bool allow_offset = false);

// Converts text to a value of `type` (string/bytes copied by the caller's arena function).
// DataError names what was expected.
Result<Value> ParseAs(TypeId type, std::string_view text);

void AppendDate(int64_t days, std::string* out);
void AppendTime(int64_t micros, std::string* out);
void AppendTimestamp(int64_t micros, std::string* out);

// DataX/Java date patterns ("yyyy-MM-dd HH:mm:ss.SSS"): format and parse timestamps (micros).
std::string FormatJavaPattern(int64_t micros, std::string_view pattern);
Result<int64_t> ParseJavaPattern(std::string_view text, std::string_view pattern);

}  // namespace ferry
