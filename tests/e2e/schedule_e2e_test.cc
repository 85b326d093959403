// The scheduler end to end with the real binary: deploy a project folder (and refuse broken
// ones), preview parameters, backfill a three-node daily chain over five business dates, and
// kill -9 the server in the middle of a run without losing or doubling it — alone, and as the
// leader of two servers on one store (SQLite, and PostgreSQL on the throwaway server) — and rerun
// a run that failed after committing splits without doubling them.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>

#include <chrono>
#include <functional>
#include <mutex>
#include <nlohmann/json.hpp>
#include <thread>

#include "tests/support/ferry_cli.h"
#include "tests/support/pg_test_server.h"
#include "tests/support/scheduler_cli.h"
#include "tests/support/webhook_receiver.h"

extern char** environ;

namespace ferry::testing {
namespace {

using json = nlohmann::json;
using ::testing::HasSubstr;

json SqliteStep(const std::string& category, json parameter) {
  return {{"stepType", category == "reader" ? "sqlite" : parameter.value("_type", "sqlite")},
          {"category", category},
          {"name", category == "reader" ? "Reader" : "Writer"},
          {"parameter", parameter}};
}

json Job(json reader, json writer, double records_per_second = 0) {
  writer.erase("_type");
  json speed = {{"concurrent", 1}};
  if (records_per_second > 0) speed["record"] = records_per_second;
  return {{"type", "job"},
          {"version", "2.0"},
          {"steps",
           {SqliteStep("reader", reader),
            {{"stepType", writer.contains("fileName") ? "txtfile" : "sqlite"},
             {"category", "writer"},
             {"name", "Writer"},
             {"parameter", writer}}}},
          {"setting", {{"speed", speed}, {"errorLimit", {{"record", 0}}}}},
          {"order", {{"hops", {{{"from", "Reader"}, {"to", "Writer"}}}}}}};
}

// A project: orders.db (date k of 2025-10-01.. holds k rows) -> stage.db -> mart.db -> out/*.csv.
void MakeChainProject(const TempDir& dir) {
  SqliteExec(
      dir / "orders.db",
      "CREATE TABLE orders (id INTEGER PRIMARY KEY, bizdate TEXT, amount INTEGER);"
      "WITH RECURSIVE d(k) AS (SELECT 1 UNION ALL SELECT k + 1 FROM d WHERE k < 7),"
      " r(k, i) AS (SELECT k, 1 FROM d UNION ALL SELECT k, i + 1 FROM r WHERE i < k)"
      " INSERT INTO orders (bizdate, amount) SELECT printf('202510%02d', k), k * 100 + i FROM r"
      " ORDER BY k, i;");
  for (const char* db : {"stage.db", "mart.db"}) {
    SqliteExec(dir / db, "CREATE TABLE t (id INTEGER PRIMARY KEY, bizdate TEXT, amount INTEGER);");
  }
  json columns = {"id", "bizdate", "amount"};
  auto copy = [&](const char* from, const char* table, const char* to) {
    return Job({{"path", from},
                {"table", table},
                {"column", columns},
                {"where", "bizdate = '${bizdate}'"}},
               {{"path", to},
                {"table", "t"},
                {"column", columns},
                {"preSql", {"DELETE FROM t WHERE bizdate = '${bizdate}'"}}});
  };
  WriteTextFile(dir / "jobs/extract.json", copy("orders.db", "orders", "stage.db").dump(2));
  WriteTextFile(dir / "jobs/transform.json", copy("stage.db", "t", "mart.db").dump(2));
  WriteTextFile(dir / "jobs/publish.json", Job({{"path", "mart.db"},
                                                {"table", "t"},
                                                {"column", columns},
                                                {"where", "bizdate = '${bizdate}'"}},
                                               {{"path", "out"},
                                                {"fileName", "orders_${bizdate}.csv"},
                                                {"writeMode", "truncate"},
                                                {"fileFormat", "csv"}})
                                               .dump(2));
  WriteTextFile(dir / "schedule.yaml", R"(timezone: Asia/Shanghai
nodes:
  - name: extract
    job: jobs/extract.json
    cron: "30 2 * * *"
    params: "bizdate=$bizdate"
  - name: transform
    job: jobs/transform.json
    cron: "0 3 * * *"
    params: "bizdate=$bizdate"
    upstream: [extract]
  - name: publish
    job: jobs/publish.json
    cron: "0 4 * * *"
    params: {bizdate: $bizdate, hour: "$[hh24]"}
    upstream: transform
    retries: 2
    retry_interval: 30
)");
}

// A throttled copy of 30,000 rows from src.db (about three seconds): long enough for a server to
// die in the middle of it. `writer` is the destination step's parameters.
// A 30000-row copy at `records_per_second` (3 s at the default).
void WriteSlowCopyProject(const TempDir& dir, const json& writer, const std::string& writer_type,
                          double records_per_second = 10000) {
  SqliteExec(dir / "src.db",
             "CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT);"
             "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 30000) "
             "INSERT INTO t SELECT i, 'value ' || i FROM n;");
  json job = Job({{"path", "src.db"},
                  {"table", "t"},
                  {"column", {"id", "v"}},
                  {"splitPk", "id"},
                  {"splitFactor", 10}},
                 writer, records_per_second);
  job["steps"][1]["stepType"] = writer_type;
  WriteTextFile(dir / "copy.json", job.dump(2));
  WriteTextFile(dir / "schedule.yaml",
                "nodes:\n  - {name: copy, job: copy.json, cron: \"0 1 * * *\"}\n");
}

TEST(ScheduleE2E, DeployPreviewAndBackfillAThreeNodeChainOverFiveDates) {
  TempDir dir;
  MakeChainProject(dir);
  std::string store = dir / "state/scheduler.db";
  CliResult deploy = RunFerry({"deploy", dir.path(), "--store", store});
  ASSERT_EQ(deploy.exit_code, 0) << deploy.err;
  EXPECT_THAT(deploy.err, HasSubstr("deployed 3 node(s)"));
  EXPECT_THAT(deploy.err, HasSubstr("publish: next cycle "));

  CliResult list = RunFerry({"schedule", "list", "--store", store});
  ASSERT_EQ(list.exit_code, 0) << list.err;
  EXPECT_THAT(list.out, HasSubstr("transform            0 3 * * *          Asia/Shanghai"));
  CliResult show = RunFerry({"schedule", "show", "publish", "--store", store, "--count", "2"});
  ASSERT_EQ(show.exit_code, 0) << show.err;
  EXPECT_THAT(show.out, HasSubstr("upstream:       transform"));
  EXPECT_THAT(show.out, HasSubstr("hour=04"));
  CliResult params = RunFerry(
      {"params", "--node", "publish", "--cyctime", "2025-10-02 04:00:00", "--store", store});
  ASSERT_EQ(params.exit_code, 0) << params.err;
  EXPECT_THAT(params.out, HasSubstr("bizdate = 20251001"));
  EXPECT_THAT(params.out, HasSubstr("hour = 04"));
  // A backfill of business date D runs at D+1 at the scheduled time: ${} is D, $[] that moment.
  CliResult dates = RunFerry({"params", "--node", "publish", "--cyctime", "2025-10-02 04:00:00",
                              "--store", store, "--raw", "${yyyymmdd}", "$[yyyymmdd hh24:mi]"});
  ASSERT_EQ(dates.exit_code, 0) << dates.err;
  EXPECT_EQ(dates.out, "20251001\n20251002 04:00\n");
  CliResult next =
      RunFerry({"params", "--node", "publish", "--store", store, "--raw", "$[hh24:mi]"});
  ASSERT_EQ(next.exit_code, 0) << next.err;
  EXPECT_EQ(next.out, "04:00\n");  // the next cycle's scheduled time
  // A time that is not one of the node's cycles is shown with a note naming its cycles.
  CliResult off = RunFerry({"params", "--node", "publish", "--cyctime", "2025-10-02 05:00:00",
                            "--store", store, "--raw", "$[hh24:mi]"});
  ASSERT_EQ(off.exit_code, 0) << off.err;
  EXPECT_EQ(off.out, "05:00\n");
  EXPECT_EQ(off.err,
            "note: 2025-10-02 05:00:00 is not a cycle of node \"publish\" (cron \"0 4 * * *\", "
            "Asia/Shanghai); its cycles that day: 04:00:00. The values below are for the time "
            "given.\n");
  EXPECT_TRUE(params.err.empty()) << params.err;

  CliResult backfill = RunFerry({"ops", "backfill", "extract", "--downstream", "--from", "20251001",
                                 "--to", "20251005", "--parallel", "2", "--store", store});
  ASSERT_EQ(backfill.exit_code, 0) << backfill.err;
  EXPECT_EQ(backfill.out,
            "backfill 1: 5 business date(s) 20251001..20251005, 3 node(s), 15 instance(s) created "
            "(ferry ops list shows them as [b1])\n");
  CliResult server = ServeUntilIdle(store);
  ASSERT_EQ(server.exit_code, 0) << server.err;

  json all = Instances(store);
  int succeeded = 0;
  for (const json& in : all) {
    if (in["backfill_id"] != 1) continue;
    EXPECT_EQ(in["state"], "succeeded") << in.dump();
    EXPECT_EQ(in["runs"], 1) << in.dump();
    ++succeeded;
  }
  EXPECT_EQ(succeeded, 15);
  // `ops list` pages, says where the page sits, and explains the [bN] marker.
  CliResult page = RunFerry({"ops", "list", "--limit", "4", "--page", "2", "--store", store});
  ASSERT_EQ(page.exit_code, 0) << page.err;
  EXPECT_EQ(std::count(page.out.begin(), page.out.end(), '\n'), 1 + 4 + 1) << page.out;
  EXPECT_THAT(page.out, HasSubstr(" [b1] "));
  EXPECT_THAT(page.out, HasSubstr("[bN]: an instance of backfill N (ferry ops backfill)"));
  EXPECT_THAT(page.err, HasSubstr("instances 5-8 of "));
  EXPECT_THAT(page.err, HasSubstr("; --page 3 for older ones; --limit 0 for all"));
  CliResult whole = RunFerry({"ops", "list", "--limit", "0", "--store", store});
  ASSERT_EQ(whole.exit_code, 0) << whole.err;
  EXPECT_TRUE(whole.err.empty()) << whole.err;
  for (int k = 1; k <= 5; ++k) {
    std::string date = "2025100" + std::to_string(k);
    EXPECT_EQ(SqliteRows(dir / "mart.db", "SELECT count(*) FROM t WHERE bizdate = '" + date + "'"),
              std::vector<std::string>{std::to_string(k)});
    std::string csv = ReadTextFile(dir / ("out/orders_" + date + ".csv"));
    EXPECT_EQ(std::count(csv.begin(), csv.end(), '\n'), k) << csv;
    EXPECT_THAT(csv, HasSubstr("," + date + "," + std::to_string(k * 100 + 1)));
  }
  // Only the five dates moved: 1+2+3+4+5 rows, never 6 or 7.
  EXPECT_EQ(SqliteRows(dir / "mart.db", "SELECT count(*), min(bizdate), max(bizdate) FROM t"),
            std::vector<std::string>{"15|20251001|20251005"});
  EXPECT_FALSE(FileExists(dir / "out/orders_20251006.csv"));

  // The log of a run is kept and shown.
  int64_t id = 0;
  for (const json& in : all) {
    if (in["node"] == "publish" && in["bizdate"] == "20251003") id = in["id"];
  }
  CliResult log = RunFerry({"ops", "log", std::to_string(id), "--store", store});
  ASSERT_EQ(log.exit_code, 0) << log.err;
  EXPECT_THAT(log.out, HasSubstr("3"));
  EXPECT_FALSE(log.out.empty());
}

TEST(ScheduleE2E, DeployRefusesBrokenProjectsAndKeepsTheDeployedOne) {
  TempDir dir;
  MakeChainProject(dir);
  std::string store = dir / "scheduler.db";
  ASSERT_EQ(RunFerry({"deploy", dir.path(), "--store", store}).exit_code, 0);

  std::string good = ReadTextFile(dir / "schedule.yaml");
  WriteTextFile(
      dir / "schedule.yaml",
      good + "  - {name: orphan, job: jobs/extract.json, cron: \"0 5 * * *\", upstream: [nope]}\n");
  CliResult unknown = RunFerry({"deploy", dir.path(), "--store", store});
  EXPECT_EQ(unknown.exit_code, 2);
  EXPECT_THAT(
      unknown.err,
      HasSubstr(
          "schedule.yaml:19: node \"orphan\": upstream \"nope\" is not a node of this schedule"));

  WriteTextFile(
      dir / "schedule.yaml",
      good +
          "  - {name: loop1, job: jobs/extract.json, cron: \"0 5 * * *\", upstream: [loop2]}\n"
          "  - {name: loop2, job: jobs/extract.json, cron: \"0 5 * * *\", upstream: [loop1]}\n");
  CliResult cycle = RunFerry({"deploy", dir.path(), "--store", store});
  EXPECT_EQ(cycle.exit_code, 2);
  EXPECT_THAT(cycle.err, HasSubstr("dependency cycle: loop1 -> loop2 -> loop1"));

  WriteTextFile(dir / "schedule.yaml",
                good + "  - {name: bad, job: jobs/bad.json, cron: \"0 5 * * *\"}\n");
  WriteTextFile(dir / "jobs/bad.json", R"({"type": "job", "steps": [
    {"stepType": "sqlite", "category": "reader", "name": "Reader",
     "parameter": {"path": "orders.db", "table": "orders", "column": ["id"], "splitPk": 7}},
    {"stepType": "sqlite", "category": "writer", "name": "Writer",
     "parameter": {"path": "mart.db", "table": "t", "column": ["id"]}}],
    "order": {"hops": [{"from": "Reader", "to": "Writer"}]}})");
  CliResult check = RunFerry({"deploy", dir.path(), "--store", store});
  EXPECT_EQ(check.exit_code, 2);
  EXPECT_THAT(check.err, HasSubstr("1 of 4 job(s) failed the check; nothing was deployed"));
  EXPECT_THAT(check.err, HasSubstr("node \"bad\" (jobs/bad.json, next cycle "));
  EXPECT_THAT(check.err, HasSubstr("splitPk: expected a string, found a number"));

