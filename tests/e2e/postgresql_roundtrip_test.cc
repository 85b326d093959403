// End-to-end jobs through the `ferry` binary against the throwaway PostgreSQL server: PG -> PG
// (every write mode), PG -> CSV, CSV -> PG, PG -> SQLite, SQLite -> PG, each compared byte for
// byte with what the user would check; upserts over stale rows; splitPk over skewed and NULL keys.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "tests/support/ferry_cli.h"
#include "tests/support/pg_test_server.h"

namespace ferry::testing {
namespace {

using json = nlohmann::json;

json Step(const std::string& type, const char* category, json parameter) {
  return {{"stepType", type},
          {"category", category},
          {"name", std::string(category) == "reader" ? "Reader" : "Writer"},
          {"parameter", std::move(parameter)}};
}

std::string Job(const std::string& reader, json rp, const std::string& writer, json wp,
                int concurrent = 1) {
  json job = {
      {"type", "job"},
      {"version", "2.0"},
      {"steps", {Step(reader, "reader", std::move(rp)), Step(writer, "writer", std::move(wp))}},
      {"setting", {{"speed", {{"concurrent", concurrent}}}}},
      {"order", {{"hops", {{{"from", "Reader"}, {"to", "Writer"}}}}}}};
  return job.dump(2);
}

json Summary(const TempDir& dir) { return json::parse(ReadTextFile(dir / "summary.json")); }

CliResult RunJob(const TempDir& dir, const std::string& job_text) {
  WriteTextFile(dir / "job.json", job_text);
  return RunFerry({"run", dir / "job.json", "--run-dir", dir / "run", "--summary-json",
                   dir / "summary.json", "--progress-interval", "0"});
}

// `table` into dir/out/t.csv, NULL as an empty field.
CliResult TableToCsv(const TempDir& dir, const std::string& table) {
  return RunJob(
      dir,
      Job("postgresql",
          {{"connection", TestPgServer().ConnectionJson()}, {"table", table}, {"column", {"*"}}},
          "txtfile",
          {{"path", dir / "out"},
           {"fileName", "t.csv"},
           {"writeMode", "truncate"},
           {"nullFormat", ""}}));
}

// A table with one column of every type the plugin maps, and rows of edge values.
constexpr const char* kAllTypes = R"SQL(
CREATE TYPE %s.mood AS ENUM ('sad', 'happy');
CREATE TABLE %s.%t (
  id bigint PRIMARY KEY, i2 smallint, i4 integer, i8 bigint, n numeric, n2 numeric(12,2),
  r real, d double precision, t text, vc varchar(10), c char(3), b bytea, bo boolean,
  dt date, tm time(6), ts timestamp(6), tz timestamptz(6), u uuid, j json, jb jsonb,
  ai integer[], at text[], e %s.mood);
)SQL";

constexpr const char* kAllRows = R"SQL(
INSERT INTO %s.%t VALUES
 (1, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
  NULL, NULL, NULL, NULL, NULL, NULL, NULL),
 (2, -32768, -2147483648, -9223372036854775808, '-12345678901234567890123456789.0123456789',
  -9999999999.99, -3.4028235e38, 5e-324, '', '', '', '', false, '0001-01-01', '00:00:00',
  '0001-01-01 00:00:00', '0001-01-01 00:00:00+00', '00000000-0000-0000-0000-000000000000',
  '{}', '{}', '{}', '{}', 'sad'),
 (3, 32767, 2147483647, 9223372036854775807, '0.000000000000000000000000000000000000000001',
  9999999999.99, 1.17549435e-38, -1.7976931348623157e308, E'\\N tab\t nl\n cr\r back\\ "q" ''s''',
  'ten chars!', 'ab', '\x00ff5c4e0a', true, '9999-12-31', '23:59:59.999999',
  '9999-12-31 23:59:59.999999', '2025-10-31 12:00:00.000001+05:30',
  'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', '{"a": [1, 2.50, "x\ty"]}', '{"b": null, "a": 1}',
  '{1,NULL,-3}', '{"a b","c,d",NULL,"q\"x"}', 'happy'),
 (4, 0, 0, 0, '100', 0.10, 'Infinity', 'NaN', '中文 😀 é 𝄞', 'e' || chr(769), 'x', '\x', null,
  '2024-02-29', '12:00:00.5', '1969-12-31 23:59:59.5', '1970-01-01 00:00:00+00', NULL, 'null',
  '[]', NULL, '{}', NULL),
 (5, 1, 1, 1, '-0.00', -0.01, '-0', '-Infinity', 'NULL', '\N', ' ', '\x5c', true, '2000-01-01',
  '00:00:00.000001', '2000-01-01 00:00:00.000001', '1999-12-31 23:59:59.999999-08', NULL,
  '"s"', '"s"', '{{1,2},{3,4}}', '{""}', NULL);
)SQL";

