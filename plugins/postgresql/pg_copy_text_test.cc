// The COPY text codec and the SQLSTATE mapping, without a server.
#include "plugins/postgresql/pg_copy_text.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "ferry/types/convert.h"
#include "plugins/postgresql/pg_copy_binary.h"
#include "plugins/postgresql/pg_status.h"

namespace ferry::pg {
namespace {

TEST(PgCopyText, SplitsFieldsAndUnescapes) {
  CopyFields f;
  ASSERT_TRUE(SplitCopyLine("1\t\\N\tab\\tc\\\\d\\n\t\n", 4, &f).ok());
  EXPECT_EQ(f.text[0], "1");
  EXPECT_TRUE(f.null[1]);
  EXPECT_EQ(f.text[2], "ab\tc\\d\n");
  EXPECT_FALSE(f.null[3]);
  EXPECT_EQ(f.text[3], "");
  EXPECT_FALSE(SplitCopyLine("1\t2\n", 3, &f).ok());
}

TEST(PgCopyText, UnescapesOctalAndHexEscapes) {
  CopyFields f;
  ASSERT_TRUE(SplitCopyLine("\\101\\x42\\r\\b\\f\\v", 1, &f).ok());
  EXPECT_EQ(f.text[0], "AB\r\b\f\v");
}

TEST(PgCopyText, DecodesEachTypeAsPostgresqlPrintsIt) {
  RecordBatch b(1);
  auto text = [&](TypeId t, std::string_view s) { return TypedText(*DecodeCopyField(t, s, &b)); };
  EXPECT_EQ(text(TypeId::kInt64, "-9223372036854775808"), "long:-9223372036854775808");
  EXPECT_EQ(text(TypeId::kBool, "t"), "bool:true");
  EXPECT_EQ(text(TypeId::kDecimal, "-0.000000000000000000000000000000000000000001"),
            "decimal:-0.000000000000000000000000000000000000000001");
  EXPECT_EQ(text(TypeId::kBytes, "\\x00ff10"), "bytes:\\x00ff10");
  EXPECT_EQ(text(TypeId::kDate, "0001-01-01"), "date:0001-01-01");
  EXPECT_EQ(text(TypeId::kTime, "23:59:59.999999"), "time:23:59:59.999999");
  EXPECT_EQ(text(TypeId::kTimestamp, "1969-12-31 23:59:59.5"), "timestamp:1969-12-31 23:59:59.5");
  EXPECT_EQ(text(TypeId::kTimestampTz, "2025-10-31 12:00:00.000001+00"),
            "timestamptz:2025-10-31 12:00:00.000001+00");
  EXPECT_EQ(text(TypeId::kString, "{1,2}"), "string:{1,2}");
  Value inf = *DecodeCopyField(TypeId::kDouble, "-Infinity", &b);
  EXPECT_TRUE(std::isinf(inf.d) && inf.d < 0);
  EXPECT_TRUE(std::isnan(DecodeCopyField(TypeId::kDouble, "NaN", &b)->d));
  EXPECT_EQ(DecodeCopyField(TypeId::kDouble, "4.9406564584124654e-324", &b)->d,
            std::numeric_limits<double>::denorm_min());
}

TEST(PgCopyText, TextWithoutAFerryValueIsADataError) {
  RecordBatch b(1);
  EXPECT_EQ(DecodeCopyField(TypeId::kDecimal, "NaN", &b).status().code(), StatusCode::kDataError);
  EXPECT_EQ(DecodeCopyField(TypeId::kDate, "0044-03-15 BC", &b).status().code(),
            StatusCode::kDataError);
  EXPECT_EQ(DecodeCopyField(TypeId::kTimestamp, "infinity", &b).status().code(),
            StatusCode::kDataError);
}

TEST(PgCopyText, EncodesValuesForTheColumnsInputFunction) {
  auto enc = [](const Value& v, bool bytea = false) {
    std::string out;
    AppendCopyField(v, bytea, &out);
    return out;
  };
  EXPECT_EQ(enc(Value::Null()), "\\N");
  EXPECT_EQ(enc(Value::View(TypeId::kString, "\\N")), "\\\\N");
  EXPECT_EQ(enc(Value::View(TypeId::kString, "a\tb\r\nc\\")), "a\\tb\\r\\nc\\\\");
  EXPECT_EQ(enc(Value::View(TypeId::kBytes, std::string_view("\0\xff", 2)), true), "\\\\x00ff");
  EXPECT_EQ(enc(Value::View(TypeId::kString, "ab"), true), "\\\\x6162");
  EXPECT_EQ(enc(Value::Bool(true)), "t");
  EXPECT_EQ(enc(Value::Double(-std::numeric_limits<double>::infinity())), "-Infinity");
  EXPECT_EQ(enc(Value::Double(std::nan(""))), "NaN");
  EXPECT_EQ(enc(Value::Double(-0.0)), "-0");
  EXPECT_EQ(enc(Value::TimestampTz(1500000)), "1970-01-01 00:00:01.5+00");
}

TEST(PgStatus, SqlStateClassesSayWhatToDo) {
  EXPECT_EQ(PgStatusCode("23502"), StatusCode::kDataError);  // not_null_violation
  EXPECT_EQ(PgStatusCode("22001"), StatusCode::kDataError);  // string_data_right_truncation
  EXPECT_EQ(PgStatusCode("22021"), StatusCode::kDataError);  // invalid byte sequence
  EXPECT_EQ(PgStatusCode("21000"), StatusCode::kDataError);  // row affected twice by an upsert
  EXPECT_EQ(PgStatusCode("40001"), StatusCode::kAborted);
  EXPECT_EQ(PgStatusCode("40P01"), StatusCode::kAborted);
  EXPECT_EQ(PgStatusCode("57P01"), StatusCode::kAborted);  // terminated by administrator
  EXPECT_EQ(PgStatusCode("08006"), StatusCode::kAborted);
  EXPECT_EQ(PgStatusCode("42P01"), StatusCode::kInvalidArgument);
  EXPECT_EQ(PgStatusCode("28P01"), StatusCode::kFailedPrecondition);
}

TEST(PgStatus, ColumnOfACopyError) {
  EXPECT_EQ(ColumnFromCopyContext("COPY t, line 1, column amount: \"abc\""), "amount");
  EXPECT_EQ(ColumnFromCopyContext("COPY ferry_stage, line 3, column Note X: \"\""), "Note X");
  EXPECT_EQ(ColumnFromCopyContext("COPY t, line 1: \"abc\""), "");
  EXPECT_EQ(ColumnFromCopyContext("SQL function"), "");
}

}  // namespace
}  // namespace ferry::pg

