// The scheduler with a hand-set clock and a fake launcher: cycles, dependencies across
// frequencies, resource slots, retries, every operation's state changes, backfill order and
// parallelism, and a restart after the scheduler was killed mid-run. Nothing here sleeps.
// Every case runs on both stores: a SQLite file and a schema of the PostgreSQL test server.
#include "ferry/schedule/scheduler.h"

#include <date/date.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>

#include <algorithm>
#include <filesystem>
#include <set>
#include <thread>

#include "ferry/exec/run_dir.h"
#include "ferry/schedule/operations.h"
#include "tests/support/ferry_cli.h"
#include "tests/support/pg_test_server.h"
#include "tests/support/scheduler_fixture.h"
#include "tests/support/test_store.h"

namespace ferry {
namespace {

using ::ferry::testing::FakeClock;
using ::ferry::testing::FakeLauncher;
using ::ferry::testing::SchedScheduler;
using ::ferry::testing::TempDir;
using ::ferry::testing::TestStoreLocation;
using ::ferry::testing::Utc;
using ::ferry::testing::WriteTextFile;
using ::testing::HasSubstr;

constexpr const char* kChain = R"(
nodes:
  - {name: a, job: a.json, cron: "0 2 * * *", params: "bizdate=$bizdate hour=$[hh24]"}
  - {name: b, job: b.json, cron: "0 2 * * *", upstream: [a]}
  - {name: c, job: c.json, cron: "0 2 * * *", upstream: b}
)";

TEST_P(SchedScheduler, RunsEachCycleWhenItsTimeComes) {
  Deploy(kChain, Utc(2026, 11, 26, 0, 0));
  TickReport r = Tick();
  EXPECT_EQ(r.created, 3);  // one cycle each within the next 24 hours
  EXPECT_EQ(State("a", "2026-11-26 02:00:00"), "waiting_time");
  EXPECT_EQ(Get("a", "2026-11-26 02:00:00").bizdate, "20261125");
  clock_.now = Utc(2026, 11, 26, 2, 0);
  r = Tick();
  EXPECT_EQ(r.started, 1);
  EXPECT_EQ(State("a", "2026-11-26 02:00:00"), "running");
  EXPECT_EQ(State("b", "2026-11-26 02:00:00"), "waiting_upstream");
  EXPECT_THAT(Get("b", "2026-11-26 02:00:00").message,
              HasSubstr("waiting for a 2026-11-26 02:00:00 (running)"));
  const auto& argv = launcher_.procs.begin()->second.request.argv;
  EXPECT_THAT(argv, ::testing::ElementsAre("/usr/bin/ferry", "run", HasSubstr("/run-1/a.json"),
                                           "--cyctime", "2026-11-26 02:00:00", "--summary-json",
                                           HasSubstr("/run-1/summary.json"), "--run-dir",
                                           HasSubstr("/run-1/run"), "--params",
                                           "bizdate=$bizdate hour=$[hh24]"));
  EXPECT_EQ(launcher_.procs.begin()->second.request.cwd, dir_.path());
  End("a", "2026-11-26 02:00:00", 0);
  Tick();
  EXPECT_EQ(State("a", "2026-11-26 02:00:00"), "succeeded");
  EXPECT_EQ(State("b", "2026-11-26 02:00:00"), "running");
  EXPECT_THAT(Get("a", "2026-11-26 02:00:00").summary, HasSubstr("\"records_read\":10"));
  // Ticking again creates nothing twice.
  EXPECT_EQ(Tick().created, 0);
}

TEST_P(SchedScheduler, DailyNodeWaitsForAllHourlyInstancesOfItsDay) {
  Deploy(R"(
nodes:
  - {name: h, job: h.json, cron: "0 * * * *"}
  - {name: d, job: d.json, cron: "0 1 * * *", upstream: [h]}
)",
         Utc(2026, 11, 25, 23, 59));
  for (int hour = 0; hour < 24; ++hour) {
    clock_.now = Utc(2026, 11, 26, hour, 0);
    Tick();
    End("h", fmt::format("2026-11-26 {:02}:00:00", hour), 0);
    Tick();
    if (hour >= 1 && hour < 23) {
      EXPECT_EQ(State("d", "2026-11-26 01:00:00"), "waiting_upstream") << hour;
    }
  }
  EXPECT_EQ(State("d", "2026-11-26 01:00:00"), "running");
}

TEST_P(SchedScheduler, HourlyNodeWaitsForItsDaysDailyUpstream) {
  Deploy(R"(
nodes:
  - {name: d, job: d.json, cron: "0 1 * * *"}
  - {name: h, job: h.json, cron: "0 * * * *", upstream: d}
)",
         Utc(2026, 11, 25, 23, 59));
  clock_.now = Utc(2026, 11, 26, 1, 0);
  Tick();
  EXPECT_EQ(State("h", "2026-11-26 00:00:00"), "waiting_upstream");
  End("d", "2026-11-26 01:00:00", 0);
  Tick();
  EXPECT_EQ(Running(),
            (std::vector<std::string>{"h 2026-11-26 00:00:00", "h 2026-11-26 01:00:00"}));
}