std::string Fill(std::string sql, const std::string& schema, const std::string& table) {
  for (size_t at; (at = sql.find("%s")) != std::string::npos;) sql.replace(at, 2, schema);
  for (size_t at; (at = sql.find("%t")) != std::string::npos;) sql.replace(at, 2, table);
  return sql;
}

void MakeAllTypes(const PgTestSchema& schema, const std::string& table, bool rows) {
  PgExec(Fill(kAllTypes, schema.name(), table));
  if (rows) PgExec(Fill(kAllRows, schema.name(), table));
}

// Every cell as PostgreSQL prints it, plus float bits (text can hide -0 and rounding).
std::vector<std::string> AllTypesText(const std::string& table) {
  return PgRows("SELECT t.*::text, float8send(d), float4send(r) FROM " + table + " t ORDER BY id");
}

class PgToPg : public ::testing::TestWithParam<std::string> {};

TEST_P(PgToPg, EveryTypeArrivesByteForByte) {
  PgTestSchema s;
  MakeAllTypes(s, "src", /*rows=*/true);
  PgExec("CREATE TABLE " + (s / "dst") + " (LIKE " + (s / "src") + " INCLUDING ALL)");
  const json conn = TestPgServer().ConnectionJson();
  TempDir dir;
  CliResult r = RunJob(
      dir, Job("postgresql",
               {{"connection", conn}, {"table", s / "src"}, {"column", {"*"}}, {"splitPk", "id"}},
               "postgresql",
               {{"connection", conn},
                {"table", s / "dst"},
                {"column", {"*"}},
                {"writeMode", GetParam()}},
               2));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(Summary(dir)["records_written"], 5);
  EXPECT_EQ(AllTypesText(s / "dst"), AllTypesText(s / "src"));
}

INSTANTIATE_TEST_SUITE_P(WriteModes, PgToPg,
                         ::testing::Values("copy", "insert", "update", "ignore"));

TEST(PostgresqlRoundTrip, PgToCsvToPgKeepsNullEmptyAndEveryByte) {
  PgTestSchema s;
  PgExec("CREATE TABLE " + (s / "src") +
         " (id int PRIMARY KEY, t text, n numeric(12,2), ts timestamp(6), b bytea);"
         "INSERT INTO " +
         (s / "src") +
         " VALUES (1, NULL, NULL, NULL, NULL), "
         "(2, '', 0.50, '2025-10-31 12:00:00.000001', '\\x00ff'), "
         "(3, E'a,\"b\"\\nc', -1.00, '1969-12-31 23:59:59.5', '\\x');"
         "CREATE TABLE " +
         (s / "dst") + " (LIKE " + (s / "src") + ")");
  const json conn = TestPgServer().ConnectionJson();
  TempDir dir;
  CliResult r =
      RunJob(dir, Job("postgresql", {{"connection", conn}, {"table", s / "src"}, {"column", {"*"}}},
                      "txtfile",
                      {{"path", dir / "out"}, {"fileName", "t.csv"}, {"writeMode", "truncate"}}));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(ReadTextFile(dir / "out/t.csv"),
            "1,\\N,\\N,\\N,\\N\n"
            "2,,0.50,2025-10-31 12:00:00.000001,\\x00ff\n"
            "3,\"a,\"\"b\"\"\nc\",-1.00,1969-12-31 23:59:59.5,\\x\n");

  auto col = [](int i, const char* type) { return json{{"index", i}, {"type", type}}; };
  TempDir back;
  r = RunJob(back,
             Job("txtfile",
                 {{"path", dir / "out/t.csv"},
                  {"column",
                   {col(0, "long"), col(1, "string"), col(2, "decimal"), col(3, "timestamp"),
                    col(4, "bytes")}}},
                 "postgresql", {{"connection", conn}, {"table", s / "dst"}, {"column", {"*"}}}));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(PgRows("SELECT t.*::text FROM " + (s / "dst") + " t ORDER BY id"),
            PgRows("SELECT t.*::text FROM " + (s / "src") + " t ORDER BY id"));
}

