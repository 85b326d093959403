// Exactly once under any fault, for the postgresql writer (DESIGN 6): a COMMIT whose reply is lost
// (a proxy cuts the connection right after forwarding it; a backend holding a committed COMMIT in
// a synchronous-replication wait is terminated) is settled by the split's commit marker; a run
// SIGKILLed right after a commit resumes from the marker; without markers an unknown COMMIT
// fails the job instead of writing twice. Destinations have no primary key, so a split written
// twice would show.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <thread>

#include "tests/support/commit_marker_checks.h"
#include "tests/support/fault_proxy.h"
#include "tests/support/ferry_cli.h"
#include "tests/support/pg_test_server.h"

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

class PgCommitMarkers : public ::testing::Test {
 protected:
  // src: kRows rows; dst: the same columns, no key (update mode: a key, and an audit table that
  // a trigger fills with every row written, so a second write still shows).
  void SetUp() override {
    PgExec("CREATE TABLE " + (s_ / "src") + " (id bigint, v text); INSERT INTO " + (s_ / "src") +
           " SELECT g, 'v' || g || E'\\\\x' FROM generate_series(1, " + std::to_string(kRows) +
           ") g; CREATE TABLE " + (s_ / "dst") + " (id bigint, v text)");
  }

  void UseUpdateMode() {
    PgExec(
        "ALTER TABLE " + (s_ / "dst") + " ADD PRIMARY KEY (id); CREATE TABLE " + (s_ / "audit") +
        " (id bigint); CREATE FUNCTION " + (s_ / "audit_write") +
        "() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN INSERT INTO " + (s_ / "audit") +
        " VALUES (NEW.id); RETURN NULL; END $$; CREATE TRIGGER audit AFTER INSERT OR UPDATE ON " +
        (s_ / "dst") + " FOR EACH ROW EXECUTE FUNCTION " + (s_ / "audit_write") + "()");
  }

  json Reader() const {
    return {{"connection", TestPgServer().ConnectionJson()},
            {"table", s_ / "src"},
            {"column", {"*"}},
            {"splitPk", "id"},
            {"splitFactor", 3}};
  }

  json Writer(json extra = json::object(), int port = 0) const {
    json conn = TestPgServer().ConnectionJson();
    if (port != 0) conn["port"] = port;
    json p = {{"connection", conn}, {"table", s_ / "dst"}, {"column", {"id", "v"}}};
    p.update(extra);
    return p;
  }

  CliResult Run(const std::string& job, std::vector<std::string> extra = {}) {
    WriteTextFile(dir_ / "job.json", job);
    std::vector<std::string> args = {"run",
                                     dir_ / "job.json",
                                     "--run-dir",
                                     dir_ / "run",
                                     "--summary-json",
                                     dir_ / "summary.json",
                                     "--progress-interval",
                                     "0"};
    args.insert(args.end(), extra.begin(), extra.end());
    return RunFerry(args);
  }

  json Summary() const { return json::parse(ReadTextFile(dir_ / "summary.json")); }

  // "rows:distinct ids:md5 of the sorted rows" of a table.
  std::string Fingerprint(const std::string& table) const {
    return PgValue(
        "SELECT count(*) || ':' || count(DISTINCT id) || ':' || "
        "coalesce(md5(string_agg(id || '|' || v, ',' ORDER BY id, v)), '') FROM " +
        (s_ / table));
  }

  // Rows of the marker table, "none" when there is none.
  std::string Markers() const {
    const std::string table = s_ / "ferry_split_commits";
    if (PgValue("SELECT to_regclass('" + table + "') IS NULL") == "t") return "none";
    return PgValue("SELECT count(*) FROM " + table);
  }

  PgTestSchema s_;
  TempDir dir_;
};

class PgLostCommitReply : public PgCommitMarkers,
                          public ::testing::WithParamInterface<std::string> {};