TEST_P(SchedScheduler, CyclesInADaylightSavingGapRunWhenTheGapEnds) {
  // New York skips 02:00-03:00 on 2026-03-08: the 02:30 cycle runs at 03:00 EDT (07:00Z), with
  // its own wall-clock cyctime.
  Deploy(R"(
nodes:
  - {name: a, job: a.json, cron: "30 2 * * *", timezone: America/New_York}
)",
         Utc(2026, 3, 7, 12));
  Tick();
  EXPECT_EQ(State("a", "2026-03-08 02:30:00"), "waiting_time");
  clock_.now = Utc(2026, 3, 8, 6, 59, 59);
  Tick();
  EXPECT_EQ(State("a", "2026-03-08 02:30:00"), "waiting_time");
  clock_.now = Utc(2026, 3, 8, 7, 0, 0);
  Tick();
  EXPECT_EQ(State("a", "2026-03-08 02:30:00"), "running");
  EXPECT_EQ(Get("a", "2026-03-08 02:30:00").bizdate, "20260307");
  EXPECT_THAT(launcher_.procs.begin()->second.request.argv,
              ::testing::Contains("2026-03-08 02:30:00"));
  // The next day is back to 02:30 local = 06:30Z.
  EXPECT_EQ(Get("a", "2026-03-09 02:30:00").fire_at,
            (Utc(2026, 3, 9, 6, 30)).time_since_epoch().count());
}

TEST_P(SchedScheduler, RedeployWithANewCronReplacesTheFutureCycles) {
  Deploy(kChain, Utc(2026, 11, 26, 1));
  Tick();
  EXPECT_EQ(State("a", "2026-11-26 02:00:00"), "waiting_time");
  Deploy(R"(
nodes:
  - {name: a, job: a.json, cron: "0 5 * * *"}
  - {name: b, job: b.json, cron: "0 2 * * *", upstream: [a]}
  - {name: c, job: c.json, cron: "0 2 * * *", upstream: b}
)",
         Utc(2026, 11, 26, 1, 30));
  Tick();
  auto old = store_->Find("a", *ParseCyctime("2026-11-26 02:00:00"), 0);
  EXPECT_FALSE(old->has_value());
  EXPECT_EQ(State("a", "2026-11-26 05:00:00"), "waiting_time");
  // Unchanged nodes keep theirs.
  EXPECT_EQ(Get("b", "2026-11-26 02:00:00").node, "b");
}

TEST_P(SchedScheduler, ResourceGroupSlotsLimitRunningInstances) {
  Deploy(R"(
nodes:
  - {name: a, job: a.json, cron: "0 2 * * *", resource_group: etl, priority: 1}
  - {name: b, job: b.json, cron: "0 2 * * *", resource_group: etl, priority: 3}
  - {name: c, job: c.json, cron: "0 2 * * *", resource_group: etl, priority: 2}
  - {name: d, job: d.json, cron: "0 2 * * *"}
)",
         Utc(2026, 11, 26));
  MakeScheduler(/*slots=*/2);
  clock_.now = Utc(2026, 11, 26, 2);
  Tick();
  // The two highest priorities of etl run; the default group has its own slots.
  EXPECT_EQ(Running(), (std::vector<std::string>{"b 2026-11-26 02:00:00", "c 2026-11-26 02:00:00",
                                                 "d 2026-11-26 02:00:00"}));
  EXPECT_EQ(State("a", "2026-11-26 02:00:00"), "waiting_resources");
  EXPECT_EQ(Get("a", "2026-11-26 02:00:00").message, "resource group \"etl\": all 2 slot(s) busy");
  End("b", "2026-11-26 02:00:00", 0);
  Tick();
  EXPECT_EQ(State("a", "2026-11-26 02:00:00"), "running");
  // A run goes to its node's resource group (its hosts, for a distribute job); "default" left
  // undefined is this machine: no flag.
  auto argv = [&](const std::string& node) {
    return launcher_.procs.at(Get(node, "2026-11-26 02:00:00").pid).request.argv;
  };
  EXPECT_THAT(argv("a"), ::testing::IsSupersetOf({"--resource-group", "etl"}));
  EXPECT_THAT(argv("d"), ::testing::Not(::testing::Contains("--resource-group")));
}

TEST_P(SchedScheduler, ADefinedDefaultResourceGroupIsPassedToTheRun) {
  WriteTextFile(dir_ / "home/resource_groups.json",
                R"({"resource_groups": {"default": {"hosts": "h1:4,h2:4"}}})");
  Deploy("nodes:\n  - {name: d, job: d.json, cron: \"0 2 * * *\"}\n", Utc(2026, 11, 26));
  clock_.now = Utc(2026, 11, 26, 2);
  Tick();
  const auto& argv = launcher_.procs.at(Get("d", "2026-11-26 02:00:00").pid).request.argv;
  EXPECT_THAT(argv, ::testing::IsSupersetOf({"--resource-group", "default"}));
}

TEST_P(SchedScheduler, FailedRunRetriesAfterItsIntervalThenFails) {
  Deploy(R"(
nodes:
  - {name: a, job: a.json, cron: "0 2 * * *", retries: 1, retry_interval: 60}
)",
         Utc(2026, 11, 26));
  clock_.now = Utc(2026, 11, 26, 2);
  Tick();
  Instance first = Get("a", "2026-11-26 02:00:00");
  // The failed run got as far as planning: the retry resumes its run directory.
  WriteTextFile(first.run_dir + "/plan.json", "[]");
  End("a", "2026-11-26 02:00:00", 1);
  Tick();
  Instance waiting = Get("a", "2026-11-26 02:00:00");
  EXPECT_EQ(StateName(waiting.state), std::string("waiting_time"));
  EXPECT_EQ(waiting.message, "failed: boom; retry 1 of 1 at 2026-11-26T02:01:00Z");
  clock_.now += std::chrono::seconds{59};
  Tick();
  EXPECT_EQ(State("a", "2026-11-26 02:00:00"), "waiting_time");
  clock_.now += std::chrono::seconds{1};
  Tick();
  Instance second = Get("a", "2026-11-26 02:00:00");
  EXPECT_EQ(StateName(second.state), std::string("running"));
  EXPECT_EQ(second.runs, 2);
  EXPECT_THAT(launcher_.procs.at(second.pid).request.argv,
              ::testing::ElementsAre("/usr/bin/ferry", "run", "--resume", first.run_dir,
                                     "--summary-json", HasSubstr("/run-2/summary.json")));
  End("a", "2026-11-26 02:00:00", 1);
  Tick();
  EXPECT_EQ(State("a", "2026-11-26 02:00:00"), "failed");
  EXPECT_EQ(Get("a", "2026-11-26 02:00:00").message, "failed: boom");
}

