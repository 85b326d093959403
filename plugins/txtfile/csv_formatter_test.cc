#include "plugins/txtfile/csv_formatter.h"

#include <gtest/gtest.h>

#include "ferry/types/convert.h"
#include "ferry/types/record_batch.h"

namespace ferry::txtfile {
namespace {

std::string Format(const Dialect& dialect, std::vector<Value> row, std::string date_format = "") {
  CsvFormatter formatter(dialect, std::move(date_format));
  std::string out;
  formatter.AppendRow(row.data(), row.size(), &out);
  return out;
}

Value Str(std::string_view s) { return Value::View(TypeId::kString, s); }

const Dialect kCsv{FileFormat::kCsv, ',', "\\N"};
const Dialect kText{FileFormat::kText, '\t', "\\N"};

TEST(CsvFormatterTest, QuotesOnlyWhenNeeded) {
  EXPECT_EQ(Format(kCsv, {Str("plain"), Str("a,b"), Str("say \"hi\""), Str("x\ny"), Str("r\r")}),
            "plain,\"a,b\",\"say \"\"hi\"\"\",\"x\ny\",\"r\r\"\n");
  EXPECT_EQ(Format(kCsv, {Str(" lead"), Str("trail "), Str("in side"), Str("中文😀")}),
            "\" lead\",\"trail \",in side,中文😀\n");
}

TEST(CsvFormatterTest, NullIsBareAndAStringEqualToTheNullFormatIsQuoted) {
  EXPECT_EQ(Format(kCsv, {Value::Null(), Str("\\N"), Str(""), Str("\\")}), "\\N,\"\\N\",,\\\n");
}

TEST(CsvFormatterTest, EmptyStringAloneIsQuotedSoTheLineIsNotBlank) {
  EXPECT_EQ(Format(kCsv, {Str("")}), "\"\"\n");
  EXPECT_EQ(Format(kCsv, {Value::Null()}), "\\N\n");
}

TEST(CsvFormatterTest, EmptyNullFormatQuotesEmptyStrings) {
  Dialect d{FileFormat::kCsv, ',', ""};
  EXPECT_EQ(Format(d, {Value::Null(), Str(""), Str("x")}), ",\"\",x\n");
}

TEST(CsvFormatterTest, TypedValues) {
  EXPECT_EQ(Format(kCsv, {Value::Int64(INT64_MIN), Value::Double(-0.0), Value::Double(1e308),
                          Value::Bool(true), Value::View(TypeId::kDecimal, "-123.4500")}),
            "-9223372036854775808,-0,1e+308,true,-123.4500\n");
  EXPECT_EQ(Format(kCsv, {Value::View(TypeId::kBytes, std::string_view("\0\xff", 2))}),
            "\\x00ff\n");
  EXPECT_EQ(Format(kCsv, {Value::Date(0), Value::Timestamp(1'500'001)}),
            "1970-01-01,1970-01-01 00:00:01.500001\n");
}

TEST(CsvFormatterTest, NumbersAreQuotedWhenTheDelimiterIsInThem) {
  Dialect d{FileFormat::kCsv, '.', "\\N"};
  EXPECT_EQ(Format(d, {Value::Double(1.5), Value::Int64(2)}), "\"1.5\".2\n");
}

TEST(CsvFormatterTest, DateFormatAppliesToDatesAndTimestamps) {
  EXPECT_EQ(Format(kCsv,
                   {Value::Date(1), Value::Timestamp(86'400'000'000LL + 3'723'000'000LL),
                    Value::Int64(5)},
                   "yyyy/MM/dd HH:mm"),
            "1970/01/02 00:00,1970/01/02 01:02,5\n");
}

TEST(CsvFormatterTest, TextFormatEscapes) {
  EXPECT_EQ(Format(kText, {Str("a\tb"), Str("c\nd\re"), Str("back\\slash"), Str("\"q\",x")}),
            "a\\tb\tc\\nd\\re\tback\\\\slash\t\"q\",x\n");
  EXPECT_EQ(Format(kText, {Value::Null(), Str("\\N"), Str("")}), "\\N\t\\\\N\t\n");
  Dialect pipe{FileFormat::kText, '|', "\\N"};
  EXPECT_EQ(Format(pipe, {Str("a|b"), Str("t\t")}), "a\\|b|t\\t\n");
}

TEST(CsvFormatterTest, DatesTimesAndTimestampsAtTheirEdgesKeepEveryDigit) {
  constexpr int64_t kDay = 86'400'000'000LL;
  const int64_t first_day = -719'162;  // 0001-01-01
  const int64_t last_day = 2'932'896;  // 9999-12-31
  EXPECT_EQ(Format(kCsv, {Value::Date(first_day), Value::Date(last_day), Value::Time(0),
                          Value::Time(kDay - 1), Value::Time(10)}),
            "0001-01-01,9999-12-31,00:00:00,23:59:59.999999,00:00:00.00001\n");
  EXPECT_EQ(Format(kCsv, {Value::Timestamp(first_day * kDay),
                          Value::Timestamp(last_day * kDay + kDay - 1), Value::Timestamp(-500'000),
                          Value::TimestampTz(120'000)}),
            "0001-01-01 00:00:00,9999-12-31 23:59:59.999999,1969-12-31 23:59:59.5,"
            "1970-01-01 00:00:00.12+00\n");
}

TEST(CsvFormatterTest, ATypedValueEqualToTheNullFormatIsQuoted) {
  Dialect zero{FileFormat::kCsv, ',', "0"};
  EXPECT_EQ(Format(zero, {Value::Int64(0), Value::Null(), Value::Int64(10)}), "\"0\",0,10\n");
}

TEST(CsvFormatterTest, TextFormatEscapesADelimiterInsideATypedValue) {
  Dialect colon{FileFormat::kText, ':', "\\N"};
  EXPECT_EQ(Format(colon, {Value::Time(3'723'000'000LL), Value::Int64(7)}), "01\\:02\\:03:7\n");
}

TEST(CsvFormatterTest, Header) {
  CsvFormatter formatter(kCsv, "");
  std::string out;
  formatter.AppendHeader({"id", "full name", "a,b"}, &out);
  EXPECT_EQ(out, "id,full name,\"a,b\"\n");
}

}  // namespace
}  // namespace ferry::txtfile