// The text of every typed value as the txtfile writer formats it from PostgreSQL's binary COPY:
// dates and timestamps at their edges, zones as +00 (sessions run in UTC), numerics with their
// scale, bytea as hex, non-ASCII text and a CSV delimiter inside a value.
TEST(PostgresqlRoundTrip, PgToCsvWritesEveryTypedValueAsItsText) {
  PgTestSchema s;
  PgExec("CREATE TABLE " + (s / "src") +
         " (id int PRIMARY KEY, d date, t time, ts timestamp(6), tz timestamptz, n numeric,"
         " f float8, ok boolean, b bytea, s text);"
         "INSERT INTO " +
         (s / "src") +
         " VALUES (1, '0001-01-01', '00:00:00', '0001-01-01 00:00:00', "
         "'2025-10-31 23:59:59.999999+02', -0.001, 1.5, true, '\\x0a2c22', 'Straße, 東京 😀'), "
         "(2, '9999-12-31', '23:59:59.999999', '9999-12-31 23:59:59.999999', "
         "'1969-12-31 23:59:59.5+00', 12345678901234567890.12, -0.25, false, '\\x', NULL)");
  TempDir dir;
  CliResult r = TableToCsv(dir, s / "src");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(ReadTextFile(dir / "out/t.csv"),
            "1,0001-01-01,00:00:00,0001-01-01 00:00:00,2025-10-31 21:59:59.999999+00,-0.001,1.5,"
            "true,\\x0a2c22,\"Straße, 東京 😀\"\n"
            "2,9999-12-31,23:59:59.999999,9999-12-31 23:59:59.999999,1969-12-31 23:59:59.5+00,"
            "12345678901234567890.12,-0.25,false,\\x,\n");
}

// uuid, json and jsonb into CSV as the text PostgreSQL prints; and back from CSV strings: the
// canonical uuid spelling goes in binary, the others PostgreSQL accepts (braces, no hyphens) as
// COPY text, and a value the server refuses is a dirty row with its message.
TEST(PostgresqlRoundTrip, UuidJsonAndJsonbGoToCsvAsTheirTextAndBack) {
  PgTestSchema s;
  PgExec("CREATE TABLE " + (s / "src") +
         " (id int PRIMARY KEY, u uuid, j json, jb jsonb); INSERT INTO " + (s / "src") +
         R"SQL( VALUES (1, 'A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11', '{"a": "é,"}', '{"b": [1, 2]}'),
                       (2, NULL, NULL, NULL))SQL" +
         "; CREATE TABLE " + (s / "dst") + " (LIKE " + (s / "src") + ")");
  const json conn = TestPgServer().ConnectionJson();
  TempDir dir;
  CliResult r = TableToCsv(dir, s / "src");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(ReadTextFile(dir / "out/t.csv"),
            "1,a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11,\"{\"\"a\"\": \"\"é,\"\"}\","
            "\"{\"\"b\"\": [1, 2]}\"\n2,,,\n");

  TempDir back;
  WriteTextFile(back / "in.csv",
                "1,A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11,{},[]\n"
                "2,{a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a12},1,\"\"\"s\"\"\"\n"
                "3,a0eebc999c0b4ef8bb6d6bb9bd380a13,null,null\n"
                "4,not-a-uuid,{},{}\n"
                "5,a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a15,{bad,{}\n");
  auto col = [](int i) { return json{{"index", i}, {"type", "string"}}; };
  r = RunJob(
      back,
      Job("txtfile", {{"path", back / "in.csv"}, {"column", {col(0), col(1), col(2), col(3)}}},
          "postgresql", {{"connection", conn}, {"table", s / "dst"}, {"column", {"*"}}}));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(Summary(back)["records_written"], 3);
  EXPECT_EQ(Summary(back)["dirty_records"], 2);
  EXPECT_EQ(PgRows("SELECT id, u, j, jb FROM " + (s / "dst") + " ORDER BY id"),
            (std::vector<std::string>{"1|a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11|{}|[]",
                                      "2|a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a12|1|\"s\"",
                                      "3|a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a13|null|null"}));
  const std::string dirty = ReadTextFile(back / "run/dirty.jsonl");
  EXPECT_THAT(dirty, ::testing::HasSubstr("invalid input syntax for type uuid"));
  EXPECT_THAT(dirty, ::testing::HasSubstr("invalid input syntax for type json"));
}

