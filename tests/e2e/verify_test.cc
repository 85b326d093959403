// `ferry verify` against real databases: a job is run, then differences are planted in its
// destination and each must be found and named by key; equal data is equal, and an invalid job
// exits 2. VerifyMatrix is the issue's matrix (PG->PG, MySQL->PG, SQLite->CSV, CSV->PG, each
// planted difference); the suites per engine test the rest: key detection, in-database
// summaries, split ranges, typed read-back, destination filters, setting.verify.
#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdio>
#include <functional>
#include <nlohmann/json.hpp>

#include "tests/support/ferry_cli.h"
#include "tests/support/mariadb_test_server.h"
#include "tests/support/pg_test_server.h"

namespace ferry::testing {
namespace {

using json = nlohmann::json;
using ::testing::HasSubstr;

// The differences of a --json report, as "kind key[ column: source -> dest]" lines.
std::vector<std::string> Differences(const json& report) {
  std::vector<std::string> out;
  for (const json& d : report["differences"]) {
    std::string line = d["kind"].get<std::string>() + " " + d["key"].get<std::string>();
    if (d["kind"] == "changed") {
      line += " " + d["column"].get<std::string>() + ": " + d["source_value"].get<std::string>() +
              " -> " + d["dest_value"].get<std::string>();
    }
    out.push_back(line);
  }
  return out;
}

// The report's (last) differing split range, "id LO..HI", with its bounds; null when none.
json DifferingRange(const json& report, int64_t* lo, int64_t* hi) {
  json differing;
  for (const json& r : report["ranges"]) {
    if (!r["equal"].get<bool>()) differing = r;
  }
  if (differing.is_null() ||
      std::sscanf(differing["range"].get<std::string>().c_str(), "id %ld..%ld", lo, hi) != 2) {
    return json();
  }
  return differing;
}

class VerifyTestBase {
 protected:
  CliResult RunJob(const std::string& job_text, std::vector<std::string> extra = {}) {
    WriteTextFile(dir_ / "job.json", job_text);
    std::vector<std::string> args = {"run",
                                     dir_ / "job.json",
                                     "--run-dir",
                                     dir_ / ("run" + std::to_string(runs_++)),
                                     "--progress-interval",
                                     "0"};
    args.insert(args.end(), extra.begin(), extra.end());
    return RunFerry(args);
  }
  CliResult Verify(std::vector<std::string> extra = {}) {
    std::vector<std::string> args = {"verify", dir_ / "job.json", "--json"};
    args.insert(args.end(), extra.begin(), extra.end());
    CliResult r = RunFerry(args);
    report_ = r.exit_code <= 1 && !r.out.empty() ? json::parse(r.out) : json();
    return r;
  }

  // In the file at `path`, replaces `from` by `to` in the line that starts with `line_prefix`.
  static void PlantInLine(const std::string& path, const std::string& line_prefix,
                          const std::string& from, const std::string& to) {
    std::string text = "\n" + ReadTextFile(path);
    size_t line = text.find("\n" + line_prefix);
    ASSERT_NE(line, std::string::npos) << line_prefix << " starts no line of " << text;
    size_t at = text.find(from, line);
    ASSERT_LT(at, text.find('\n', line + 1)) << from << " not in the line " << line_prefix;
    text.replace(at, from.size(), to);
    WriteTextFile(path, text.substr(1));
  }

  // Removes from the file at `path` the line that starts with `line_prefix`.
  static void RemoveLine(const std::string& path, const std::string& line_prefix) {
    std::string text = "\n" + ReadTextFile(path);
    size_t line = text.find("\n" + line_prefix);
    ASSERT_NE(line, std::string::npos) << line_prefix << " starts no line of " << text;
    text.erase(line, text.find('\n', line + 1) - line);
    WriteTextFile(path, text.substr(1));
  }

  // The CSV a job wrote from the typed columns (id, price, ts, note) of a source whose rows
  // start (1, 1.50, 2026-12-05 10:00:00.000001, '') and (2, -0.01, ..., NULL), with the writer's
  // dateFormat "dd/MM/yyyy HH:mm:ss.SSSSSS", is read back as the source's types: a decimal of
  // another scale is equal; a timestamp 1 µs off and NULL written as '' are found.
  void ExpectCsvReadBackIsTyped(const std::string& csv) {
    ASSERT_THAT(ReadTextFile(csv), HasSubstr("1,1.50,05/12/2026 10:00:00.000001,\n"));
    ASSERT_EQ(Verify().exit_code, 0) << report_.dump();
    EXPECT_THAT(report_["notes"].dump(),
                HasSubstr("the destination holds text in id, price, ts: read back as the "
                          "source's types"));
    PlantInLine(csv, "1,", "1.50", "1.5000");
    ASSERT_EQ(Verify().exit_code, 0) << report_.dump();
    PlantInLine(csv, "1,", ".000001", ".000002");
    PlantInLine(csv, "2,", "\\N", "");
    ASSERT_EQ(Verify().exit_code, 1);
    EXPECT_THAT(Differences(report_),
                ::testing::UnorderedElementsAre(
                    "changed id=1 ts: 2026-12-05 10:00:00.000001 -> 2026-12-05 10:00:00.000002",
                    "changed id=2 note: NULL -> ''"));
  }

  // For a job that copied a 20,000-row table (id 2, 4, ..., 40000; name 'n' || id/2) with
  // concurrent 2 and splitFactor 5 into `table` at the destination (`exec_dest` runs one SQL
  // statement there): the databases checksum each of the 10 key ranges; equal data reads no
  // row; one changed row is named with only its range's rows read; a missing and an extra row
  // in two ranges make two differing ranges.
  void ExpectEachKeyRangeIsChecksummedInTheDatabase(
      const std::string& table, const std::function<void(const std::string&)>& exec_dest) {
    ASSERT_EQ(Verify().exit_code, 0) << report_.dump();
    EXPECT_THAT(report_["method"].get<std::string>(), ::testing::StartsWith("in-database ("));
    ASSERT_EQ(report_["ranges"].size(), 10u) << report_.dump();
    int64_t in_ranges = 0;
    for (const json& r : report_["ranges"]) {
      in_ranges += r["source_rows"].get<int64_t>();
      EXPECT_TRUE(r["equal"].get<bool>()) << r.dump();
    }
    EXPECT_EQ(in_ranges, 20000);
    EXPECT_EQ(report_["differing_ranges"], 0);
    EXPECT_EQ(report_["rows_read_for_bisection"], 0);

    exec_dest("UPDATE " + table + " SET name = 'changed' WHERE id = 12346");
    ASSERT_EQ(Verify().exit_code, 1) << report_.dump();
    EXPECT_THAT(report_["method"].get<std::string>(),
                HasSubstr("per key range; differing ranges compared in Ferry"));
    EXPECT_EQ(report_["differing_ranges"], 1);
    EXPECT_THAT(Differences(report_),
                ::testing::ElementsAre("changed id=12346 name: 'n6173' -> 'changed'"));
    int64_t lo = 0, hi = 0;
    json differing = DifferingRange(report_, &lo, &hi);
    ASSERT_TRUE(differing.is_object()) << report_.dump();
    EXPECT_LE(lo, 12346);
    EXPECT_GE(hi, 12346);
    int64_t read = report_["rows_read_for_bisection"].get<int64_t>();
    EXPECT_GT(read, 0);
    EXPECT_LE(read, 2 * differing["source_rows"].get<int64_t>()) << report_.dump();

    exec_dest("UPDATE " + table + " SET name = 'n6173' WHERE id = 12346");
    exec_dest("DELETE FROM " + table + " WHERE id = 100");
    exec_dest("INSERT INTO " + table + " (id, name) VALUES (30001, 'x')");
    ASSERT_EQ(Verify().exit_code, 1) << report_.dump();
    EXPECT_EQ(report_["differing_ranges"], 2) << report_.dump();
    EXPECT_THAT(Differences(report_),
                ::testing::UnorderedElementsAre("missing id=100", "extra id=30001"));
    EXPECT_LE(report_["rows_read_for_bisection"].get<int64_t>(), 2 * 2 * 2000) << report_.dump();
  }