TEST_P(SchedScheduler, ARetryOfARunThatFailedBeforePlanningStartsInANewRunDirectory) {
  Deploy(R"(
nodes:
  - {name: a, job: a.json, cron: "0 2 * * *", retries: 1, retry_interval: 0}
)",
         Utc(2026, 11, 26, 2));
  Tick();
  Instance first = Get("a", "2026-11-26 02:00:00");
  End("a", "2026-11-26 02:00:00", 2);  // no plan.json: it failed in its checks, nothing written
  Tick();
  Tick();
  Instance second = Get("a", "2026-11-26 02:00:00");
  ASSERT_EQ(second.state, InstanceState::kRunning);
  EXPECT_NE(second.run_dir, first.run_dir);
  EXPECT_THAT(second.run_dir, HasSubstr("/run-2/run"));
  const auto& argv = launcher_.procs.at(second.pid).request.argv;
  EXPECT_THAT(argv, ::testing::Not(::testing::Contains("--resume")));
  EXPECT_THAT(argv, ::testing::Contains(second.run_dir));
}

TEST_P(SchedScheduler, ARunPastItsTimeoutIsStoppedThenKilledAndRetried) {
  Deploy(R"(
nodes:
  - {name: a, job: a.json, cron: "0 2 * * *", timeout: 30m, retries: 1, retry_interval: 60}
  - {name: b, job: b.json, cron: "0 2 * * *", upstream: a}
)",
         Utc(2026, 11, 26, 2));
  Tick();
  Instance first = Get("a", "2026-11-26 02:00:00");
  ASSERT_EQ(first.state, InstanceState::kRunning);
  clock_.now += std::chrono::minutes{30} - std::chrono::seconds{1};
  Tick();
  EXPECT_TRUE(launcher_.signals.empty());
  clock_.now += std::chrono::seconds{1};
  Tick();
  EXPECT_EQ(launcher_.signals, (std::vector<std::pair<int64_t, int>>{{first.pid, SIGTERM}}));
  Instance stopping = Get("a", "2026-11-26 02:00:00");
  EXPECT_EQ(StateName(stopping.state), std::string("running"));
  EXPECT_EQ(stopping.message, "timed out after 30m: stopping (SIGTERM sent)");
  // It ignores SIGTERM: after the grace (30 s by default) it gets SIGKILL, once a tick.
  clock_.now += std::chrono::seconds{29};
  Tick();
  EXPECT_EQ(launcher_.signals.size(), 1u);
  clock_.now += std::chrono::seconds{1};
  Tick();
  EXPECT_EQ(launcher_.signals.back(), (std::pair<int64_t, int>{first.pid, SIGKILL}));
  launcher_.Die(first.pid, 128 + SIGKILL);
  Tick();
  Instance retrying = Get("a", "2026-11-26 02:00:00");
  EXPECT_EQ(StateName(retrying.state), std::string("waiting_time"));
  EXPECT_EQ(retrying.message, "failed: timed out after 30m; retry 1 of 1 at 2026-11-26T02:31:30Z");
  EXPECT_EQ(retrying.exit_code, std::optional<int>(137));
  EXPECT_EQ(State("b", "2026-11-26 02:00:00"), "waiting_upstream");
  // The retry has the whole timeout again; this time SIGTERM ends it cleanly.
  clock_.now += std::chrono::seconds{60};
  Tick();
  Instance second = Get("a", "2026-11-26 02:00:00");
  ASSERT_EQ(second.state, InstanceState::kRunning);
  EXPECT_EQ(second.runs, 2);
  EXPECT_EQ(second.timed_out_at, 0);
  clock_.now += std::chrono::minutes{30};
  Tick();
  EXPECT_EQ(launcher_.signals.back(), (std::pair<int64_t, int>{second.pid, SIGTERM}));
  launcher_.End(second.pid, 143, "FAILED");
  Tick();
  EXPECT_EQ(State("a", "2026-11-26 02:00:00"), "failed");
  EXPECT_EQ(Get("a", "2026-11-26 02:00:00").message, "failed: timed out after 30m");
}

TEST_P(SchedScheduler, ARunThatEndsInTimeIsNotTouched) {
  Deploy(R"(
nodes:
  - {name: a, job: a.json, cron: "0 2 * * *", timeout: 90}
)",
         Utc(2026, 11, 26, 2));
  Tick();
  clock_.now += std::chrono::seconds{89};
  End("a", "2026-11-26 02:00:00", 0);
  clock_.now += std::chrono::seconds{10};
  Tick();
  EXPECT_EQ(State("a", "2026-11-26 02:00:00"), "succeeded");
  EXPECT_TRUE(launcher_.signals.empty());
}

