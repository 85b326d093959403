// Bad input as a user meets it: each a clear error naming the place, exit code 2, and no
// destination touched; dirty records counted, kept with their reason, and limited.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "tests/support/ferry_cli.h"

namespace ferry::testing {
namespace {

using ::testing::HasSubstr;
using json = nlohmann::json;

json Job(json reader_step, json writer_step, json setting = json::object()) {
  return {{"type", "job"},
          {"version", "2.0"},
          {"steps", {reader_step, writer_step}},
          {"setting", setting},
          {"order", {{"hops", {{{"from", "Reader"}, {"to", "Writer"}}}}}}};
}

json Step(const char* plugin, const char* category, json parameter) {
  return {{"stepType", plugin},
          {"category", category},
          {"name", std::string(category) == "reader" ? "Reader" : "Writer"},
          {"parameter", parameter}};
}

class BadInput : public ::testing::Test {
 protected:
  void SetUp() override {
    SqliteExec(dir_ / "src.db",
               "CREATE TABLE orders (id INTEGER PRIMARY KEY, sku TEXT, qty INTEGER);"
               "INSERT INTO orders VALUES (1, 'a', 10), (2, 'b', 20), (3, 'c', 30);");
    SqliteExec(dir_ / "dst.db",
               "CREATE TABLE orders (id INTEGER PRIMARY KEY, sku TEXT NOT NULL, qty INTEGER "
               "CHECK (qty < 100));"
               "INSERT INTO orders VALUES (99, 'keep', 1);");
  }
  json Reader(json extra = json::object()) {
    json p = {{"path", dir_ / "src.db"}, {"table", "orders"}, {"column", {"id", "sku", "qty"}}};
    p.update(extra);
    return Step("sqlite", "reader", p);
  }
  json Writer(json extra = json::object()) {
    json p = {{"path", dir_ / "dst.db"},
              {"table", "orders"},
              {"column", {"id", "sku", "qty"}},
              {"preSql", {"DELETE FROM orders"}}};
    p.update(extra);
    return Step("sqlite", "writer", p);
  }
  CliResult Run(const json& job, std::vector<std::string> extra = {}) {
    WriteTextFile(dir_ / "job.json", job.dump(2));
    std::vector<std::string> args = {"run",        dir_ / "job.json", "--run-dir",
                                     dir_ / "run", "--summary-json",  dir_ / "summary.json"};
    args.insert(args.end(), extra.begin(), extra.end());
    return RunFerry(args);
  }
  // The destination's rows; the untouched destination holds only (99, keep, 1).
  std::vector<std::string> Destination() {
    return SqliteRows(dir_ / "dst.db", "SELECT * FROM orders ORDER BY id");
  }
  TempDir dir_;
};

TEST_F(BadInput, SplitPkOnATextColumnIsRefusedBeforeAnyRowMoves) {
  CliResult r = Run(Job(Reader({{"splitPk", "sku"}}), Writer()));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("steps[0].parameter.splitPk: "));
  EXPECT_THAT(r.err, HasSubstr("splitPk needs an integer column"));
  EXPECT_EQ(Destination(), std::vector<std::string>{"99|keep|1"});
}

TEST_F(BadInput, ColumnCountMismatchIsRefused) {
  CliResult r = Run(Job(Reader(), Writer({{"column", {"id", "sku"}}})));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("steps[1].parameter.column"));
  EXPECT_EQ(Destination(), std::vector<std::string>{"99|keep|1"});
}

TEST_F(BadInput, MissingDestinationTableIsRefused) {
  CliResult r = Run(Job(Reader(), Writer({{"table", "no_such_table"}})));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("steps[1].parameter.table"));
  EXPECT_THAT(r.err, HasSubstr("no_such_table"));
  EXPECT_EQ(Destination(), std::vector<std::string>{"99|keep|1"});
}

TEST_F(BadInput, WrongParameterTypeIsLocated) {
  CliResult r = Run(Job(Reader({{"splitPk", 5}}), Writer()));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("steps[0].parameter.splitPk: expected a string, found a number"));
}

TEST_F(BadInput, MissingRequiredParameterIsNamed) {
  json reader = Reader();
  reader["parameter"].erase("path");
  CliResult r = Run(Job(reader, Writer()));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("steps[0].parameter.path: path (or datasource) is required"));
}

TEST_F(BadInput, UnreadableSourceFileIsNamed) {
  json reader = Step("txtfile", "reader", {{"path", dir_ / "nope.csv"}});
  CliResult r = Run(Job(reader, Writer()));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("nope.csv"));
  EXPECT_THAT(r.err, HasSubstr("steps[0].parameter.path"));
}