// CSV read as strings into typed columns: PostgreSQL parses each value (COPY text), and a value
// it refuses is a dirty row with its own message.
TEST(PostgresqlRoundTrip, CsvStringsIntoTypedColumnsAreParsedByTheServer) {
  PgTestSchema s;
  PgExec("CREATE TABLE " + (s / "dst") + " (id int, n numeric(6,2), d date, f real)");
  TempDir dir;
  WriteTextFile(dir / "in.csv",
                "1,1.5,2025-10-31,0.1\n2,abc,2025-10-31,1\n3,-2.25,2024-02-29,\\N\n");
  auto col = [](int i) { return json{{"index", i}, {"type", "string"}}; };
  CliResult r = RunJob(
      dir, Job("txtfile", {{"path", dir / "in.csv"}, {"column", {col(0), col(1), col(2), col(3)}}},
               "postgresql",
               {{"connection", TestPgServer().ConnectionJson()},
                {"table", s / "dst"},
                {"column", {"*"}}}));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(Summary(dir)["dirty_records"], 1);
  EXPECT_THAT(ReadTextFile(dir / "run/dirty.jsonl"),
              ::testing::HasSubstr("invalid input syntax for type numeric: \\\"abc\\\""));
  EXPECT_THAT(PgRows("SELECT t::text FROM " + (s / "dst") + " t ORDER BY id"),
              ::testing::ElementsAre("(1,1.50,2025-10-31,0.1)", "(3,-2.25,2024-02-29,)"));
}

TEST(PostgresqlRoundTrip, PgToSqliteToPg) {
  PgTestSchema s;
  PgExec("CREATE TABLE " + (s / "src") +
         " (id bigint PRIMARY KEY, t text, d double precision, b bytea, n numeric);"
         "INSERT INTO " +
         (s / "src") +
         " VALUES (1, NULL, NULL, NULL, NULL), "
         "(2, '', 0.1, '\\x00', '123456789012345678901234567890.5'), "
         "(3, '中文 😀', -1e308, '\\xdeadbeef00', '-0.001');"
         "CREATE TABLE " +
         (s / "dst") + " (LIKE " + (s / "src") + ")");
  const json conn = TestPgServer().ConnectionJson();
  TempDir dir;
  SqliteExec(dir / "t.db",
             "CREATE TABLE t (id INTEGER PRIMARY KEY, t TEXT, d REAL, b BLOB, n TEXT)");
  CliResult r = RunJob(
      dir, Job("postgresql",
               {{"connection", conn}, {"table", s / "src"}, {"column", {"*"}}, {"splitPk", "id"}},
               "sqlite", {{"path", dir / "t.db"}, {"table", "t"}, {"column", {"*"}}}, 2));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(
      SqliteRows(dir / "t.db", "SELECT id, quote(t), quote(d), quote(b), n FROM t ORDER BY id"),
      ::testing::ElementsAre("1|NULL|NULL|NULL|NULL",
                             "2|''|0.1|X'00'|123456789012345678901234567890.5",
                             "3|'中文 😀'|-1.0e+308|X'DEADBEEF00'|-0.001"));
  TempDir back;
  r = RunJob(
      back, Job("sqlite", {{"path", dir / "t.db"}, {"table", "t"}, {"column", {"*"}}}, "postgresql",
                {{"connection", conn}, {"table", s / "dst"}, {"column", {"*"}}}));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(PgRows("SELECT t.*::text, float8send(d) FROM " + (s / "dst") + " t ORDER BY id"),
            PgRows("SELECT t.*::text, float8send(d) FROM " + (s / "src") + " t ORDER BY id"));
}