// Two COMMITs reach the server and commit, but their replies are lost: the retries' claims find
// the markers committed, so those splits are counted once and written once.
TEST_P(PgLostCommitReply, IsSettledByTheMarkerAndEveryRowArrivesOnce) {
  const std::string mode = GetParam();
  if (mode == "update") UseUpdateMode();
  FaultProxy proxy(TestPgServer().host, TestPgServer().port);
  ASSERT_NE(proxy.port(), 0);
  proxy.LoseCommitReplies(2, /*skip=*/1);
  CliResult r = Run(PgJob(Reader(), Writer({{"writeMode", mode}}, proxy.port()),
                          {{"speed", {{"concurrent", 2}}}}));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(proxy.lost(), 2);
  EXPECT_EQ(Fingerprint("dst"), Fingerprint("src"));
  if (mode == "update") {
    EXPECT_EQ(PgValue("SELECT count(*) || ':' || count(DISTINCT id) FROM " + (s_ / "audit")),
              std::to_string(kRows) + ":" + std::to_string(kRows));
  }
  json summary = Summary();
  EXPECT_EQ(summary["records_written"], kRows);
  EXPECT_EQ(summary["records_read"], kRows);
  EXPECT_THAT(r.err, HasSubstr("the connection was lost before its reply arrived"));
  EXPECT_THAT(r.err, HasSubstr(kSettled));
  EXPECT_EQ(Markers(), "0");  // a succeeded run removes its markers
}

INSTANTIATE_TEST_SUITE_P(WriteModes, PgLostCommitReply,
                         ::testing::Values("copy", "insert", "update"));

// Without markers nobody can tell whether the split committed: the job fails, loudly, and
// writes nothing twice.
TEST_F(PgCommitMarkers, WithoutMarkersALostCommitReplyFailsTheJob) {
  FaultProxy proxy(TestPgServer().host, TestPgServer().port);
  ASSERT_NE(proxy.port(), 0);
  proxy.LoseCommitReplies(1, /*skip=*/1);
  CliResult r = Run(PgJob(Reader(), Writer({{"commitMarker", false}}, proxy.port()),
                          {{"speed", {{"concurrent", 2}}}}));
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_EQ(proxy.lost(), 1);
  EXPECT_THAT(r.err, HasSubstr("commitMarker is false"));  // the warning at Prepare
  EXPECT_THAT(r.err, HasSubstr("the outcome of its COMMIT is unknown"));
  EXPECT_THAT(r.err, HasSubstr("so it was not retried"));
  EXPECT_EQ(PgValue("SELECT count(*) - count(DISTINCT id) FROM " + (s_ / "dst")), "0");
  EXPECT_EQ(Markers(), "none");
}

// synchronous_standby_names names a standby that never connects (scripts/pg-test-server.sh), so a
// COMMIT with synchronous_commit on commits locally and then waits (wait_event SyncRep), holding
// its locks. A trigger turns synchronous_commit on in the first `n` split transactions only.
void HoldFirstCommits(const PgTestSchema& s, int n) {
  ASSERT_EQ(PgValue("SHOW synchronous_standby_names"), "ferry_ghost")
      << "restart the test servers: scripts/test-servers.sh stop|start build/test-servers";
  PgExec("CREATE SEQUENCE " + (s / "sync_commits") + "; CREATE FUNCTION " + (s / "sync_on") +
         "() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
         "IF current_setting('synchronous_commit') <> 'on' AND nextval('" +
         (s / "sync_commits") + "') <= " + std::to_string(n) +
         " THEN PERFORM set_config('synchronous_commit', 'on', true); END IF; "
         "RETURN NULL; END $$; CREATE TRIGGER sync_on BEFORE INSERT ON " +
         (s / "dst") + " FOR EACH STATEMENT EXECUTE FUNCTION " + (s / "sync_on") + "()");
}

// Pids of the job's writer backends (their statements name `schema`) matching `condition`.
std::vector<std::string> WriterBackends(const PgTestSchema& s, const std::string& condition) {
  return PgRows(
      "SELECT pid FROM pg_stat_activity WHERE application_name LIKE 'ferry/write/%' "
      "AND query LIKE '%" +
      s.name() + "%' AND " + condition);
}