TEST_F(BadInput, RefusedRowsAreDirtyAndTheRestIsWritten) {
  SqliteExec(dir_ / "src.db",
             "INSERT INTO orders VALUES (4, NULL, 1), (5, 'e', 500), (6, 'f', 60);");
  CliResult r = Run(Job(Reader(), Writer()));  // no errorLimit: dirty records are allowed
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(Destination(), (std::vector<std::string>{"1|a|10", "2|b|20", "3|c|30", "6|f|60"}));
  auto summary = json::parse(ReadTextFile(dir_ / "summary.json"));
  EXPECT_EQ(summary["records_read"], 6);
  EXPECT_EQ(summary["records_written"], 4);
  EXPECT_EQ(summary["dirty_records"], 2);
  std::string dirty = ReadTextFile(dir_ / "run/dirty.jsonl");
  EXPECT_THAT(dirty, HasSubstr("NOT NULL constraint failed: orders.sku"));
  EXPECT_THAT(dirty, HasSubstr("CHECK constraint failed"));
  EXPECT_THAT(dirty, HasSubstr("\"record\":[4,null,1]"));
  EXPECT_THAT(dirty, HasSubstr("\"record\":[5,\"e\",500]"));
  // The summary shows why, without opening the log.
  ASSERT_EQ(summary["dirty_samples"].size(), 2u);
  EXPECT_THAT(summary["dirty_samples"][0].get<std::string>(), HasSubstr("split 0000: "));
  EXPECT_THAT(r.err, HasSubstr("NOT NULL constraint failed: orders.sku"));
  EXPECT_THAT(r.err, HasSubstr("CHECK constraint failed"));
}

TEST_F(BadInput, PassingTheDirtyLimitFailsTheJob) {
  SqliteExec(dir_ / "src.db", "INSERT INTO orders VALUES (4, NULL, 1), (5, 'e', 500);");
  CliResult r = Run(Job(Reader(), Writer(), {{"errorLimit", {{"record", 1}}}}));
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err,
              HasSubstr("dirty-record limit passed: 2 dirty records, errorLimit.record is 1"));
  auto summary = json::parse(ReadTextFile(dir_ / "summary.json"));
  EXPECT_EQ(summary["status"], "FAILED");
  EXPECT_EQ(summary["dirty_records"], 2);
  // The split rolled back: the destination holds nothing of it.
  EXPECT_EQ(Destination(), std::vector<std::string>{});
}

TEST_F(BadInput, CsvLineWithTheWrongFieldCountIsADirtyRecordWithItsLine) {
  WriteTextFile(dir_ / "in.csv", "1,a,10\n2,b\n3,c,30\n");
  json reader = Step("txtfile", "reader",
                     {{"path", dir_ / "in.csv"},
                      {"column",
                       {{{"index", 0}, {"type", "long"}},
                        {{"index", 1}, {"type", "string"}},
                        {{"index", 2}, {"type", "long"}}}}});
  CliResult r = Run(Job(reader, Writer()));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(Destination(), (std::vector<std::string>{"1|a|10", "3|c|30"}));
  std::string dirty = ReadTextFile(dir_ / "run/dirty.jsonl");
  EXPECT_THAT(dirty, HasSubstr(dir_ / "in.csv:2"));
}

}  // namespace
}  // namespace ferry::testing

namespace ferry::testing {
namespace {

// DataX refuses table and querySql in one connection entry (TABLE_QUERYSQL_MIXED) before it
// touches anything; so does Ferry, at the entry, without connecting.
TEST(BadInputDataX, TableAndQuerySqlInOneConnectionEntryAreRefused) {
  TempDir dir;
  const char* text = R"({"job": {"setting": {"speed": {"channel": 1}},
  "content": [{"reader": {"name": "mysqlreader", "parameter": {"username": "u", "password": "p",
      "connection": [{"table": ["orders"], "querySql": ["select id from orders"],
                      "jdbcUrl": ["jdbc:mysql://127.0.0.1:1/db"]}]}},
    "writer": {"name": "streamwriter", "parameter": {"print": true}}}]}})";
  WriteTextFile(dir / "job.json", text);
  CliResult r = RunFerry({"check", dir / "job.json"});
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_THAT(r.err, ::testing::HasSubstr(
                         "job.json:3:23: job.content[0].reader.parameter.connection[0].table: "));
  EXPECT_THAT(r.err, ::testing::HasSubstr("table and querySql in one connection entry"));
}

}  // namespace
}  // namespace ferry::testing