TEST(PostgresqlRoundTrip, UpdateModeOverwritesStaleRowsAndIgnoreKeepsThem) {
  PgTestSchema s;
  PgExec("CREATE TABLE " + (s / "src") +
         " (id int PRIMARY KEY, v text, n int);"
         "INSERT INTO " +
         (s / "src") +
         " SELECT g, 'new' || g, g FROM generate_series(1, 10) g;"
         "CREATE TABLE " +
         (s / "up") +
         " (id int PRIMARY KEY, v text, n int, extra text DEFAULT 'kept');"
         "INSERT INTO " +
         (s / "up") +
         " (id, v, n) VALUES (2, 'stale', -2), (5, 'stale', -5), (100, 'other', 0);"
         "CREATE TABLE " +
         (s / "ig") + " (LIKE " + (s / "up") +
         " INCLUDING ALL);"
         "INSERT INTO " +
         (s / "ig") + " SELECT * FROM " + (s / "up"));
  const json conn = TestPgServer().ConnectionJson();
  for (const char* mode : {"update", "ignore"}) {
    TempDir dir;
    std::string dst = s / (std::string(mode) == "update" ? "up" : "ig");
    CliResult r = RunJob(dir, Job("postgresql",
                                  {{"connection", conn},
                                   {"table", s / "src"},
                                   {"column", {"id", "v", "n"}},
                                   {"splitPk", "id"}},
                                  "postgresql",
                                  {{"connection", conn},
                                   {"table", dst},
                                   {"column", {"id", "v", "n"}},
                                   {"writeMode", mode}},
                                  3));
    ASSERT_EQ(r.exit_code, 0) << mode << ": " << r.err;
    EXPECT_EQ(Summary(dir)["dirty_records"], 0);
  }
  EXPECT_EQ(
      PgValue(
          "SELECT string_agg(id || ':' || v || ':' || n || ':' || extra, ',' ORDER BY id) FROM " +
          (s / "up")),
      "1:new1:1:kept,2:new2:2:kept,3:new3:3:kept,4:new4:4:kept,5:new5:5:kept,6:new6:6:kept,"
      "7:new7:7:kept,8:new8:8:kept,9:new9:9:kept,10:new10:10:kept,100:other:0:kept");
  EXPECT_EQ(PgValue("SELECT string_agg(id || ':' || v, ',' ORDER BY id) FROM " + (s / "ig")),
            "1:new1,2:stale,3:new3,4:new4,5:stale,6:new6,7:new7,8:new8,9:new9,10:new10,100:other");
}

TEST(PostgresqlRoundTrip, PreSqlRunsBeforeAndPostSqlAfterEverySplit) {
  PgTestSchema s;
  PgExec("CREATE TABLE " + (s / "src") +
         " (id int);"
         "INSERT INTO " +
         (s / "src") +
         " SELECT generate_series(1, 500);"
         "CREATE TABLE " +
         (s / "dst") +
         " (id int);"
         "INSERT INTO " +
         (s / "dst") +
         " VALUES (-1), (-2);"
         "CREATE TABLE " +
         (s / "log") + " (what text, n bigint)");
  const json conn = TestPgServer().ConnectionJson();
  TempDir dir;
  CliResult r = RunJob(
      dir, Job("postgresql",
               {{"connection", conn}, {"table", s / "src"}, {"column", {"id"}}, {"splitPk", "id"}},
               "postgresql",
               {{"connection", conn},
                {"table", s / "dst"},
                {"column", {"id"}},
                {"preSql",
                 {"DELETE FROM " + (s / "dst"),
                  "INSERT INTO " + (s / "log") + " SELECT 'pre', count(*) FROM " + (s / "dst")}},
                {"postSql",
                 "INSERT INTO " + (s / "log") + " SELECT 'post', count(*) FROM " + (s / "dst")}},
               3));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(PgRows("SELECT what || ':' || n FROM " + (s / "log") + " ORDER BY what DESC"),
              ::testing::ElementsAre("pre:0", "post:500"));
}

