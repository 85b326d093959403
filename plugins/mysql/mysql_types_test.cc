// The type mapping without a server: cell text -> Value for each column kind, Value -> SQL
// literal, UTC offsets, and the error-number mapping.
#include "plugins/mysql/mysql_types.h"

#include <gtest/gtest.h>

#include <limits>

#include "ferry/types/convert.h"
#include "plugins/mysql/mysql_insert_sql.h"
#include "plugins/mysql/mysql_status.h"

namespace ferry {
namespace {

std::string Read(MysqlColumnKind kind, std::string_view text, MysqlCellContext ctx = {}) {
  RecordBatch batch(1);
  Result<Value> v = ReadMysqlCell(kind, text, &batch, ctx);
  if (!v.ok()) return "error: " + v.status().message();
  return TypedText(*v);
}

std::string Literal(const Value& v, int offset = 0) {
  std::string out;
  auto quote = [](std::string_view t, std::string* o) { *o += "'" + std::string(t) + "'"; };
  Status s = AppendMysqlLiteral(v, offset, quote, &out);
  return s.ok() ? out : "error: " + s.message();
}

TEST(MysqlTypes, IntegersKeepTheirRangeAndUnsignedAboveInt64BecomesDecimal) {
  EXPECT_EQ(Read(MysqlColumnKind::kSigned, "-9223372036854775808"), "long:-9223372036854775808");
  EXPECT_EQ(Read(MysqlColumnKind::kUnsigned, "9223372036854775807"), "long:9223372036854775807");
  EXPECT_EQ(Read(MysqlColumnKind::kUnsigned, "18446744073709551615"),
            "decimal:18446744073709551615");
  EXPECT_EQ(Read(MysqlColumnKind::kBit, std::string("\x03\xff", 2)), "long:1023");
}

TEST(MysqlTypes, TimeWithinADayIsTimeAndOutsideItIsItsText) {
  EXPECT_EQ(Read(MysqlColumnKind::kTime, "12:34:56.000001"), "time:12:34:56.000001");
  EXPECT_EQ(Read(MysqlColumnKind::kTime, "-838:59:59.000000"), "string:-838:59:59.000000");
  EXPECT_EQ(Read(MysqlColumnKind::kTime, "100:00:00"), "string:100:00:00");
}

TEST(MysqlTypes, TimestampIsConvertedFromTheSessionOffsetToUtc) {
  MysqlCellContext ctx;
  ctx.utc_offset_seconds = 8 * 3600;
  EXPECT_EQ(Read(MysqlColumnKind::kTimestamp, "2025-10-31 08:00:00.5", ctx),
            "timestamptz:2025-10-31 00:00:00.5+00");
  EXPECT_EQ(Read(MysqlColumnKind::kDatetime, "2025-10-31 08:00:00.5", ctx),
            "timestamp:2025-10-31 08:00:00.5");
  EXPECT_EQ(Literal(Value::TimestampTz(0), 8 * 3600), "'1970-01-01 08:00:00'");
}

TEST(MysqlTypes, ZeroDatesAreDirtyOrNull) {
  EXPECT_EQ(Read(MysqlColumnKind::kDate, "0000-00-00").substr(0, 16), "error: zero date");
  EXPECT_EQ(Read(MysqlColumnKind::kDatetime, "2025-00-10 00:00:00").substr(0, 16),
            "error: zero date");
  MysqlCellContext ctx;
  ctx.zero_dates = ZeroDateMode::kNull;
  EXPECT_EQ(Read(MysqlColumnKind::kDate, "0000-00-00", ctx), "null");
}

TEST(MysqlTypes, LiteralsAreExact) {
  EXPECT_EQ(Literal(Value::Null()), "NULL");
  EXPECT_EQ(Literal(Value::Int64(std::numeric_limits<int64_t>::min())), "-9223372036854775808");
  EXPECT_EQ(Literal(Value::Double(5e-324)), "5e-324");
  EXPECT_EQ(Literal(Value::View(TypeId::kDecimal, "-0.000001")), "-0.000001");
  EXPECT_EQ(Literal(Value::View(TypeId::kBytes, std::string_view("\x00\xff", 2))), "X'00ff'");
  EXPECT_EQ(Literal(Value::Date(0)), "'1970-01-01'");
  EXPECT_EQ(Literal(Value::Double(std::numeric_limits<double>::quiet_NaN())).substr(0, 6),
            "error:");
}

TEST(MysqlTypes, UtcOffsets) {
  EXPECT_EQ(*ParseUtcOffset("+08:00"), 8 * 3600);
  EXPECT_EQ(*ParseUtcOffset("-05:30"), -(5 * 3600 + 1800));
  EXPECT_EQ(*ParseUtcOffset("UTC"), 0);
  EXPECT_FALSE(ParseUtcOffset("Asia/Shanghai").ok());
  EXPECT_EQ(FormatUtcOffset(-(5 * 3600 + 1800)), "-05:30");
}

TEST(MysqlStatus, ErrorNumbersSayWhatToDo) {
  EXPECT_EQ(MysqlStatusCode(1406), StatusCode::kDataError);
  EXPECT_EQ(MysqlStatusCode(1062), StatusCode::kDataError);
  EXPECT_EQ(MysqlStatusCode(2013), StatusCode::kAborted);
  EXPECT_EQ(MysqlStatusCode(1213), StatusCode::kAborted);
  EXPECT_EQ(MysqlStatusCode(1205), StatusCode::kAborted);
  EXPECT_EQ(MysqlStatusCode(1146), StatusCode::kNotFound);
  Status s = MysqlStatus(1406, "Data too long for column 'note' at row 3");
  EXPECT_EQ(s.column(), "note");
  EXPECT_EQ(s.message(), "[1406] Data too long for column 'note' at row 3");
  EXPECT_EQ(ColumnNamedInMysqlError("Column 'nn' cannot be null"), "nn");
  EXPECT_EQ(ColumnNamedInMysqlError("Incorrect date value: '2025-02-30' for column `db`.`t`.`day` "
                                    "at row 1"),
            "day");
  EXPECT_EQ(ColumnNamedInMysqlError("Duplicate entry '1' for key 'PRIMARY'"), "");
}

TEST(MysqlInsertSql, EachWriteModeHasItsStatement) {
  std::vector<std::string> cols = {"id", "v"};
  MysqlInsertSql ins = BuildInsertSql("db.t", cols, MysqlWriteMode::kInsert, {});
  EXPECT_EQ(ins.prefix, "INSERT INTO `db`.`t` (`id`, `v`) VALUES ");
  EXPECT_EQ(ins.suffix, "");
  EXPECT_EQ(BuildInsertSql("t", cols, MysqlWriteMode::kReplace, {}).prefix,
            "REPLACE INTO `t` (`id`, `v`) VALUES ");
  EXPECT_EQ(BuildInsertSql("t", cols, MysqlWriteMode::kUpdate, {"v"}).suffix,
            " ON DUPLICATE KEY UPDATE `v` = VALUES(`v`)");
  EXPECT_EQ(BuildInsertSql("t", cols, MysqlWriteMode::kIgnore, {}).suffix,
            " ON DUPLICATE KEY UPDATE `id` = `id`");
}

}  // namespace
}  // namespace ferry
