// The contract a user relies on: a table of tricky values survives sqlite -> sqlite and
// sqlite -> csv -> sqlite byte for byte, each value keeping its SQLite storage class.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "tests/support/ferry_cli.h"

namespace ferry::testing {
namespace {

constexpr const char* kSchema =
    "CREATE TABLE tricky (id INTEGER PRIMARY KEY, t TEXT, i INTEGER, r REAL, b BLOB, ts TEXT);";

// Every case the contract suite names: NULL vs '', '\N' as text, CR/LF/tab/quotes/backslashes,
// CJK/emoji/combining marks, int64 extremes, -0.0, 1e308, 5e-324, blobs with zero bytes,
// microsecond timestamps, dates 0001-01-01 and 9999-12-31.
constexpr const char* kRows = R"SQL(
INSERT INTO tricky VALUES (1, NULL, NULL, NULL, NULL, NULL);
INSERT INTO tricky VALUES (2, '', 0, 0.0, x'', '0001-01-01 00:00:00');
INSERT INTO tricky VALUES (3, '\N', 9223372036854775807, 1e308, x'00', '9999-12-31 23:59:59.999999');
INSERT INTO tricky VALUES (4, 'line1' || char(13) || char(10) || 'line2' || char(9) || 'tab "quoted" back\slash',
                           -9223372036854775808, 5e-324, x'00ff0001', '2025-10-31 12:00:00.000001');
INSERT INTO tricky VALUES (5, '中文 😀 e' || char(769) || ' 𝄞', -1, -0.0, x'deadbeef00', '2025-01-01');
INSERT INTO tricky VALUES (6, ' leading and trailing ', 42, 3.141592653589793, x'0a0d2c22', '2024-02-29 23:59:59.5');
INSERT INTO tricky VALUES (7, ',', 1, 1.5e-7, x'5c4e', '1970-01-01 00:00:00');
INSERT INTO tricky VALUES (8, '"', 2, -1.7976931348623157e308, x'ff', '2000-01-01T00:00:00Z');
INSERT INTO tricky VALUES (9, 'NULL', 3, 2.2250738585072014e-308, x'00000000', 'null');
INSERT INTO tricky VALUES (10, char(10), 4, 123456789012345678, x'c3', '\N');
)SQL";

// What a user compares: storage class and exact text of every cell.
std::vector<std::string> Snapshot(const std::string& db) {
  return SqliteRows(db,
                    "SELECT id, typeof(t), quote(t), typeof(i), quote(i), typeof(r), "
                    "printf('%!.17g', r), typeof(b), quote(b), typeof(ts), quote(ts) "
                    "FROM tricky ORDER BY id");
}

std::string SqliteToSqliteJob(const std::string& src, const std::string& dst,
                              const std::string& where = "") {
  nlohmann::json reader = {
      {"path", src}, {"table", "tricky"}, {"column", {"*"}}, {"splitPk", "id"}};
  if (!where.empty()) reader["where"] = where;
  nlohmann::json job = {
      {"type", "job"},
      {"version", "2.0"},
      {"steps",
       {{{"stepType", "sqlite"}, {"category", "reader"}, {"name", "Reader"}, {"parameter", reader}},
        {{"stepType", "sqlite"},
         {"category", "writer"},
         {"name", "Writer"},
         {"parameter", {{"path", dst}, {"table", "tricky"}, {"column", {"*"}}}}}}},
      {"setting", {{"speed", {{"concurrent", 3}}}, {"errorLimit", {{"record", 0}}}}},
      {"order", {{"hops", {{{"from", "Reader"}, {"to", "Writer"}}}}}}};
  return job.dump(2);
}

std::string SqliteToCsvJob(const std::string& src, const std::string& dir) {
  nlohmann::json job = {
      {"type", "job"},
      {"version", "2.0"},
      {"steps",
       {{{"stepType", "sqlite"},
         {"category", "reader"},
         {"name", "Reader"},
         {"parameter", {{"path", src}, {"table", "tricky"}, {"column", {"*"}}}}},
        {{"stepType", "txtfile"},
         {"category", "writer"},
         {"name", "Writer"},
         {"parameter", {{"path", dir}, {"fileName", "tricky.csv"}, {"writeMode", "truncate"}}}}}},
      {"order", {{"hops", {{{"from", "Reader"}, {"to", "Writer"}}}}}}};
  return job.dump(2);
}

std::string CsvToSqliteJob(const std::string& csv, const std::string& dst) {
  auto col = [](int index, const char* type) {
    return nlohmann::json{{"index", index}, {"type", type}};
  };
  nlohmann::json job = {
      {"job",
       {{"setting", {{"speed", {{"channel", 1}}}, {"errorLimit", {{"record", 0}}}}},
        {"content",
         {{{"reader",
            {{"name", "txtfilereader"},
             {"parameter",
              {{"path", {csv}},
               {"column",
                {col(0, "long"), col(1, "string"), col(2, "long"), col(3, "double"),
                 col(4, "bytes"), col(5, "string")}}}}}},
           {"writer",
            {{"name", "sqlitewriter"},
             {"parameter",
              {{"path", dst},
               {"table", "tricky"},
               {"column", {"id", "t", "i", "r", "b", "ts"}}}}}}}}}}}};
  return job.dump(2);
}

TEST(RoundTrip, SqliteToSqliteKeepsEveryValueAndStorageClass) {
  TempDir dir;
  SqliteExec(dir / "src.db", std::string(kSchema) + kRows);
  SqliteExec(dir / "dst.db", kSchema);
  WriteTextFile(dir / "job.json", SqliteToSqliteJob(dir / "src.db", dir / "dst.db"));
  CliResult r = RunFerry(
      {"run", dir / "job.json", "--run-dir", dir / "run", "--summary-json", dir / "summary.json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(Snapshot(dir / "dst.db"), Snapshot(dir / "src.db"));
  auto summary = nlohmann::json::parse(ReadTextFile(dir / "summary.json"));
  EXPECT_EQ(summary["records_written"], 10);
}

// A `where` that ends in a comment must not swallow the key range of each splitPk split.
TEST(RoundTrip, WhereEndingInACommentStillFiltersEverySplit) {
  TempDir dir;
  SqliteExec(dir / "src.db", std::string(kSchema) + kRows);
  SqliteExec(dir / "dst.db", kSchema);
  WriteTextFile(dir / "job.json",
                SqliteToSqliteJob(dir / "src.db", dir / "dst.db", "i >= 0 -- note"));
  CliResult r = RunFerry(
      {"run", dir / "job.json", "--run-dir", dir / "run", "--summary-json", dir / "summary.json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(SqliteRows(dir / "dst.db",
                       "SELECT group_concat(id) FROM (SELECT id FROM tricky "
                       "ORDER BY id)"),
            std::vector<std::string>{"2,3,6,7,8,9,10"});
  auto summary = nlohmann::json::parse(ReadTextFile(dir / "summary.json"));
  EXPECT_GT(summary["splits_total"].get<int>(), 1);
}

TEST(RoundTrip, SqliteToCsvToSqliteKeepsEveryValueAndStorageClass) {
  TempDir dir;
  SqliteExec(dir / "src.db", std::string(kSchema) + kRows);
  SqliteExec(dir / "dst.db", kSchema);
  WriteTextFile(dir / "to_csv.json", SqliteToCsvJob(dir / "src.db", dir / "csv"));
  WriteTextFile(dir / "from_csv.json", CsvToSqliteJob(dir / "csv/tricky.csv", dir / "dst.db"));
  CliResult a = RunFerry({"run", dir / "to_csv.json", "--run-dir", dir / "run1"});
  ASSERT_EQ(a.exit_code, 0) << a.err;
  CliResult b = RunFerry({"run", dir / "from_csv.json", "--run-dir", dir / "run2"});
  ASSERT_EQ(b.exit_code, 0) << b.err;
  EXPECT_EQ(Snapshot(dir / "dst.db"), Snapshot(dir / "src.db"))
      << "CSV was:\n"
      << ReadTextFile(dir / "csv/tricky.csv");
}

TEST(RoundTrip, CsvKeepsNullAndEmptyStringApart) {
  TempDir dir;
  SqliteExec(dir / "src.db", std::string(kSchema) + kRows);
  WriteTextFile(dir / "to_csv.json", SqliteToCsvJob(dir / "src.db", dir / "csv"));
  CliResult a = RunFerry({"run", dir / "to_csv.json", "--run-dir", dir / "run1"});
  ASSERT_EQ(a.exit_code, 0) << a.err;
  std::string csv = ReadTextFile(dir / "csv/tricky.csv");
  // Row 1 is all NULL (bare \N); row 2 holds an empty string (an empty field) and an empty blob.
  EXPECT_THAT(csv, ::testing::HasSubstr("1,\\N,\\N,\\N,\\N,\\N\n"));
  EXPECT_THAT(csv, ::testing::HasSubstr("\n2,,0,0,\\x,0001-01-01 00:00:00\n"));
  // A real "\N" string is quoted so that it does not read back as NULL.
  EXPECT_THAT(csv, ::testing::HasSubstr("\n3,\"\\N\","));
}

}  // namespace
}  // namespace ferry::testing