  TempDir dir_;
  json report_;
  int runs_ = 0;
};

// --- SQLite -> SQLite ---------------------------------------------------------------------------

class VerifySqlite : public ::testing::Test, public VerifyTestBase {
 protected:
  void SetUp() override {
    SqliteExec(src_, R"SQL(
      CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT, amount REAL, note TEXT, b BLOB);
      INSERT INTO t VALUES (1, 'a', 1.5, 'x', x'00ff'), (2, 'b', 0.3, '', NULL),
        (3, 'c', -0.0, NULL, x''), (4, 'd', 1e308, 'it''s', x'00'), (5, 'e', 0.1, '中文', NULL),
        (6, 'f', 2, 'y', NULL), (7, 'g', 3, 'z', NULL), (8, 'h', 4, 'w', NULL))SQL");
    SqliteExec(dst_, "CREATE TABLE t (id INTEGER, name TEXT, amount REAL, note TEXT, b BLOB)");
    json reader = {{"path", src_}, {"table", "t"}, {"column", {"*"}}, {"splitPk", "id"}};
    json writer = {{"path", dst_}, {"table", "t"}, {"column", {"*"}}};
    CliResult r = RunJob(
        StepsJob("sqlite", reader, "sqlite", writer, {{"speed", {{"concurrent", 2}}}}).dump(2));
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }

  std::string src_ = dir_ / "src.db";
  std::string dst_ = dir_ / "dst.db";
};

TEST_F(VerifySqlite, EqualAfterARun) {
  CliResult r = Verify();
  ASSERT_EQ(r.exit_code, 0) << r.err << r.out;
  EXPECT_EQ(report_["status"], "EQUAL");
  EXPECT_EQ(report_["source_rows"], 8);
  EXPECT_EQ(report_["dest_rows"], 8);
  EXPECT_EQ(report_["key"], "id (primary key)");
  CliResult text = RunFerry({"verify", dir_ / "job.json"});
  EXPECT_EQ(text.exit_code, 0);
  EXPECT_THAT(text.out, HasSubstr("EQUAL"));
}

TEST_F(VerifySqlite, TheInDatabaseSummaryDecidesEqualAndADifferenceIsComparedInFerry) {
  ASSERT_EQ(Verify().exit_code, 0) << report_.dump();
  EXPECT_EQ(report_["method"], "in-database (sqlite-storage-class-v1)");
  EXPECT_EQ(report_["source_rows"], 8);
  SqliteExec(dst_, "UPDATE t SET amount = 0.30000000000000004 WHERE id = 2");
  ASSERT_EQ(Verify().exit_code, 1);
  EXPECT_THAT(report_["method"].get<std::string>(),
              HasSubstr("per key range; differing ranges compared in Ferry"));
  EXPECT_THAT(report_["notes"].dump(),
              HasSubstr("the in-database checksums (sqlite-storage-class-v1) differ"));
  EXPECT_THAT(Differences(report_),
              ::testing::ElementsAre("changed id=2 amount: 0.29999999999999999 (bits "
                                     "3fd3333333333333) -> 0.30000000000000004 (bits "
                                     "3fd3333333333334)"));
}

TEST_F(VerifySqlite, EachPlantedDifferenceIsNamedByKey) {
  SqliteExec(dst_, R"SQL(
    DELETE FROM t WHERE id = 3;
    INSERT INTO t VALUES (100, 'new', 0, NULL, NULL);
    INSERT INTO t SELECT * FROM t WHERE id = 4;
    UPDATE t SET name = 'B' WHERE id = 6;
    UPDATE t SET note = NULL WHERE id = 2;
    UPDATE t SET amount = 3.0000000000000004 WHERE id = 7;
    UPDATE t SET b = x'0000' WHERE id = 1)SQL");
  CliResult r = Verify();
  ASSERT_EQ(r.exit_code, 1) << r.err << r.out;
  EXPECT_EQ(report_["status"], "DIFFERENT");
  EXPECT_THAT(Differences(report_),
              ::testing::UnorderedElementsAre(
                  "missing id=3", "extra id=100", "duplicate id=4", "changed id=6 name: 'f' -> 'B'",
                  "changed id=2 note: '' -> NULL",
                  "changed id=7 amount: 3 (bits 4008000000000000) -> 3.0000000000000004 (bits "
                  "4008000000000001)",
                  "changed id=1 b: \\x00ff -> \\x0000"));
  EXPECT_EQ(report_["missing"], 1);
  EXPECT_EQ(report_["extra"], 1);
  EXPECT_EQ(report_["duplicate"], 1);
  EXPECT_EQ(report_["changed"], 4);
  CliResult text = RunFerry({"verify", dir_ / "job.json"});
  EXPECT_EQ(text.exit_code, 1);
  EXPECT_THAT(text.out, HasSubstr("changed    id=6: column name: source 'f', destination 'B'"));
  EXPECT_THAT(text.out, HasSubstr("DIFFERENT: 1 missing, 1 extra, 1 duplicate, 4 changed"));
}

TEST_F(VerifySqlite, WithoutAKeyRowsCompareAsAMultiset) {
  SqliteExec(src_, "CREATE TABLE m AS SELECT id, name FROM t");
  SqliteExec(dst_, "CREATE TABLE m AS SELECT id, name FROM t");
  json reader = {{"path", src_}, {"table", "m"}, {"column", {"id", "name"}}};
  json writer = {{"path", dst_}, {"table", "m"}, {"column", {"id", "name"}}};
  WriteTextFile(dir_ / "job.json",
                StepsJob("sqlite", reader, "sqlite", writer, json::object()).dump());
  ASSERT_EQ(Verify().exit_code, 0) << report_.dump();
  EXPECT_EQ(report_["key"], "whole row (multiset)");
  SqliteExec(dst_, "INSERT INTO m SELECT * FROM m WHERE id = 5; DELETE FROM m WHERE id = 8");
  ASSERT_EQ(Verify().exit_code, 1);
  EXPECT_THAT(Differences(report_),
              ::testing::UnorderedElementsAre("duplicate (5, 'e')", "missing (8, 'h')"));
}

TEST_F(VerifySqlite, AnIncrementalJobIsVerifiedForItsDayOnly) {
  SqliteExec(src_,
             "CREATE TABLE o (id INTEGER PRIMARY KEY, v TEXT, day TEXT);"
             "INSERT INTO o VALUES (1, 'a', '20261204'), (2, 'b', '20261205'), "
             "(3, 'c', '20261205')");
  SqliteExec(dst_,
             "CREATE TABLE o (id INTEGER, v TEXT, ds TEXT);"
             "INSERT INTO o VALUES (1, 'old', '20261204')");
  json reader = {{"path", src_},
                 {"table", "o"},
                 {"column", {"id", "v", "'${bizdate}'"}},
                 {"where", "day = '${bizdate}'"},
                 {"splitPk", "id"}};
  json writer = {{"path", dst_}, {"table", "o"}, {"column", {"id", "v", "ds"}}};
  ASSERT_EQ(RunJob(StepsJob("sqlite", reader, "sqlite", writer, json::object()).dump(),
                   {"--bizdate", "20261205"})
                .exit_code,
            0);
  CliResult r = Verify({"--bizdate", "20261205"});
  ASSERT_EQ(r.exit_code, 0) << r.err << r.out;
  EXPECT_EQ(report_["dest_where"], "ds = '20261205'");
  EXPECT_EQ(report_["dest_rows"], 2);
  // Another day's filter given by hand: the row of 20261204 differs from the source's.
  ASSERT_EQ(Verify({"--bizdate", "20261204"}).exit_code, 1);
  EXPECT_THAT(Differences(report_), ::testing::ElementsAre("changed id=1 v: 'a' -> 'old'"));
  ASSERT_EQ(Verify({"--bizdate", "20261205", "--dest-where", "1=1"}).exit_code, 1);
  EXPECT_EQ(report_["dest_where_origin"], "--dest-where");
  EXPECT_THAT(Differences(report_), ::testing::ElementsAre("extra id=1"));
}

TEST_F(VerifySqlite, AnInvalidJobOrKeyExitsTwo) {
  EXPECT_EQ(RunFerry({"verify", dir_ / "job.json", "--key", "nosuch"}).exit_code, 2);
  WriteTextFile(dir_ / "bad.json", "{\"type\": \"job\"");
  EXPECT_EQ(RunFerry({"verify", dir_ / "bad.json"}).exit_code, 2);
  json reader = {{"path", src_}, {"table", "missing_table"}, {"column", {"*"}}};
  json writer = {{"path", dst_}, {"table", "t"}, {"column", {"*"}}};
  WriteTextFile(dir_ / "job.json",
                StepsJob("sqlite", reader, "sqlite", writer, json::object()).dump());
  CliResult r = RunFerry({"verify", dir_ / "job.json"});
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_THAT(r.err, HasSubstr("missing_table"));
}

TEST_F(VerifySqlite, SettingVerifyChecksAfterTheRunAndAMismatchFailsIt) {
  SqliteExec(dst_, "DELETE FROM t");
  json reader = {{"path", src_}, {"table", "t"}, {"column", {"*"}}, {"splitPk", "id"}};
  json writer = {{"path", dst_}, {"table", "t"}, {"column", {"*"}}};
  std::string summary = dir_ / "summary.json";
  CliResult r =
      RunJob(StepsJob("sqlite", reader, "sqlite", writer, {{"verify", "checksum"}}).dump(),
             {"--summary-json", summary});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  json s = json::parse(ReadTextFile(summary));
  EXPECT_EQ(s["status"], "SUCCEEDED");
  EXPECT_EQ(s["verify"]["status"], "EQUAL");
  EXPECT_EQ(s["verify"]["mode"], "checksum");
  EXPECT_EQ(s["verify"]["source_rows"], 8);
  EXPECT_THAT(r.err, HasSubstr("Verify (checksum)"));

  // A row the destination already held makes the count differ: the run fails and says why.
  SqliteExec(dst_, "DELETE FROM t; INSERT INTO t VALUES (50, 'stale', 0, NULL, NULL)");
  r = RunJob(StepsJob("sqlite", reader, "sqlite", writer, {{"verify", "count"}}).dump(),
             {"--summary-json", summary});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  s = json::parse(ReadTextFile(summary));
  EXPECT_EQ(s["status"], "FAILED");
  EXPECT_EQ(s["records_written"], 8);
  EXPECT_EQ(s["verify"]["status"], "DIFFERENT");
  EXPECT_EQ(s["verify"]["extra"], 1);
  EXPECT_THAT(s["error"].get<std::string>(),
              HasSubstr("verify (count): the destination differs from the source: 0 missing, 1 "
                        "extra"));
  EXPECT_THAT(r.err, HasSubstr("extra      id=50"));

  r = RunJob(StepsJob("sqlite", reader, "sqlite", writer, {{"verify", "rows"}}).dump());
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("setting.verify"));
  // The DataX layout takes it in job.setting.
  SqliteExec(dst_, "DELETE FROM t");
  json datax = {{"job",
                 {{"setting", {{"speed", {{"channel", 1}}}, {"verify", "checksum"}}},
                  {"content",
                   {{{"reader", {{"name", "sqlitereader"}, {"parameter", reader}}},
                     {"writer", {{"name", "sqlitewriter"}, {"parameter", writer}}}}}}}}};
  r = RunJob(datax.dump(), {"--summary-json", summary});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(json::parse(ReadTextFile(summary))["verify"]["status"], "EQUAL");
  // A destination that cannot be read back is refused before any row moves.
  r = RunJob(
      StepsJob("sqlite", reader, "stream", {{"print", false}}, {{"verify", "count"}}).dump());
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("setting.verify: the destination plugin stream has no reader"));
}

