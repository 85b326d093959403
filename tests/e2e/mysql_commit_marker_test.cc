// Exactly once under any fault, for the mysql writer (DESIGN 6), through LOAD DATA (bulkLoad)
// and multi-row INSERT: a COMMIT whose reply is lost (a proxy cuts the connection right after
// forwarding it) is settled by the split's commit marker; a run SIGKILLed right after a commit
// resumes from the marker; without markers an unknown COMMIT fails the job instead of writing
// twice. Destinations have no primary key, so a split written twice would show.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdlib>

#include "tests/support/commit_marker_checks.h"
#include "tests/support/fault_proxy.h"
#include "tests/support/ferry_cli.h"
#include "tests/support/mariadb_test_server.h"

namespace ferry::testing {
namespace {

using json = nlohmann::json;
using ::testing::HasSubstr;

constexpr int kRows = 20000;
constexpr const char* kSettled = "had committed (commit marker); not written again";

class ScopedEnv {
 public:
  ScopedEnv(const char* name, const std::string& value) : name_(name) {
    setenv(name, value.c_str(), 1);
  }
  ~ScopedEnv() { unsetenv(name_); }

 private:
  const char* name_;
};

class MysqlCommitMarkers : public MariadbTest, public ::testing::WithParamInterface<bool> {
 protected:
  void SetUp() override {
    MariadbTest::SetUp();
    dst_ = NewDatabase("dst");
    // Backslashes and quotes in every row: LOAD DATA and INSERT escape them differently.
    Exec(db(),
         "CREATE TABLE src (id INT PRIMARY KEY, v VARCHAR(40));"
         "INSERT INTO src SELECT seq, CONCAT('v', seq, '\\\\x''') FROM seq_1_to_" +
             std::to_string(kRows));
    Exec(dst_, "CREATE TABLE dst (id INT, v VARCHAR(40))");
  }

  json Reader() {
    return {{"connection", Connection(db())},
            {"table", "src"},
            {"column", {"*"}},
            {"splitPk", "id"},
            {"splitFactor", 3}};
  }

  json Writer(json extra = json::object(), int port = 0) {
    json conn = Connection(dst_);
    if (port != 0) conn["port"] = port;
    json p = {{"connection", conn}, {"table", "dst"}, {"column", {"*"}}, {"bulkLoad", GetParam()}};
    p.update(extra);
    return p;
  }

  CliResult Run(const std::string& job) {
    WriteTextFile(dir_ / "job.json", job);
    return RunFerry({"run", dir_ / "job.json", "--run-dir", dir_ / "run", "--summary-json",
                     dir_ / "summary.json", "--progress-interval", "0"});
  }

  json Summary() const { return json::parse(ReadTextFile(dir_ / "summary.json")); }

  // "rows|distinct ids|checksum of the rows" of a table.
  std::string Fingerprint(const std::string& database, const std::string& table) {
    return Rows(database,
                "SELECT COUNT(*), COUNT(DISTINCT id), SUM(CRC32(CONCAT(id, '|', v))) "
                "FROM " +
                    table)
        .front();
  }

  std::string Markers() {
    if (Rows("", "SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = '" + dst_ +
                     "' AND TABLE_NAME = 'ferry_split_commits'")
            .front() == "0") {
      return "none";
    }
    return Rows(dst_, "SELECT COUNT(*) FROM ferry_split_commits").front();
  }

