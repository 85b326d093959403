// Test support for the scheduler: a hand-set clock, a fake launcher whose processes end when a
// test says so (writing the summary `ferry run` would), and the fixture that deploys a schedule
// on a store of either kind and ticks. Nothing here sleeps.
#pragma once

#include <date/date.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "ferry/schedule/operations.h"
#include "ferry/schedule/scheduler.h"
#include "tests/support/ferry_cli.h"
#include "tests/support/test_store.h"

namespace ferry::testing {

inline SysSeconds Utc(int y, int mo, int d, int h = 0, int mi = 0, int s = 0) {
  return date::sys_days{date::year{y} / mo / d} + std::chrono::hours{h} + std::chrono::minutes{mi} +
         std::chrono::seconds{s};
}

class FakeClock : public Clock {
 public:
  SysSeconds Now() const override { return now; }
  SysSeconds now;
};

class FakeLauncher : public Launcher {
 public:
  struct Proc {
    LaunchRequest request;
    bool exited = false;
    std::optional<int> code;
  };
  Result<ProcessId> Start(const LaunchRequest& request) override {
    int64_t pid = next_pid++;
    procs[pid] = Proc{request};
    return ProcessId{pid, pid * 10};
  }
  ProcessExit Poll(const ProcessId& p) override {
    auto it = procs.find(p.pid);
    if (it == procs.end()) return {true, std::nullopt};
    if (it->second.exited) return {true, it->second.code};
    return {};
  }
  Status Signal(const ProcessId& p, int sig) override {
    signals.push_back({p.pid, sig});
    return Status::OK();
  }
  std::optional<ProcessId> FindByRunDir(const std::string& run_dir) override {
    for (auto& [pid, proc] : procs) {
      auto& a = proc.request.argv;
      if (!proc.exited && std::find(a.begin(), a.end(), run_dir) != a.end())
        return ProcessId{pid, pid * 10};
    }
    return std::nullopt;
  }
  // The process ends: writes its summary as `ferry run` would, then exits with `code`.
  // `extra`: more summary fields (dirty_records, ...).
  void End(int64_t pid, int code, const std::string& status = "",
           const nlohmann::json& extra = nlohmann::json::object()) {
    Proc& p = procs.at(pid);
    auto& a = p.request.argv;
    auto it = std::find(a.begin(), a.end(), "--summary-json");
    std::string st = !status.empty() ? status : (code == 0 ? "SUCCEEDED" : "FAILED");
    if (it != a.end()) {
      std::filesystem::create_directories(std::filesystem::path(*(it + 1)).parent_path());
      nlohmann::json summary = {{"status", st},
                                {"records_read", 10},
                                {"error", code == 0 ? nlohmann::json() : nlohmann::json("boom")}};
      summary.update(extra);
      WriteTextFile(*(it + 1), summary.dump());
    }
    p.exited = true;
    p.code = code;
  }
  // The process dies without a summary (as after SIGKILL).
  void Die(int64_t pid, int code) {
    procs.at(pid).exited = true;
    procs.at(pid).code = code;
  }
  std::map<int64_t, Proc> procs;
  std::vector<std::pair<int64_t, int>> signals;
  int64_t next_pid = 1000;
};

// The store a test case runs on: "sqlite" or "postgresql".
class SchedScheduler : public ::testing::TestWithParam<std::string> {
 protected:
  std::unique_ptr<Store> OpenStore() { return where_.Open(); }

  void Deploy(const std::string& yaml, SysSeconds at) {
    for (const char* job : {"a.json", "b.json", "c.json", "h.json", "d.json"}) {
      WriteTextFile(dir_ / job, "{}");
    }
    auto spec = ParseSchedule(yaml, "schedule.yaml", dir_.path());
    ASSERT_TRUE(spec.ok()) << spec.status().message();
    if (!store_) store_ = OpenStore();
    ASSERT_TRUE(store_);
    ASSERT_TRUE(store_->Deploy(*spec, at.time_since_epoch().count()).ok());
    clock_.now = at;
    MakeScheduler();
  }
  void MakeScheduler(int slots = 4) {
    SchedulerOptions options;
    options.ferry_binary = "/usr/bin/ferry";
    options.data_dir = dir_ / "data";
    options.slots = slots;
    options.ferry_home = dir_ / "home";  // no resource groups unless a test adds them
    scheduler_ = std::make_unique<Scheduler>(store_.get(), &launcher_, &clock_, options);
    ops_ = std::make_unique<Operations>(store_.get(), &launcher_, &clock_);
  }
  TickReport Tick() {
    auto r = scheduler_->Tick();
    EXPECT_TRUE(r.ok()) << r.status().message();
    return r.ok() ? *r : TickReport{};
  }
  Instance Get(const std::string& node, const std::string& cyctime, int64_t backfill = 0) {
    auto found = store_->Find(node, *ParseCyctime(cyctime), backfill);
    EXPECT_TRUE(found.ok() && found->has_value()) << node << " " << cyctime;
    return found.ok() && found->has_value() ? **found : Instance{};
  }
  std::string State(const std::string& node, const std::string& cyctime, int64_t backfill = 0) {
    return StateName(Get(node, cyctime, backfill).state);
  }
  // Ends the running process of an instance.
  void End(const std::string& node, const std::string& cyctime, int code, int64_t backfill = 0) {
    Instance in = Get(node, cyctime, backfill);
    ASSERT_EQ(in.state, InstanceState::kRunning) << node << " " << cyctime;
    launcher_.End(in.pid, code);
  }
  std::vector<std::string> Running() {
    std::vector<std::string> out;
    auto running = store_->Instances({.running_only = true});
    for (const Instance& in : *running) {
      out.push_back(in.node + " " + FormatCivilTime(in.cyctime) + (in.backfill_id ? " b" : ""));
    }
    std::sort(out.begin(), out.end());
    return out;
  }

  TempDir dir_;
  FakeClock clock_;
  FakeLauncher launcher_;
  TestStoreLocation where_{GetParam(), dir_.path()};  // outlives the stores opened on it
  std::unique_ptr<Store> store_;
  std::unique_ptr<Scheduler> scheduler_;
  std::unique_ptr<Operations> ops_;
};

}  // namespace ferry::testing
