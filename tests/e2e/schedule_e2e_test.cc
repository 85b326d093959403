// The scheduler end to end with the real binary: deploy a project folder (and refuse broken
// ones), preview parameters, backfill a three-node daily chain over five business dates, and
// kill -9 the server in the middle of a run without losing or doubling it.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>

#include <chrono>
#include <functional>
#include <nlohmann/json.hpp>
#include <thread>

#include "tests/support/ferry_cli.h"

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

json Instances(const std::string& store) {
  CliResult r = RunFerry({"ops", "list", "--json", "--store", store});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  return json::parse(r.out, nullptr, false);
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
  CliResult next = RunFerry({"params", "--node", "publish", "--store", store, "--raw", "$[hh24:mi]"});
  ASSERT_EQ(next.exit_code, 0) << next.err;
  EXPECT_EQ(next.out, "04:00\n");  // the next cycle's scheduled time

  CliResult backfill = RunFerry({"ops", "backfill", "extract", "--downstream", "--from", "20251001",
                                 "--to", "20251005", "--parallel", "2", "--store", store});
  ASSERT_EQ(backfill.exit_code, 0) << backfill.err;
  EXPECT_EQ(backfill.out, "backfill 1\n");
  CliResult server =
      RunFerry({"server", "--store", store, "--no-http", "--tick-ms", "20", "--exit-when-idle"});
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
     "parameter": {"path": "orders.db", "table": "orders", "column": ["id"], "splitpk": "id"}},
    {"stepType": "sqlite", "category": "writer", "name": "Writer",
     "parameter": {"path": "mart.db", "table": "t", "column": ["id"]}}],
    "order": {"hops": [{"from": "Reader", "to": "Writer"}]}})");
  CliResult check = RunFerry({"deploy", dir.path(), "--store", store});
  EXPECT_EQ(check.exit_code, 2);
  EXPECT_THAT(check.err, HasSubstr("1 of 4 job(s) failed the check; nothing was deployed"));
  EXPECT_THAT(check.err, HasSubstr("node \"bad\" (jobs/bad.json, next cycle "));
  EXPECT_THAT(check.err, HasSubstr("did you mean splitPk?"));

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