namespace ferry::pg {
namespace {

// Hex digits in groups of the format's fields: "00000008 0000".
std::string Hex(const std::string& s) {
  std::string out;
  AppendHex(s, &out);
  return out.substr(2);
}

std::string Unspaced(std::string s) {
  std::erase(s, ' ');
  return s;
}

std::string Numeric(std::string_view text) {
  std::string out;
  AppendNumericBinary(text, &out);
  return Hex(out);
}

TEST(PgCopyBinary, NumericIsBase10000GroupsAlignedOnTheDecimalPoint) {
  // length, ndigits, weight, sign, dscale, digits
  EXPECT_EQ(Numeric("0"), Unspaced("00000008 0000 0000 0000 0000"));
  EXPECT_EQ(Numeric("-0.00"), Unspaced("00000008 0000 0000 0000 0002"));
  EXPECT_EQ(Numeric("100"), Unspaced("0000000a 0001 0000 0000 0000 0064"));
  EXPECT_EQ(Numeric("-123.4500"), Unspaced("0000000c 0002 0000 4000 0004 007b 1194"));
  EXPECT_EQ(Numeric("10000.5"), Unspaced("0000000e 0003 0001 0000 0001 0001 0000 1388"));
  EXPECT_EQ(Numeric("0.00012"), Unspaced("0000000c 0002 ffff 0000 0005 0001 07d0"));
}

TEST(PgCopyBinary, OnlyExactEncodingsAreUsed) {
  EXPECT_TRUE(BinaryEncodable(Value::Int64(32767), BinaryKind::kInt2));
  EXPECT_FALSE(BinaryEncodable(Value::Int64(32768), BinaryKind::kInt2));
  EXPECT_FALSE(BinaryEncodable(Value::Int64(int64_t{1} << 31), BinaryKind::kInt4));
  EXPECT_FALSE(BinaryEncodable(Value::View(TypeId::kString, "42"), BinaryKind::kInt8));
  EXPECT_TRUE(BinaryEncodable(Value::Double(0.5), BinaryKind::kFloat4));
  EXPECT_FALSE(BinaryEncodable(Value::Double(0.1), BinaryKind::kFloat4));  // would round
  EXPECT_FALSE(BinaryEncodable(Value::TimestampTz(0), BinaryKind::kTimestamp));
  EXPECT_FALSE(BinaryEncodable(Value::Int64(1), BinaryKind::kText));
  EXPECT_TRUE(BinaryEncodable(Value::Null(), BinaryKind::kBool));
  EXPECT_EQ(BinaryKindForOid(2950), BinaryKind::kUuid);
  EXPECT_EQ(BinaryKindForOid(1007), BinaryKind::kNone);  // int4[]: read as its text
}

// uuid: the 16 bytes of the form PostgreSQL prints, either case; other spellings (braces, no
// hyphens, a stray character) are left to the server as COPY text.
TEST(PgCopyBinary, UuidIsItsSixteenBytesOnlyInTheCanonicalForm) {
  std::string out;
  AppendBinaryField(Value::View(TypeId::kString, "a0eebc99-9C0B-4ef8-bb6d-6bb9bd380a11"),
                    BinaryKind::kUuid, &out);
  EXPECT_EQ(Hex(out), Unspaced("00000010 a0eebc999c0b4ef8bb6d6bb9bd380a11"));
  for (const char* other :
       {"{a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11}", "a0eebc999c0b4ef8bb6d6bb9bd380a11",
        "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a1g", "a0eebc99-9c0b-4ef8-bb6d6-bb9bd380a11", ""}) {
    EXPECT_FALSE(BinaryEncodable(Value::View(TypeId::kString, other), BinaryKind::kUuid)) << other;
  }
  EXPECT_FALSE(BinaryEncodable(Value::Int64(1), BinaryKind::kUuid));
  RecordBatch b(1);
  auto back = DecodeBinaryField(BinaryKind::kUuid, out.substr(4), &b);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(TypedText(*back), "string:a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11");
  EXPECT_EQ(DecodeBinaryField(BinaryKind::kUuid, "short", &b).status().code(),
            StatusCode::kDataError);
}

TEST(PgCopyBinary, JsonIsItsTextAndJsonbAVersionByteBeforeIt) {
  const Value doc = Value::View(TypeId::kString, R"({"k": [1, "é"]})");
  std::string json, jsonb;
  AppendBinaryField(doc, BinaryKind::kJson, &json);
  AppendBinaryField(doc, BinaryKind::kJsonb, &jsonb);
  // Compared as hex: GCC 12 warns (-Warray-bounds, a false positive) on a literal with NULs
  // concatenated to another.
  EXPECT_EQ(Hex(json), "00000010" + Hex(R"({"k": [1, "é"]})"));
  EXPECT_EQ(Hex(jsonb), "0000001101" + Hex(R"({"k": [1, "é"]})"));
  RecordBatch b(1);
  EXPECT_EQ(
      TypedText(*DecodeBinaryField(BinaryKind::kJsonb, std::string_view(jsonb).substr(4), &b)),
      R"(string:{"k": [1, "é"]})");
  EXPECT_EQ(DecodeBinaryField(BinaryKind::kJsonb, "\x02{}", &b).status().code(),
            StatusCode::kDataError);
}

TEST(PgCopyBinary, DatesAndTimestampsCountFrom2000) {
  std::string out;
  AppendBinaryField(Value::Date(10957), BinaryKind::kDate, &out);
  AppendBinaryField(Value::Timestamp(946684800000001), BinaryKind::kTimestamp, &out);
  EXPECT_EQ(Hex(out), Unspaced("00000004 00000000 00000008 0000000000000001"));
}

}  // namespace
}  // namespace ferry::pg