TEST_F(VerifySqlite, TheRowDiffHoldsNoMoreRowsThanAllowed) {
  SqliteExec(dst_, "DELETE FROM t");
  ASSERT_EQ(Verify({"--max-diff-rows", "1"}).exit_code, 1);
  EXPECT_EQ(report_["dest_rows"], 0);
  EXPECT_EQ(report_["differing_buckets"], 8);
  EXPECT_EQ(report_["missing"], 1);
  EXPECT_THAT(report_["notes"].dump(), HasSubstr("1 of 8 differing key buckets were diffed"));
  ASSERT_EQ(Verify().exit_code, 1);
  EXPECT_EQ(report_["missing"], 8);
}

TEST_F(VerifySqlite, RowsSharingAKeyAreMatchedWhateverTheirOrder) {
  SqliteExec(src_,
             "CREATE TABLE n (id INTEGER, name TEXT);"
             "INSERT INTO n VALUES (NULL, 'n1'), (NULL, 'n2'), (1, 'a'), (NULL, 'n0')");
  SqliteExec(dst_,
             "CREATE TABLE n (id INTEGER, name TEXT);"
             "INSERT INTO n VALUES (NULL, 'n2'), (NULL, 'n0'), (1, 'a'), (NULL, 'n1')");
  json reader = {{"path", src_}, {"table", "n"}, {"column", {"*"}}, {"splitPk", "id"}};
  json writer = {{"path", dst_}, {"table", "n"}, {"column", {"*"}}};
  WriteTextFile(dir_ / "job.json",
                StepsJob("sqlite", reader, "sqlite", writer, json::object()).dump());
  ASSERT_EQ(Verify().exit_code, 0) << report_.dump();
  SqliteExec(dst_, "UPDATE n SET name = 'n3' WHERE name = 'n2'; INSERT INTO n VALUES (NULL, 'n0')");
  ASSERT_EQ(Verify().exit_code, 1);
  EXPECT_THAT(Differences(report_), ::testing::UnorderedElementsAre(
                                        "missing id=NULL row (NULL, 'n2')",
                                        "extra id=NULL row (NULL, 'n3')", "duplicate id=NULL"));
}

TEST_F(VerifySqlite, ColumnsComputedAtRunTimeAreNotCompared) {
  SqliteExec(dst_, "CREATE TABLE c (id INTEGER, loaded_at TEXT, tag TEXT)");
  json reader = {
      {"path", src_}, {"table", "t"}, {"column", {"id", "now()", "'x'"}}, {"splitPk", "id"}};
  json writer = {{"path", dst_}, {"table", "c"}, {"column", {"id", "loaded_at", "tag"}}};
  ASSERT_EQ(RunJob(StepsJob("sqlite", reader, "sqlite", writer, json::object()).dump()).exit_code,
            0);
  CliResult r = Verify();
  ASSERT_EQ(r.exit_code, 0) << r.err << r.out;
  EXPECT_THAT(report_["notes"].dump(), HasSubstr("is computed at run time (now()): not compared"));
  EXPECT_EQ(report_["dest_where"], "tag = 'x'");
}

