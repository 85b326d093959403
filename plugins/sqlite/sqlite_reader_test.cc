#include "plugins/sqlite/sqlite_reader.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>

#include "plugins/sqlite/sqlite_test_util.h"

namespace ferry {
namespace {

using nlohmann::json;
using sqlite_test::ReadAll;
using sqlite_test::Step;
using sqlite_test::TempDb;
using Rows = std::vector<std::vector<std::string>>;

Status PrepareReader(SqliteReader& reader, const json& p) {
  Step step(p);
  return reader.Prepare(step.ctx);
}

Rows MustReadAll(SqliteReader& reader, int concurrent) {
  auto rows = ReadAll(reader, concurrent);
  EXPECT_TRUE(rows.ok()) << rows.status().ToString();
  return rows.ok() ? *rows : Rows{};
}

class SqliteReaderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    db_.Exec(
        "CREATE TABLE orders (id INTEGER PRIMARY KEY, sku TEXT, amount REAL, note, img BLOB);"
        "INSERT INTO orders VALUES (1, 'a-1', 9.5, NULL, x'00ff');"
        "INSERT INTO orders VALUES (2, '', -0.25, 'x', x'');"
        "INSERT INTO orders VALUES (3, 'c', 1e308, 42, NULL);");
  }
  json Params(json extra) const {
    json p = {{"path", db_.path()}, {"table", "orders"}, {"column", {"*"}}};
    p.update(extra);
    return p;
  }
  TempDb db_;
};

TEST_F(SqliteReaderTest, StarReadsEveryColumnWithItsStorageClass) {
  SqliteReader reader;
  ASSERT_TRUE(PrepareReader(reader, Params(json::object())).ok());
  auto columns = reader.OutputColumns();
  ASSERT_EQ(columns.size(), 5u);
  EXPECT_EQ(columns[0].name, "id");
  EXPECT_EQ(columns[4].name, "img");
  for (const ColumnInfo& c : columns) EXPECT_EQ(c.type, TypeId::kNull);
  Rows rows = MustReadAll(reader, 1);
  EXPECT_EQ(rows, (Rows{{"long:1", "string:a-1", "double:9.5", "null", "bytes:\\x00ff"},
                        {"long:2", "string:", "double:-0.25", "string:x", "bytes:\\x"},
                        {"long:3", "string:c", "double:1e+308", "long:42", "null"}}));
}

// `ferry verify` compares a text destination with these columns by number (ColumnInfo::numeric)
// only where SQLite itself stores every number-like value as a number.
TEST(SqliteAffinity, NumericAffinityFollowsSqlitesRules) {
  for (const char* numeric : {"INTEGER", "bigint", "REAL", "double precision", "FLOAT", "NUMERIC",
                              "decimal(10,2)", "BOOLEAN", "DATETIME"}) {
    EXPECT_TRUE(HasNumericAffinity(numeric)) << numeric;
  }
  for (const char* other : {"TEXT", "varchar(20)", "CHARACTER", "CLOB", "BLOB", ""}) {
    EXPECT_FALSE(HasNumericAffinity(other)) << other;
  }
  // The rules' order: INT first ("CHARINT" is INTEGER), then text before REAL ("TEXTREAL").
  EXPECT_TRUE(HasNumericAffinity("CHARINT"));
  EXPECT_FALSE(HasNumericAffinity("TEXTREAL"));
}

TEST_F(SqliteReaderTest, ConstantsAndFunctionsBesideColumns) {
  SqliteReader reader;
  ASSERT_TRUE(PrepareReader(reader, Params({{"column",
                                             {"sku", "'shop-1'", "7", "null", "now()",
                                              "current_date()", "uuid()", "\"id\""}},
                                            {"where", "id = 1"}}))
                  .ok());
  auto columns = reader.OutputColumns();
  ASSERT_EQ(columns.size(), 8u);
  EXPECT_EQ(columns[1].type, TypeId::kString);
  EXPECT_EQ(columns[4].type, TypeId::kTimestamp);
  EXPECT_EQ(columns[7].name, "id");
  Rows rows = MustReadAll(reader, 1);
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0][0], "string:a-1");
  EXPECT_EQ(rows[0][1], "string:shop-1");
  EXPECT_EQ(rows[0][2], "long:7");
  EXPECT_EQ(rows[0][3], "null");
  EXPECT_EQ(rows[0][4], "timestamp:2025-10-31 12:30:45");
  EXPECT_EQ(rows[0][5], "date:2025-10-31");
  EXPECT_EQ(rows[0][6].size(), std::string("string:").size() + 36);
  EXPECT_EQ(rows[0][7], "long:1");
}

