// Writer -> reader round trips: every value comes back byte for byte, in both dialects and with
// every compression. This is the txtfile part of the plugin contract suite.
#include <gtest/gtest.h>

#include <cfloat>
#include <climits>
#include <limits>

#include "plugins/txtfile/txtfile_test_util.h"

namespace ferry::txtfile {
namespace {

using nlohmann::json;
using testing::ReadAll;
using testing::TempDir;
using testing::WriteAll;

const std::vector<std::string> kTrickyStrings = {
    "",
    "plain",
    "\\N",
    "\\",
    "\\\\N",
    "NULL",
    "中文字符",
    "emoji 😀🚀 and ZWJ 👩‍💻",
    "combining e\u0301 and a\u0308",
    "tab\there",
    "new\nline",
    "cr\rlf\r\n",
    "\"quoted\"",
    "\"",
    "a,b;c|d",
    "back\\slash\\t not a tab",
    " leading space",
    "trailing space ",
    "\t",
    "\x01 hive separator",
    std::string("nul\0inside", 10),
    "\xEF\xBB\xBF bom-looking text",
};

struct TypedColumn {
  const char* name;
  TypeId type;
  const char* reader_type;
};

const std::vector<TypedColumn> kTypedColumns = {
    {"s", TypeId::kString, "string"},        {"i", TypeId::kInt64, "long"},
    {"d", TypeId::kDouble, "double"},        {"b", TypeId::kBytes, "bytes"},
    {"ts", TypeId::kTimestamp, "timestamp"}, {"dt", TypeId::kDate, "date"},
    {"dec", TypeId::kDecimal, "decimal"},    {"bo", TypeId::kBool, "bool"},
    {"tm", TypeId::kTime, "time"},           {"tz", TypeId::kTimestampTz, "timestamptz"},
};

// Rows that cover the extremes of each type, a NULL per column, and the tricky strings.
std::unique_ptr<RecordBatch> TrickyBatch() {
  const size_t n = kTypedColumns.size();
  auto batch = std::make_unique<RecordBatch>(n);
  const std::vector<int64_t> ints = {INT64_MIN, INT64_MAX, 0, -1};
  const std::vector<double> doubles = {
      -0.0, 1e308, 5e-324, 0.1, -1.7976931348623157e308, 2.2250738585072014e-308};
  const std::vector<std::string> bytes = {std::string("\0\0", 2), std::string("\xff\0\x01", 3), ""};
  const std::vector<int64_t> timestamps = {1'761'912'000'123'456LL, -62'135'596'800'000'000LL,
                                           253'402'300'799'999'999LL, -1};
  const std::vector<int64_t> dates = {-719'162, 2'932'896, 0};  // 0001-01-01, 9999-12-31
  const std::vector<std::string> decimals = {"12345678901234567890123456789012345678",
                                             "-0.00000000000000000000000000000000000001", "0"};
  size_t rows = kTrickyStrings.size() + 1;
  for (size_t r = 0; r < rows; ++r) {
    Value* row = batch->AppendRow();
    if (r == rows - 1) break;  // the all-NULL row
    row[0] = batch->String(kTrickyStrings[r]);
    row[1] = Value::Int64(ints[r % ints.size()]);
    row[2] = Value::Double(doubles[r % doubles.size()]);
    row[3] = batch->CopyText(TypeId::kBytes, bytes[r % bytes.size()]);
    row[4] = Value::Timestamp(timestamps[r % timestamps.size()]);
    row[5] = Value::Date(dates[r % dates.size()]);
    row[6] = batch->CopyText(TypeId::kDecimal, decimals[r % decimals.size()]);
    row[7] = Value::Bool(r % 2 == 0);
    row[8] = Value::Time(r * 1'000'001LL);
    row[9] = Value::TimestampTz(timestamps[r % timestamps.size()]);
    if (r % 5 == 3) row[r % n] = Value::Null();  // NULLs scattered among values
  }
  return batch;
}

std::vector<std::vector<std::string>> Cells(const RecordBatch& batch) {
  std::vector<std::vector<std::string>> out;
  for (size_t r = 0; r < batch.num_rows(); ++r) {
    std::vector<std::string> row;
    for (size_t c = 0; c < batch.num_columns(); ++c) {
      row.push_back(testing::CellText(batch.at(r, c)));
    }
    out.push_back(std::move(row));
  }
  return out;
}

struct Format {
  const char* file_format;
  const char* delimiter;
  const char* compress;
};

void PrintTo(const Format& f, std::ostream* os) {
  *os << f.file_format << ", delimiter \"" << f.delimiter << "\", compress " << f.compress;
}

class RoundTripTest : public ::testing::TestWithParam<Format> {};

TEST_P(RoundTripTest, EveryValueComesBackExactly) {
  TempDir dir;
  const Format& f = GetParam();
  std::vector<ColumnInfo> columns;
  json reader_columns = json::array();
  for (size_t c = 0; c < kTypedColumns.size(); ++c) {
    columns.push_back({kTypedColumns[c].name, kTypedColumns[c].type});
    reader_columns.push_back({{"index", c}, {"type", kTypedColumns[c].reader_type}});
  }
  auto batch = TrickyBatch();
  auto second = TrickyBatch();
  json writer_param = {{"path", dir.path()},          {"fileName", "rt"},
                       {"fileFormat", f.file_format}, {"fieldDelimiter", f.delimiter},
                       {"compress", f.compress},      {"writeMode", "truncate"}};
  Status st = WriteAll(writer_param, columns, {{"0000", batch.get()}, {"0001", second.get()}});
  ASSERT_TRUE(st.ok()) << st.message();

  json reader_param = {{"path", dir.File("rt*")},
                       {"fileFormat", f.file_format},
                       {"fieldDelimiter", f.delimiter},
                       {"column", reader_columns}};
  testing::ReadResult r = ReadAll(reader_param);
  ASSERT_TRUE(r.status.ok()) << r.status.message();
  EXPECT_TRUE(r.dirty.empty()) << r.dirty[0].reason.message() << " at " << r.dirty[0].where;
  auto expected = Cells(*batch);
  auto expected_second = Cells(*second);
  expected.insert(expected.end(), expected_second.begin(), expected_second.end());
  ASSERT_EQ(r.rows.size(), expected.size());
  for (size_t k = 0; k < expected.size(); ++k) EXPECT_EQ(r.rows[k], expected[k]) << "row " << k;
}

INSTANTIATE_TEST_SUITE_P(Dialects, RoundTripTest,
                         ::testing::Values(Format{"csv", ",", "none"}, Format{"csv", "\t", "gzip"},
                                           Format{"csv", "|", "zstd"},
                                           Format{"csv", "\\u0001", "none"},
                                           Format{"text", "\t", "none"},
                                           Format{"text", ",", "gzip"},
                                           Format{"text", "|", "zstd"}),
                         [](const auto& info) {
                           std::string name = std::string(info.param.file_format) + "_" +
                                              info.param.compress + "_" +
                                              std::to_string(info.index);
                           return name;
                         });

// A one-column file is where an empty string could turn into a blank line.
TEST(RoundTripTest, SingleColumnEmptyStringAndNull) {
  for (const char* format : {"csv", "text"}) {
    TempDir dir;
    auto batch = std::make_unique<RecordBatch>(1);
    for (const char* s : {"", "x", ""}) batch->AppendRow()[0] = batch->String(s);
    batch->AppendRow();  // NULL
    ASSERT_TRUE(WriteAll({{"path", dir.path()}, {"fileName", "one"}, {"fileFormat", format}},
                         {{"s", TypeId::kString}}, {{"0", batch.get()}})
                    .ok());
    testing::ReadResult r = ReadAll({{"path", dir.File("one")}, {"fileFormat", format}});
    ASSERT_TRUE(r.status.ok()) << r.status.message();
    EXPECT_EQ(r.rows, (std::vector<std::vector<std::string>>{
                          {"string:"}, {"string:x"}, {"string:"}, {"NULL"}}))
        << format;
  }
}

TEST(RoundTripTest, DateFormatWithMicroseconds) {
  TempDir dir;
  auto batch = std::make_unique<RecordBatch>(2);
  Value* row = batch->AppendRow();
  row[0] = Value::Timestamp(1'761'912'000'123'456LL);
  row[1] = Value::Date(20'000);
  ASSERT_TRUE(
      WriteAll(
          {{"path", dir.path()}, {"fileName", "d"}, {"dateFormat", "dd.MM.yyyy HH:mm:ss.SSSSSS"}},
          {{"ts", TypeId::kTimestamp}, {"dt", TypeId::kDate}}, {{"0", batch.get()}})
          .ok());
  EXPECT_EQ(testing::ReadFile(dir.File("d")),
            "31.10.2025 12:00:00.123456,04.10.2024 00:00:00.000000\n");
  json column =
      json::array({{{"index", 0}, {"type", "timestamp"}, {"format", "dd.MM.yyyy HH:mm:ss.SSSSSS"}},
                   {{"index", 1}, {"type", "date"}, {"format", "dd.MM.yyyy HH:mm:ss.SSSSSS"}}});
  testing::ReadResult r = ReadAll({{"path", dir.File("d")}, {"column", column}});
  ASSERT_TRUE(r.status.ok()) << r.status.message();
  EXPECT_EQ(r.rows, (std::vector<std::vector<std::string>>{
                        {"timestamp:2025-10-31 12:00:00.123456", "date:2024-10-04"}}));
}

}  // namespace
}  // namespace ferry::txtfile