// A job in DataX's layout (job.content[].reader/writer, jdbcUrl, username) merging eight
// sharded tables into one, with DataX's `@table` in preSql and postSql: it stands for the
// writer's table, as DataX's writers render it (mysqlwriter.md: "delete from @table").
TEST(PostgresqlRoundTrip, DataXShardsIntoOneTableWithTheTablePlaceholderInPreAndPostSql) {
  PgTestSchema s;
  json tables = json::array();
  for (int i = 0; i < 8; ++i) {
    const std::string t = s / ("orders_" + std::to_string(i));
    PgExec("CREATE TABLE " + t + " (id bigint PRIMARY KEY, name text); INSERT INTO " + t +
           " SELECT g * 8 + " + std::to_string(i) + ", 'n' || g FROM generate_series(1, 500) g");
    tables.push_back(t);
  }
  PgExec("CREATE TABLE " + (s / "orders_all") +
         " (id bigint PRIMARY KEY, name text); INSERT INTO " + (s / "orders_all") +
         " VALUES (-1, 'stale'); CREATE TABLE " + (s / "log") + " (what text, n bigint)");
  const PgServer& server = TestPgServer();
  const std::string all = s / "orders_all";
  json job = {
      {"job",
       {{"setting", {{"speed", {{"channel", 3}}}}},
        {"content",
         {{{"reader",
            {{"name", "postgresqlreader"},
             {"parameter",
              {{"username", server.user},
               {"password", server.password},
               {"column", {"id", "name"}},
               {"splitPk", "id"},
               {"connection", {{{"table", tables}, {"jdbcUrl", {server.JdbcUrl()}}}}}}}}},
           {"writer",
            {{"name", "postgresqlwriter"},
             {"parameter",
              {{"username", server.user},
               {"password", server.password},
               {"column", {"id", "name"}},
               {"preSql",
                {"delete from @table",
                 "insert into " + (s / "log") + " select 'pre', count(*) from @table"}},
               {"postSql", {"insert into " + (s / "log") + " select 'post', count(*) from @table"}},
               {"connection", {{{"jdbcUrl", server.JdbcUrl()}, {"table", {all}}}}}}}}}}}}}}};
  TempDir dir;
  CliResult r = RunJob(dir, job.dump(2));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  // Every id from 8 to 4007 once (g * 8 + shard), the stale row gone.
  EXPECT_EQ(PgValue("SELECT count(*) || ':' || count(DISTINCT id) || ':' || min(id) || ':' || "
                    "max(id) || ':' || sum(id) FROM " +
                    all),
            "4000:4000:8:4007:8030000");
  EXPECT_THAT(PgRows("SELECT what || ':' || n FROM " + (s / "log") + " ORDER BY what DESC"),
              ::testing::ElementsAre("pre:0", "post:4000"));
}

TEST(PostgresqlRoundTrip, SplitPkReadsSkewedNegativeAndNullKeysExactlyOnce) {
  PgTestSchema s;
  PgExec("CREATE TABLE " + (s / "src") +
         " (k bigint, v int);"
         "INSERT INTO " +
         (s / "src") +
         " SELECT g, g FROM generate_series(1, 3000) g;"
         "INSERT INTO " +
         (s / "src") +
         " VALUES (-9223372036854775808, 1), (-5, 2), (-5, 3), "
         "(9223372036854775807, 4), (1000000000000, 5);"
         "INSERT INTO " +
         (s / "src") +
         " SELECT NULL, g FROM generate_series(1, 7) g;"
         "CREATE TABLE " +
         (s / "dst") + " (k bigint, v int)");
  const json conn = TestPgServer().ConnectionJson();
  TempDir dir;
  CliResult r =
      RunJob(dir, Job("postgresql",
                      {{"connection", conn},
                       {"table", s / "src"},
                       {"column", {"k", "v"}},
                       {"splitPk", "k"},
                       {"where", "v > 0 -- a trailing comment"}},
                      "postgresql",
                      {{"connection", conn}, {"table", s / "dst"}, {"column", {"k", "v"}}}, 4));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  json summary = Summary(dir);
  EXPECT_EQ(summary["records_written"], 3012);
  EXPECT_GT(summary["splits_total"].get<int>(), 4);
  auto multiset = [](const std::string& t) {
    return PgRows("SELECT k, v, count(*) FROM " + t + " GROUP BY k, v ORDER BY k NULLS FIRST, v");
  };
  EXPECT_EQ(multiset(s / "dst"), multiset(s / "src"));
}

