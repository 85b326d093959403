// What a user meets when things go wrong or change under a PostgreSQL job, through the `ferry`
// binary: refused rows land in dirty.jsonl with PostgreSQL's message; a wrong password fails at
// once without showing it; a backend killed mid-run, a deadlock or a serialization failure is
// retried and every row arrives once; and parallel channels read one snapshot while another
// session writes to the table.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "tests/support/ferry_cli.h"
#include "tests/support/pg_test_server.h"

namespace ferry::testing {
namespace {

using json = nlohmann::json;

std::string PgJob(json rp, json wp, json setting) {
  json job = {{"type", "job"},
              {"version", "2.0"},
              {"steps",
               {{{"stepType", "postgresql"},
                 {"category", "reader"},
                 {"name", "Reader"},
                 {"parameter", std::move(rp)}},
                {{"stepType", "postgresql"},
                 {"category", "writer"},
                 {"name", "Writer"},
                 {"parameter", std::move(wp)}}}},
              {"setting", std::move(setting)},
              {"order", {{"hops", {{{"from", "Reader"}, {"to", "Writer"}}}}}}};
  return job.dump(2);
}

CliResult RunJobFile(const TempDir& dir, const std::string& job_text,
                     std::vector<std::string> extra = {}) {
  WriteTextFile(dir / "job.json", job_text);
  std::vector<std::string> args = {"run",
                                   dir / "job.json",
                                   "--run-dir",
                                   dir / "run",
                                   "--summary-json",
                                   dir / "summary.json",
                                   "--progress-interval",
                                   "0"};
  args.insert(args.end(), extra.begin(), extra.end());
  return RunFerry(args);
}

json Summary(const TempDir& dir) { return json::parse(ReadTextFile(dir / "summary.json")); }

std::vector<json> DirtyRecords(const TempDir& dir) {
  std::vector<json> out;
  std::istringstream in(ReadTextFile(dir / "run/dirty.jsonl"));
  for (std::string line; std::getline(in, line);) {
    if (!line.empty()) out.push_back(json::parse(line));
  }
  return out;
}

// Waits until a backend with an application_name like `pattern` works on a statement naming
// `schema` (tests run in parallel); its pid, or "".
std::string WaitForBackend(const std::string& pattern, const std::string& schema,
                           std::chrono::seconds limit) {
  auto until = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < until) {
    std::vector<std::string> pids =
        PgRows("SELECT pid FROM pg_stat_activity WHERE application_name LIKE '" + pattern +
               "' AND query LIKE '%" + schema +
               "%' AND state IN ('active', 'idle in transaction') "
               "ORDER BY pid LIMIT 1");
    if (!pids.empty()) return pids[0];
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return "";
}

class PgDirtyRows : public ::testing::TestWithParam<std::string> {};

TEST_P(PgDirtyRows, RefusedRowsGoToDirtyLogWithPostgresqlsMessage) {
  PgTestSchema s;
  PgExec("CREATE TABLE " + (s / "src") +
         " (id int, name text, amount int, code text);"
         "INSERT INTO " +
         (s / "src") +
         " SELECT g, 'n' || g, g, 'c' FROM generate_series(1, 2000) g;"
         "UPDATE " +
         (s / "src") +
         " SET name = NULL WHERE id = 17;"
         "UPDATE " +
         (s / "src") +
         " SET amount = -1 WHERE id = 1001;"
         "UPDATE " +
         (s / "src") +
         " SET code = 'toolong' WHERE id = 1999;"
         "CREATE TABLE " +
         (s / "dst") +
         " (id int PRIMARY KEY, name text NOT NULL, "
         "amount int CONSTRAINT amount_positive CHECK (amount >= 0), code varchar(5))");
  const json conn = TestPgServer().ConnectionJson();
  TempDir dir;
  CliResult r = RunJobFile(
      dir, PgJob({{"connection", conn}, {"table", s / "src"}, {"column", {"*"}}, {"splitPk", "id"}},
                 {{"connection", conn},
                  {"table", s / "dst"},
                  {"column", {"*"}},
                  {"writeMode", GetParam()}},
                 {{"speed", {{"concurrent", 2}}}}));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  json summary = Summary(dir);
  EXPECT_EQ(summary["records_read"], 2000);
  EXPECT_EQ(summary["records_written"], 1997);
  EXPECT_EQ(summary["dirty_records"], 3);
  EXPECT_EQ(PgValue("SELECT count(*) FROM " + (s / "dst") + " WHERE id NOT IN (17, 1001, 1999)"),
            "1997");
  std::vector<std::string> reasons;
  for (const json& d : DirtyRecords(dir)) {
    std::string column = d["column"].is_string() ? d["column"].get<std::string>() : "-";
    reasons.push_back(d["record"][0].dump() + " " + column + ": " + d["reason"].get<std::string>());
  }
  std::sort(reasons.begin(), reasons.end());
  EXPECT_THAT(reasons,
              ::testing::ElementsAre(
                  ::testing::HasSubstr("1001 amount: new row for relation \"dst\" violates check "
                                       "constraint \"amount_positive\""),
                  ::testing::HasSubstr("17 name: null value in column \"name\" of relation \"dst\" "
                                       "violates not-null constraint"),
                  ::testing::HasSubstr("1999 code: value too long for type character varying(5)")));
}

INSTANTIATE_TEST_SUITE_P(WriteModes, PgDirtyRows, ::testing::Values("copy", "update"));

// batchSize 250 under engine batches of 1000 (--batch-rows): each Write is four COPYs under one
// savepoint, so a row refused in the third rolls back the first two as well, and bisection writes
// every other row exactly once (the primary key would turn a second copy into a dirty record).
TEST(PostgresqlFaults, SeveralCopiesOfOneBatchAreAllOrNone) {
  PgTestSchema s;
  PgExec("CREATE TABLE " + (s / "src") +
         " (id int, v int);"
         "INSERT INTO " +
         (s / "src") +
         " SELECT g, g FROM generate_series(1, 3000) g;"
         "UPDATE " +
         (s / "src") +
         " SET v = -1 WHERE id = 1600;"
         "CREATE TABLE " +
         (s / "dst") + " (id int PRIMARY KEY, v int CHECK (v >= 0))");
  const json conn = TestPgServer().ConnectionJson();
  TempDir dir;
  for (const char* mode : {"copy", "insert"}) {
    SCOPED_TRACE(mode);
    PgExec("TRUNCATE " + (s / "dst"));
    CliResult r = RunJobFile(dir,
                             PgJob({{"connection", conn}, {"table", s / "src"}, {"column", {"*"}}},
                                   {{"connection", conn},
                                    {"table", s / "dst"},
                                    {"column", {"*"}},
                                    {"writeMode", mode},
                                    {"batchSize", 250}},
                                   {{"speed", {{"concurrent", 1}}}}),
                             {"--batch-rows", "1000"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    json summary = Summary(dir);
    EXPECT_EQ(summary["records_written"], 2999);
    EXPECT_EQ(summary["dirty_records"], 1);
    EXPECT_EQ(PgValue("SELECT count(*) || ':' || sum(id) FROM " + (s / "dst")),
              "2999:" + std::to_string(3000 * 3001 / 2 - 1600));
    std::filesystem::remove_all(dir / "run");
  }
}

// writeMode copy writes a split as one COPY (a statement trigger counts them), whatever batchSize
// says; a row refused inside that COPY undoes it, and the split is written again in checked
// batches where bisection finds the row: one dirty record, every other row once, no retry.
TEST(PostgresqlFaults, ASplitIsOneCopyAndARefusedRowMakesItGoAgainInCheckedBatches) {
  PgTestSchema s;
  PgExec("CREATE TABLE " + (s / "src") + " (id int, v int);" + "INSERT INTO " + (s / "src") +
         " SELECT g, g FROM generate_series(1, 20000) g;" + "CREATE TABLE " + (s / "dst") +
         " (id int PRIMARY KEY, v int CHECK (v >= 0));" + "CREATE TABLE " + (s / "copies") +
         " (n int);" + "CREATE FUNCTION " + (s / "count_copy") +
         "() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN INSERT INTO " + (s / "copies") +
         " VALUES (1); RETURN NULL; END$$;" + "CREATE TRIGGER counted AFTER INSERT ON " +
         (s / "dst") + " FOR EACH STATEMENT EXECUTE FUNCTION " + (s / "count_copy") + "()");
  const json conn = TestPgServer().ConnectionJson();
  auto run = [&](bool passthrough) {
    PgExec("TRUNCATE " + (s / "dst") + ", " + (s / "copies"));
    TempDir dir;
    CliResult r =
        RunJobFile(dir, PgJob({{"connection", conn}, {"table", s / "src"}, {"column", {"*"}}},
                              {{"connection", conn},
                               {"table", s / "dst"},
                               {"column", {"id", "v"}},
                               {"batchSize", 1000},
                               {"passthrough", passthrough}},
                              {{"speed", {{"concurrent", 1}}}}));
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return std::make_pair(r, Summary(dir));
  };
  for (bool passthrough : {true, false}) {
    SCOPED_TRACE(passthrough ? "passthrough" : "encoded by Ferry");
    auto [r, summary] = run(passthrough);
    EXPECT_EQ(summary["records_written"], 20000);
    EXPECT_EQ(PgValue("SELECT count(*) || ':' || sum(id) FROM " + (s / "dst")), "20000:200010000");
    EXPECT_EQ(PgValue("SELECT count(*) FROM " + (s / "copies")), "1");
  }
  PgExec("UPDATE " + (s / "src") + " SET v = -1 WHERE id = 15000");
  for (bool passthrough : {true, false}) {
    SCOPED_TRACE(passthrough ? "passthrough" : "encoded by Ferry");
    auto [r, summary] = run(passthrough);
    EXPECT_EQ(summary["records_read"], 20000);
    EXPECT_EQ(summary["records_written"], 19999);
    EXPECT_EQ(summary["dirty_records"], 1);
    EXPECT_EQ(summary["split_retries"], 0);
    EXPECT_EQ(PgValue("SELECT count(*) || ':' || sum(id) FROM " + (s / "dst")),
              "19999:" + std::to_string(200010000 - 15000));
    EXPECT_THAT(r.err, ::testing::HasSubstr("refused a row of its streamed write"));
    EXPECT_THAT(r.err, ::testing::HasSubstr("violates check constraint"));
    // Checked: one COPY per batch of 1000 rows that held no refused row, and more for the
    // halves bisection wrote around row 15000.
    EXPECT_GT(std::stoi(PgValue("SELECT count(*) FROM " + (s / "copies"))), 19);
  }
}

// Source values Ferry has no value for are dirty records of the reader, not silent changes.
TEST(PostgresqlFaults, NumericNaNAndBcDatesAreDirtyWhenRead) {
  PgTestSchema s;
  PgExec("CREATE TABLE " + (s / "src") + " (id int, n numeric, d date);" + "INSERT INTO " +
         (s / "src") +
         " VALUES (1, 'NaN', '2020-01-01'), (2, 1.5, '0044-03-15 BC'), (3, 2.50, '2020-01-02');" +
         "CREATE TABLE " + (s / "dst") + " (id int, n numeric, d date)");
  const json conn = TestPgServer().ConnectionJson();
  TempDir dir;
  CliResult r = RunJobFile(
      dir,
      PgJob({{"connection", conn}, {"table", s / "src"}, {"column", {"*"}}},
            // passthrough would copy them unchanged (postgresql_passthrough_test)
            {{"connection", conn}, {"table", s / "dst"}, {"column", {"*"}}, {"passthrough", false}},
            {{"speed", {{"concurrent", 1}}}}));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(Summary(dir)["dirty_records"], 2);
  EXPECT_EQ(PgValue("SELECT string_agg(t::text, ',') FROM " + (s / "dst") + " t"),
            "(3,2.50,2020-01-02)");
  std::vector<std::string> columns;
  for (const json& d : DirtyRecords(dir)) columns.push_back(d["column"].get<std::string>());
  std::sort(columns.begin(), columns.end());
  EXPECT_THAT(columns, ::testing::ElementsAre("d", "n"));
}

TEST(PostgresqlFaults, DirtyRowsPastTheErrorLimitFailTheJob) {
  PgTestSchema s;
  PgExec("CREATE TABLE " + (s / "src") +
         " (id int, v text);"
         "INSERT INTO " +
         (s / "src") +
         " VALUES (1, 'a'), (2, NULL), (3, 'c');"
         "CREATE TABLE " +
         (s / "dst") + " (id int, v text NOT NULL)");
  const json conn = TestPgServer().ConnectionJson();
  TempDir dir;
  CliResult r =
      RunJobFile(dir, PgJob({{"connection", conn}, {"table", s / "src"}, {"column", {"*"}}},
                            {{"connection", conn}, {"table", s / "dst"}, {"column", {"*"}}},
                            {{"speed", {{"concurrent", 1}}}, {"errorLimit", {{"record", 0}}}}));
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_EQ(PgValue("SELECT count(*) FROM " + (s / "dst")), "0");  // the split rolled back
}

// A job that fails after some splits committed is finished by --resume: the committed splits
// are not written again, the others are (reading a new snapshot, which sees the fixed row).
TEST(PostgresqlFaults, ResumeFinishesAFailedJobWithEveryRowOnce) {
  PgTestSchema s;
  PgExec("CREATE TABLE " + (s / "src") + " (id int, v text);" + "INSERT INTO " + (s / "src") +
         " SELECT g, 'v' || g FROM generate_series(1, 1000) g;" + "UPDATE " + (s / "src") +
         " SET v = NULL WHERE id = 950;" + "CREATE TABLE " + (s / "dst") +
         " (id int PRIMARY KEY, v text NOT NULL)");
  const json conn = TestPgServer().ConnectionJson();
  TempDir dir;
  CliResult first = RunJobFile(
      dir, PgJob({{"connection", conn}, {"table", s / "src"}, {"column", {"*"}}, {"splitPk", "id"}},
                 {{"connection", conn}, {"table", s / "dst"}, {"column", {"*"}}},
                 {{"speed", {{"concurrent", 1}}}, {"errorLimit", {{"record", 0}}}}));
  ASSERT_EQ(first.exit_code, 1) << first.err;
  const std::string committed = PgValue("SELECT count(*) FROM " + (s / "dst"));
  EXPECT_EQ(committed, "800");  // four of the five key ranges, before the refused row's

  PgExec("UPDATE " + (s / "src") + " SET v = 'fixed' WHERE id = 950");
  CliResult resumed = RunFerry({"run", "--resume", dir / "run", "--progress-interval", "0"});
  ASSERT_EQ(resumed.exit_code, 0) << resumed.err;
  EXPECT_EQ(PgValue("SELECT count(*) || ':' || count(DISTINCT id) || ':' || "
                    "count(*) FILTER (WHERE v = 'fixed') FROM " +
                    (s / "dst")),
            "1000:1000:1");
}

TEST(PostgresqlFaults, WrongPasswordFailsAtOnceWithoutShowingIt) {
  PgTestSchema s;
  PgExec("CREATE TABLE " + (s / "src") + " (id int)");
  json bad = TestPgServer().ConnectionJson();
  bad["password"] = "Wr0ng-Secret-42";
  TempDir dir;
  CliResult r =
      RunJobFile(dir, PgJob({{"connection", bad}, {"table", s / "src"}, {"column", {"*"}}},
                            {{"connection", bad}, {"table", s / "src"}, {"column", {"*"}}},
                            {{"speed", {{"concurrent", 1}}}}));
  EXPECT_EQ(r.exit_code, 2) << r.err;  // invalid: nothing was read
  EXPECT_THAT(r.err, ::testing::HasSubstr("auth: "));
  EXPECT_THAT(r.err, ::testing::HasSubstr("password authentication failed for user \"ferry\""));
  EXPECT_THAT(r.err + r.out, ::testing::Not(::testing::HasSubstr("Wr0ng-Secret-42")));
  EXPECT_THAT(ReadTextFile(dir / "summary.json"),
              ::testing::Not(::testing::HasSubstr("Wr0ng-Secret-42")));
}

TEST(PostgresqlFaults, SplitPkOnATextColumnIsRefusedByCheck) {
  PgTestSchema s;
  PgExec("CREATE TABLE " + (s / "src") + " (id int, sku varchar(20))");
  const json conn = TestPgServer().ConnectionJson();
  TempDir dir;
  WriteTextFile(
      dir / "job.json",
      PgJob({{"connection", conn}, {"table", s / "src"}, {"column", {"*"}}, {"splitPk", "sku"}},
            {{"connection", conn}, {"table", s / "src"}, {"column", {"*"}}},
            {{"speed", {{"concurrent", 1}}}}));
  CliResult r = RunFerry({"check", dir / "job.json"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, ::testing::HasSubstr(
                         "splitPk: column \"sku\" is character varying(20); splitPk needs an "
                         "integer column"));
}

// Kills the backend of one writer task and one reader task while the job runs: the engine
// retries those splits, and every row arrives exactly once.
TEST(PostgresqlFaults, KilledBackendsAreRetriedAndEveryRowArrivesOnce) {
  PgTestSchema s;
  PgExec("CREATE TABLE " + (s / "src") +
         " (id bigint, v text);"
         "INSERT INTO " +
         (s / "src") +
         " SELECT g, repeat('x', 40) FROM generate_series(1, 400000) g;"
         "CREATE TABLE " +
         (s / "dst") + " (id bigint PRIMARY KEY, v text)");
  const json conn = TestPgServer().ConnectionJson();
  TempDir dir;
  std::string job = PgJob({{"connection", conn},
                           {"table", s / "src"},
                           {"column", {"*"}},
                           {"splitPk", "id"},
                           {"splitFactor", 2}},
                          {{"connection", conn}, {"table", s / "dst"}, {"column", {"*"}}},
                          {{"speed", {{"concurrent", 2}, {"throttle", true}, {"mbps", 4}}}});
  CliResult r;
  std::thread run([&] { r = RunJobFile(dir, job); });
  std::string writer = WaitForBackend("ferry/write/%", s.name(), std::chrono::seconds(30));
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  std::string reader = WaitForBackend("ferry/read/%", s.name(), std::chrono::seconds(30));
  EXPECT_FALSE(writer.empty());
  EXPECT_FALSE(reader.empty());
  if (!writer.empty()) PgRows("SELECT pg_terminate_backend(" + writer + ")");
  if (!reader.empty()) PgRows("SELECT pg_terminate_backend(" + reader + ")");
  run.join();
  ASSERT_EQ(r.exit_code, 0) << r.err;
  json summary = Summary(dir);
  EXPECT_GE(summary["split_retries"].get<int>(), 1);
  EXPECT_EQ(summary["dirty_records"], 0);
  EXPECT_EQ(
      PgValue("SELECT count(*) || ':' || count(DISTINCT id) || ':' || sum(id) FROM " + (s / "dst")),
      "400000:400000:80000200000");
}

// A deadlock (40P01) or a serialization failure (40001) raised by the server in the middle of a
// split's transaction: the split is rolled back and retried, and every row arrives once. A
// trigger raises the error on the first batch only: a sequence counts attempts outside the
// transaction, so the retry goes through.
class PgRetryableFailures : public ::testing::TestWithParam<std::string> {};

TEST_P(PgRetryableFailures, TheSplitIsRetriedAndEveryRowArrivesOnce) {
  PgTestSchema s;
  PgExec("CREATE TABLE " + (s / "src") + " (id bigint PRIMARY KEY, v text);" + "INSERT INTO " +
         (s / "src") + " SELECT g, 'v' || g FROM generate_series(1, 5000) g;" + "CREATE TABLE " +
         (s / "dst") + " (id bigint PRIMARY KEY, v text);" + "CREATE SEQUENCE " + (s / "attempts") +
         ";" + "CREATE FUNCTION " + (s / "fail_once") +
         "() RETURNS trigger LANGUAGE plpgsql AS $$ " + "BEGIN IF nextval('" + (s / "attempts") +
         "') = 1 THEN " + "RAISE EXCEPTION 'injected failure' USING ERRCODE = '" + GetParam() +
         "'; END IF; " + "RETURN NULL; END $$;" + "CREATE TRIGGER fail_once AFTER INSERT ON " +
         (s / "dst") + " FOR EACH STATEMENT EXECUTE FUNCTION " + (s / "fail_once") + "()");
  const json conn = TestPgServer().ConnectionJson();
  TempDir dir;
  CliResult r =
      RunJobFile(dir, PgJob({{"connection", conn}, {"table", s / "src"}, {"column", {"*"}}},
                            {{"connection", conn}, {"table", s / "dst"}, {"column", {"*"}}},
                            {{"speed", {{"concurrent", 1}}}}));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.err, ::testing::HasSubstr("injected failure"));
  json summary = Summary(dir);
  EXPECT_EQ(summary["split_retries"], 1);
  EXPECT_EQ(summary["dirty_records"], 0);
  EXPECT_EQ(
      PgValue("SELECT count(*) || ':' || count(DISTINCT id) || ':' || sum(id) FROM " + (s / "dst")),
      "5000:5000:12502500");
  EXPECT_EQ(PgValue("SELECT count(*) FROM " + (s / "src") + " s JOIN " + (s / "dst") +
                    " d USING (id, v)"),
            "5000");
}

INSTANTIATE_TEST_SUITE_P(Sqlstates, PgRetryableFailures, ::testing::Values("40P01", "40001"));

// Four channels read while another session inserts, updates and deletes and commits: the
// destination equals the table as it was when the job started.
TEST(PostgresqlFaults, ParallelChannelsReadOneSnapshotWhileTheTableChanges) {
  PgTestSchema s;
  PgExec("CREATE TABLE " + (s / "src") +
         " (id bigint, v int);"
         "INSERT INTO " +
         (s / "src") +
         " SELECT g, 0 FROM generate_series(1, 200000) g;"
         "CREATE TABLE " +
         (s / "dst") + " (id bigint, v int)");
  const std::string before =
      PgValue("SELECT count(*) || ':' || sum(id) || ':' || sum(v) FROM " + (s / "src"));
  const json conn = TestPgServer().ConnectionJson();
  TempDir dir;
  std::string job =
      PgJob({{"connection", conn}, {"table", s / "src"}, {"column", {"*"}}, {"splitPk", "id"}},
            {{"connection", conn}, {"table", s / "dst"}, {"column", {"*"}}},
            {{"speed", {{"concurrent", 4}, {"throttle", true}, {"mbps", 1}}}});
  CliResult r;
  std::thread run([&] { r = RunJobFile(dir, job); });
  EXPECT_FALSE(WaitForBackend("ferry/read/%", s.name(), std::chrono::seconds(30)).empty());
  // Changes in every key range, committed while the first splits are being read.
  PgExec("INSERT INTO " + (s / "src") +
         " SELECT g, 1 FROM generate_series(200001, 200100) g;"
         "INSERT INTO " +
         (s / "src") +
         " SELECT g, 1 FROM generate_series(1, 200000, 1000) g;"
         "UPDATE " +
         (s / "src") +
         " SET v = 7 WHERE id % 997 = 0;"
         "DELETE FROM " +
         (s / "src") + " WHERE id % 1009 = 0");
  run.join();
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(PgValue("SELECT count(*) || ':' || sum(id) || ':' || sum(v) FROM " + (s / "dst")),
            before);
  EXPECT_NE(PgValue("SELECT count(*) || ':' || sum(id) || ':' || sum(v) FROM " + (s / "src")),
            before);
}

}  // namespace
}  // namespace ferry::testing