// Starts `ferry ARGS...` in the background with its output in `log`; returns its pid.
pid_t Spawn(const std::vector<std::string>& args, const std::string& log) {
  std::vector<std::string> argv_s = {"/bin/sh", "-c", "exec \"$0\" \"$@\" >>" + log + " 2>&1",
                                     FerryBinary()};
  argv_s.insert(argv_s.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (std::string& s : argv_s) argv.push_back(s.data());
  argv.push_back(nullptr);
  pid_t pid = 0;
  posix_spawn(&pid, "/bin/sh", nullptr, nullptr, argv.data(), environ);
  return pid;
}

// Polls (bounded, 30 s) the instances until `done` holds for the first one; returns it.
json WaitForInstance(const std::string& store, const std::function<bool(const json&)>& done) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  json last;
  while (std::chrono::steady_clock::now() < deadline) {
    json all = Instances(store);
    if (all.is_array() && !all.empty()) {
      last = all[0];
      if (done(last)) return last;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ADD_FAILURE() << "timed out; last seen " << last.dump();
  return last;
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

// A project of one node, `copy`: 30,000 rows from src.db to dst.db in ten splits at 10,000
// rows/s, so a run lasts about three seconds (long enough to act on it mid-run). Deployed, with
// one cycle backfilled; returns the store.
std::string DeployCopyProject(const TempDir& dir, json writer_extra = json::object()) {
  SqliteExec(dir / "src.db",
             "CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT);"
             "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 30000) "
             "INSERT INTO t SELECT i, 'value ' || i FROM n;");
  SqliteExec(dir / "dst.db", "CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT);");
  json writer = {{"path", "dst.db"}, {"table", "t"}, {"column", {"*"}}};
  writer.update(writer_extra);
  json job = Job({{"path", "src.db"},
                  {"table", "t"},
                  {"column", {"*"}},
                  {"splitPk", "id"},
                  {"splitFactor", 10}},
                 writer, 10000);
  WriteTextFile(dir / "copy.json", job.dump(2));
  WriteTextFile(dir / "schedule.yaml",
                "nodes:\n  - {name: copy, job: copy.json, cron: \"0 1 * * *\"}\n");
  std::string store = dir / "scheduler.db";
  EXPECT_EQ(RunFerry({"deploy", dir.path(), "--store", store}).exit_code, 0);
  EXPECT_EQ(RunFerry({"ops", "backfill", "copy", "--from", "20251001", "--to", "20251001",
                      "--store", store})
                .exit_code,
            0);
  return store;
}

struct StartedServer {
  pid_t pid = 0;
  json instance;  // the first instance, running in its own process
};

// Starts `ferry server` on `store` (output in `log`) and waits (bounded) until the first instance
// is running.
StartedServer StartServerAndWaitForTheRun(const std::string& store, const std::string& log) {
  StartedServer s;
  s.pid = Spawn({"server", "--store", store, "--no-http", "--tick-ms", "20"}, log);
  EXPECT_GT(s.pid, 0);
  s.instance = WaitForInstance(
      store, [](const json& in) { return in["state"] == "running" && in["pid"] != 0; });
  return s;
}

TEST(ScheduleE2E, KillNineOfTheServerMidRunLosesNothingAndRunsNothingTwice) {
  TempDir dir;
  const int kRows = 30000;
  std::string store = DeployCopyProject(dir);
  StartedServer started = StartServerAndWaitForTheRun(store, dir / "server1.log");
  pid_t server = started.pid;
  // Once the job committed a split, kill the server outright.
  std::string run_dir = started.instance.value("run_dir", "");
  ASSERT_FALSE(run_dir.empty()) << ReadTextFile(dir / "server1.log");
  ASSERT_TRUE(WaitForText(run_dir + "/committed.log", "\n")) << ReadTextFile(dir / "server1.log");
  ASSERT_EQ(kill(server, SIGKILL), 0);
  int status = 0;
  waitpid(server, &status, 0);
  EXPECT_EQ(Instances(store)[0]["state"], "running");

  // A new server adopts the job (still running in its own process group) and waits for it.
  CliResult again =
      RunFerry({"server", "--store", store, "--no-http", "--tick-ms", "20", "--exit-when-idle"});
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
  std::string store = DeployCopyProject(dir, {{"preSql", {"DELETE FROM t"}}});
  auto [server, running] = StartServerAndWaitForTheRun(store, dir / "server.log");
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

TEST(ScheduleE2E, TwoServersOnOneStoreScheduleOneAtATimeAndTheSecondTakesOver) {
  TempDir dir;
  std::string store = DeployCopyProject(dir);
  pid_t first = StartServerAndWaitForTheRun(store, dir / "first.log").pid;
  pid_t second =
      Spawn({"server", "--store", store, "--no-http", "--tick-ms", "20"}, dir / "second.log");
  ASSERT_TRUE(WaitForText(dir / "second.log", "another server holds the store's lease"))
      << ReadTextFile(dir / "second.log");
  ASSERT_EQ(kill(first, SIGKILL), 0);
  int status = 0;
  waitpid(first, &status, 0);
  EXPECT_TRUE(WaitForText(dir / "second.log", "this server schedules now"))
      << ReadTextFile(dir / "second.log");
  json done = WaitForInstance(
      store, [](const json& in) { return in["state"] == "succeeded" || in["state"] == "failed"; });
  EXPECT_EQ(done["state"], "succeeded") << done.dump();
  EXPECT_EQ(done["runs"], 1) << done.dump();
  EXPECT_EQ(SqliteRows(dir / "dst.db", "SELECT count(*), count(DISTINCT id) FROM t"),
            std::vector<std::string>{"30000|30000"});
  kill(second, SIGTERM);
  waitpid(second, &status, 0);
}

TEST(ScheduleE2E, OpsOnUnknownThingsSayWhat) {
  TempDir dir;
  MakeChainProject(dir);
  std::string store = dir / "scheduler.db";
  CliResult none = RunFerry(
      {"ops", "backfill", "extract", "--from", "20251001", "--to", "20251002", "--store", store});
  EXPECT_EQ(none.exit_code, 2);
  EXPECT_THAT(none.err, HasSubstr("nothing is deployed yet"));
  ASSERT_EQ(RunFerry({"deploy", dir.path(), "--store", store}).exit_code, 0);
  CliResult rerun = RunFerry({"ops", "rerun", "42", "--store", store});
  EXPECT_EQ(rerun.exit_code, 2);
  EXPECT_EQ(rerun.err, "instance 42 does not exist\n");
  CliResult state = RunFerry({"ops", "list", "--state", "sleeping", "--store", store});
  EXPECT_EQ(state.exit_code, 2);
  EXPECT_EQ(state.err, "--state sleeping: unknown state\n");
}

}  // namespace
}  // namespace ferry::testing