namespace ferry::pg {
namespace {

TEST(PgCopyBinary, NumericDecodesToPostgresqlsText) {
  for (std::string text : {"0", "0.00", "100", "-123.4500", "10000.5", "0.00012",
                           "12345678901234567890123456789012345678",
                           "-0.00000000000000000000000000000000000001", "99999999.99990000"}) {
    std::string binary;
    AppendNumericBinary(text, &binary);
    auto back = NumericBinaryText(std::string_view(binary).substr(4));
    ASSERT_TRUE(back.ok()) << text;
    EXPECT_EQ(*back, text);
  }
  std::string nan = std::string("\0\0\0\0\xC0\0\0\0", 8);
  EXPECT_EQ(NumericBinaryText(nan).status().code(), StatusCode::kDataError);
}

TEST(PgCopyBinary, InfiniteAndBcDatesAreDataErrors) {
  RecordBatch b(1);
  EXPECT_EQ(
      DecodeBinaryField(BinaryKind::kDate, std::string("\x7f\xff\xff\xff", 4), &b).status().code(),
      StatusCode::kDataError);
  EXPECT_EQ(
      DecodeBinaryField(BinaryKind::kDate, std::string("\xff\xf0\x00\x00", 4), &b).status().code(),
      StatusCode::kDataError);
  EXPECT_EQ(TypedText(*DecodeBinaryField(BinaryKind::kDate, std::string(4, '\0'), &b)),
            "date:2000-01-01");
}

}  // namespace
}  // namespace ferry::pg