TEST_F(SqliteReaderTest, OnlyComputedColumnsStillYieldOneRowPerSourceRow) {
  SqliteReader reader;
  ASSERT_TRUE(PrepareReader(reader, Params({{"column", {"'x'"}}})).ok());
  EXPECT_EQ(MustReadAll(reader, 1), (Rows{{"string:x"}, {"string:x"}, {"string:x"}}));
}

TEST_F(SqliteReaderTest, WithoutSplitPkEachTableIsOneSplit) {
  db_.Exec("CREATE TABLE orders_2 AS SELECT * FROM orders;");
  SqliteReader reader;
  ASSERT_TRUE(
      PrepareReader(reader, Params({{"table", {"orders", "orders_2"}}, {"column", {"id"}}})).ok());
  auto splits = reader.PlanSplits(4);
  ASSERT_TRUE(splits.ok());
  ASSERT_EQ(splits->size(), 2u);
  EXPECT_EQ((*splits)[0].id, "0000");
  EXPECT_EQ((*splits)[1].spec, json({{"table", "orders_2"}}));
  EXPECT_EQ(MustReadAll(reader, 4).size(), 6u);
}

TEST_F(SqliteReaderTest, QuerySqlReadsEachStatement) {
  SqliteReader reader;
  ASSERT_TRUE(PrepareReader(reader, {{"path", db_.path()},
                                     {"querySql",
                                      {"SELECT id, upper(sku) AS s FROM orders WHERE id < 3",
                                       "SELECT 100, 'z';"}}})
                  .ok());
  auto columns = reader.OutputColumns();
  ASSERT_EQ(columns.size(), 2u);
  EXPECT_EQ(columns[1].name, "s");
  EXPECT_EQ(MustReadAll(reader, 2),
            (Rows{{"long:1", "string:A-1"}, {"long:2", "string:"}, {"long:100", "string:z"}}));
}

// --- Prepare errors: each names its field. ---

void ExpectError(const Status& s, StatusCode code, const std::string& field,
                 const std::string& message) {
  EXPECT_EQ(s.code(), code) << s.ToString();
  EXPECT_EQ(s.field(), field) << s.ToString();
  EXPECT_EQ(s.message(), message) << s.ToString();
}

TEST_F(SqliteReaderTest, MissingFileIsNotFoundAboutPath) {
  SqliteReader reader;
  Status s = PrepareReader(reader, Params({{"path", db_.dir() + "/nope.db"}}));
  ExpectError(s, StatusCode::kNotFound, "path",
              "database file \"" + db_.dir() + "/nope.db\" does not exist");
}

TEST_F(SqliteReaderTest, NotADatabaseIsAboutPath) {
  std::string path = db_.dir() + "/text.db";
  FILE* f = fopen(path.c_str(), "w");
  fputs("this is not a database, just some text long enough to have a header...........", f);
  fclose(f);
  SqliteReader reader;
  Status s = PrepareReader(reader, Params({{"path", path}}));
  EXPECT_EQ(s.code(), StatusCode::kFailedPrecondition) << s.ToString();
  EXPECT_EQ(s.field(), "path");
}

TEST_F(SqliteReaderTest, MissingTable) {
  SqliteReader reader;
  ExpectError(PrepareReader(reader, Params({{"table", "x"}})), StatusCode::kNotFound, "table",
              "table \"x\" does not exist in " + db_.path());
}