TEST_P(SchedScheduler, StopSendsSigtermAndEndsStopped) {
  Deploy(kChain, Utc(2026, 11, 26, 2));
  Tick();
  Instance a = Get("a", "2026-11-26 02:00:00");
  ASSERT_EQ(a.state, InstanceState::kRunning);
  ASSERT_TRUE(ops_->Stop(a.id).ok());
  EXPECT_EQ(launcher_.signals, (std::vector<std::pair<int64_t, int>>{{a.pid, SIGTERM}}));
  launcher_.End(a.pid, 143, "FAILED");
  Tick();
  EXPECT_EQ(State("a", "2026-11-26 02:00:00"), "stopped");
  EXPECT_EQ(State("b", "2026-11-26 02:00:00"), "waiting_upstream");
  // A pending instance stops at once; a stopped one has nothing to stop.
  Instance b = Get("b", "2026-11-26 02:00:00");
  ASSERT_TRUE(ops_->Stop(b.id).ok());
  EXPECT_EQ(State("b", "2026-11-26 02:00:00"), "stopped");
  Status again = ops_->Stop(b.id);
  EXPECT_EQ(again.code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(again.message(), fmt::format("instance {} is stopped: nothing to stop", b.id));
}

// Asks to stop the instance while it is being spawned (the launcher is running Start).
class StopDuringSpawnLauncher : public FakeLauncher {
 public:
  Result<ProcessId> Start(const LaunchRequest& request) override {
    auto running = ops->Get(1);
    if (running.ok()) {
      EXPECT_TRUE(ops->Stop(running->id).ok());
    }
    return FakeLauncher::Start(request);
  }
  Operations* ops = nullptr;
};

TEST_P(SchedScheduler, StopWhileSpawningStillStops) {
  Deploy(kChain, Utc(2026, 11, 26, 2));
  StopDuringSpawnLauncher launcher;
  SchedulerOptions options;
  options.ferry_binary = "/usr/bin/ferry";
  options.data_dir = dir_ / "data";
  Scheduler scheduler(store_.get(), &launcher, &clock_, options);
  Operations ops(store_.get(), &launcher, &clock_);
  launcher.ops = &ops;
  ASSERT_TRUE(scheduler.Tick().ok());
  Instance a = Get("a", "2026-11-26 02:00:00");
  EXPECT_TRUE(a.stop_requested);
  EXPECT_NE(a.pid, 0);
  EXPECT_EQ(launcher.signals, (std::vector<std::pair<int64_t, int>>{{a.pid, SIGTERM}}));
}

TEST_P(SchedScheduler, RerunWithDownstreamRunsTheChainAgain) {
  Deploy(kChain, Utc(2026, 11, 26, 2));
  for (const char* n : {"a", "b", "c"}) {
    Tick();
    End(n, "2026-11-26 02:00:00", 0);
  }
  Tick();
  EXPECT_EQ(State("c", "2026-11-26 02:00:00"), "succeeded");
  Instance a = Get("a", "2026-11-26 02:00:00");
  auto alone = ops_->Rerun(Get("c", "2026-11-26 02:00:00").id, {});
  ASSERT_TRUE(alone.ok());
  EXPECT_EQ(alone->size(), 1u);
  auto ids = ops_->Rerun(a.id, {.with_downstream = true});
  ASSERT_TRUE(ids.ok()) << ids.status().message();
  EXPECT_EQ(ids->size(), 3u);
  EXPECT_EQ(State("c", "2026-11-26 02:00:00"), "not_run");
  Tick();
  EXPECT_EQ(Running(), (std::vector<std::string>{"a 2026-11-26 02:00:00"}));
  EXPECT_EQ(State("b", "2026-11-26 02:00:00"), "waiting_upstream");
  EXPECT_EQ(Get("a", "2026-11-26 02:00:00").runs, 2);
  // A running instance is not rerun.
  Status busy = ops_->Rerun(a.id, {}).status();
  EXPECT_EQ(busy.message(), fmt::format("instance {} is running: stop it first", a.id));
}

TEST_P(SchedScheduler, RerunOfARunThatFailedAfterPlanningResumesItsRunDirectory) {
  Deploy(kChain, Utc(2026, 11, 26, 2));
  Tick();
  Instance first = Get("a", "2026-11-26 02:00:00");
  WriteTextFile(first.run_dir + "/plan.json", "[]");
  End("a", "2026-11-26 02:00:00", 1);
  Tick();
  ASSERT_EQ(State("a", "2026-11-26 02:00:00"), "failed");

  auto rerun = ops_->Rerun(first.id, {});
  ASSERT_TRUE(rerun.ok()) << rerun.status().message();
  ASSERT_EQ(rerun->size(), 1u);
  EXPECT_TRUE(rerun->front().resume);
  EXPECT_EQ(rerun->front().message, "rerun by an operator: resuming " + first.run_dir);
  EXPECT_EQ(Get("a", "2026-11-26 02:00:00").message,
            "rerun by an operator: resuming " + first.run_dir);
  Tick();
  Instance second = Get("a", "2026-11-26 02:00:00");
  ASSERT_EQ(second.state, InstanceState::kRunning);
  EXPECT_EQ(second.runs, 2);
  EXPECT_EQ(second.run_dir, first.run_dir);
  EXPECT_EQ(second.message, "resuming " + first.run_dir);
  EXPECT_THAT(launcher_.procs.at(second.pid).request.argv,
              ::testing::ElementsAre("/usr/bin/ferry", "run", "--resume", first.run_dir,
                                     "--summary-json", HasSubstr("/run-2/summary.json")));
  End("a", "2026-11-26 02:00:00", 0);
  Tick();
  ASSERT_EQ(State("a", "2026-11-26 02:00:00"), "succeeded");

  // A succeeded run has nothing left to resume: its rerun loads everything again.
  auto again = ops_->Rerun(first.id, {});
  ASSERT_TRUE(again.ok()) << again.status().message();
  EXPECT_FALSE(again->front().resume);
  EXPECT_EQ(again->front().message, "rerun by an operator: starting over (its last run succeeded)");
  Tick();
  Instance third = Get("a", "2026-11-26 02:00:00");
  ASSERT_EQ(third.state, InstanceState::kRunning);
  EXPECT_THAT(third.run_dir, HasSubstr("/run-3/run"));
  const auto& argv = launcher_.procs.at(third.pid).request.argv;
  EXPECT_THAT(argv, ::testing::Not(::testing::Contains("--resume")));
  EXPECT_THAT(argv, ::testing::Contains(third.run_dir));
}

TEST_P(SchedScheduler, RerunFromScratchStartsAFailedRunOverInANewRunDirectory) {
  Deploy(kChain, Utc(2026, 11, 26, 2));
  Tick();
  Instance first = Get("a", "2026-11-26 02:00:00");
  WriteTextFile(first.run_dir + "/plan.json", "[]");
  End("a", "2026-11-26 02:00:00", 1);
  Tick();
  auto rerun = ops_->Rerun(first.id, {.from_scratch = true});
  ASSERT_TRUE(rerun.ok()) << rerun.status().message();
  EXPECT_FALSE(rerun->front().resume);
  EXPECT_EQ(rerun->front().message,
            "rerun by an operator: from scratch in a new run directory (not resuming " +
                first.run_dir + ": what it committed stays unless the job clears it)");
  Tick();
  Instance second = Get("a", "2026-11-26 02:00:00");
  ASSERT_EQ(second.state, InstanceState::kRunning);
  EXPECT_NE(second.run_dir, first.run_dir);
  EXPECT_THAT(
      launcher_.procs.at(second.pid).request.argv,
      ::testing::ElementsAre("/usr/bin/ferry", "run", HasSubstr("/run-2/a.json"), "--cyctime",
                             "2026-11-26 02:00:00", "--summary-json",
                             HasSubstr("/run-2/summary.json"), "--run-dir", HasSubstr("/run-2/run"),
                             "--params", "bizdate=$bizdate hour=$[hh24]"));
}

TEST_P(SchedScheduler, RerunResumesAStoppedRunButNotOneThatNeverPlanned) {
  Deploy(R"(
nodes:
  - {name: a, job: a.json, cron: "0 2 * * *"}
  - {name: b, job: b.json, cron: "0 2 * * *"}
)",
         Utc(2026, 11, 26, 2));
  Tick();
  Instance a = Get("a", "2026-11-26 02:00:00"), b = Get("b", "2026-11-26 02:00:00");
  // a is stopped mid-run after planning; b fails before it planned (a bad connection, say).
  WriteTextFile(a.run_dir + "/plan.json", "[]");
  ASSERT_TRUE(ops_->Stop(a.id).ok());
  launcher_.End(a.pid, 143, "FAILED");
  launcher_.End(b.pid, 1);
  Tick();
  ASSERT_EQ(State("a", "2026-11-26 02:00:00"), "stopped");
  ASSERT_EQ(State("b", "2026-11-26 02:00:00"), "failed");
  EXPECT_EQ(ops_->Rerun(a.id, {})->front().message, "rerun by an operator: resuming " + a.run_dir);
  EXPECT_EQ(ops_->Rerun(b.id, {})->front().message, "rerun by an operator");
  Tick();
  Instance a2 = Get("a", "2026-11-26 02:00:00"), b2 = Get("b", "2026-11-26 02:00:00");
  EXPECT_THAT(launcher_.procs.at(a2.pid).request.argv,
              ::testing::ElementsAre("/usr/bin/ferry", "run", "--resume", a.run_dir,
                                     "--summary-json", HasSubstr("/run-2/summary.json")));
  EXPECT_THAT(launcher_.procs.at(b2.pid).request.argv,
              ::testing::Not(::testing::Contains("--resume")));
  EXPECT_THAT(b2.run_dir, HasSubstr("/run-2/run"));
}