TEST_F(VerifySqlite, TheDatabasesChecksumEachKeyRangeAndFerryReadsOnlyTheDifferingOnes) {
  const std::string rows = R"SQL(
    WITH RECURSIVE g(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM g WHERE n < 20000)
    INSERT INTO big SELECT 2 * n, 'n' || n FROM g)SQL";
  SqliteExec(src_, "CREATE TABLE big (id INTEGER PRIMARY KEY, name TEXT);" + rows);
  SqliteExec(dst_, "CREATE TABLE big (id INTEGER PRIMARY KEY, name TEXT)");
  json reader = {
      {"path", src_}, {"table", "big"}, {"column", {"*"}}, {"splitPk", "id"}, {"splitFactor", 5}};
  json writer = {{"path", dst_}, {"table", "big"}, {"column", {"*"}}};
  ASSERT_EQ(
      RunJob(StepsJob("sqlite", reader, "sqlite", writer, {{"speed", {{"concurrent", 2}}}}).dump())
          .exit_code,
      0);
  ExpectEachKeyRangeIsChecksummedInTheDatabase(
      "big", [&](const std::string& sql) { SqliteExec(dst_, sql); });
}

// --- PostgreSQL -> PostgreSQL -------------------------------------------------------------------

class VerifyPostgresql : public ::testing::Test, public VerifyTestBase {
 protected:
  void SetUp() override {
    PgExec("CREATE TABLE " + (pg_ / "s") + R"SQL( (id bigint PRIMARY KEY, name text,
             amount float8, price numeric(10,2), ts timestamp(6), note text);
      INSERT INTO )SQL" +
           (pg_ / "s") + R"SQL( VALUES
        (1, 'a', 0.3, 1.50, '2026-12-05 10:00:00.000001', ''),
        (2, 'b', 1e308, -0.01, '0001-01-01 00:00:00', NULL),
        (3, 'c', 5e-324, 99999999.99, '9999-12-31 23:59:59.999999', 'x'),
        (4, NULL, NULL, NULL, NULL, NULL),
        (5, 'e', -0.0, 0, '2026-12-05 00:00:00', '中文 😀'))SQL");
    PgExec("CREATE TABLE " + (pg_ / "d") +
           " (id bigint, name text, amount float8, price numeric(14,4), ts timestamp(6), note "
           "text)");
    json conn = TestPgServer().ConnectionJson();
    json reader = {
        {"connection", conn}, {"table", pg_ / "s"}, {"column", {"*"}}, {"splitPk", "id"}};
    json writer = {{"connection", conn}, {"table", pg_ / "d"}, {"column", {"*"}}};
    CliResult r = RunJob(
        StepsJob("postgresql", reader, "postgresql", writer, {{"speed", {{"concurrent", 2}}}})
            .dump(2));
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }

  PgTestSchema pg_;
};

TEST_F(VerifyPostgresql, TheKeyIsThePrimaryKeyElseAUniqueIndex) {
  ASSERT_EQ(Verify().exit_code, 0) << report_.dump();
  EXPECT_EQ(report_["key"], "id (primary key)");
  // No primary key, no splitPk: the unique index names the rows.
  PgExec("CREATE TABLE " + (pg_ / "u") +
         " (code text NOT NULL, v int);"
         "CREATE UNIQUE INDEX u_code ON " +
         (pg_ / "u") +
         " (code);"
         "INSERT INTO " +
         (pg_ / "u") +
         " VALUES ('a', 1), ('b', 2), ('c', 3);"
         "CREATE TABLE " +
         (pg_ / "u2") + " (code text, v int)");
  json conn = TestPgServer().ConnectionJson();
  json reader = {{"connection", conn}, {"table", pg_ / "u"}, {"column", {"code", "v"}}};
  json writer = {{"connection", conn}, {"table", pg_ / "u2"}, {"column", {"code", "v"}}};
  ASSERT_EQ(
      RunJob(StepsJob("postgresql", reader, "postgresql", writer, json::object()).dump()).exit_code,
      0);
  PgExec("UPDATE " + (pg_ / "u2") + " SET v = 20 WHERE code = 'b'");
  ASSERT_EQ(Verify().exit_code, 1);
  EXPECT_EQ(report_["key"], "code (unique index u_code)");
  EXPECT_THAT(Differences(report_), ::testing::ElementsAre("changed code='b' v: 2 -> 20"));
}

TEST_F(VerifyPostgresql, EachSplitRangeIsReportedAndTheDifferingOneListed) {
  ASSERT_EQ(Verify({"--no-in-database"}).exit_code, 0) << report_.dump();
  ASSERT_FALSE(report_["ranges"].empty()) << report_.dump();
  int64_t in_ranges = 0;
  for (const json& r : report_["ranges"]) {
    in_ranges += r["source_rows"].get<int64_t>();
    EXPECT_EQ(r["source_rows"], r["dest_rows"]) << r.dump();
    EXPECT_TRUE(r["equal"].get<bool>()) << r.dump();
  }
  EXPECT_EQ(in_ranges, 5);
  EXPECT_EQ(report_["differing_ranges"], 0);

  PgExec("DELETE FROM " + (pg_ / "d") + " WHERE id = 3");
  ASSERT_EQ(Verify().exit_code, 1);
  EXPECT_EQ(report_["differing_ranges"], 1);
  int64_t lo = 0, hi = 0;
  json differing = DifferingRange(report_, &lo, &hi);
  ASSERT_TRUE(differing.is_object()) << report_.dump();
  EXPECT_LE(lo, 3);
  EXPECT_GE(hi, 3);
  EXPECT_EQ(differing["source_rows"].get<int64_t>() - differing["dest_rows"].get<int64_t>(), 1);
  CliResult text = RunFerry({"verify", dir_ / "job.json"});
  EXPECT_EQ(text.exit_code, 1);
  EXPECT_THAT(text.out,
              HasSubstr(fmt::format("range differs     {}: source {} rows, destination {} rows",
                                    differing["range"].get<std::string>(),
                                    differing["source_rows"].get<int64_t>(),
                                    differing["dest_rows"].get<int64_t>())));
}

TEST_F(VerifyPostgresql, ACsvDestinationIsReadBackAsTheSourcesTypes) {
  json reader = {{"connection", TestPgServer().ConnectionJson()},
                 {"table", pg_ / "s"},
                 {"column", {"id", "price", "ts", "note"}},
                 {"splitPk", "id"}};
  json writer = {{"path", dir_ / "out"},
                 {"fileName", "s.csv"},
                 {"writeMode", "truncate"},
                 {"dateFormat", "dd/MM/yyyy HH:mm:ss.SSSSSS"}};
  ASSERT_EQ(
      RunJob(StepsJob("postgresql", reader, "txtfile", writer, json::object()).dump()).exit_code,
      0);
  ExpectCsvReadBackIsTyped(dir_ / "out/s.csv");
}