TEST_F(SqliteReaderTest, MissingColumnNamesItsIndex) {
  SqliteReader reader;
  ExpectError(PrepareReader(reader, Params({{"column", {"id", "'c'", "price"}}})),
              StatusCode::kNotFound, "column[2]",
              "column \"price\" does not exist in table \"orders\"");
}

TEST_F(SqliteReaderTest, EveryTableMustHaveTheColumns) {
  db_.Exec("CREATE TABLE orders_old (id INTEGER, sku TEXT);");
  SqliteReader reader;
  Status s = PrepareReader(
      reader, Params({{"table", {"orders", "orders_old"}}, {"column", {"id", "amount"}}}));
  ExpectError(s, StatusCode::kNotFound, "column[1]",
              "column \"amount\" does not exist in table \"orders_old\"");
  SqliteReader star;
  s = PrepareReader(star, Params({{"table", {"orders", "orders_old"}}}));
  EXPECT_EQ(s.field(), "column[0]");
}

TEST_F(SqliteReaderTest, SplitPkOnTextColumn) {
  SqliteReader reader;
  ExpectError(PrepareReader(reader, Params({{"splitPk", "sku"}})), StatusCode::kInvalidArgument,
              "splitPk", "column \"sku\" is TEXT; splitPk needs an integer column");
}

TEST_F(SqliteReaderTest, SplitPkOnUntypedOrMissingColumn) {
  SqliteReader reader;
  ExpectError(PrepareReader(reader, Params({{"splitPk", "note"}})), StatusCode::kInvalidArgument,
              "splitPk", "column \"note\" has no declared type; splitPk needs an integer column");
  SqliteReader missing;
  EXPECT_EQ(PrepareReader(missing, Params({{"splitPk", "nope"}})).field(), "splitPk");
}

TEST_F(SqliteReaderTest, BadWhereCarriesSqlitesMessage) {
  SqliteReader reader;
  ExpectError(PrepareReader(reader, Params({{"where", "nope > 1"}})), StatusCode::kInvalidArgument,
              "where", "no such column: nope");
  SqliteReader syntax;
  Status s = PrepareReader(syntax, Params({{"where", "id >"}, {"splitPk", "id"}}));
  EXPECT_EQ(s.field(), "where") << s.ToString();
  EXPECT_NE(s.message().find("syntax error"), std::string::npos) << s.ToString();
}

TEST_F(SqliteReaderTest, WhereEndingInACommentCannotSwallowTheSplitRange) {
  SqliteReader reader;
  ASSERT_TRUE(
      PrepareReader(reader,
                    Params({{"where", "id >= 2 -- recent"}, {"splitPk", "id"}, {"column", {"id"}}}))
          .ok());
  EXPECT_EQ(MustReadAll(reader, 2), (Rows{{"long:2"}, {"long:3"}}));
}

TEST_F(SqliteReaderTest, DoubleQuotedStringsAreIdentifiers) {
  SqliteReader reader;
  Status s = PrepareReader(reader, Params({{"where", "sku = \"a-1\""}}));
  EXPECT_EQ(s.field(), "where");
  EXPECT_EQ(s.message(), "no such column: a-1");
}

TEST_F(SqliteReaderTest, QuerySqlExcludesTableAndSplitPk) {
  SqliteReader reader;
  Status s = PrepareReader(reader, Params({{"querySql", "SELECT 1"}}));
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(s.field(), "querySql");
  EXPECT_NE(s.message().find("querySql and table"), std::string::npos) << s.message();
  SqliteReader pk;
  s = PrepareReader(pk, {{"path", db_.path()}, {"querySql", "SELECT 1"}, {"splitPk", "id"}});
  EXPECT_NE(s.message().find("querySql and splitPk"), std::string::npos) << s.message();
}

TEST_F(SqliteReaderTest, QuerySqlMustBeOneReadOnlyQuery) {
  SqliteReader write;
  EXPECT_EQ(
      PrepareReader(write, {{"path", db_.path()}, {"querySql", "DELETE FROM orders"}}).field(),
      "querySql");
  SqliteReader two;
  Status s = PrepareReader(
      two, {{"path", db_.path()}, {"querySql", {"SELECT 1", "SELECT 1; DROP TABLE orders"}}});
  EXPECT_EQ(s.field(), "querySql[1]") << s.ToString();
  SqliteReader widths;
  s = PrepareReader(widths, {{"path", db_.path()}, {"querySql", {"SELECT 1", "SELECT 1, 2"}}});
  EXPECT_EQ(s.field(), "querySql[1]") << s.ToString();
}