TEST_P(SchedScheduler, RerunOfAnInstanceWaitingForItsRetryStillResumes) {
  Deploy(R"(
nodes:
  - {name: a, job: a.json, cron: "0 2 * * *", retries: 3, retry_interval: 3600}
)",
         Utc(2026, 11, 26, 2));
  Tick();
  Instance first = Get("a", "2026-11-26 02:00:00");
  WriteTextFile(first.run_dir + "/plan.json", "[]");
  End("a", "2026-11-26 02:00:00", 1);
  Tick();
  ASSERT_EQ(State("a", "2026-11-26 02:00:00"), "waiting_time");
  // The operator does not want to wait an hour: the rerun starts now and keeps what was committed.
  auto rerun = ops_->Rerun(first.id, {});
  ASSERT_TRUE(rerun.ok());
  EXPECT_TRUE(rerun->front().resume);
  Tick();
  Instance second = Get("a", "2026-11-26 02:00:00");
  ASSERT_EQ(second.state, InstanceState::kRunning);
  EXPECT_EQ(second.failures, 0);
  EXPECT_THAT(launcher_.procs.at(second.pid).request.argv,
              ::testing::ElementsAre("/usr/bin/ferry", "run", "--resume", first.run_dir,
                                     "--summary-json", HasSubstr("/run-2/summary.json")));
}

TEST_P(SchedScheduler, RerunOfARunSetSucceededAfterItFailedStillResumes) {
  Deploy(kChain, Utc(2026, 11, 26, 2));
  Tick();
  Instance first = Get("a", "2026-11-26 02:00:00");
  WriteTextFile(first.run_dir + "/plan.json", "[]");
  End("a", "2026-11-26 02:00:00", 1);
  Tick();
  ASSERT_TRUE(ops_->SetSucceeded(first.id).ok());
  // The state is an operator's word; the run itself failed and may have committed splits.
  auto rerun = ops_->Rerun(first.id, {});
  ASSERT_TRUE(rerun.ok());
  EXPECT_EQ(rerun->front().message, "rerun by an operator: resuming " + first.run_dir);
}