TEST_F(VerifyPostgresql, TheJobsWhereFiltersTheDestinationWhenColumnsKeepTheirNames) {
  std::string d2 = pg_ / "d2";
  PgExec("CREATE TABLE " + d2 + " (id bigint, name text); INSERT INTO " + d2 +
         " VALUES (100, 'not from this job')");
  json conn = TestPgServer().ConnectionJson();
  json reader = {{"connection", conn},
                 {"table", pg_ / "s"},
                 {"column", {"id", "name"}},
                 {"where", "id <= 3"},
                 {"splitPk", "id"}};
  json writer = {{"connection", conn}, {"table", d2}, {"column", {"id", "name"}}};
  ASSERT_EQ(
      RunJob(StepsJob("postgresql", reader, "postgresql", writer, json::object()).dump()).exit_code,
      0);
  CliResult r = Verify();
  ASSERT_EQ(r.exit_code, 0) << r.err << r.out;
  EXPECT_EQ(report_["dest_where"], "id <= 3");
  EXPECT_EQ(report_["dest_rows"], 3);
  // --dest-where "" compares every destination row.
  ASSERT_EQ(Verify({"--dest-where", ""}).exit_code, 1);
  EXPECT_THAT(Differences(report_), ::testing::ElementsAre("extra id=100"));
}

TEST_F(VerifyPostgresql, AQuerySqlSourceIsComparedByTheGivenKey) {
  std::string d3 = pg_ / "d3";
  PgExec("CREATE TABLE " + d3 + " (id bigint, label text)");
  json conn = TestPgServer().ConnectionJson();
  json reader = {{"connection", conn},
                 {"querySql", "SELECT id, upper(name) AS label FROM " + (pg_ / "s") +
                                  " WHERE id IN (1, 2, 3)"}};
  json writer = {{"connection", conn}, {"table", d3}, {"column", {"id", "label"}}};
  ASSERT_EQ(
      RunJob(StepsJob("postgresql", reader, "postgresql", writer, json::object()).dump()).exit_code,
      0);
  ASSERT_EQ(Verify({"--key", "id"}).exit_code, 0) << report_.dump();
  PgExec("UPDATE " + d3 + " SET label = 'b' WHERE id = 2");
  ASSERT_EQ(Verify({"--key", "id"}).exit_code, 1);
  EXPECT_THAT(Differences(report_), ::testing::ElementsAre("changed id=2 label: 'B' -> 'b'"));
}

TEST_F(VerifyPostgresql, InDatabaseHashesDecideEqualAndLeaveDifferencesToFerry) {
  std::string d = pg_ / "d";
  // numeric(14,4) and numeric(10,2) hash by value in the server: equal without reading a row.
  ASSERT_EQ(Verify({"--in-database"}).exit_code, 0) << report_.dump();
  EXPECT_THAT(report_["method"].get<std::string>(), HasSubstr("in-database (postgresql-"));
  EXPECT_EQ(report_["source_rows"], 5);
  EXPECT_EQ(report_["dest_rows"], 5);
  ASSERT_EQ(Verify({"--no-in-database"}).exit_code, 0) << report_.dump();
  EXPECT_EQ(report_["method"], "ferry");
  PgExec("UPDATE " + d + " SET ts = ts + interval '1 microsecond' WHERE id = 1");
  ASSERT_EQ(Verify({"--in-database"}).exit_code, 1);
  EXPECT_THAT(report_["method"].get<std::string>(),
              HasSubstr("per key range; differing ranges compared in Ferry"));
  EXPECT_THAT(Differences(report_),
              ::testing::ElementsAre("changed id=1 ts: 2026-12-05 10:00:00.000001 -> "
                                     "2026-12-05 10:00:00.000002"));
}

TEST_F(VerifyPostgresql, TheDatabasesChecksumEachKeyRangeAndFerryReadsOnlyTheDifferingOnes) {
  std::string src = pg_ / "big", dst = pg_ / "big2";
  PgExec("CREATE TABLE " + src + " (id bigint PRIMARY KEY, name text); INSERT INTO " + src +
         " SELECT 2 * g, 'n' || g FROM generate_series(1, 20000) g");
  PgExec("CREATE TABLE " + dst + " (id bigint PRIMARY KEY, name text)");
  json conn = TestPgServer().ConnectionJson();
  json reader = {{"connection", conn},
                 {"table", src},
                 {"column", {"*"}},
                 {"splitPk", "id"},
                 {"splitFactor", 5}};
  json writer = {{"connection", conn}, {"table", dst}, {"column", {"*"}}};
  ASSERT_EQ(
      RunJob(StepsJob("postgresql", reader, "postgresql", writer, {{"speed", {{"concurrent", 2}}}})
                 .dump())
          .exit_code,
      0);
  ExpectEachKeyRangeIsChecksummedInTheDatabase(dst, [](const std::string& sql) { PgExec(sql); });
}

// --- SQLite -> PostgreSQL ----------------------------------------------------------------------

class VerifySqliteToPostgresql : public ::testing::Test, public VerifyTestBase {
 protected:
  PgTestSchema pg_;
};

// SQLite decides types per value: a REAL column's 0.3 lands in a numeric column as 0.3, and a
// NUMERIC column's 7 in a float8 column as 7.0. Both are the same numbers; the last bit is not.
TEST_F(VerifySqliteToPostgresql, NumbersCompareByValueWhateverTheColumnTypes) {
  SqliteExec(dir_ / "s.db",
             "CREATE TABLE t (id INTEGER PRIMARY KEY, x REAL, p NUMERIC, n TEXT);"
             "INSERT INTO t VALUES (1, 0.3, 7, '007'), (2, 2.25, 1.5, '1.50')");
  PgExec("CREATE TABLE " + (pg_ / "d") + " (id bigint, x numeric, p float8, n text)");
  json reader = {{"path", dir_ / "s.db"}, {"table", "t"}, {"column", {"*"}}};
  json writer = {
      {"connection", TestPgServer().ConnectionJson()}, {"table", pg_ / "d"}, {"column", {"*"}}};
  ASSERT_EQ(
      RunJob(StepsJob("sqlite", reader, "postgresql", writer, json::object()).dump()).exit_code, 0);
  ASSERT_EQ(Verify().exit_code, 0) << report_.dump();
  EXPECT_THAT(report_["notes"].dump(),
              HasSubstr("the source's types are decided per value in id, x, p: numbers there "
                        "compare by value"));
  // A TEXT column keeps its text: '007' is not 7.
  PgExec("UPDATE " + (pg_ / "d") +
         " SET x = 0.30000000000000004 WHERE id = 1;"
         "UPDATE " +
         (pg_ / "d") + " SET n = '1.5' WHERE id = 2");
  ASSERT_EQ(Verify().exit_code, 1);
  EXPECT_THAT(Differences(report_),
              ::testing::UnorderedElementsAre(
                  "changed id=1 x: 0.29999999999999999 (bits 3fd3333333333333) -> "
                  "0.30000000000000004",
                  "changed id=2 n: '1.50' -> '1.5'"));
}

// --- MySQL sources -----------------------------------------------------------------------------

// The MySQL source table `o` of the MySQL tests.
constexpr const char* kMysqlSourceTable = R"SQL(
  CREATE TABLE o (id INT PRIMARY KEY, name VARCHAR(20), amount DOUBLE, price DECIMAL(10,2),
                  ts DATETIME(6), note TEXT);
  INSERT INTO o VALUES (1, 'a', 0.3, 1.50, '2026-12-05 10:00:00.000001', ''),
    (2, 'b', 1e308, -0.01, '1000-01-01 00:00:00', NULL),
    (3, 'c', 2.5, 99999999.99, '9999-12-31 23:59:59.999999', 'x'),
    (4, NULL, NULL, NULL, NULL, NULL))SQL";

class VerifyMysql : public MariadbTest, public VerifyTestBase {
 protected:
  void SetUp() override {
    MariadbTest::SetUp();
    Exec(db(), kMysqlSourceTable);
  }

  PgTestSchema pg_;
};