TEST_F(SqliteReaderTest, RequiredParameters) {
  SqliteReader no_path;
  EXPECT_EQ(PrepareReader(no_path, {{"table", "orders"}}).field(), "path");
  SqliteReader no_table;
  EXPECT_EQ(PrepareReader(no_table, {{"path", db_.path()}, {"column", {"*"}}}).field(), "table");
  SqliteReader no_column;
  EXPECT_EQ(PrepareReader(no_column, {{"path", db_.path()}, {"table", "orders"}}).field(),
            "column");
  SqliteReader factor;
  EXPECT_EQ(PrepareReader(factor, Params({{"splitFactor", 0}})).field(), "splitFactor");
}

TEST_F(SqliteReaderTest, PrepareReadsNoRowsAndWritesNothing) {
  // A reader on a read-only file works: the connection is SQLITE_OPEN_READONLY.
  std::filesystem::permissions(db_.path(), std::filesystem::perms::owner_read);
  SqliteReader reader;
  EXPECT_TRUE(PrepareReader(reader, Params({{"splitPk", "id"}})).ok());
  EXPECT_EQ(MustReadAll(reader, 2).size(), 3u);
}

// --- splitPk: every row exactly once, whatever the key column holds. ---

class SqliteSplitPkTest : public ::testing::Test {
 protected:
  // `rid` identifies each row; `k` is the split key with everything SQLite lets it hold.
  void SetUp() override {
    db_.Exec("CREATE TABLE t (rid INTEGER PRIMARY KEY, k INTEGER, v TEXT);");
    std::string sql = "BEGIN;";
    std::vector<std::string> keys = {"NULL",
                                     "NULL",
                                     "-9223372036854775808",
                                     "-5",
                                     "-1",
                                     "0",
                                     "1",
                                     "2",
                                     "2",
                                     "3",
                                     "10",
                                     "11",
                                     "1000000000000000",
                                     "9223372036854775807",
                                     "'abc'",
                                     "'12abc'",
                                     "x'01'",
                                     "2.5",
                                     "-0.5",
                                     "1e30",
                                     "-1e30",
                                     "''",
                                     "0.0"};
    for (int i = 0; i < 200; ++i) keys.push_back(std::to_string(100 + i));  // a dense block
    for (size_t i = 0; i < keys.size(); ++i) {
      sql += "INSERT INTO t (k, v) VALUES (" + keys[i] + ", 'r" + std::to_string(i) + "');";
    }
    db_.Exec(sql + "COMMIT;");
    total_ = keys.size();
  }

  // rid -> times read.
  std::map<std::string, int> ReadCounts(const json& extra, int concurrent, size_t* splits) {
    json p = {{"path", db_.path()}, {"table", "t"}, {"column", {"rid", "k"}}, {"splitPk", "k"}};
    p.update(extra);
    SqliteReader reader;
    Status s = PrepareReader(reader, p);
    EXPECT_TRUE(s.ok()) << s.ToString();
    auto planned = reader.PlanSplits(concurrent);
    EXPECT_TRUE(planned.ok());
    if (splits) *splits = planned.ok() ? planned->size() : 0;
    std::map<std::string, int> counts;
    for (const auto& row : MustReadAll(reader, concurrent)) ++counts[row[0]];
    return counts;
  }

  TempDb db_;
  size_t total_ = 0;
};

TEST_F(SqliteSplitPkTest, EveryRowExactlyOnce) {
  for (int concurrent : {1, 2, 3, 8, 64}) {
    size_t splits = 0;
    auto counts = ReadCounts(json::object(), concurrent, &splits);
    EXPECT_EQ(counts.size(), total_) << "concurrent " << concurrent;
    for (const auto& [rid, n] : counts) EXPECT_EQ(n, 1) << rid << " concurrent " << concurrent;
    EXPECT_GT(splits, 1u);
  }
}