TEST_P(SchedScheduler, RerunWithDownstreamResumesOnlyWhatFailedAfterPlanning) {
  Deploy(kChain, Utc(2026, 11, 26, 2));
  for (const char* n : {"a", "b", "c"}) {
    Tick();
    Instance in = Get(n, "2026-11-26 02:00:00");
    WriteTextFile(in.run_dir + "/plan.json", "[]");
    End(n, "2026-11-26 02:00:00", std::string(n) == "c" ? 1 : 0);
  }
  Tick();
  Instance a = Get("a", "2026-11-26 02:00:00"), b = Get("b", "2026-11-26 02:00:00"),
           c = Get("c", "2026-11-26 02:00:00");
  ASSERT_EQ(StateName(c.state), std::string("failed"));
  // --from-scratch speaks of a only: b succeeded (it loads again), c failed after planning (it
  // resumes, so what it committed is not written twice).
  auto rerun = ops_->Rerun(a.id, {.with_downstream = true, .from_scratch = true});
  ASSERT_TRUE(rerun.ok()) << rerun.status().message();
  ASSERT_EQ(rerun->size(), 3u);
  EXPECT_EQ((*rerun)[0].message, "rerun by an operator: from scratch in a new run directory");
  EXPECT_EQ((*rerun)[1].message, fmt::format("rerun with its upstream instance {}: starting over "
                                             "(its last run succeeded)",
                                             a.id));
  EXPECT_EQ((*rerun)[2].message,
            fmt::format("rerun with its upstream instance {}: resuming {}", a.id, c.run_dir));
  for (const char* n : {"a", "b", "c"}) {
    Tick();
    Instance in = Get(n, "2026-11-26 02:00:00");
    ASSERT_EQ(in.state, InstanceState::kRunning) << n;
    const auto& argv = launcher_.procs.at(in.pid).request.argv;
    if (std::string(n) == "c") {
      EXPECT_THAT(argv, ::testing::ElementsAre("/usr/bin/ferry", "run", "--resume", c.run_dir,
                                               "--summary-json", HasSubstr("/run-2/summary.json")));
    } else {
      EXPECT_THAT(argv, ::testing::Not(::testing::Contains("--resume"))) << n;
      EXPECT_THAT(in.run_dir, HasSubstr("/run-2/run")) << n;
    }
    End(n, "2026-11-26 02:00:00", 0);
  }
  Tick();
  EXPECT_EQ(State("c", "2026-11-26 02:00:00"), "succeeded");
}

TEST_P(SchedScheduler, SetSucceededUnblocksDownstream) {
  Deploy(kChain, Utc(2026, 11, 26, 2));
  Tick();
  End("a", "2026-11-26 02:00:00", 1);
  Tick();
  EXPECT_EQ(State("a", "2026-11-26 02:00:00"), "failed");
  EXPECT_EQ(State("b", "2026-11-26 02:00:00"), "waiting_upstream");
  ASSERT_TRUE(ops_->SetSucceeded(Get("a", "2026-11-26 02:00:00").id).ok());
  Tick();
  EXPECT_EQ(State("b", "2026-11-26 02:00:00"), "running");
}

TEST_P(SchedScheduler, FrozenInstanceAndNodeHoldTheirDownstream) {
  Deploy(kChain, Utc(2026, 11, 26, 1));
  Tick();
  Instance a = Get("a", "2026-11-26 02:00:00");
  ASSERT_TRUE(ops_->Freeze(a.id, true).ok());
  clock_.now = Utc(2026, 11, 26, 2);
  Tick();
  EXPECT_EQ(State("a", "2026-11-26 02:00:00"), "frozen");
  EXPECT_EQ(State("b", "2026-11-26 02:00:00"), "waiting_upstream");
  ASSERT_TRUE(ops_->Freeze(a.id, false).ok());
  ASSERT_TRUE(ops_->FreezeNode("b", true).ok());
  Tick();
  End("a", "2026-11-26 02:00:00", 0);
  Tick();
  EXPECT_EQ(State("b", "2026-11-26 02:00:00"), "frozen");
  EXPECT_EQ(Get("b", "2026-11-26 02:00:00").message, "node \"b\" is frozen");
  EXPECT_EQ(State("c", "2026-11-26 02:00:00"), "waiting_upstream");
  ASSERT_TRUE(ops_->FreezeNode("b", false).ok());
  Tick();
  EXPECT_EQ(State("b", "2026-11-26 02:00:00"), "running");
  EXPECT_EQ(ops_->FreezeNode("zz", true).message(), "node \"zz\" is not deployed");
}