// Terminating two backends held in the SyncRep wait loses the reply of COMMITs that did commit.
TEST_F(PgCommitMarkers, CommitHeldBySyncRepAndTerminatedIsSettledByTheMarker) {
  HoldFirstCommits(s_, 2);
  std::atomic<bool> done{false};
  std::atomic<int> terminated{0};
  std::jthread killer([&] {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(90);
    while (!done && terminated < 2 && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
      for (const std::string& pid : WriterBackends(s_, "wait_event = 'SyncRep'")) {
        if (PgValue("SELECT pg_terminate_backend(" + pid + ")") == "t") ++terminated;
      }
    }
  });
  CliResult r = Run(PgJob(Reader(), Writer(), {{"speed", {{"concurrent", 2}}}}));
  done = true;
  killer.join();
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(terminated, 2);
  EXPECT_EQ(Fingerprint("dst"), Fingerprint("src"));
  EXPECT_EQ(Summary()["records_written"], kRows);
  EXPECT_THAT(r.err, HasSubstr(kSettled));
  EXPECT_EQ(Markers(), "0");
}

// The reply of a COMMIT still in flight on the server (held in the SyncRep wait) is lost: the
// retry's claim waits on the marker row of that transaction, and once the COMMIT completes it
// finds the split committed.
TEST_F(PgCommitMarkers, TheRetrysClaimWaitsForACommitStillInFlight) {
  HoldFirstCommits(s_, 1);
  FaultProxy proxy(TestPgServer().host, TestPgServer().port);
  ASSERT_NE(proxy.port(), 0);
  proxy.LoseCommitReplies(1);
  std::atomic<bool> done{false}, claim_waited{false};
  std::jthread releaser([&] {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(50);
    while (!done && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
      if (!WriterBackends(s_, "wait_event_type = 'Lock' AND query LIKE '%ON CONFLICT DO NOTHING%'")
               .empty()) {
        claim_waited = true;
        for (const std::string& pid : WriterBackends(s_, "wait_event = 'SyncRep'")) {
          PgRows("SELECT pg_cancel_backend(" + pid + ")");  // the COMMIT then completes
        }
        return;
      }
    }
  });
  CliResult r =
      Run(PgJob(Reader(), Writer(json::object(), proxy.port()), {{"speed", {{"concurrent", 1}}}}));
  done = true;
  releaser.join();
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(proxy.lost(), 1);
  EXPECT_TRUE(claim_waited);
  EXPECT_EQ(Fingerprint("dst"), Fingerprint("src"));
  EXPECT_EQ(Summary()["records_written"], kRows);
  EXPECT_THAT(r.err, HasSubstr(kSettled));
  EXPECT_EQ(Markers(), "0");
}

// SIGKILL right after the second split's COMMIT, before committed.log records it: the resume
// learns it from the marker and writes only the rest.
TEST_F(PgCommitMarkers, ResumeAfterAKillRightAfterACommitWritesEveryRowOnce) {
  CliResult first;
  {
    ScopedEnv fault("FERRY_FAULT", "writer.after_commit@2");
    first = Run(PgJob(Reader(), Writer(), {{"speed", {{"concurrent", 1}}}}));
  }
  ASSERT_EQ(first.exit_code, 128 + 9) << first.err;
  EXPECT_EQ(Markers(), "2");  // a run that did not finish keeps its markers
  CliResult resumed = RunFerry({"run", "--resume", dir_ / "run", "--summary-json",
                                dir_ / "summary.json", "--progress-interval", "0"});
  ASSERT_EQ(resumed.exit_code, 0) << resumed.err;
  EXPECT_THAT(resumed.err, HasSubstr("committed in the destination (commit marker) but not in "
                                     "committed.log; recorded now"));
  EXPECT_EQ(Fingerprint("dst"), Fingerprint("src"));
  EXPECT_EQ(Summary()["records_written"], kRows);
  EXPECT_EQ(Markers(), "0");
}

// A job that fails keeps the markers of its committed splits; its resume removes them.
TEST_F(PgCommitMarkers, AFailedRunKeepsItsMarkersAndItsResumeRemovesThem) {
  PgExec("UPDATE " + (s_ / "src") + " SET v = NULL WHERE id = " + std::to_string(kRows - 5) +
         "; ALTER TABLE " + (s_ / "dst") + " ALTER COLUMN v SET NOT NULL");
  CliResult first = Run(
      PgJob(Reader(), Writer(), {{"speed", {{"concurrent", 1}}}, {"errorLimit", {{"record", 0}}}}));
  ASSERT_EQ(first.exit_code, 1) << first.err;
  const std::string committed = PgValue("SELECT count(*) FROM " + (s_ / "dst"));
  EXPECT_NE(committed, "0");
  EXPECT_EQ(Markers(), "2");  // the two splits before the refused row's
  PgExec("UPDATE " + (s_ / "src") + " SET v = 'fixed' WHERE v IS NULL");
  CliResult resumed = RunFerry({"run", "--resume", dir_ / "run", "--progress-interval", "0"});
  ASSERT_EQ(resumed.exit_code, 0) << resumed.err;
  EXPECT_EQ(PgValue("SELECT count(*) || ':' || count(DISTINCT id) FROM " + (s_ / "dst")),
            std::to_string(kRows) + ":" + std::to_string(kRows));
  EXPECT_EQ(Markers(), "0");
}

