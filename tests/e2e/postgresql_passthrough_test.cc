// PostgreSQL -> PostgreSQL with matching column types: the reader's binary COPY tuples go into
// the destination unchanged (pg_binary_rows.h). Each test runs the `ferry` binary and checks what
// a user would: the destination byte for byte, the summary's counts, dirty.jsonl, the commit
// markers, and whether the log says the rows moved unchanged.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "tests/support/ferry_cli.h"
#include "tests/support/pg_test_server.h"

namespace ferry::testing {
namespace {

using json = nlohmann::json;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr const char* kUnchanged = "rows move from reader to writer as PostgreSQL binary COPY";

// Every type the fast path forwards, with NULLs, extremes, non-ASCII text and values that have
// no Ferry counterpart (numeric NaN, infinite timestamps, a BC date), which pass through
// untouched.
constexpr const char* kTypes =
    "(id bigint PRIMARY KEY, i2 smallint, i4 integer, n numeric, n2 numeric(12,2), r real, "
    "d double precision, t text, vc varchar(12), c char(3), b bytea, bo boolean, dt date, "
    "tm time(6), ts timestamp(6), tz timestamptz(6))";

constexpr const char* kRows = R"SQL(
 (1, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
 (2, -32768, -2147483648, '-12345678901234567890123456789.0123456789', -9999999999.99,
  -3.4028235e38, 5e-324, '', '', '', '', false, '0001-01-01', '00:00:00',
  '0001-01-01 00:00:00', '0001-01-01 00:00:00+00'),
 (3, 32767, 2147483647, 'NaN', 9999999999.99, 'NaN', '-Infinity',
  E'\\N tab\t nl\n "q" ''s'', commas, 中文 😀 é 𝄞', 'Straße 東京', 'ab', '\x00ff5c4e0a', true,
  '0044-03-15 BC', '23:59:59.999999', 'infinity', '2025-10-31 12:00:00.000001+05:30'),
 (4, 0, 0, '0.000000000000000000000000000000000000000001', -0.01, '-0', 1.5, 'NULL', '\N',
  ' ', '\x', NULL, '2024-02-29', '12:00:00.5', '1969-12-31 23:59:59.5', '-infinity')
)SQL";

json Step(const char* category, json parameter) {
  return {{"stepType", "postgresql"},
          {"category", category},
          {"name", std::string(category) == "reader" ? "Reader" : "Writer"},
          {"parameter", std::move(parameter)}};
}

class PgPassthrough : public ::testing::Test {
 protected:
  json Reader(const std::string& table, json extra = json::object()) const {
    json p = {
        {"connection", TestPgServer().ConnectionJson()}, {"table", s_ / table}, {"column", {"*"}}};
    p.update(extra);
    return p;
  }

  json Writer(const std::string& table, json extra = json::object()) const {
    json p = {
        {"connection", TestPgServer().ConnectionJson()}, {"table", s_ / table}, {"column", {"*"}}};
    p.update(extra);
    return p;
  }

  CliResult Run(json reader, json writer, json setting = {{"speed", {{"concurrent", 1}}}}) {
    json job = {{"type", "job"},
                {"version", "2.0"},
                {"steps", {Step("reader", std::move(reader)), Step("writer", std::move(writer))}},
                {"setting", std::move(setting)},
                {"order", {{"hops", {{{"from", "Reader"}, {"to", "Writer"}}}}}}};
    WriteTextFile(dir_ / "job.json", job.dump(2));
    return RunFerry({"run", dir_ / "job.json", "--run-dir", dir_ / "run", "--summary-json",
                     dir_ / "summary.json", "--progress-interval", "0"});
  }

  json Summary() const { return json::parse(ReadTextFile(dir_ / "summary.json")); }

  // Every cell as PostgreSQL prints it, plus the float bits (text hides -0).
  std::vector<std::string> Text(const std::string& table) const {
    return PgRows("SELECT t.*::text, float8send(d), float4send(r) FROM " + (s_ / table) +
                  " t ORDER BY id");
  }