TEST_P(SchedScheduler, BackfillRunsDatesInOrderNAtATime) {
  Deploy(kChain, Utc(2026, 11, 26, 12));
  BackfillRequest req{.nodes = {"a"},
                      .with_downstream = true,
                      .from_bizdate = "20251001",
                      .to_bizdate = "20251005",
                      .newest_first = false,
                      .parallel = 2};
  auto id = ops_->Backfill(req);
  ASSERT_TRUE(id.ok()) << id.status().message();
  Tick();
  // ${} is the business date, $[] the next day at the scheduled time.
  EXPECT_EQ(Running(),
            (std::vector<std::string>{"a 2025-10-02 02:00:00 b", "a 2025-10-03 02:00:00 b"}));
  EXPECT_EQ(Get("a", "2025-10-02 02:00:00", *id).bizdate, "20251001");
  EXPECT_EQ(State("a", "2025-10-04 02:00:00", *id), "waiting_resources");
  EXPECT_EQ(State("b", "2025-10-02 02:00:00", *id), "waiting_upstream");
  End("a", "2025-10-02 02:00:00", 0, *id);
  Tick();
  EXPECT_EQ(Running(),
            (std::vector<std::string>{"a 2025-10-03 02:00:00 b", "b 2025-10-02 02:00:00 b"}));
  End("b", "2025-10-02 02:00:00", 0, *id);
  Tick();
  End("c", "2025-10-02 02:00:00", 0, *id);
  Tick();
  // The first date is done: the fourth one enters the window.
  EXPECT_EQ(Running(),
            (std::vector<std::string>{"a 2025-10-03 02:00:00 b", "a 2025-10-04 02:00:00 b"}));

  auto newest = ops_->Backfill({.nodes = {"c"},
                                .from_bizdate = "2025-09-01",
                                .to_bizdate = "2025-09-03",
                                .newest_first = true,
                                .parallel = 1});
  ASSERT_TRUE(newest.ok());
  Tick();
  EXPECT_EQ(State("c", "2025-09-04 02:00:00", *newest), "running");
  EXPECT_EQ(State("c", "2025-09-02 02:00:00", *newest), "waiting_resources");
}

TEST_P(SchedScheduler, BadOperationsNameTheProblem) {
  Deploy(kChain, Utc(2026, 11, 26, 2));
  EXPECT_EQ(ops_->Rerun(999, {}).status().message(), "instance 999 does not exist");
  EXPECT_EQ(ops_->Backfill({.nodes = {"zz"}, .from_bizdate = "20251001", .to_bizdate = "20251002"})
                .status()
                .message(),
            "backfill: node \"zz\" is not deployed");
  EXPECT_EQ(ops_->Backfill({.nodes = {"a"}, .from_bizdate = "20251005", .to_bizdate = "20251001"})
                .status()
                .message(),
            "backfill: the range 20251005 .. 20251001 runs backwards");
  EXPECT_THAT(
      ops_->Backfill({.nodes = {"a"}, .from_bizdate = "2025-13-01", .to_bizdate = "20251001"})
          .status()
          .message(),
      HasSubstr("backfill: from"));
  EXPECT_EQ(
      ops_->Backfill(
              {.nodes = {"a"}, .from_bizdate = "20251001", .to_bizdate = "20251001", .parallel = 0})
          .status()
          .message(),
      "backfill: parallel must be 1..100");
  // What a state does not allow is refused, and the state stays.
  Tick();
  Instance a = Get("a", "2026-11-26 02:00:00"), b = Get("b", "2026-11-26 02:00:00");
  ASSERT_EQ(a.state, InstanceState::kRunning);
  EXPECT_EQ(ops_->SetSucceeded(a.id).message(),
            fmt::format("instance {} is running: stop it first", a.id));
  EXPECT_EQ(
      ops_->Freeze(a.id, true).message(),
      fmt::format("instance {} is running: only an instance that has not run can be frozen", a.id));
  EXPECT_EQ(ops_->Freeze(b.id, false).message(), fmt::format("instance {} is not frozen", b.id));
  EXPECT_EQ(State("a", "2026-11-26 02:00:00"), "running");
  EXPECT_EQ(State("b", "2026-11-26 02:00:00"), "waiting_upstream");
  EXPECT_EQ(ops_->Log(12345, 0).status().code(), StatusCode::kNotFound);
}

TEST_P(SchedScheduler, RestartAfterKillFindsEveryRunAndDoublesNone) {
  Deploy(R"(
nodes:
  - {name: a, job: a.json, cron: "0 2 * * *"}
  - {name: b, job: b.json, cron: "0 2 * * *"}
  - {name: c, job: c.json, cron: "0 2 * * *"}
  - {name: d, job: d.json, cron: "0 2 * * *"}
)",
         Utc(2026, 11, 26, 2));
  Tick();
  ASSERT_EQ(launcher_.procs.size(), 4u);
  // While the scheduler was dead: a finished and wrote its summary; b is still running; c was
  // killed after it planned; d was decided but its pid never kept, and is not running.
  Instance a = Get("a", "2026-11-26 02:00:00"), c = Get("c", "2026-11-26 02:00:00"),
           d = Get("d", "2026-11-26 02:00:00");
  launcher_.End(a.pid, 0);
  launcher_.procs.erase(a.pid);  // not our child any more: its exit code is unknown
  WriteTextFile(c.run_dir + "/plan.json", "[]");
  launcher_.procs.erase(c.pid);
  launcher_.procs.erase(d.pid);
  d.pid = 0;
  ASSERT_TRUE(store_->Update(d).ok());
  size_t started_before = launcher_.procs.size();
  size_t next_pid_before = launcher_.next_pid;
  MakeScheduler();  // a new server process on the same store
  Tick();
  EXPECT_EQ(State("a", "2026-11-26 02:00:00"), "succeeded");
  EXPECT_EQ(State("b", "2026-11-26 02:00:00"), "running");
  // c resumes its run directory, d starts again; b is not started twice.
  EXPECT_EQ(launcher_.next_pid - next_pid_before, 2u);
  (void)started_before;
  Instance c2 = Get("c", "2026-11-26 02:00:00");
  EXPECT_EQ(StateName(c2.state), std::string("running"));
  EXPECT_THAT(launcher_.procs.at(c2.pid).request.argv, ::testing::Contains("--resume"));
  EXPECT_EQ(c2.run_dir, c.run_dir);
  EXPECT_EQ(State("d", "2026-11-26 02:00:00"), "running");
  EXPECT_EQ(Get("d", "2026-11-26 02:00:00").runs, 2);
}

// Leadership differs by store: a lease on SQLite, a session's advisory lock on PostgreSQL.
class SchedSqliteLeader : public SchedScheduler {};
class SchedPgLeader : public SchedScheduler {};

