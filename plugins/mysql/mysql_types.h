// The mysql plugin's type mapping, both ways (README.md "Type mapping" is the user's view):
//   reading: each result column's MYSQL_FIELD picks a MysqlColumnKind once, and each cell's text
//   (the text protocol) becomes a Value of that kind;
//   writing: each Value becomes a SQL literal in a multi-row INSERT.
// TIMESTAMP values are rendered by the server in the session time zone, which the plugin always
// sets from `timeZone` (a fixed UTC offset), so they convert to UTC exactly.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "ferry/common/status.h"
#include "ferry/types/record_batch.h"

struct st_mysql_field;

namespace ferry {

enum class MysqlColumnKind : uint8_t {
  kSigned,     // tinyint..bigint, year -> int64
  kUnsigned,   // bigint unsigned -> int64, or decimal above int64 max
  kBit,        // bit(n) -> int64 (decimal above int64 max), from its big-endian bytes
  kDecimal,    // decimal -> decimal (exact text)
  kDouble,     // float, double -> double
  kDate,       // date -> date
  kTime,       // time -> time within a day; string otherwise (e.g. "-12:00:00", "100:00:00")
  kDatetime,   // datetime -> timestamp
  kTimestamp,  // timestamp -> timestamptz (UTC)
  kText,       // char, varchar, text, enum, set, json -> string
  kBytes,      // binary, varbinary, blob, geometry -> bytes
};

// What to do with MySQL's zero dates ("0000-00-00", "2025-00-10"): make the record dirty
// (default) or read NULL.
enum class ZeroDateMode : uint8_t { kDirty, kNull };

MysqlColumnKind ColumnKindOf(const st_mysql_field& field);
TypeId DeclaredType(MysqlColumnKind kind);

// Parses "+08:00", "-05:30", "UTC", "Z" into seconds east of UTC; InvalidArgument otherwise
// (named zones need the server's time zone tables and are ambiguous at DST changes).
Result<int> ParseUtcOffset(std::string_view text);
// "+08:00" for SET time_zone.
std::string FormatUtcOffset(int seconds);

struct MysqlCellContext {
  int utc_offset_seconds = 0;
  ZeroDateMode zero_dates = ZeroDateMode::kDirty;
};

// Converts one non-NULL cell. Text is copied into `batch`'s arena. DataError says why (a zero
// date in dirty mode).
Result<Value> ReadMysqlCell(MysqlColumnKind kind, std::string_view text, RecordBatch* batch,
                            const MysqlCellContext& ctx);

// Appends `v` as a SQL literal (NULL, 123, 1.5e300, 'text', X'00ff', '2025-10-31 12:00:00.5').
// Strings are escaped by `quote` (the connection's escaping). DataError for a double MySQL
// cannot store (NaN, infinity).
template <typename QuoteFn>
Status AppendMysqlLiteral(const Value& v, int utc_offset_seconds, QuoteFn&& quote,
                          std::string* out);

// The non-template part of AppendMysqlLiteral: every type but strings.
Status AppendMysqlScalarLiteral(const Value& v, int utc_offset_seconds, std::string* out);

template <typename QuoteFn>
Status AppendMysqlLiteral(const Value& v, int utc_offset_seconds, QuoteFn&& quote,
                          std::string* out) {
  if (v.type == TypeId::kString) {
    quote(v.text(), out);
    return Status::OK();
  }
  return AppendMysqlScalarLiteral(v, utc_offset_seconds, out);
}

}  // namespace ferry