TEST_F(VerifyMysql, TheKeyIsThePrimaryKeyElseAUniqueIndex) {
  Exec(db(),
       "CREATE TABLE o2 LIKE o; INSERT INTO o2 SELECT * FROM o;"
       "CREATE TABLE u (code VARCHAR(10) NOT NULL, v INT, UNIQUE KEY uk_code (code));"
       "INSERT INTO u VALUES ('a', 1), ('b', 2); CREATE TABLE u2 (code VARCHAR(10), v INT);"
       "INSERT INTO u2 VALUES ('a', 1), ('b', 20)");
  json reader = {{"connection", Connection(db())}, {"table", "o"}, {"column", {"*"}}};
  json writer = {{"connection", Connection(db())}, {"table", "o2"}, {"column", {"*"}}};
  WriteTextFile(dir_ / "job.json", TwoStepJob("mysql", reader, "mysql", writer, 1));
  ASSERT_EQ(Verify().exit_code, 0) << report_.dump();
  EXPECT_EQ(report_["key"], "id (primary key)");
  reader = {{"connection", Connection(db())}, {"table", "u"}, {"column", {"code", "v"}}};
  writer = {{"connection", Connection(db())}, {"table", "u2"}, {"column", {"code", "v"}}};
  WriteTextFile(dir_ / "job.json", TwoStepJob("mysql", reader, "mysql", writer, 1));
  ASSERT_EQ(Verify().exit_code, 1);
  EXPECT_EQ(report_["key"], "code (unique index uk_code)");
  EXPECT_THAT(Differences(report_), ::testing::ElementsAre("changed code='b' v: 2 -> 20"));
}

TEST_F(VerifyMysql, TheInDatabaseSummaryDecidesEqualAndADifferenceIsComparedInFerry) {
  std::string dest = NewDatabase("dest");
  Exec(dest,
       "CREATE TABLE o (id INT, name VARCHAR(20), amount DOUBLE, price DECIMAL(10,2), "
       "ts DATETIME(6), note TEXT)");
  json reader = {
      {"connection", Connection(db())}, {"table", "o"}, {"column", {"*"}}, {"splitPk", "id"}};
  json writer = {{"connection", Connection(dest)}, {"table", "o"}, {"column", {"*"}}};
  ASSERT_EQ(RunJob(TwoStepJob("mysql", reader, "mysql", writer, 2)).exit_code, 0);
  ASSERT_EQ(Verify().exit_code, 0) << report_.dump();
  EXPECT_THAT(report_["method"].get<std::string>(),
              ::testing::StartsWith("in-database (mysql-quote-md5-v1 ("));
  EXPECT_EQ(report_["source_rows"], 4);
  EXPECT_EQ(report_["dest_rows"], 4);
  Exec(dest, "UPDATE o SET ts = '2026-12-05 10:00:00.000002' WHERE id = 1");
  ASSERT_EQ(Verify().exit_code, 1);
  EXPECT_THAT(report_["method"].get<std::string>(),
              HasSubstr("per key range; differing ranges compared in Ferry"));
  EXPECT_THAT(Differences(report_),
              ::testing::ElementsAre("changed id=1 ts: 2026-12-05 10:00:00.000001 -> "
                                     "2026-12-05 10:00:00.000002"));
}

TEST_F(VerifyMysql, TheDatabasesChecksumEachKeyRangeAndFerryReadsOnlyTheDifferingOnes) {
  std::string dest = NewDatabase("dest");
  Exec(db(), "CREATE TABLE big (id INT PRIMARY KEY, name VARCHAR(20))");
  // 200 x 100: MariaDB stops a recursive CTE after 1,000 iterations.
  Exec(db(),
       "INSERT INTO big WITH RECURSIVE g(n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM g "
       "WHERE n < 199) SELECT 2 * (a.n * 100 + b.n + 1), CONCAT('n', a.n * 100 + b.n + 1) "
       "FROM g a, g b WHERE b.n < 100");
  Exec(dest, "CREATE TABLE big (id INT PRIMARY KEY, name VARCHAR(20))");
  json reader = {{"connection", Connection(db())},
                 {"table", "big"},
                 {"column", {"*"}},
                 {"splitPk", "id"},
                 {"splitFactor", 5}};
  json writer = {{"connection", Connection(dest)}, {"table", "big"}, {"column", {"*"}}};
  ASSERT_EQ(RunJob(TwoStepJob("mysql", reader, "mysql", writer, 2)).exit_code, 0);
  ExpectEachKeyRangeIsChecksummedInTheDatabase("big",
                                               [&](const std::string& sql) { Exec(dest, sql); });
}

TEST_F(VerifyMysql, ACsvDestinationIsReadBackAsTheSourcesTypes) {
  json reader = {{"connection", Connection(db())},
                 {"table", "o"},
                 {"column", {"id", "price", "ts", "note"}},
                 {"splitPk", "id"}};
  json writer = {{"path", dir_ / "out"},
                 {"fileName", "o.csv"},
                 {"writeMode", "truncate"},
                 {"dateFormat", "dd/MM/yyyy HH:mm:ss.SSSSSS"}};
  ASSERT_EQ(RunJob(TwoStepJob("mysql", reader, "txtfile", writer, 2)).exit_code, 0);
  ExpectCsvReadBackIsTyped(dir_ / "out/o.csv");
}

TEST_F(VerifyMysql, AShardedIncrementalJobToPostgresqlIsVerifiedForItsDayOnly) {
  Exec(db(), R"SQL(
    CREATE TABLE s_0 (id INT PRIMARY KEY, v VARCHAR(10), day CHAR(8));
    CREATE TABLE s_1 (id INT PRIMARY KEY, v VARCHAR(10), day CHAR(8));
    INSERT INTO s_0 VALUES (1, 'a', '20261204'), (2, 'b', '20261205');
    INSERT INTO s_1 VALUES (11, 'k', '20261205'), (12, 'l', '20261203'))SQL");
  PgExec("CREATE TABLE " + (pg_ / "inc") + " (id bigint, v text, ds text); INSERT INTO " +
         (pg_ / "inc") + " VALUES (1, 'older', '20261204')");
  json reader = {{"connection", Connection(db())},
                 {"table", {"s_[0-1]"}},
                 {"column", {"id", "v", "'${bizdate}'"}},
                 {"where", "day = '${bizdate}'"},
                 {"splitPk", "id"}};
  json writer = {{"connection", TestPgServer().ConnectionJson()},
                 {"table", pg_ / "inc"},
                 {"column", {"id", "v", "ds"}}};
  ASSERT_EQ(RunJob(TwoStepJob("mysql", reader, "postgresql", writer, 2), {"--bizdate", "20261205"})
                .exit_code,
            0);
  CliResult r = Verify({"--bizdate", "20261205"});
  ASSERT_EQ(r.exit_code, 0) << r.err << r.out;
  EXPECT_EQ(report_["source_rows"], 2);
  EXPECT_EQ(report_["dest_rows"], 2);
  EXPECT_EQ(report_["dest_where"], "ds = '20261205'");
  PgExec("UPDATE " + (pg_ / "inc") + " SET v = 'K' WHERE id = 11");
  ASSERT_EQ(Verify({"--bizdate", "20261205"}).exit_code, 1);
  EXPECT_THAT(Differences(report_), ::testing::ElementsAre("changed id=11 v: 'k' -> 'K'"));
}

// --- Every path, every planted difference ------------------------------------------------------
// The issue's matrix: for each path a job copies the same four rows, one difference is planted
// in its destination, and `ferry verify` must name it by key (a changed row with its first
// differing column and both values) and exit 1; with nothing planted, or a decimal rewritten
// with another scale, it must say EQUAL and exit 0.