TEST_P(SchedSqliteLeader, OnlyTheLeaseHolderSchedulesAndAnotherTakesOverWhenItLapses) {
  Deploy(kChain, Utc(2026, 11, 26, 2));
  SchedulerOptions options;
  options.ferry_binary = "/usr/bin/ferry";
  options.data_dir = dir_ / "data";
  options.lease = std::chrono::seconds{15};
  std::set<std::string> gone;
  options.is_gone = [&](const std::string& h) { return gone.count(h) > 0; };
  options.holder = "host/1/1";
  Scheduler first(store_.get(), &launcher_, &clock_, options);
  options.holder = "host/2/2";
  Scheduler second(store_.get(), &launcher_, &clock_, options);
  EXPECT_TRUE(first.Tick()->leader);
  TickReport r = *second.Tick();
  EXPECT_FALSE(r.leader);
  EXPECT_EQ(r.started, 0);
  EXPECT_EQ(Running(), (std::vector<std::string>{"a 2026-11-26 02:00:00"}));
  // The first stops ticking: after the lease lapses the second takes over.
  clock_.now += std::chrono::seconds{15};
  EXPECT_FALSE(second.Tick()->leader);
  clock_.now += std::chrono::seconds{1};
  EXPECT_TRUE(second.Tick()->leader);
  EXPECT_FALSE(first.Tick()->leader);
  // A holder whose process is gone loses the lease at once.
  gone.insert("host/2/2");
  EXPECT_TRUE(first.Tick()->leader);
}

TEST_P(SchedScheduler, RestartAdoptsARunWhosePidWasNotKept) {
  Deploy(kChain, Utc(2026, 11, 26, 2));
  Tick();
  Instance a = Get("a", "2026-11-26 02:00:00");
  int64_t pid = a.pid;
  a.pid = 0;
  ASSERT_TRUE(store_->Update(a).ok());
  MakeScheduler();
  Tick();
  EXPECT_EQ(Get("a", "2026-11-26 02:00:00").pid, pid);
  EXPECT_EQ(launcher_.procs.size(), 1u);
}

TEST_P(SchedPgLeader, OnlyTheLockHolderSchedulesAndAnotherTakesOverWhenItsSessionEnds) {
  Deploy(kChain, Utc(2026, 11, 26, 2));
  // Two servers, each with its own connections to the store.
  std::unique_ptr<Store> a = OpenStore(), b = OpenStore();
  ASSERT_TRUE(a && b);
  SchedulerOptions options;
  options.ferry_binary = "/usr/bin/ferry";
  options.data_dir = dir_ / "data";
  options.holder = "host/1/1";
  auto first = std::make_unique<Scheduler>(a.get(), &launcher_, &clock_, options);
  options.holder = "host/2/2";
  Scheduler second(b.get(), &launcher_, &clock_, options);
  EXPECT_TRUE(first->Tick()->leader);
  EXPECT_TRUE(first->Tick()->leader);  // holding it again is no new claim
  TickReport r = *second.Tick();
  EXPECT_FALSE(r.leader);
  EXPECT_EQ(r.started, 0);
  EXPECT_EQ(Running(), (std::vector<std::string>{"a 2026-11-26 02:00:00"}));
  // No lease to lapse: however long the leader lives, it leads.
  clock_.now += std::chrono::hours{1};
  EXPECT_FALSE(second.Tick()->leader);
  // The first server's process ends: its session, and the lock with it, go.
  first.reset();
  a.reset();
  bool took_over = false;
  for (int i = 0; i < 500 && !took_over; ++i) {
    auto tick = second.Tick();
    ASSERT_TRUE(tick.ok()) << tick.status().message();
    took_over = tick->leader;
    // The server ends the old session a moment after the client hung up.
    if (!took_over) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_TRUE(took_over);
}

TEST_P(SchedPgLeader, ALeaderWhoseSessionIsCutNoticesAndAnotherTakesOver) {
  Deploy(kChain, Utc(2026, 11, 26, 2));
  std::string location = where_.location() + "&application_name=cut_" + where_.schema();
  auto a = Store::Open(location);
  auto b = Store::Open(where_.location());
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_TRUE(*(*a)->Lead({"host/1/1"}, clock_.now));
  EXPECT_FALSE(*(*b)->Lead({"host/2/2"}, clock_.now));
  // An administrator (or a network failure) ends every session of the first server.
  ::ferry::testing::PgExec(
      "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'cut_" +
      where_.schema() + "'");
  bool took_over = false;
  for (int i = 0; i < 500 && !took_over; ++i) {
    auto lead = (*b)->Lead({"host/2/2"}, clock_.now);
    ASSERT_TRUE(lead.ok()) << lead.status().message();
    took_over = *lead;
    if (!took_over) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_TRUE(took_over);
  auto again = (*a)->Lead({"host/1/1"}, clock_.now);
  ASSERT_TRUE(again.ok()) << again.status().message();
  EXPECT_FALSE(*again);
  // Its other connection comes back by itself for the next statement.
  auto instances = (*a)->Instances({});
  EXPECT_TRUE(instances.ok()) << instances.status().message();
}

INSTANTIATE_TEST_SUITE_P(Stores, SchedScheduler, ::testing::Values("sqlite", "postgresql"),
                         [](const auto& info) { return info.param; });
INSTANTIATE_TEST_SUITE_P(Sqlite, SchedSqliteLeader, ::testing::Values("sqlite"),
                         [](const auto& info) { return info.param; });
INSTANTIATE_TEST_SUITE_P(Postgresql, SchedPgLeader, ::testing::Values("postgresql"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace ferry