TEST(PostgresqlRoundTrip, ShardedTablesAndQuotedIdentifiersMergeIntoOneTable) {
  PgTestSchema s;
  for (int i = 0; i < 3; ++i) {
    std::string t = s / ("part_" + std::to_string(i));
    PgExec("CREATE TABLE " + t +
           " (id int, \"Mixed Case\" text);"
           "INSERT INTO " +
           t + " SELECT g, 'p" + std::to_string(i) + "' FROM generate_series(" +
           std::to_string(i * 100 + 1) + ", " + std::to_string(i * 100 + 100) + ") g");
  }
  PgExec("CREATE TABLE " + s.name() + ".\"Dest Table\" (id int PRIMARY KEY, \"Mixed Case\" text)");
  const json conn = TestPgServer().ConnectionJson();
  TempDir dir;
  CliResult r = RunJob(dir, Job("postgresql",
                                {{"connection", conn},
                                 {"table", s / "part_[0-2]"},
                                 {"column", {"id", "\"Mixed Case\""}},
                                 {"splitPk", "id"}},
                                "postgresql",
                                {{"connection", conn},
                                 {"table", s.name() + ".\"Dest Table\""},
                                 {"column", {"id", "\"Mixed Case\""}},
                                 {"writeMode", "insert"}},
                                2));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(PgValue("SELECT count(*) || ':' || count(DISTINCT id) || ':' || min(\"Mixed Case\") || "
                    "max(\"Mixed Case\") FROM " +
                    s.name() + ".\"Dest Table\""),
            "300:300:p0p2");
}