enum class VerifyPath { kPgToPg, kMysqlToPg, kSqliteToCsv, kCsvToPg };
enum class Planted {
  kNothing,
  kChangedValue,
  kMissingRow,
  kExtraRow,
  kDuplicatedRow,
  kNullInsteadOfEmpty,
  kTimestampOneMicrosecondOff,
  kFloatLastBit,
  kDecimalOfAnotherScale,
};

std::string PathName(VerifyPath p) {
  switch (p) {
    case VerifyPath::kPgToPg:
      return "PgToPg";
    case VerifyPath::kMysqlToPg:
      return "MysqlToPg";
    case VerifyPath::kSqliteToCsv:
      return "SqliteToCsv";
    case VerifyPath::kCsvToPg:
      return "CsvToPg";
  }
  return "?";
}

std::string PlantedName(Planted p) {
  switch (p) {
    case Planted::kNothing:
      return "Nothing";
    case Planted::kChangedValue:
      return "ChangedValue";
    case Planted::kMissingRow:
      return "MissingRow";
    case Planted::kExtraRow:
      return "ExtraRow";
    case Planted::kDuplicatedRow:
      return "DuplicatedRow";
    case Planted::kNullInsteadOfEmpty:
      return "NullInsteadOfEmpty";
    case Planted::kTimestampOneMicrosecondOff:
      return "TimestampOneMicrosecondOff";
    case Planted::kFloatLastBit:
      return "FloatLastBit";
    case Planted::kDecimalOfAnotherScale:
      return "DecimalOfAnotherScale";
  }
  return "?";
}

void PrintTo(VerifyPath p, std::ostream* os) { *os << PathName(p); }
void PrintTo(Planted p, std::ostream* os) { *os << PlantedName(p); }

// What the report lists for `planted` on `path`; empty: EQUAL. A SQLite source's types are
// decided per value, so a CSV destination is compared with it by text, numbers by value (README):
// there a timestamp shows as text and a float's last bit as the file's number.
std::vector<std::string> ExpectedDifferences(VerifyPath path, Planted planted) {
  const bool by_text = path == VerifyPath::kSqliteToCsv;
  switch (planted) {
    case Planted::kNothing:
      return {};
    case Planted::kChangedValue:
      return {"changed id=3 name: 'c' -> 'C'"};
    case Planted::kMissingRow:
      return {"missing id=2"};
    case Planted::kExtraRow:
      return {"extra id=9"};
    case Planted::kDuplicatedRow:
      return {"duplicate id=4"};
    case Planted::kNullInsteadOfEmpty:
      return {"changed id=1 note: '' -> NULL"};
    case Planted::kTimestampOneMicrosecondOff:
      return {by_text ? "changed id=1 ts: '2026-12-05 10:00:00.000001' -> "
                        "'2026-12-05 10:00:00.000002'"
                      : "changed id=1 ts: 2026-12-05 10:00:00.000001 -> "
                        "2026-12-05 10:00:00.000002"};
    case Planted::kFloatLastBit:
      return {"changed id=1 amount: 0.29999999999999999 (bits 3fd3333333333333) -> " +
              std::string(by_text ? "0.30000000000000004"
                                  : "0.30000000000000004 (bits 3fd3333333333334)")};
    case Planted::kDecimalOfAnotherScale:
      return {};
  }
  return {};
}