// The claim protocol, driven directly: a second attempt waits on the first's claim, then finds it
// committed; an aborted claim frees the split; list and remove.
TEST_F(PgCommitMarkers, ClaimsListAndRemoveDrivenDirectly) {
  CheckCommitMarkerClaims("postgresql", Writer(), [this] {
    return PgValue(
               "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND "
               "query LIKE '%" +
               s_.name() + ".ferry_split_commits%ON CONFLICT%'") != "0";
  });
}

// The writer keeps one connection for the marker table (created at the start, its run's markers
// removed at the end). When the server closed it while the rows moved, the removal opens another:
// the run succeeds and leaves no marker behind.
TEST_F(PgCommitMarkers, AKeptConnectionTheServerClosedIsReplacedForTheMarkersRemoval) {
  // One split that waits 2 s before its first row, so the test can close the kept connection.
  json reader = {{"connection", TestPgServer().ConnectionJson()},
                 {"querySql", "SELECT s.id, s.v FROM " + (s_ / "src") +
                                  " s, (SELECT pg_sleep(2)) AS pause ORDER BY s.id"}};
  CliResult r;
  std::atomic<bool> done{false};
  std::thread run([&] {
    r = Run(PgJob(reader, Writer(), {{"speed", {{"concurrent", 1}}}}));
    done = true;
  });
  // The kept connection is idle; its last statement named this test's marker table.
  const std::string find =
      "SELECT pid FROM pg_stat_activity WHERE application_name = "
      "'ferry/prepare' AND state = 'idle' AND query LIKE '%" +
      s_.name() + "%'";
  std::string terminated = "0";
  while (!done && terminated == "0") {
    terminated = PgValue("SELECT count(pg_terminate_backend(pid)) FROM (" + find + ") AS kept");
    if (terminated == "0") std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  run.join();
  EXPECT_EQ(terminated, "1");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(Fingerprint("dst"), Fingerprint("src"));
  EXPECT_EQ(Markers(), "0");
}

// commitMarkerTable names a table of another schema; `ferry check` refuses a name that does not
// parse, and warns when markers are off.
TEST_F(PgCommitMarkers, MarkerTableNamedInAnotherSchema) {
  PgTestSchema other;
  const std::string marks = other.name() + ".\"Marks\"";
  CliResult first;
  {
    ScopedEnv fault("FERRY_FAULT", "writer.after_commit@1");
    first = Run(
        PgJob(Reader(), Writer({{"commitMarkerTable", marks}}), {{"speed", {{"concurrent", 1}}}}));
  }
  ASSERT_EQ(first.exit_code, 128 + 9) << first.err;
  EXPECT_EQ(PgValue("SELECT count(*) FROM " + marks), "1");
  EXPECT_EQ(Markers(), "none");

  WriteTextFile(dir_ / "bad.json",
                PgJob(Reader(), Writer({{"commitMarkerTable", "a..b"}}), json::object()));
  CliResult bad = RunFerry({"check", dir_ / "bad.json"});
  EXPECT_EQ(bad.exit_code, 2) << bad.err;
  EXPECT_THAT(bad.err, HasSubstr("commitMarkerTable"));
  WriteTextFile(dir_ / "off.json",
                PgJob(Reader(), Writer({{"commitMarker", false}}), json::object()));
  CliResult off = RunFerry({"check", dir_ / "off.json"});
  EXPECT_EQ(off.exit_code, 0) << off.err;
  EXPECT_THAT(off.err, HasSubstr("commitMarker is false"));
}

}  // namespace
}  // namespace ferry::testing