TEST_F(SqliteSplitPkTest, PlanIsRangesThenTheRest) {
  SqliteReader reader;
  ASSERT_TRUE(PrepareReader(reader, {{"path", db_.path()},
                                     {"table", "t"},
                                     {"column", {"rid"}},
                                     {"splitPk", "k"},
                                     {"splitFactor", 2}})
                  .ok());
  auto splits = reader.PlanSplits(2);
  ASSERT_TRUE(splits.ok());
  ASSERT_EQ(splits->size(), 5u);
  EXPECT_EQ((*splits)[0].spec["lo"], INT64_MIN);
  EXPECT_EQ((*splits)[3].spec["hi"], INT64_MAX);
  EXPECT_EQ((*splits)[4].spec,
            json({{"table", "t"}, {"splitPk", "k"}, {"outside", {INT64_MIN, INT64_MAX}}}));
}

TEST_F(SqliteSplitPkTest, WhereAppliesToBoundsAndRows) {
  size_t splits = 0;
  auto counts =
      ReadCounts({{"where", "k BETWEEN 0 AND 150 AND typeof(k) = 'integer'"}}, 2, &splits);
  // 0, 0 (0.0 became an integer), 1, 2, 2, 3, 10, 11 and 100..150.
  EXPECT_EQ(counts.size(), 8u + 51u);
  for (const auto& [rid, n] : counts) EXPECT_EQ(n, 1) << rid;
  EXPECT_EQ(splits, 11u);  // 2 x 5 ranges over [0, 150] + the rest
}

TEST_F(SqliteSplitPkTest, RealBoundsAreWidenedToIntegers) {
  // Numeric keys are -0.5, 0.0 (stored as integer 0) and 2.5: ranges cover [-1, 3).
  auto counts = ReadCounts({{"where", "k > -1 AND k < 2.9 AND k <> 1 AND k <> 2"}}, 2, nullptr);
  EXPECT_EQ(counts.size(), 4u);  // -0.5, 0, 2.5, 0.0
  for (const auto& [rid, n] : counts) EXPECT_EQ(n, 1) << rid;
}

TEST_F(SqliteSplitPkTest, NoNumericKeyIsOneSplit) {
  size_t splits = 0;
  auto counts = ReadCounts(
      {{"where", "k IS NULL OR typeof(k) <> 'integer' AND typeof(k) <> 'real'"}}, 4, &splits);
  EXPECT_EQ(splits, 1u);
  EXPECT_EQ(counts.size(), 6u);  // 2 NULL, 'abc', '12abc', x'01', ''
}

TEST_F(SqliteSplitPkTest, EmptyTableIsOneSplit) {
  size_t splits = 0;
  auto counts = ReadCounts({{"where", "0"}}, 4, &splits);
  EXPECT_EQ(splits, 1u);
  EXPECT_TRUE(counts.empty());
}

TEST_F(SqliteSplitPkTest, SingleKey) {
  size_t splits = 0;
  auto counts = ReadCounts({{"where", "k = 3"}}, 4, &splits);
  EXPECT_EQ(splits, 2u);  // [3, 3] and the rest
  EXPECT_EQ(counts.size(), 1u);
}

TEST_F(SqliteSplitPkTest, RowidKeyAndManyTables) {
  db_.Exec("CREATE TABLE u AS SELECT * FROM t;");
  SqliteReader reader;
  ASSERT_TRUE(
      PrepareReader(
          reader,
          {{"path", db_.path()}, {"table", {"t", "u"}}, {"column", {"rid"}}, {"splitPk", "rid"}})
          .ok());
  auto splits = reader.PlanSplits(3);
  ASSERT_TRUE(splits.ok());
  EXPECT_EQ(splits->size(), 2u * (8 + 1));  // ceil(3 * 5 / 2) ranges per table + the rest
  EXPECT_EQ(MustReadAll(reader, 3).size(), 2 * total_);
}

}  // namespace
}  // namespace ferry