  PgTestSchema s_;
  TempDir dir_;
};

TEST_F(PgPassthrough, EveryForwardedTypeArrivesByteForByte) {
  PgExec("CREATE TABLE " + (s_ / "src") + kTypes + "; INSERT INTO " + (s_ / "src") + " VALUES " +
         kRows + "; CREATE TABLE " + (s_ / "dst") + " (LIKE " + (s_ / "src") + " INCLUDING ALL)");
  CliResult r =
      Run(Reader("src", {{"splitPk", "id"}}), Writer("dst"), {{"speed", {{"concurrent", 2}}}});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.err, HasSubstr(kUnchanged));
  EXPECT_EQ(Text("dst"), Text("src"));
  const json summary = Summary();
  EXPECT_EQ(summary["records_read"], 4);
  EXPECT_EQ(summary["records_written"], 4);
  EXPECT_EQ(summary["dirty_records"], 0);
  EXPECT_GT(summary["bytes_read"].get<int64_t>(), 100);
}

// The decoding path writes the same bytes (the rows without a value Ferry cannot hold).
TEST_F(PgPassthrough, PassthroughFalseDecodesAndWritesTheSameRows) {
  PgExec("CREATE TABLE " + (s_ / "src") + kTypes + "; INSERT INTO " + (s_ / "src") + " VALUES " +
         kRows + "; DELETE FROM " + (s_ / "src") + " WHERE id = 3; UPDATE " + (s_ / "src") +
         " SET tz = '2000-01-01 00:00:00+00' WHERE id = 4; CREATE TABLE " + (s_ / "dst") +
         " (LIKE " + (s_ / "src") + " INCLUDING ALL)");
  CliResult r = Run(Reader("src"), Writer("dst", {{"passthrough", false}}));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.err, Not(HasSubstr(kUnchanged)));
  EXPECT_EQ(Text("dst"), Text("src"));
}

// uuid, json and jsonb: forwarded unchanged between columns of the same type, decoded to the text
// PostgreSQL prints when they are not (passthrough off, or jsonb into json), and written from
// that text into the binary form of each.
TEST_F(PgPassthrough, UuidJsonAndJsonbForwardUnchangedAndDecodeToTheirText) {
  PgExec("CREATE TABLE " + (s_ / "src") +
         " (id bigint PRIMARY KEY, u uuid, j json, jb jsonb); INSERT INTO " + (s_ / "src") +
         R"SQL( VALUES (1, 'A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11', '{"b": 1,  "a": [true, null]}',
           '{"b": 1, "a": "Straße 東京 😀", "n": 1.50}'),
          (2, NULL, NULL, NULL), (3, '00000000-0000-0000-0000-000000000000', '"x\ny"', '[]'))SQL" +
         "; CREATE TABLE " + (s_ / "dst") + " (LIKE " + (s_ / "src") + "); CREATE TABLE " +
         (s_ / "dst2") + " (LIKE " + (s_ / "src") + "); CREATE TABLE " + (s_ / "dst3") +
         " (id bigint, u uuid, j json, jb json)");
  const std::vector<std::string> want = {
      R"(1|a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11|{"b": 1,  "a": [true, null]}|{"a": "Straße 東京 😀", "b": 1, "n": 1.50})",
      "2|NULL|NULL|NULL", R"(3|00000000-0000-0000-0000-000000000000|"x\ny"|[])"};
  const std::string select = "SELECT id, u, j, jb FROM ";

  CliResult r = Run(Reader("src"), Writer("dst"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.err, HasSubstr(kUnchanged));
  EXPECT_EQ(PgRows(select + (s_ / "dst") + " ORDER BY id"), want);

  std::filesystem::remove_all(dir_ / "run");
  r = Run(Reader("src"), Writer("dst2", {{"passthrough", false}}));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.err, Not(HasSubstr(kUnchanged)));
  EXPECT_EQ(PgRows(select + (s_ / "dst2") + " ORDER BY id"), want);

  std::filesystem::remove_all(dir_ / "run");
  r = Run(Reader("src"), Writer("dst3"));  // jsonb into json: not the same binary form
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.err, Not(HasSubstr(kUnchanged)));
  EXPECT_EQ(PgRows(select + (s_ / "dst3") + " ORDER BY id"), want);
}