  CliResult cron = RunFerry({"deploy", dir.path(), "--store", store});
  WriteTextFile(dir / "schedule.yaml",
                good + "  - {name: x, job: jobs/extract.json, cron: \"0 25 * * *\"}\n");
  cron = RunFerry({"deploy", dir.path(), "--store", store});
  EXPECT_EQ(cron.exit_code, 2);
  EXPECT_THAT(cron.err, HasSubstr("schedule.yaml:19: node \"x\": cron \"0 25 * * *\": hour field "
                                  "\"25\": 25 is out of range 0-23"));

  // Still the first deployment: three nodes.
  CliResult list = RunFerry({"schedule", "list", "--store", store});
  EXPECT_EQ(std::count(list.out.begin(), list.out.end(), '\n'), 4) << list.out;
  EXPECT_THAT(list.out, ::testing::Not(HasSubstr("orphan")));
}

TEST(ScheduleE2E, KillNineOfTheServerMidRunLosesNothingAndRunsNothingTwice) {
  TempDir dir;
  const int kRows = 30000;
  SqliteExec(dir / "dst.db", "CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT);");
  WriteSlowCopyProject(dir, {{"path", "dst.db"}, {"table", "t"}, {"column", {"id", "v"}}},
                       "sqlite");
  std::string store = dir / "scheduler.db";
  ASSERT_EQ(RunFerry({"deploy", dir.path(), "--store", store}).exit_code, 0);
  ASSERT_EQ(BackfillOneDate(store, "copy", "20251001"), 0);

  pid_t server =
      Spawn({"server", "--store", store, "--no-http", "--tick-ms", "20"}, dir / "server1.log");
  ASSERT_GT(server, 0);
  // Wait (bounded) until the job committed a split, then kill the server outright.
  std::string run_dir;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (std::chrono::steady_clock::now() < deadline) {
    json all = Instances(store);
    if (all.is_array() && !all.empty() && all[0]["state"] == "running" && all[0]["pid"] != 0) {
      run_dir = all[0]["run_dir"];
      std::string committed = ReadTextFile(run_dir + "/committed.log");
      if (std::count(committed.begin(), committed.end(), '\n') >= 1) break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ASSERT_FALSE(run_dir.empty()) << ReadTextFile(dir / "server1.log");
  ASSERT_EQ(kill(server, SIGKILL), 0);
  int status = 0;
  waitpid(server, &status, 0);
  EXPECT_EQ(Instances(store)[0]["state"], "running");

  // A new server adopts the job (still running in its own process group) and waits for it.
  CliResult again = ServeUntilIdle(store);
  ASSERT_EQ(again.exit_code, 0) << again.err;
  json in = Instances(store)[0];
  EXPECT_EQ(in["state"], "succeeded") << in.dump();
  EXPECT_EQ(in["runs"], 1) << in.dump();
  EXPECT_EQ(in["summary"]["records_written"], kRows) << in.dump();
  EXPECT_EQ(SqliteRows(dir / "dst.db", "SELECT count(*), count(DISTINCT id) FROM t"),
            std::vector<std::string>{"30000|30000"});
}

TEST(ScheduleE2E, StopAbortsTheRunCleanlyAndRerunFinishesIt) {
  TempDir dir;
  SqliteExec(dir / "dst.db", "CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT);");
  WriteSlowCopyProject(
      dir,
      {{"path", "dst.db"}, {"table", "t"}, {"column", {"id", "v"}}, {"preSql", {"DELETE FROM t"}}},
      "sqlite");
  std::string store = dir / "scheduler.db";
  ASSERT_EQ(RunFerry({"deploy", dir.path(), "--store", store}).exit_code, 0);
  ASSERT_EQ(BackfillOneDate(store, "copy", "20251001"), 0);
  pid_t server =
      Spawn({"server", "--store", store, "--no-http", "--tick-ms", "20"}, dir / "server.log");
  json running = WaitForInstance(
      store, [](const json& in) { return in["state"] == "running" && in["pid"] != 0; });
  std::string id = std::to_string(running["id"].get<int64_t>());
  CliResult stop = RunFerry({"ops", "stop", id, "--store", store});
  EXPECT_EQ(stop.exit_code, 0) << stop.err;
  json stopped = WaitForInstance(store, [](const json& in) { return in["state"] != "running"; });
  EXPECT_EQ(stopped["state"], "stopped") << stopped.dump();
  EXPECT_EQ(stopped["exit_code"], 143) << stopped.dump();
  EXPECT_EQ(stopped["message"], "stopped by an operator");
  EXPECT_THAT(ReadTextFile(stopped["run_dir"].get<std::string>() + "/../log.txt"),
              HasSubstr("FAILED"));
  CliResult again = RunFerry({"ops", "stop", id, "--store", store});
  EXPECT_EQ(again.exit_code, 2);
  EXPECT_EQ(again.err, "instance " + id + " is stopped: nothing to stop\n");

  ASSERT_EQ(RunFerry({"ops", "rerun", id, "--store", store}).exit_code, 0);
  WaitForInstance(store,
                  [](const json& in) { return in["state"] == "running" && in["runs"] == 2; });
  // A live tail: it prints while the run goes on and returns when it ended.
  CliResult follow = RunFerry({"ops", "log", id, "--follow", "--store", store});
  EXPECT_EQ(follow.exit_code, 0) << follow.err;
  EXPECT_THAT(follow.out, HasSubstr("Job status"));
  EXPECT_NE(Instances(store)[0]["state"], "running");
  json done = WaitForInstance(
      store, [](const json& in) { return in["state"] == "succeeded" || in["state"] == "failed"; });
  EXPECT_EQ(done["state"], "succeeded") << done.dump();
  EXPECT_EQ(done["runs"], 2);
  EXPECT_EQ(SqliteRows(dir / "dst.db", "SELECT count(*), count(DISTINCT id) FROM t"),
            std::vector<std::string>{"30000|30000"});
  kill(server, SIGTERM);
  int status = 0;
  waitpid(server, &status, 0);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << ReadTextFile(dir / "server.log");
}

TEST(ScheduleE2E, RerunOfARunThatFailedAfterCommittingSplitsWritesEachRowOnce) {
  TempDir dir;
  // 50 rows in 5 splits of 10, one at a time. The destination has no primary key, so a split
  // written twice shows as doubled rows; a trigger refuses id 45 (the last split) as a dirty
  // record, and errorLimit 0 fails the run after the first splits committed.
  SqliteExec(dir / "src.db",
             "CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT);"
             "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 50) "
             "INSERT INTO t SELECT i, 'value ' || i FROM n;");
  SqliteExec(dir / "dst.db",
             "CREATE TABLE t (id INTEGER, v TEXT);"
             "CREATE TRIGGER refuse BEFORE INSERT ON t WHEN NEW.id = 45 "
             "BEGIN SELECT RAISE(ABORT, 'id 45 is refused'); END;");
  WriteTextFile(dir / "copy.json",
                Job({{"path", "src.db"},
                     {"table", "t"},
                     {"column", {"id", "v"}},
                     {"splitPk", "id"},
                     {"splitFactor", 5}},
                    {{"path", "dst.db"}, {"table", "t"}, {"column", {"id", "v"}}})
                    .dump(2));
  WriteTextFile(dir / "schedule.yaml",
                "nodes:\n  - {name: copy, job: copy.json, cron: \"0 1 * * *\"}\n");
  std::string store = dir / "scheduler.db";
  ASSERT_EQ(RunFerry({"deploy", dir.path(), "--store", store}).exit_code, 0);
  ASSERT_EQ(BackfillOneDate(store, "copy", "20251001"), 0);
  CliResult first = ServeUntilIdle(store);
  ASSERT_EQ(first.exit_code, 0) << first.err;
  json failed = Instances(store)[0];
  ASSERT_EQ(failed["state"], "failed") << failed.dump();
  std::string id = std::to_string(failed["id"].get<int64_t>());
  std::string run_dir = failed["run_dir"];
  std::string committed_log = ReadTextFile(run_dir + "/committed.log");
  int64_t committed = std::count(committed_log.begin(), committed_log.end(), '\n');
  ASSERT_GE(committed, 1) << failed.dump();  // the case of issue 10: splits committed, then a fail
  ASSERT_LT(committed, 5) << failed.dump();
  EXPECT_EQ(SqliteRows(dir / "dst.db", "SELECT count(*) FROM t"),
            std::vector<std::string>{std::to_string(committed * 10)});

  // The cause is fixed; the operator reruns the instance: it resumes the failed run directory.
  SqliteExec(dir / "dst.db", "DROP TRIGGER refuse;");
  CliResult rerun = RunFerry({"ops", "rerun", id, "--store", store});
  ASSERT_EQ(rerun.exit_code, 0) << rerun.err;
  EXPECT_THAT(rerun.err, HasSubstr("instance " + id +
                                   " (copy 2025-10-02 01:00:00): rerun by an "
                                   "operator: resuming " +
                                   run_dir + "\n"));
  EXPECT_THAT(rerun.err, HasSubstr("1 instance(s) will run again"));
  CliResult second = ServeUntilIdle(store);
  ASSERT_EQ(second.exit_code, 0) << second.err;
  json done = Instances(store)[0];
  EXPECT_EQ(done["state"], "succeeded") << done.dump();
  EXPECT_EQ(done["runs"], 2) << done.dump();
  EXPECT_EQ(done["run_dir"], run_dir) << done.dump();
  EXPECT_EQ(done["summary"]["records_written"], 50) << done.dump();
  // Every source row exactly once.
  EXPECT_EQ(SqliteRows(dir / "dst.db", "SELECT count(*), count(DISTINCT id), sum(id) FROM t"),
            std::vector<std::string>{"50|50|1275"});
}

TEST(ScheduleE2E, ARunPastItsTimeoutIsStoppedFailedAndRetried) {
  TempDir dir;
  SqliteExec(dir / "dst.db", "CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT);");
  // 15 s of work: neither attempt can finish inside its 1 s (the scheduler's clock counts whole
  // seconds, so a timeout may fire up to a second late; a resumed retry starts from what the
  // first attempt committed).
  WriteSlowCopyProject(dir, {{"path", "dst.db"}, {"table", "t"}, {"column", {"id", "v"}}}, "sqlite",
                       2000);
  WriteTextFile(dir / "schedule.yaml",
                "nodes:\n  - {name: copy, job: copy.json, cron: \"0 1 * * *\", timeout: 1s, "
                "retries: 1, retry_interval: 0}\n");
  std::string store = dir / "scheduler.db";
  ASSERT_EQ(RunFerry({"deploy", dir.path(), "--store", store}).exit_code, 0);
  CliResult show = RunFerry({"schedule", "show", "copy", "--store", store});
  EXPECT_THAT(show.out, HasSubstr("timeout:        1s"));
  ASSERT_EQ(BackfillOneDate(store, "copy", "20251001"), 0);
  CliResult server = ServeUntilIdle(store, {"--timeout-grace", "10"});
  ASSERT_EQ(server.exit_code, 0) << server.err;
  json in = Instances(store)[0];
  EXPECT_EQ(in["state"], "failed") << in.dump();
  EXPECT_EQ(in["message"], "failed: timed out after 1s") << in.dump();
  EXPECT_EQ(in["runs"], 2) << in.dump();         // the retry timed out too
  EXPECT_EQ(in["exit_code"], 143) << in.dump();  // SIGTERM was enough: the job aborted cleanly
  EXPECT_EQ(in["summary"]["status"], "FAILED") << in.dump();
  EXPECT_THAT(server.err, HasSubstr("timed out after 1s: SIGTERM"));
  // Whatever was committed before the stops is there once.
  std::vector<std::string> rows =
      SqliteRows(dir / "dst.db", "SELECT count(*) = count(DISTINCT id), count(*) < 30000 FROM t");
  EXPECT_EQ(rows, std::vector<std::string>{"1|1"});
}

// Polls (bounded, 30 s) until `path` holds `text`.
bool WaitForText(const std::string& path, const std::string& text) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (std::chrono::steady_clock::now() < deadline) {
    if (ReadTextFile(path).find(text) != std::string::npos) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return false;
}

// Two servers on `store`; the first starts the one backfilled instance and is killed with
// SIGKILL in the middle of the run; the second takes over and sees it end. Returns the instance.
json KillTheLeaderMidRunAndTheFollowerTakesOver(const TempDir& dir, const std::string& store) {
  EXPECT_EQ(RunFerry({"deploy", dir.path(), "--store", store}).exit_code, 0);
  pid_t first = Spawn(
      {"server", "--store", store, "--no-http", "--tick-ms", "20", "--data-dir", dir / "data"},
      dir / "first.log");
  EXPECT_EQ(BackfillOneDate(store, "copy", "20251001"), 0);
  WaitForInstance(store, [](const json& in) { return in["state"] == "running" && in["pid"] != 0; });
  pid_t second = Spawn(
      {"server", "--store", store, "--no-http", "--tick-ms", "20", "--data-dir", dir / "data"},
      dir / "second.log");
  EXPECT_TRUE(WaitForText(dir / "second.log", "another server is scheduling on this store"))
      << ReadTextFile(dir / "second.log");
  EXPECT_EQ(kill(first, SIGKILL), 0);
  int status = 0;
  waitpid(first, &status, 0);
  auto killed = std::chrono::steady_clock::now();
  EXPECT_TRUE(WaitForText(dir / "second.log", "this server schedules now"))
      << ReadTextFile(dir / "second.log");
  EXPECT_LT(std::chrono::steady_clock::now() - killed, std::chrono::seconds(20));
  EXPECT_EQ(Instances(store)[0]["state"], "running");  // the job outlived the server
  json done = WaitForInstance(
      store, [](const json& in) { return in["state"] == "succeeded" || in["state"] == "failed"; });
  kill(second, SIGTERM);
  waitpid(second, &status, 0);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << ReadTextFile(dir / "second.log");
  return done;
}

TEST(ScheduleE2E, TwoServersOnOneStoreScheduleOneAtATimeAndTheSecondTakesOver) {
  TempDir dir;
  SqliteExec(dir / "dst.db", "CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT);");
  WriteSlowCopyProject(dir, {{"path", "dst.db"}, {"table", "t"}, {"column", {"id", "v"}}},
                       "sqlite");
  json done = KillTheLeaderMidRunAndTheFollowerTakesOver(dir, dir / "scheduler.db");
  EXPECT_EQ(done["state"], "succeeded") << done.dump();
  EXPECT_EQ(done["runs"], 1) << done.dump();
  EXPECT_EQ(SqliteRows(dir / "dst.db", "SELECT count(*), count(DISTINCT id) FROM t"),
            std::vector<std::string>{"30000|30000"});
}

TEST(ScheduleE2E, TwoServersOnAPostgresStoreAndTheLeaderKilledRunTheInstanceOnce) {
  TempDir dir;
  PgTestSchema schema;
  const PgServer& pg = TestPgServer();
  // No primary key on the destination: a second run would show as doubled rows.
  PgExec("CREATE TABLE " + schema / "dst" + " (id bigint, v text)");
  setenv("FERRY_TEST_PG_PASSWORD", pg.password.c_str(), 1);
  json connection = pg.ConnectionJson();
  connection.erase("password");
  connection["passwordEnv"] = "FERRY_TEST_PG_PASSWORD";
  WriteSlowCopyProject(dir,
                       {{"connection", connection},
                        {"table", schema / "dst"},
                        {"column", {"id", "v"}},
                        {"writeMode", "insert"}},
                       "postgresql");
  // The password is in the URL here, and must not reach any log.
  std::string store = pg.Url() + "?schema=" + schema.name();
  json done = KillTheLeaderMidRunAndTheFollowerTakesOver(dir, store);
  EXPECT_EQ(done["state"], "succeeded") << done.dump();
  EXPECT_EQ(done["runs"], 1) << done.dump();
  EXPECT_EQ(done["summary"]["records_written"], 30000) << done.dump();
  EXPECT_EQ(PgValue("SELECT count(*) || '|' || count(DISTINCT id) FROM " + schema / "dst"),
            "30000|30000");
  // The store's own tables say the same: the backfilled instance ran once, and nothing else ran
  // (the regular cycle of the coming night waits for its time).
  EXPECT_EQ(
      PgRows("SELECT node, state, runs FROM " + schema / "instances" + " WHERE backfill_id <> 0"),
      std::vector<std::string>{"copy|succeeded|1"});
  EXPECT_EQ(PgValue("SELECT sum(runs) FROM " + schema / "instances"), "1");
  for (const char* log : {"first.log", "second.log"}) {
    std::string text = ReadTextFile(dir / log);
    EXPECT_THAT(text, ::testing::Not(HasSubstr(pg.password))) << log;
  }
  EXPECT_THAT(ReadTextFile(dir / "second.log"),
              HasSubstr(fmt::format("postgresql://{}@{}:{}/{}?schema={}", pg.user, pg.host, pg.port,
                                    pg.database, schema.name())));
}

TEST(ScheduleE2E, APostgresStoreNamedByADataSource) {
  TempDir dir, home;
  PgTestSchema schema;
  const PgServer& pg = TestPgServer();
  setenv("FERRY_HOME", home.path().c_str(), 1);
  setenv("FERRY_TEST_PG_PASSWORD", pg.password.c_str(), 1);
  MakeChainProject(dir);
  ASSERT_EQ(RunFerry({"datasource", "add", "state", "--type", "postgresql", "--host", pg.host,
                      "--port", std::to_string(pg.port), "--database", pg.database, "--user",
                      pg.user, "--password-env", "FERRY_TEST_PG_PASSWORD"})
                .exit_code,
            0);
  std::string store = "datasource:state?schema=" + schema.name();
  CliResult deploy = RunFerry({"deploy", dir.path(), "--store", store});
  ASSERT_EQ(deploy.exit_code, 0) << deploy.err;
  EXPECT_THAT(deploy.err, HasSubstr("deployed 3 node(s) from "));
  EXPECT_THAT(deploy.err, HasSubstr(" to " + store));
  CliResult list = RunFerry({"schedule", "list", "--store", store});
  ASSERT_EQ(list.exit_code, 0) << list.err;
  EXPECT_THAT(list.out, HasSubstr("transform            0 3 * * *          Asia/Shanghai"));
  EXPECT_EQ(PgValue("SELECT count(*) FROM " + schema / "deployments"), "1");
  CliResult mysql = RunFerry({"schedule", "list", "--store", "datasource:nope"});
  EXPECT_NE(mysql.exit_code, 0);
  EXPECT_THAT(mysql.err, HasSubstr("nope"));
  unsetenv("FERRY_HOME");
}

TEST(ScheduleE2E, AServerOnAnotherAddressAsksForItsToken) {
  TempDir dir;
  MakeChainProject(dir);
  std::string store = dir / "scheduler.db";
  ASSERT_EQ(RunFerry({"deploy", dir.path(), "--store", store}).exit_code, 0);
  CliResult open = RunFerry({"server", "--store", store, "--listen", "0.0.0.0:0"});
  EXPECT_EQ(open.exit_code, 2);
  EXPECT_EQ(open.err, "--listen 0.0.0.0:0 is not a loopback address: give --token-file\n");
  WriteTextFile(dir / "short", "abc\n");
  CliResult shorter = RunFerry(
      {"server", "--store", store, "--listen", "0.0.0.0:0", "--token-file", dir / "short"});
  EXPECT_EQ(shorter.exit_code, 2);
  EXPECT_THAT(shorter.err, HasSubstr("the token must have at least 16 characters"));
  CliResult slots = RunFerry({"server", "--store", store, "--group-slots", "etl=0"});
  EXPECT_EQ(slots.exit_code, 2);
  EXPECT_EQ(slots.err, "--group-slots etl=0: expected GROUP=N, N >= 1\n");

  const std::string token = "s3cret-token-0123456789";
  WriteTextFile(dir / "token", token + "\n");
  pid_t server = Spawn({"server", "--store", store, "--listen", "0.0.0.0:0", "--token-file",
                        dir / "token", "--tick-ms", "50"},
                       dir / "server.log");
  ASSERT_TRUE(WaitForText(dir / "server.log", "ferry server: http://0.0.0.0:"))
      << ReadTextFile(dir / "server.log");
  std::string log = ReadTextFile(dir / "server.log");
  size_t at = log.find("http://0.0.0.0:") + 15;
  int port = std::stoi(log.substr(at, log.find('/', at) - at));
  httplib::Client client("127.0.0.1", port);
  // The page's own name (not loopback) is served, but only with the token.
  httplib::Headers host = {{"Host", "ferry.example:" + std::to_string(port)}};
  auto none = client.Get("/api/nodes", host);
  ASSERT_TRUE(none);
  EXPECT_EQ(none->status, 401);
  client.set_bearer_token_auth(token);
  auto ok = client.Get("/api/nodes", host);
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->status, 200);
  EXPECT_THAT(ok->body, HasSubstr("\"name\":\"publish\""));
  auto cross = client.Post(
      "/api/nodes/publish/freeze",
      {{"Host", "ferry.example"}, {"X-Ferry-Request", "1"}, {"Origin", "http://evil.example"}},
      "{}", "application/json");
  ASSERT_TRUE(cross);
  EXPECT_EQ(cross->status, 403);
  kill(server, SIGTERM);
  int status = 0;
  waitpid(server, &status, 0);
  EXPECT_THAT(ReadTextFile(dir / "server.log"), ::testing::Not(HasSubstr(token)));
}

TEST(ScheduleE2E, ARunThatFailsPostsItsAlertToTheWebhook) {
  TempDir dir;
  WebhookReceiver hook;
  SqliteExec(dir / "dst.db", "CREATE TABLE orders_dst (id INTEGER PRIMARY KEY, v TEXT);");
  WriteSlowCopyProject(dir, {{"path", "dst.db"}, {"table", "orders_dst"}, {"column", {"id", "v"}}},
                       "sqlite");
  WriteTextFile(dir / "schedule.yaml", "alerts:\n  - {on: failure, webhook: \"" + hook.url() +
                                           "?token=s3cret\"}\nnodes:\n  - {name: copy, job: "
                                           "copy.json, cron: \"0 1 * * *\"}\n");
  std::string store = dir / "scheduler.db";
  CliResult deploy = RunFerry({"deploy", dir.path(), "--store", store});
  ASSERT_EQ(deploy.exit_code, 0) << deploy.err;
  SqliteExec(dir / "dst.db", "DROP TABLE orders_dst;");  // published, then the table goes away
  ASSERT_EQ(BackfillOneDate(store, "copy", "20251001"), 0);
  CliResult server = ServeUntilIdle(store);
  ASSERT_EQ(server.exit_code, 0) << server.err;
  std::vector<json> got = hook.bodies();
  ASSERT_EQ(got.size(), 1u) << server.err;
  EXPECT_EQ(got[0]["event"], "failure");
  EXPECT_EQ(got[0]["node"], "copy");
  EXPECT_EQ(got[0]["bizdate"], "20251001");
  EXPECT_EQ(got[0]["state"], "failed");
  EXPECT_THAT(got[0]["message"].get<std::string>(), HasSubstr("orders_dst"));
  CliResult alerts = RunFerry({"ops", "alerts", "--store", store});
  ASSERT_EQ(alerts.exit_code, 0) << alerts.err;
  EXPECT_THAT(alerts.out, HasSubstr("failure         delivered   1  http://127.0.0.1:"));
  EXPECT_THAT(alerts.out, HasSubstr("/hook?token=***"));
  EXPECT_EQ((alerts.out + server.err).find("s3cret"), std::string::npos);
}

TEST(ScheduleE2E, OpsOnUnknownThingsSayWhat) {
  TempDir dir;
  MakeChainProject(dir);
  std::string store = dir / "scheduler.db";
  CliResult none = RunFerry(
      {"ops", "backfill", "extract", "--from", "20251001", "--to", "20251002", "--store", store});
  EXPECT_EQ(none.exit_code, 2);
  EXPECT_THAT(none.err, HasSubstr("nothing is deployed yet"));
  CliResult idle = RunFerry({"server", "--store", store, "--no-http", "--exit-when-idle"});
  EXPECT_EQ(idle.exit_code, 0) << idle.err;
  EXPECT_THAT(idle.err, HasSubstr("ferry server: nothing is deployed on this store yet; publish a "
                                  "project with `ferry deploy DIR --store " +
                                  store + "`"));
  ASSERT_EQ(RunFerry({"deploy", dir.path(), "--store", store}).exit_code, 0);
  CliResult rerun = RunFerry({"ops", "rerun", "42", "--store", store});
  EXPECT_EQ(rerun.exit_code, 2);
  EXPECT_EQ(rerun.err, "instance 42 does not exist\n");
  CliResult state = RunFerry({"ops", "list", "--state", "sleeping", "--store", store});
  EXPECT_EQ(state.exit_code, 2);
  EXPECT_EQ(state.err, "--state sleeping: unknown state\n");
  CliResult show = RunFerry({"schedule", "show", "zz", "--store", store});
  EXPECT_EQ(show.exit_code, 2);
  EXPECT_EQ(show.err, "node \"zz\" is not deployed\n");
  CliResult params =
      RunFerry({"params", "--node", "zz", "--cyctime", "2025-10-02 04:00:00", "--store", store});
  EXPECT_EQ(params.exit_code, 2);
  EXPECT_EQ(params.err, "--node: \"zz\" is not deployed\n");
  CliResult freeze = RunFerry({"ops", "freeze", "--node", "zz", "--store", store});
  EXPECT_EQ(freeze.exit_code, 2);
  EXPECT_EQ(freeze.err, "node \"zz\" is not deployed\n");
}

}  // namespace
}  // namespace ferry::testing