// Types Ferry has no value for (geometric, full text search, a composite, interval): `ferry check`
// names each column and its type as a warning, and the rows arrive as PostgreSQL's own text.
TEST(PostgresqlRoundTrip, UnmappedTypesAreNamedByCheckAndReadAsTheirText) {
  PgTestSchema s;
  PgExec("CREATE TYPE " + (s / "pair") +
         " AS (a int, b text);"
         "CREATE TABLE " +
         (s / "src") + " (id int, p point, ts tsvector, c " + (s / "pair") +
         ", iv interval);"
         "INSERT INTO " +
         (s / "src") +
         " VALUES (1, '(1.5,-2)', 'a fat cat', ROW(7, 'x \"y\"'), '1 day 02:03:04.5'),"
         " (2, NULL, '', ROW(NULL, NULL), '-3 mons');"
         "CREATE TABLE " +
         (s / "dst") + " (id int, p text, ts text, c text, iv text)");
  const json conn = TestPgServer().ConnectionJson();
  TempDir dir;
  WriteTextFile(dir / "job.json",
                Job("postgresql", {{"connection", conn}, {"table", s / "src"}, {"column", {"*"}}},
                    "postgresql", {{"connection", conn}, {"table", s / "dst"}, {"column", {"*"}}}));
  CliResult check = RunFerry({"check", dir / "job.json"});
  EXPECT_EQ(check.exit_code, 0) << check.err;
  const std::string table = "table " + (s / "src") + ": column ";
  EXPECT_THAT(check.err, ::testing::HasSubstr(table + "\"p\" has type point, which Ferry does "
                                                      "not map; it is read as its text"));
  EXPECT_THAT(check.err, ::testing::HasSubstr(table + "\"ts\" has type tsvector"));
  EXPECT_THAT(check.err, ::testing::HasSubstr(table + "\"c\" has type " + (s / "pair")));
  EXPECT_THAT(check.err, ::testing::HasSubstr(table + "\"iv\" has type interval"));
  EXPECT_THAT(check.err, ::testing::Not(::testing::HasSubstr("\"id\"")));

  CliResult r = RunJob(dir, ReadTextFile(dir / "job.json"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto text = [](const std::string& t, const std::string& cast) {
    return PgRows("SELECT id, p" + cast + ", ts" + cast + ", c" + cast + ", iv" + cast + " FROM " +
                  t + " ORDER BY id");
  };
  EXPECT_EQ(text(s / "dst", ""), text(s / "src", "::text"));
}

TEST(PostgresqlRoundTrip, QuerySqlReadsWhatTheQueryReturns) {
  PgTestSchema s;
  PgExec("CREATE TABLE " + (s / "src") +
         " (id int, v text);"
         "INSERT INTO " +
         (s / "src") +
         " SELECT g, 'v' || g FROM generate_series(1, 50) g;"
         "CREATE TABLE " +
         (s / "dst") + " (id int, total numeric)");
  const json conn = TestPgServer().ConnectionJson();
  TempDir dir;
  CliResult r = RunJob(
      dir, Job("postgresql",
               {{"connection", conn},
                {"querySql",
                 {"SELECT id, id * 1.5 FROM " + (s / "src") + " WHERE id <= 10",
                  "SELECT id, 0.25 FROM " + (s / "src") + " WHERE id > 40"}}},
               "postgresql",
               {{"connection", conn}, {"table", s / "dst"}, {"column", {"id", "total"}}}, 2));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(PgValue("SELECT count(*) || ':' || sum(total) FROM " + (s / "dst")), "20:85.00");
}

// A job of many splits opens about one connection per channel on each side, not one per split:
// each querySql statement is a split that selects its reader's backend; the destination's
// statement trigger logs the writer's backend and application_name. With writeMode update every
// writer connection's temp stage serves all of its splits.
TEST(PostgresqlRoundTrip, ManySplitsShareAConnectionPerChannelOnEachSide) {
  PgTestSchema s;
  PgExec("CREATE TABLE " + (s / "src") + " (id int PRIMARY KEY, v text); INSERT INTO " +
         (s / "src") + " SELECT g, 'v' || g FROM generate_series(1, 2000) g; CREATE TABLE " +
         (s / "dst") + " (id int PRIMARY KEY, v text, reader int); CREATE TABLE " + (s / "log") +
         " (pid int, app text); CREATE FUNCTION " + (s / "log_write") +
         "() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN INSERT INTO " + (s / "log") +
         " VALUES (pg_backend_pid(), current_setting('application_name')); RETURN NULL; END$$; "
         "CREATE TRIGGER logged AFTER INSERT ON " +
         (s / "dst") + " FOR EACH STATEMENT EXECUTE FUNCTION " + (s / "log_write") + "()");
  json queries = json::array();
  for (int from = 1; from <= 2000; from += 100) {
    queries.push_back("SELECT id, v, pg_backend_pid() FROM " + (s / "src") + " WHERE id BETWEEN " +
                      std::to_string(from) + " AND " + std::to_string(from + 99));
  }
  const json conn = TestPgServer().ConnectionJson();
  TempDir dir;
  CliResult r =
      RunJob(dir, Job("postgresql", {{"connection", conn}, {"querySql", queries}}, "postgresql",
                      {{"connection", conn},
                       {"table", s / "dst"},
                       {"column", {"id", "v", "reader"}},
                       {"writeMode", "update"}},
                      2));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(Summary(dir)["splits_done"], 20);
  EXPECT_EQ(
      PgValue("SELECT count(*) FROM " + (s / "src") + " JOIN " + (s / "dst") + " USING (id, v)"),
      "2000");
  EXPECT_THAT(PgValue("SELECT count(DISTINCT reader) FROM " + (s / "dst")),
              ::testing::AnyOf("1", "2"));
  EXPECT_THAT(PgValue("SELECT count(DISTINCT pid) FROM " + (s / "log")),
              ::testing::AnyOf("1", "2"));
  // Each split's statements ran under its own name.
  EXPECT_EQ(PgValue("SELECT count(DISTINCT app) || ':' || count(*) FILTER (WHERE app LIKE "
                    "'ferry/write/%') FROM " +
                    (s / "log")),
            "20:20");
}

}  // namespace
}  // namespace ferry::testing