// integer into bigint, and an array column (read as its text): each value is decoded and
// encoded for the destination's type.
TEST_F(PgPassthrough, DifferentTypesAndArraysFallBackToDecoding) {
  PgExec("CREATE TABLE " + (s_ / "src") + " (id integer, a integer[], t text); INSERT INTO " +
         (s_ / "src") + " VALUES (1, '{1,NULL,-3}', 'é'), (2, NULL, NULL), (3, '{}', ''); " +
         "CREATE TABLE " + (s_ / "dst") + " (id bigint, a integer[], t text); CREATE TABLE " +
         (s_ / "dst2") + " (id bigint, t text)");
  CliResult r = Run(Reader("src"), Writer("dst"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.err, Not(HasSubstr(kUnchanged)));
  EXPECT_EQ(PgRows("SELECT id, a, t FROM " + (s_ / "dst") + " ORDER BY id"),
            (std::vector<std::string>{"1|{1,NULL,-3}|é", "2|NULL|NULL", "3|{}|"}));
  // Without the array, integer into bigint still is not the same binary form.
  std::filesystem::remove_all(dir_ / "run");
  CliResult narrow = Run(Reader("src", {{"column", {"id", "t"}}}), Writer("dst2"));
  ASSERT_EQ(narrow.exit_code, 0) << narrow.err;
  EXPECT_THAT(narrow.err, Not(HasSubstr(kUnchanged)));
  EXPECT_EQ(PgRows("SELECT id, t FROM " + (s_ / "dst2") + " ORDER BY id"),
            (std::vector<std::string>{"1|é", "2|NULL", "3|"}));
}

// A constant column makes the reader's rows differ from the table's: no passthrough.
TEST_F(PgPassthrough, AComputedColumnIsDecodedAndFilled) {
  PgExec("CREATE TABLE " + (s_ / "src") + " (id bigint, t text); INSERT INTO " + (s_ / "src") +
         " VALUES (1, 'a'), (2, NULL); CREATE TABLE " + (s_ / "dst") +
         " (id bigint, t text, shop text)");
  CliResult r = Run(Reader("src", {{"column", {"id", "t", "'shop-1'"}}}), Writer("dst"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.err, Not(HasSubstr(kUnchanged)));
  EXPECT_EQ(PgRows("SELECT * FROM " + (s_ / "dst") + " ORDER BY id"),
            (std::vector<std::string>{"1|a|shop-1", "2|NULL|shop-1"}));
}

// text into a narrower varchar and a CHECK: the refused rows are isolated as dirty records,
// shown decoded, and every other row is written.
TEST_F(PgPassthrough, ARefusedRowIsStillIsolatedAsDirty) {
  PgExec("CREATE TABLE " + (s_ / "src") + " (id bigint, t text, n numeric(12,2)); INSERT INTO " +
         (s_ / "src") + " SELECT g, 'row ' || g, g FROM generate_series(1, 5000) g; UPDATE " +
         (s_ / "src") + " SET t = 'far too long for five, 東京' WHERE id = 1234; UPDATE " +
         (s_ / "src") + " SET n = -7.25 WHERE id = 4321; CREATE TABLE " + (s_ / "dst") +
         " (id bigint PRIMARY KEY, t varchar(12), n numeric(12,2) CHECK (n >= 0))");
  CliResult r = Run(Reader("src"), Writer("dst"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.err, HasSubstr(kUnchanged));
  const json summary = Summary();
  EXPECT_EQ(summary["records_read"], 5000);
  EXPECT_EQ(summary["records_written"], 4998);
  EXPECT_EQ(summary["dirty_records"], 2);
  EXPECT_EQ(PgValue("SELECT count(*) || ':' || sum(id) FROM " + (s_ / "dst")),
            "4998:" + std::to_string(5000 * 5001 / 2 - 1234 - 4321));
  const std::string dirty = ReadTextFile(dir_ / "run/dirty.jsonl");
  EXPECT_THAT(dirty, HasSubstr("value too long for type character varying(12)"));
  EXPECT_THAT(dirty, HasSubstr("\"record\":[1234,\"far too long for five, 東京\",\"1234.00\"]"));
  EXPECT_THAT(dirty, HasSubstr("violates check constraint"));
  EXPECT_THAT(dirty, HasSubstr("\"record\":[4321,\"row 4321\",\"-7.25\"]"));
}

// Built-in types Ferry does not decode (arrays, interval, inet, ranges, timetz, varbit,
// tsvector, point) move as their own bytes into columns of the same type; with passthrough off
// they are read as their text and written back from it. A user-defined type (an enum) is never
// forwarded: its OID means nothing in another database. A refused row is still isolated.
TEST_F(PgPassthrough, UndecodedBuiltInTypesForwardUnchangedIntoTheSameType) {
  PgExec("CREATE TABLE " + (s_ / "src") +
         " (id bigint PRIMARY KEY, ai integer[], at text[], iv interval, ip inet, r int4range, "
         "tz timetz, vb varbit, tv tsvector, pt point, ia interval[], m numeric[]); INSERT INTO " +
         (s_ / "src") + R"SQL( VALUES
  (1, '{1,NULL,-3}', '{"a,b","Straße 東京 😀",NULL,"\"q\""}', '1 year 2 mons 3 days 04:05:06.789',
   '192.168.0.1/24', '[1,10)', '12:34:56.789+05:30', B'10110', 'a fat:2 cat:1 ate', '(1.5,-2)',
   '{"1 day","-00:00:01"}', '{{1.50,NaN},{-0.001,7}}'),
  (2, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
  (3, '{}', '{""}', '-178000000 years', '::1', 'empty', '00:00:00-15:59', B'', '', '(0,0)',
   '{}', '{}'))SQL" +
         "; INSERT INTO " + (s_ / "src") +
         " (id, ai) SELECT g, ARRAY[g, g + 1] FROM generate_series(4, 3000) g; CREATE TABLE " +
         (s_ / "dst") + " (LIKE " + (s_ / "src") + "); CREATE TABLE " + (s_ / "dst2") + " (LIKE " +
         (s_ / "src") + ")");
  const std::string rows = "SELECT t.*::text FROM ";
  CliResult r =
      Run(Reader("src", {{"splitPk", "id"}}), Writer("dst"), {{"speed", {{"concurrent", 2}}}});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.err, HasSubstr(kUnchanged));
  EXPECT_EQ(PgRows(rows + (s_ / "dst") + " t ORDER BY id"),
            PgRows(rows + (s_ / "src") + " t ORDER BY id"));
  EXPECT_EQ(Summary()["records_written"], 3000);

  std::filesystem::remove_all(dir_ / "run");
  r = Run(Reader("src"), Writer("dst2", {{"passthrough", false}}));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.err, Not(HasSubstr(kUnchanged)));
  EXPECT_EQ(PgRows(rows + (s_ / "dst2") + " t ORDER BY id"),
            PgRows(rows + (s_ / "src") + " t ORDER BY id"));

  // An enum column: read as its text, written from it.
  PgExec("CREATE TYPE " + (s_ / "mood") + " AS ENUM ('sad', 'ok'); CREATE TABLE " + (s_ / "esrc") +
         " (id int, ai integer[], e " + (s_ / "mood") + "); INSERT INTO " + (s_ / "esrc") +
         " VALUES (1, '{1}', 'ok'), (2, NULL, NULL); CREATE TABLE " + (s_ / "edst") + " (LIKE " +
         (s_ / "esrc") + ")");
  std::filesystem::remove_all(dir_ / "run");
  r = Run(Reader("esrc"), Writer("edst"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.err, Not(HasSubstr(kUnchanged)));
  EXPECT_EQ(PgRows(rows + (s_ / "edst") + " t ORDER BY id"),
            (std::vector<std::string>{"(1,{1},ok)", "(2,,)"}));

  // A destination that refuses one forwarded array: that row alone is dirty.
  PgExec("CREATE TABLE " + (s_ / "dst3") + " (LIKE " + (s_ / "src") + "); ALTER TABLE " +
         (s_ / "dst3") + " ADD CONSTRAINT short CHECK (cardinality(ai) <> 3)");
  std::filesystem::remove_all(dir_ / "run");
  r = Run(Reader("src"), Writer("dst3"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.err, HasSubstr(kUnchanged));
  EXPECT_EQ(Summary()["dirty_records"], 1);
  EXPECT_EQ(PgValue("SELECT count(*) || ':' || sum(id) FROM " + (s_ / "dst3")),
            "2999:" + std::to_string(3000 * 3001 / 2 - 1));
  const std::string dirty = ReadTextFile(dir_ / "run/dirty.jsonl");
  EXPECT_THAT(dirty, HasSubstr(R"(violates check constraint \"short\")"));
  // The forwarded fields Ferry cannot decode show as their binary form, in hex.
  EXPECT_THAT(dirty, HasSubstr(R"("record":[1,"\\x00000001000000010000001700000003)"));
}

// Killed right after the first split's COMMIT: its marker is in the destination, and the resume
// writes every other split once, leaving no marker.
TEST_F(PgPassthrough, CommitMarkersAreWrittenAndResumeWritesEveryRowOnce) {
  PgExec("CREATE TABLE " + (s_ / "src") + " (id bigint, t text); INSERT INTO " + (s_ / "src") +
         " SELECT g, 'v' || g FROM generate_series(1, 20000) g; CREATE TABLE " + (s_ / "dst") +
         " (id bigint, t text)");
  setenv("FERRY_FAULT", "writer.after_commit", 1);
  CliResult first = Run(Reader("src", {{"splitPk", "id"}, {"splitFactor", 4}}), Writer("dst"));
  unsetenv("FERRY_FAULT");
  ASSERT_NE(first.exit_code, 0);
  EXPECT_THAT(first.err, HasSubstr(kUnchanged));
  EXPECT_EQ(PgValue("SELECT count(*) FROM " + (s_ / "ferry_split_commits")), "1");
  const std::string committed = PgValue("SELECT count(*) FROM " + (s_ / "dst"));
  EXPECT_NE(committed, "0");
  CliResult resumed = RunFerry({"run", "--resume", dir_ / "run", "--progress-interval", "0"});
  ASSERT_EQ(resumed.exit_code, 0) << resumed.err;
  EXPECT_THAT(resumed.err, HasSubstr(kUnchanged));
  EXPECT_EQ(
      PgValue("SELECT count(*) || ':' || count(DISTINCT id) || ':' || sum(length(t)) FROM " +
              (s_ / "dst")),
      PgValue("SELECT count(*) || ':' || count(*) || ':' || sum(length(t)) FROM " + (s_ / "src")));
  EXPECT_EQ(PgValue("SELECT count(*) FROM " + (s_ / "ferry_split_commits")), "0");
}

}  // namespace
}  // namespace ferry::testing