  std::string dst_;
  TempDir dir_;
};

// Two COMMITs reach the server and commit, but their replies are lost: the retries' claims find
// the markers committed, so those splits are counted once and written once.
TEST_P(MysqlCommitMarkers, LostCommitReplyIsSettledByTheMarkerAndEveryRowArrivesOnce) {
  FaultProxy proxy(server_.host, server_.port);
  ASSERT_NE(proxy.port(), 0);
  proxy.LoseCommitReplies(2, /*skip=*/1);
  CliResult r =
      Run(TwoStepJob("mysql", Reader(), "mysql", Writer(json::object(), proxy.port()), 2));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(proxy.lost(), 2);
  EXPECT_EQ(Fingerprint(dst_, "dst"), Fingerprint(db(), "src"));
  json summary = Summary();
  EXPECT_EQ(summary["records_written"], kRows);
  EXPECT_EQ(summary["records_read"], kRows);
  EXPECT_THAT(r.err, HasSubstr("the connection was lost before its reply arrived"));
  EXPECT_THAT(r.err, HasSubstr(kSettled));
  EXPECT_EQ(Markers(), "0");  // a succeeded run removes its markers
}

// Without markers nobody can tell whether the split committed: the job fails, loudly, and
// writes nothing twice.
TEST_P(MysqlCommitMarkers, WithoutMarkersALostCommitReplyFailsTheJob) {
  FaultProxy proxy(server_.host, server_.port);
  ASSERT_NE(proxy.port(), 0);
  proxy.LoseCommitReplies(1, /*skip=*/1);
  CliResult r = Run(
      TwoStepJob("mysql", Reader(), "mysql", Writer({{"commitMarker", false}}, proxy.port()), 2));
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_EQ(proxy.lost(), 1);
  EXPECT_THAT(r.err, HasSubstr("commitMarker is false"));  // the warning at Prepare
  EXPECT_THAT(r.err, HasSubstr("the outcome of its COMMIT is unknown"));
  EXPECT_THAT(r.err, HasSubstr("so it was not retried"));
  EXPECT_EQ(Rows(dst_, "SELECT COUNT(*) - COUNT(DISTINCT id) FROM dst").front(), "0");
  EXPECT_EQ(Markers(), "none");
}

// SIGKILL right after the second split's COMMIT, before committed.log records it: the resume
// learns it from the marker and writes only the rest.
TEST_P(MysqlCommitMarkers, ResumeAfterAKillRightAfterACommitWritesEveryRowOnce) {
  CliResult first;
  {
    ScopedEnv fault("FERRY_FAULT", "writer.after_commit@2");
    first = Run(TwoStepJob("mysql", Reader(), "mysql", Writer(), 1));
  }
  ASSERT_EQ(first.exit_code, 128 + 9) << first.err;
  EXPECT_EQ(Markers(), "2");  // a run that did not finish keeps its markers
  CliResult resumed = RunFerry({"run", "--resume", dir_ / "run", "--summary-json",
                                dir_ / "summary.json", "--progress-interval", "0"});
  ASSERT_EQ(resumed.exit_code, 0) << resumed.err;
  EXPECT_THAT(resumed.err, HasSubstr("committed in the destination (commit marker) but not in "
                                     "committed.log; recorded now"));
  EXPECT_EQ(Fingerprint(dst_, "dst"), Fingerprint(db(), "src"));
  EXPECT_EQ(Summary()["records_written"], kRows);
  EXPECT_EQ(Markers(), "0");
}

// A job that fails keeps the markers of its committed splits; its resume removes them.
TEST_P(MysqlCommitMarkers, AFailedRunKeepsItsMarkersAndItsResumeRemovesThem) {
  Exec(db(), "UPDATE src SET v = 'much too long for the destination' WHERE id = " +
                 std::to_string(kRows - 5));
  Exec(dst_, "ALTER TABLE dst MODIFY v VARCHAR(20)");
  CliResult first = Run(TwoStepJob("mysql", Reader(), "mysql", Writer(), 1, 0));
  ASSERT_EQ(first.exit_code, 1) << first.err;
  EXPECT_EQ(Markers(), "2");  // the two splits before the refused row's
  Exec(db(), "UPDATE src SET v = 'fixed' WHERE id = " + std::to_string(kRows - 5));
  CliResult resumed = RunFerry({"run", "--resume", dir_ / "run", "--progress-interval", "0"});
  ASSERT_EQ(resumed.exit_code, 0) << resumed.err;
  EXPECT_EQ(Rows(dst_, "SELECT COUNT(*), COUNT(DISTINCT id) FROM dst").front(),
            std::to_string(kRows) + "|" + std::to_string(kRows));
  EXPECT_EQ(Markers(), "0");
}

INSTANTIATE_TEST_SUITE_P(BulkLoad, MysqlCommitMarkers, ::testing::Values(true, false),
                         [](const auto& info) { return info.param ? "LoadData" : "Insert"; });

class MysqlCommitMarkerTable : public MariadbTest {};

// The claim protocol, driven directly: a second attempt waits on the first's claim (InnoDB's
// duplicate-key check waits on its lock, so the claim runs on), then finds it committed; an aborted
// claim frees the split; list and remove.
TEST_F(MysqlCommitMarkerTable, ClaimsListAndRemoveDrivenDirectly) {
  const std::string dst = NewDatabase("dst");
  Exec(dst, "CREATE TABLE dst (id INT, v VARCHAR(10))");
  CheckCommitMarkerClaims(
      "mysql", {{"connection", Connection(dst)}, {"table", "dst"}, {"column", {"*"}}}, [&] {
        // (INNODB_TRX does not always list a transaction waiting in its first statement.)
        return Rows("",
                    "SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE INFO LIKE "
                    "'INSERT IGNORE INTO%ferry_split_commits%' AND TIME_MS > 300 AND DB = '" +
                        dst + "'")
                   .front() != "0";
      });
}

// commitMarkerTable in another database, and names `ferry check` refuses.
TEST_F(MysqlCommitMarkerTable, InAnotherDatabase) {
  const std::string dst = NewDatabase("dst");
  const std::string ops = NewDatabase("ops");
  Exec(db(), "CREATE TABLE src (id INT PRIMARY KEY); INSERT INTO src SELECT seq FROM seq_1_to_10");
  Exec(dst, "CREATE TABLE dst (id INT)");
  TempDir dir;
  json writer = {{"connection", Connection(dst)},
                 {"table", "dst"},
                 {"column", {"*"}},
                 {"commitMarkerTable", ops + ".marks"}};
  json reader = {{"connection", Connection(db())}, {"table", "src"}, {"column", {"*"}}};
  WriteTextFile(dir / "job.json", TwoStepJob("mysql", reader, "mysql", writer, 1));
  CliResult first;
  {
    ScopedEnv fault("FERRY_FAULT", "writer.after_commit@1");
    first = RunFerry({"run", dir / "job.json", "--run-dir", dir / "run"});
  }
  ASSERT_EQ(first.exit_code, 128 + 9) << first.err;
  EXPECT_THAT(Rows(ops, "SELECT COUNT(*) FROM marks"), ::testing::ElementsAre("1"));

  writer["commitMarkerTable"] = "a..b";
  WriteTextFile(dir / "bad.json", TwoStepJob("mysql", reader, "mysql", writer, 1));
  CliResult bad = RunFerry({"check", dir / "bad.json"});
  EXPECT_EQ(bad.exit_code, 2) << bad.err;
  EXPECT_THAT(bad.err, HasSubstr("commitMarkerTable"));
  writer.erase("commitMarkerTable");
  writer["commitMarker"] = false;
  WriteTextFile(dir / "off.json", TwoStepJob("mysql", reader, "mysql", writer, 1));
  CliResult off = RunFerry({"check", dir / "off.json"});
  EXPECT_EQ(off.exit_code, 0) << off.err;
  EXPECT_THAT(off.err, HasSubstr("commitMarker is false"));
}

}  // namespace
}  // namespace ferry::testing
