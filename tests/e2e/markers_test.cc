// Commit markers as a user meets them (DESIGN 6): the marker table a run fills in the
// destination, emptied when the run succeeds, kept by a failed run for its resume, and listed or
// removed with `ferry markers`; `commitMarker: false` names its risk at `ferry check`.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "tests/support/ferry_cli.h"

namespace ferry::testing {
namespace {

using nlohmann::json;

json Job(const std::string& src, const std::string& dst,
         const json& writer_extra = json::object()) {
  json writer = {{"path", dst}, {"table", "t"}, {"column", {"*"}}};
  if (!writer_extra.is_null()) writer.update(writer_extra);
  return StepsJob("sqlite", {{"path", src}, {"table", "t"}, {"column", {"*"}}, {"splitPk", "id"}},
                  "sqlite", writer,
                  {{"speed", {{"concurrent", 1}}}, {"errorLimit", {{"record", 0}}}});
}

class Markers : public ::testing::Test {
 protected:
  void SetUp() override {
    SqliteExec(dir_ / "src.db",
               "CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT);"
               "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 100) "
               "INSERT INTO t SELECT i, 'v' || i FROM n;");
    // The last split's first row is refused: with errorLimit 0 the run fails after the
    // splits before it committed.
    SqliteExec(dir_ / "dst.db",
               "CREATE TABLE t (id INTEGER, v TEXT);"
               "CREATE TRIGGER refuse BEFORE INSERT ON t WHEN NEW.id = 100 "
               "BEGIN SELECT RAISE(ABORT, 'id 100 refused'); END;");
  }
  std::string Count(const std::string& sql) { return SqliteRows(dir_ / "dst.db", sql).at(0); }

  TempDir dir_;
};

TEST_F(Markers, FailedRunKeepsThemForItsResumeAndASucceededRunRemovesThem) {
  WriteTextFile(dir_ / "job.json", Job(dir_ / "src.db", dir_ / "dst.db").dump());
  CliResult failed = RunFerry({"run", dir_ / "job.json", "--run-dir", dir_ / "run"});
  ASSERT_EQ(failed.exit_code, 1) << failed.err;
  const std::string committed = Count("SELECT count(*) FROM ferry_split_commits");
  EXPECT_NE(committed, "0");
  EXPECT_EQ(Count("SELECT sum(records_written) FROM ferry_split_commits"),
            Count("SELECT count(*) FROM t"));
  std::string run_id = json::parse(ReadTextFile(dir_ / "run/run.json"))["run_id"];

  CliResult list = RunFerry({"markers", "list", dir_ / "job.json"});
  ASSERT_EQ(list.exit_code, 0) << list.err;
  EXPECT_THAT(list.out, ::testing::HasSubstr(run_id));
  EXPECT_THAT(list.out, ::testing::HasSubstr(" t "));

  SqliteExec(dir_ / "dst.db", "DROP TRIGGER refuse;");
  CliResult resumed = RunFerry({"run", "--resume", dir_ / "run"});
  ASSERT_EQ(resumed.exit_code, 0) << resumed.err;
  EXPECT_EQ(Count("SELECT count(*) || '|' || count(DISTINCT id) FROM t"), "100|100");
  EXPECT_EQ(Count("SELECT count(*) FROM ferry_split_commits"), "0");
  CliResult none = RunFerry({"markers", "list", dir_ / "job.json"});
  EXPECT_EQ(none.out, "no commit markers\n");
}

TEST_F(Markers, RemoveTakesOneRunOrRunsOlderThanAnAge) {
  WriteTextFile(dir_ / "job.json", Job(dir_ / "src.db", dir_ / "dst.db").dump());
  ASSERT_EQ(RunFerry({"run", dir_ / "job.json", "--run-dir", dir_ / "run1"}).exit_code, 1);
  ASSERT_EQ(RunFerry({"run", dir_ / "job.json", "--run-dir", dir_ / "run2"}).exit_code, 1);
  const std::string per_run = Count("SELECT count(*) / 2 FROM ferry_split_commits");

  CliResult young = RunFerry({"markers", "remove", dir_ / "job.json", "--older-than", "1h"});
  ASSERT_EQ(young.exit_code, 0) << young.err;
  EXPECT_THAT(young.out, ::testing::HasSubstr("removed 0 commit marker(s)"));

  CliResult one = RunFerry({"markers", "remove", dir_ / "job.json", "--run-dir", dir_ / "run1"});
  ASSERT_EQ(one.exit_code, 0) << one.err;
  EXPECT_THAT(one.out, ::testing::HasSubstr("removed " + per_run + " commit marker(s) of run"));
  EXPECT_EQ(Count("SELECT count(*) FROM ferry_split_commits"), per_run);

  SqliteExec(dir_ / "dst.db",
             "UPDATE ferry_split_commits SET committed_at = '2020-01-01 00:00:00';");
  CliResult old = RunFerry({"markers", "remove", dir_ / "job.json", "--older-than", "30d"});
  ASSERT_EQ(old.exit_code, 0) << old.err;
  EXPECT_EQ(Count("SELECT count(*) FROM ferry_split_commits"), "0");

  CliResult bad = RunFerry({"markers", "remove", dir_ / "job.json"});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_THAT(bad.err, ::testing::HasSubstr("give one of --run ID, --run-dir DIR or --older-than"));
}

TEST_F(Markers, CommitMarkerFalseWritesNoMarkerTableAndCheckNamesTheRisk) {
  WriteTextFile(dir_ / "job.json",
                Job(dir_ / "src.db", dir_ / "dst.db", {{"commitMarker", false}}).dump());
  CliResult check = RunFerry({"check", dir_ / "job.json"});
  EXPECT_EQ(check.exit_code, 0) << check.err;
  EXPECT_THAT(check.err, ::testing::HasSubstr("commitMarker is false"));
  EXPECT_THAT(check.err, ::testing::HasSubstr("writes that split again on --resume"));
  ASSERT_EQ(RunFerry({"run", dir_ / "job.json", "--run-dir", dir_ / "run"}).exit_code, 1);
  EXPECT_EQ(Count("SELECT count(*) FROM sqlite_schema WHERE name = 'ferry_split_commits'"), "0");
  CliResult list = RunFerry({"markers", "list", dir_ / "job.json"});
  EXPECT_EQ(list.exit_code, 2);
  EXPECT_THAT(list.err, ::testing::HasSubstr("keeps no commit markers"));
}

TEST_F(Markers, ACustomMarkerTableIsUsed) {
  WriteTextFile(
      dir_ / "job.json",
      Job(dir_ / "src.db", dir_ / "dst.db", {{"commitMarkerTable", "etl_commits"}}).dump());
  ASSERT_EQ(RunFerry({"run", dir_ / "job.json", "--run-dir", dir_ / "run"}).exit_code, 1);
  EXPECT_NE(Count("SELECT count(*) FROM etl_commits"), "0");
  EXPECT_EQ(Count("SELECT count(*) FROM sqlite_schema WHERE name = 'ferry_split_commits'"), "0");
}

}  // namespace
}  // namespace ferry::testing