class VerifyMatrix : public ::testing::TestWithParam<std::tuple<VerifyPath, Planted>>,
                     public VerifyTestBase {
 protected:
  void SetUp() override {
    switch (path()) {
      case VerifyPath::kPgToPg:
        return CopyPgToPg();
      case VerifyPath::kMysqlToPg:
        return CopyMysqlToPg();
      case VerifyPath::kSqliteToCsv:
        return CopySqliteToCsv();
      case VerifyPath::kCsvToPg:
        return CopyCsvToPg();
    }
  }
  void TearDown() override {
    if (!mysql_db_.empty()) MariadbExec(mysql_db_, "DROP DATABASE `" + mysql_db_ + "`");
  }

  VerifyPath path() const { return std::get<0>(GetParam()); }
  Planted planted() const { return std::get<1>(GetParam()); }

  // Every path's destination: a PostgreSQL table, unconstrained numeric so that a decimal of
  // another scale can be planted.
  void CreatePgDestination() {
    PgExec("CREATE TABLE " + dest() +
           " (id bigint, name text, amount float8, price numeric, "
           "ts timestamp(6), note text)");
  }
  std::string dest() const { return pg_ / "d"; }
  json PgWriter() const {
    return {{"connection", TestPgServer().ConnectionJson()},
            {"table", dest()},
            {"column", {"id", "name", "amount", "price", "ts", "note"}}};
  }
  void Run(const std::string& job) {
    CliResult r = RunJob(job);
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }

  void CopyPgToPg() {
    PgExec("CREATE TABLE " + (pg_ / "s") + R"SQL( (id bigint PRIMARY KEY, name text,
             amount float8, price numeric(10,2), ts timestamp(6), note text);
      INSERT INTO )SQL" +
           (pg_ / "s") + R"SQL( VALUES
        (1, 'a', 0.3, 1.50, '2026-12-05 10:00:00.000001', ''),
        (2, 'b', 2.25, -0.01, '2026-12-05 00:00:00', NULL),
        (3, 'c', 2.5, 7.00, '2026-12-05 00:00:00.5', 'x'),
        (4, 'd', -1, 0, '2026-12-05 23:59:59.999999', 'y'))SQL");
    CreatePgDestination();
    json reader = {{"connection", TestPgServer().ConnectionJson()},
                   {"table", pg_ / "s"},
                   {"column", {"*"}},
                   {"splitPk", "id"}};
    Run(StepsJob("postgresql", reader, "postgresql", PgWriter(), {{"speed", {{"concurrent", 2}}}})
            .dump());
  }
  void CopyMysqlToPg() {
    mysql_db_ = MariadbCreateDatabase("matrix");
    MariadbExec(mysql_db_, R"SQL(
      CREATE TABLE o (id INT PRIMARY KEY, name VARCHAR(20), amount DOUBLE, price DECIMAL(10,2),
                      ts DATETIME(6), note TEXT);
      INSERT INTO o VALUES (1, 'a', 0.3, 1.50, '2026-12-05 10:00:00.000001', ''),
        (2, 'b', 2.25, -0.01, '2026-12-05 00:00:00', NULL),
        (3, 'c', 2.5, 7.00, '2026-12-05 00:00:00.5', 'x'),
        (4, 'd', -1, 0, '2026-12-05 23:59:59.999999', 'y'))SQL");
    CreatePgDestination();
    json reader = {{"connection", MariadbConnectionJson(mysql_db_)},
                   {"table", "o"},
                   {"column", {"*"}},
                   {"splitPk", "id"}};
    Run(TwoStepJob("mysql", reader, "postgresql", PgWriter(), 2));
  }
  void CopySqliteToCsv() {
    SqliteExec(dir_ / "src.db", R"SQL(
      CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT, amount REAL, price NUMERIC, ts TEXT,
                      note TEXT);
      INSERT INTO t VALUES (1, 'a', 0.3, 1.50, '2026-12-05 10:00:00.000001', ''),
        (2, 'b', 2.25, -0.01, '2026-12-05 00:00:00', NULL),
        (3, 'c', 2.5, 7.00, '2026-12-05 00:00:00.5', 'x'),
        (4, 'd', -1, 0, '2026-12-05 23:59:59.999999', 'y'))SQL");
    json reader = {{"path", dir_ / "src.db"}, {"table", "t"}, {"column", {"*"}}, {"splitPk", "id"}};
    json writer = {{"path", dir_ / "out"}, {"fileName", "t.csv"}, {"writeMode", "truncate"}};
    Run(StepsJob("sqlite", reader, "txtfile", writer, json::object()).dump());
    // The destination byte for byte: what the plants below edit.
    ASSERT_EQ(ReadTextFile(csv()),
              "1,a,0.3,1.5,2026-12-05 10:00:00.000001,\n"
              "2,b,2.25,-0.01,2026-12-05 00:00:00,\\N\n"
              "3,c,2.5,7,2026-12-05 00:00:00.5,x\n"
              "4,d,-1,0,2026-12-05 23:59:59.999999,y\n");
  }
  std::string csv() const { return dir_ / "out/t.csv"; }
  void CopyCsvToPg() {
    WriteTextFile(dir_ / "in.csv",
                  "id,name,amount,price,ts,note\n"
                  "1,a,0.3,1.50,2026-12-05 10:00:00.000001,\n"
                  "2,b,2.25,-0.01,2026-12-05 00:00:00,\\N\n"
                  "3,c,2.5,7.00,2026-12-05 00:00:00.5,x\n"
                  "4,d,-1,0,2026-12-05 23:59:59.999999,y\n");
    CreatePgDestination();
    json reader = {{"path", dir_ / "in.csv"},
                   {"skipHeader", true},
                   {"column",
                    {{{"index", 0}, {"type", "long"}},
                     {{"index", 1}, {"type", "string"}},
                     {{"index", 2}, {"type", "double"}},
                     {{"index", 3}, {"type", "decimal"}},
                     {{"index", 4}, {"type", "timestamp"}},
                     {{"index", 5}, {"type", "string"}}}}};
    Run(StepsJob("txtfile", reader, "postgresql", PgWriter(), json::object()).dump());
  }

  void Plant() {
    if (path() == VerifyPath::kSqliteToCsv) return PlantInCsv();
    const std::string d = dest();
    switch (planted()) {
      case Planted::kNothing:
        return;
      case Planted::kChangedValue:
        return PgExec("UPDATE " + d + " SET name = 'C' WHERE id = 3");
      case Planted::kMissingRow:
        return PgExec("DELETE FROM " + d + " WHERE id = 2");
      case Planted::kExtraRow:
        return PgExec("INSERT INTO " + d + " VALUES (9, 'z', 1, 1, NULL, NULL)");
      case Planted::kDuplicatedRow:
        return PgExec("INSERT INTO " + d + " SELECT * FROM " + d + " WHERE id = 4");
      case Planted::kNullInsteadOfEmpty:
        return PgExec("UPDATE " + d + " SET note = NULL WHERE id = 1");
      case Planted::kTimestampOneMicrosecondOff:
        return PgExec("UPDATE " + d + " SET ts = ts + interval '1 microsecond' WHERE id = 1");
      case Planted::kFloatLastBit:
        return PgExec("UPDATE " + d + " SET amount = '0.30000000000000004' WHERE id = 1");
      case Planted::kDecimalOfAnotherScale:
        PgExec("UPDATE " + d + " SET price = 7.0000 WHERE id = 3");
        ASSERT_EQ(PgValue("SELECT price::text FROM " + d + " WHERE id = 3"), "7.0000");
        return;
    }
  }
  void PlantInCsv() {
    const std::string f = csv();
    switch (planted()) {
      case Planted::kNothing:
        return;
      case Planted::kChangedValue:
        return PlantInLine(f, "3,", ",c,", ",C,");
      case Planted::kMissingRow:
        return RemoveLine(f, "2,");
      case Planted::kExtraRow:
        return WriteTextFile(f, ReadTextFile(f) + "9,z,1,1,\\N,\\N\n");
      case Planted::kDuplicatedRow:
        return WriteTextFile(f, ReadTextFile(f) + "4,d,-1,0,2026-12-05 23:59:59.999999,y\n");
      case Planted::kNullInsteadOfEmpty:
        return PlantInLine(f, "1,", ".000001,", ".000001,\\N");
      case Planted::kTimestampOneMicrosecondOff:
        return PlantInLine(f, "1,", ".000001", ".000002");
      case Planted::kFloatLastBit:
        return PlantInLine(f, "1,", ",0.3,", ",0.30000000000000004,");
      case Planted::kDecimalOfAnotherScale:
        return PlantInLine(f, "3,", ",7,", ",7.000,");
    }
  }

  PgTestSchema pg_;
  std::string mysql_db_;
};

TEST_P(VerifyMatrix, ThePlantedDifferenceIsNamedByKey) {
  Plant();
  // A CSV source has no catalog key: the user names it.
  std::vector<std::string> flags;
  if (path() == VerifyPath::kCsvToPg) flags = {"--key", "id"};
  std::vector<std::string> expected = ExpectedDifferences(path(), planted());
  CliResult r = Verify(flags);
  ASSERT_EQ(r.exit_code, expected.empty() ? 0 : 1) << r.err << r.out;
  EXPECT_EQ(report_["status"], expected.empty() ? "EQUAL" : "DIFFERENT");
  EXPECT_THAT(Differences(report_), ::testing::ElementsAreArray(expected));
  EXPECT_EQ(report_["source_rows"], 4);
  EXPECT_EQ(report_["key"], path() == VerifyPath::kCsvToPg ? "id (--key)" : "id (primary key)");
  if (path() == VerifyPath::kSqliteToCsv) {
    EXPECT_THAT(report_["notes"].dump(), HasSubstr("compare by their text (by value where"));
  }
  // Ferry's own pass (or, when equal, also --no-in-database) gives the split ranges: every
  // source row in one, and only a range holding a planted difference differs.
  if (expected.empty() && path() != VerifyPath::kCsvToPg) {
    ASSERT_EQ(Verify({"--no-in-database"}).exit_code, 0) << report_.dump();
    int64_t in_ranges = 0;
    for (const json& range : report_["ranges"]) in_ranges += range["source_rows"].get<int64_t>();
    EXPECT_EQ(in_ranges, 4) << report_.dump();
    EXPECT_EQ(report_["differing_ranges"], 0) << report_.dump();
  }
  // The text report says the same to a person.
  std::vector<std::string> args = {"verify", dir_ / "job.json"};
  args.insert(args.end(), flags.begin(), flags.end());
  CliResult text = RunFerry(args);
  EXPECT_EQ(text.exit_code, r.exit_code);
  EXPECT_THAT(text.out, HasSubstr(expected.empty() ? "EQUAL" : "DIFFERENT: "));
}

INSTANTIATE_TEST_SUITE_P(
    EveryPath, VerifyMatrix,
    ::testing::Combine(::testing::Values(VerifyPath::kPgToPg, VerifyPath::kMysqlToPg,
                                         VerifyPath::kSqliteToCsv, VerifyPath::kCsvToPg),
                       ::testing::Values(Planted::kNothing, Planted::kChangedValue,
                                         Planted::kMissingRow, Planted::kExtraRow,
                                         Planted::kDuplicatedRow, Planted::kNullInsteadOfEmpty,
                                         Planted::kTimestampOneMicrosecondOff,
                                         Planted::kFloatLastBit, Planted::kDecimalOfAnotherScale)),
    [](const ::testing::TestParamInfo<VerifyMatrix::ParamType>& info) {
      return PathName(std::get<0>(info.param)) + "_" + PlantedName(std::get<1>(info.param));
    });

}  // namespace
}  // namespace ferry::testing
