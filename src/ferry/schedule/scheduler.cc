#include "ferry/schedule/scheduler.h"

#include <fmt/format.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <condition_variable>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <set>
#include <sstream>

#include "ferry/common/file.h"
#include "ferry/common/log.h"
#include "ferry/common/numbers.h"
#include "ferry/datasource/datasource_store.h"
#include "ferry/datasource/resource_group_store.h"
#include "ferry/schedule/alerts.h"
#include "ferry/schedule/backfill_window.h"
#include "ferry/schedule/dependencies.h"

namespace ferry {
namespace {

namespace fs = std::filesystem;

int64_t Seconds(SysSeconds t) { return t.time_since_epoch().count(); }

std::string ReadWhole(const std::string& path) {
  std::ifstream in(path);
  if (!in) return "";
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// Upstream instances that have not succeeded, as "node@cyctime (state)"; empty: none.
Result<std::string> UnmetUpstream(Store* store, const ScheduleSpec& spec, const NodeSpec& node,
                                  const Instance& in, const std::vector<std::string>& only) {
  for (const UpstreamCycle& up : UpstreamCycles(spec, node, in.cyctime, only)) {
    ASSIGN_OR_RETURN(std::optional<Instance> found,
                     store->Find(up.node, up.cycle.cyctime, in.backfill_id));
    if (found && found->state == InstanceState::kSucceeded) continue;
    if (!found && in.backfill_id == 0) {
      // Cycles before the upstream node was deployed never run: they do not hold anyone.
      ASSIGN_OR_RETURN(int64_t since, store->NodeSince(up.node));
      if (Seconds(up.cycle.fire_at) < since) continue;
    }
    return fmt::format("waiting for {} {} ({})", up.node, FormatCivilTime(up.cycle.cyctime),
                       found ? StateName(found->state) : "not created yet");
  }
  return std::string();
}

}  // namespace

Scheduler::Scheduler(Store* store, Launcher* launcher, const Clock* clock, SchedulerOptions options)
    : store_(store),
      launcher_(launcher),
      clock_(clock),
      options_(std::move(options)),
      host_(ThisHostName()) {}

int Scheduler::SlotsOf(const std::string& group) const {
  auto it = options_.group_slots.find(group);
  return it == options_.group_slots.end() ? options_.slots : it->second;
}

std::vector<std::string> Scheduler::ResourceGroupFlags(const std::string& group) const {
  if (group == kDefaultResourceGroup) {
    const std::string home =
        options_.ferry_home.empty() ? DataSourceStore::DefaultHome() : options_.ferry_home;
    auto defined = ResolveResourceGroup(home, group);
    if (!defined.ok() || !*defined) return {};  // this machine
  }
  return {"--resource-group", group};
}

Result<TickReport> Scheduler::Tick() {
  TickReport report;
  SysSeconds now = clock_->Now();
  ASSIGN_OR_RETURN(int64_t deployment_id, store_->CurrentDeploymentId());
  if (deployment_id != deployment_id_) {
    ASSIGN_OR_RETURN(std::optional<Deployment> deployment, store_->CurrentDeployment());
    spec_ = deployment ? std::move(deployment->spec) : ScheduleSpec{};
    deployment_id_ = deployment ? deployment->id : 0;
  }
  const ScheduleSpec& spec = spec_;
  ASSIGN_OR_RETURN(report.leader, Lead(now));
  if (!report.leader) return report;
  RETURN_NOT_OK(store_->Transaction([&] { return Materialize(spec, now, &report); }));
  RETURN_NOT_OK(Reap(spec, now, &report));
  std::vector<Instance> to_start;
  RETURN_NOT_OK(store_->Transaction([&] { return Evaluate(spec, now, &to_start, &report); }));
  for (Instance& in : to_start) RETURN_NOT_OK(Launch(spec, std::move(in), now));
  RETURN_NOT_OK(store_->Transaction([&] { return RaiseDeadlineAlerts(store_, spec, now); }));
  ASSIGN_OR_RETURN(std::vector<Instance> running, store_->Instances({.running_only = true}));
  report.running = static_cast<int>(running.size());
  return report;
}

void Scheduler::Run(std::stop_token stop, std::chrono::milliseconds interval) {
  std::mutex mu;
  std::condition_variable_any cv;
  while (!stop.stop_requested()) {
    auto report = Tick();
    if (!report.ok()) LogError("scheduler: {}", report.status().message());
    std::unique_lock lock(mu);
    cv.wait_for(lock, stop, interval, [] { return false; });
  }
}

Result<bool> Scheduler::Lead(SysSeconds now) {
  if (options_.holder.empty()) return true;
  return store_->Lead({options_.holder, options_.lease, options_.is_gone}, now);
}

std::string ThisProcessHolder() {
  return fmt::format("{}/{}/{}", ThisHostName(), getpid(), ProcessStartTime(getpid()).value_or(0));
}

bool HolderIsGone(const std::string& holder) {
  size_t a = holder.find('/'), b = holder.rfind('/');
  if (a == std::string::npos || a == b || holder.substr(0, a) != ThisHostName()) return false;
  Result<int64_t> pid = ParseInt64(holder.substr(a + 1, b - a - 1), "holder pid");
  Result<int64_t> start = ParseInt64(holder.substr(b + 1), "holder start time");
  if (!pid.ok() || !start.ok()) return false;
  std::optional<int64_t> now_start = ProcessStartTime(*pid);
  return !now_start || *now_start != *start;
}

Status Scheduler::Materialize(const ScheduleSpec& spec, SysSeconds now, TickReport* report) {
  constexpr size_t kMaxPerTick = 2000;
  SysSeconds horizon = now + options_.lookahead;
  for (const NodeSpec& node : spec.nodes) {
    auto cron = node.Schedule();
    if (!cron.ok()) continue;
    ASSIGN_OR_RETURN(int64_t since, store_->NodeSince(node.name));
    std::string key = "materialized:" + node.name;
    ASSIGN_OR_RETURN(std::optional<std::string> mark, store_->GetMeta(key));
    int64_t marked = 0;
    if (mark) {
      Result<int64_t> parsed = ParseInt64(*mark, key);
      if (!parsed.ok()) {
        return Status::FailedPrecondition("scheduler store meta " + parsed.status().message());
      }
      marked = *parsed;
    }
    int64_t from = std::max<int64_t>(since - 1, marked);
    std::vector<Cycle> cycles =
        cron->Between(SysSeconds{std::chrono::seconds{from}}, horizon, kMaxPerTick);
    std::vector<Instance> fresh;
    for (const Cycle& c : cycles) {
      Instance in;
      in.node = node.name;
      in.cyctime = c.cyctime;
      in.fire_at = Seconds(c.fire_at);
      in.bizdate = DayString(AddDays(c.cyctime, -1));
      in.priority = node.priority;
      in.state = InstanceState::kWaitingTime;
      fresh.push_back(in);
    }
    ASSIGN_OR_RETURN(int added, store_->InsertInstances(fresh));
    report->created += added;
    int64_t until =
        cycles.size() == kMaxPerTick ? Seconds(cycles.back().fire_at) - 1 : Seconds(horizon);
    RETURN_NOT_OK(store_->SetMeta(key, std::to_string(until)));
  }
  return Status::OK();
}

Status Scheduler::Reap(const ScheduleSpec& spec, SysSeconds now, TickReport* report) {
  ASSIGN_OR_RETURN(std::vector<Instance> running, store_->Instances({.running_only = true}));
  for (Instance& in : running) {
    if (!in.host.empty() && in.host != host_) {
      // Started by a server on another host: its process cannot be watched from here, and its
      // summary (in a --data-dir both hosts share) is the only sign that it ended.
      if (in.summary_path.empty() || !fs::exists(in.summary_path)) continue;
      RETURN_NOT_OK(Finish(spec, in.id, std::nullopt, now));
      ++report->finished;
      continue;
    }
    if (in.pid == 0) {
      // Decided but its pid was never kept: the scheduler died around the spawn.
      if (std::optional<ProcessId> found = launcher_->FindByRunDir(in.run_dir)) {
        RETURN_NOT_OK(KeepPid(in.id, *found));
        continue;
      }
      RETURN_NOT_OK(Finish(spec, in.id, std::nullopt, now));
      ++report->finished;
      continue;
    }
    ProcessExit exit = launcher_->Poll({in.pid, in.pid_start});
    if (!exit.exited) {
      RETURN_NOT_OK(EnforceTimeout(spec, in, now));
      continue;
    }
    RETURN_NOT_OK(Finish(spec, in.id, exit.exit_code, now));
    ++report->finished;
  }
  return Status::OK();
}

Status Scheduler::EnforceTimeout(const ScheduleSpec& spec, const Instance& in, SysSeconds now) {
  const NodeSpec* node = spec.Find(in.node);
  if (!node || node->timeout_seconds <= 0 || in.started_at == 0) return Status::OK();
  ProcessId process{in.pid, in.pid_start};
  std::string limit = FormatDurationSeconds(node->timeout_seconds);
  if (in.timed_out_at != 0) {
    if (Seconds(now) - in.timed_out_at < options_.timeout_grace.count()) return Status::OK();
    if (killed_.insert(in.id).second) {
      LogWarn(
          "scheduler: instance {} ({} {}) timed out after {} and is still running {} s after "
          "SIGTERM: SIGKILL",
          in.id, in.node, FormatCivilTime(in.cyctime), limit, options_.timeout_grace.count());
    }
    (void)launcher_->Signal(process, SIGKILL);
    return Status::OK();
  }
  if (Seconds(now) - in.started_at < node->timeout_seconds) return Status::OK();
  return store_->Transaction([&]() -> Status {
    ASSIGN_OR_RETURN(std::optional<Instance> fresh, store_->Get(in.id));
    if (!fresh || fresh->state != InstanceState::kRunning || fresh->pid != in.pid) {
      return Status::OK();
    }
    fresh->timed_out_at = Seconds(now);
    fresh->message = fmt::format("timed out after {}: stopping (SIGTERM sent)", limit);
    LogWarn("scheduler: instance {} ({} {}) timed out after {}: SIGTERM", in.id, in.node,
            FormatCivilTime(in.cyctime), limit);
    (void)launcher_->Signal(process, SIGTERM);
    RETURN_NOT_OK(store_->Update(*fresh));
    return RaiseAlerts(store_, spec, *fresh, AlertEvent::kTimeout, now,
                       fmt::format("timed out after {}", limit));
  });
}

Status Scheduler::Finish(const ScheduleSpec& spec, int64_t id, std::optional<int> exit_code,
                         SysSeconds now) {
  return store_->Transaction([&]() -> Status {
    ASSIGN_OR_RETURN(std::optional<Instance> found, store_->Get(id));
    if (!found || found->state != InstanceState::kRunning) return Status::OK();
    Instance in = std::move(*found);
    in.summary = ReadWhole(in.summary_path);
    nlohmann::json summary = nlohmann::json::parse(in.summary, nullptr, false);
    std::string status = summary.is_object() ? summary.value("status", "") : "";
    std::string error;
    if (summary.is_object() && summary.contains("error") && summary["error"].is_string()) {
      error = summary["error"].get<std::string>();
    }
    in.exit_code = exit_code;
    in.finished_at = Seconds(now);
    in.pid = 0;
    in.pid_start = 0;
    bool has_plan = !in.run_dir.empty() && fs::exists(fs::path(in.run_dir) / "plan.json");
    in.resume = false;
    if (status == "SUCCEEDED" || (status.empty() && exit_code == 0)) {
      in.state = InstanceState::kSucceeded;
      in.message = "";
    } else if (in.stop_requested) {
      in.state = InstanceState::kStopped;
      in.message = "stopped by an operator";
    } else if (status.empty() && !exit_code && in.timed_out_at == 0) {
      // Ended while no scheduler watched and left no summary: finish it (or start it again).
      in.state = InstanceState::kNotRun;
      in.resume = has_plan;
      in.message = has_plan
                       ? "ended while the scheduler was down: resuming " + in.run_dir
                       : "ended while the scheduler was down before it planned: starting again";
    } else {
      const NodeSpec* node = spec.Find(in.node);
      std::string why =
          !error.empty() ? error : fmt::format("exit code {}", exit_code.value_or(-1));
      if (in.timed_out_at != 0) {
        why = "timed out after " + FormatDurationSeconds(node && node->timeout_seconds > 0
                                                             ? node->timeout_seconds
                                                             : in.timed_out_at - in.started_at);
      }
      ++in.failures;
      if (node && in.failures <= node->retries) {
        in.state = InstanceState::kWaitingTime;
        in.next_try_at = Seconds(now) + node->retry_interval_seconds;
        in.resume = has_plan;
        in.message =
            fmt::format("failed: {}; retry {} of {} at {}", why, in.failures, node->retries,
                        FormatInstant(SysSeconds{std::chrono::seconds{in.next_try_at}}));
      } else {
        in.state = InstanceState::kFailed;
        in.message = "failed: " + why;
      }
    }
    RETURN_NOT_OK(store_->Update(in));
    return RaiseRunEndAlerts(store_, spec, in, now);
  });
}

Status Scheduler::Evaluate(const ScheduleSpec& spec, SysSeconds now,
                           std::vector<Instance>* to_start, TickReport* report) {
  ASSIGN_OR_RETURN(std::set<std::string> frozen_nodes, store_->FrozenNodes());
  ASSIGN_OR_RETURN(std::vector<Instance> pending, store_->Instances({.pending_only = true}));
  ASSIGN_OR_RETURN(std::vector<Instance> running, store_->Instances({.running_only = true}));
  ASSIGN_OR_RETURN(BackfillWindows windows, BackfillWindows::Load(store_, pending));
  std::map<std::string, int> busy;  // running instances per resource group
  for (const Instance& r : running) {
    const NodeSpec* node = spec.Find(r.node);
    ++busy[node ? node->resource_group : "default"];
  }
  std::stable_sort(pending.begin(), pending.end(), [](const Instance& a, const Instance& b) {
    if (a.priority != b.priority) return a.priority > b.priority;
    if (a.fire_at != b.fire_at) return a.fire_at < b.fire_at;
    return a.id < b.id;
  });
  for (Instance& in : pending) {
    InstanceState before = in.state;
    std::string before_message = in.message;
    ASSIGN_OR_RETURN(bool start, Decide(spec, Seconds(now), frozen_nodes, windows, busy, &in));
    if (start) {
      MarkStarted(&in, Seconds(now));
      RETURN_NOT_OK(store_->Update(in));
      to_start->push_back(in);
      ++report->started;
      continue;
    }
    if ((in.failures > 0 && in.state == InstanceState::kWaitingTime) ||
        (in.state == InstanceState::kNotRun && in.resume)) {
      ++report->retrying;
    }
    if (in.state != before || in.message != before_message) RETURN_NOT_OK(store_->Update(in));
  }
  return Status::OK();
}

Result<bool> Scheduler::Decide(const ScheduleSpec& spec, int64_t now,
                               const std::set<std::string>& frozen_nodes,
                               const BackfillWindows& windows, std::map<std::string, int>& busy,
                               Instance* in) {
  auto wait = [&](InstanceState state, std::string message) {
    in->state = state;
    in->message = std::move(message);
    return false;
  };
  const NodeSpec* node = spec.Find(in->node);
  if (!node)
    return wait(InstanceState::kNotRun,
                "node \"" + in->node + "\" is not in the deployed schedule");
  if (in->frozen) return wait(InstanceState::kFrozen, "frozen by an operator");
  if (frozen_nodes.count(in->node))
    return wait(InstanceState::kFrozen, "node \"" + in->node + "\" is frozen");
  if ((in->backfill_id == 0 && now < in->fire_at) || now < in->next_try_at) {
    // A retry keeps its "failed: ...; retry at" message while it waits.
    return wait(InstanceState::kWaitingTime,
                in->state == InstanceState::kWaitingTime ? in->message : "");
  }
  std::vector<std::string> only =
      in->backfill_id != 0 ? windows.Nodes(in->backfill_id) : std::vector<std::string>{};
  ASSIGN_OR_RETURN(std::string unmet, UnmetUpstream(store_, spec, *node, *in, only));
  if (!unmet.empty()) return wait(InstanceState::kWaitingUpstream, unmet);
  if (in->backfill_id != 0 && !windows.Admits(*in)) {
    return wait(InstanceState::kWaitingResources,
                fmt::format("backfill {} runs {} business date(s) at a time", in->backfill_id,
                            windows.Parallel(in->backfill_id)));
  }
  const std::string& group = node->resource_group;
  if (busy[group] >= SlotsOf(group)) {
    return wait(InstanceState::kWaitingResources,
                fmt::format("resource group \"{}\": all {} slot(s) busy", group, SlotsOf(group)));
  }
  ++busy[group];
  return true;
}

void Scheduler::MarkStarted(Instance* in, int64_t now) const {
  fs::path attempt = fs::path(options_.data_dir) / "instances" / std::to_string(in->id) /
                     fmt::format("run-{}", ++in->runs);
  in->state = InstanceState::kRunning;
  in->pid = 0;
  in->pid_start = 0;
  in->host = host_;
  in->timed_out_at = 0;
  if (!in->resume) in->run_dir = (attempt / "run").string();
  in->log_path = (attempt / "log.txt").string();
  in->summary_path = (attempt / "summary.json").string();
  in->started_at = now;
  in->finished_at = 0;
  in->exit_code.reset();
  in->summary.clear();
  in->stop_requested = false;
  in->message = in->resume ? "resuming " + in->run_dir : "";
}

Status Scheduler::KeepPid(int64_t id, const ProcessId& process) {
  // Re-read: an operator may have asked to stop it while it was being spawned.
  return store_->Transaction([&]() -> Status {
    ASSIGN_OR_RETURN(std::optional<Instance> fresh, store_->Get(id));
    if (!fresh) return Status::OK();
    fresh->pid = process.pid;
    fresh->pid_start = process.start;
    if (fresh->stop_requested) (void)launcher_->Signal(process, SIGTERM);
    return store_->Update(*fresh);
  });
}

Status Scheduler::Launch(const ScheduleSpec& spec, Instance in, SysSeconds now) {
  const NodeSpec* node = spec.Find(in.node);
  fs::path attempt = fs::path(in.log_path).parent_path();
  std::error_code ec;
  fs::create_directories(attempt, ec);
  LaunchRequest request;
  request.log_path = in.log_path;
  request.cwd = spec.project_dir;
  request.watches_stop_signals = true;  // `ferry run`
  Status st =
      ec ? Status::IOError(fmt::format("cannot create {}: {}", attempt.string(), ec.message()))
         : Status::OK();
  if (st.ok() && node) {
    if (in.resume) {
      request.argv = {options_.ferry_binary, "run",          "--resume", in.run_dir,
                      "--summary-json",      in.summary_path};
    } else {
      std::string job = (attempt / fs::path(node->job).filename()).string();
      st = WriteFileAtomic(job, node->job_text);
      request.argv = {options_.ferry_binary,
                      "run",
                      job,
                      "--cyctime",
                      FormatCivilTime(in.cyctime),
                      "--summary-json",
                      in.summary_path,
                      "--run-dir",
                      in.run_dir};
      if (!node->params.empty()) {
        request.argv.push_back("--params");
        request.argv.push_back(node->params);
      }
    }
    for (std::string& flag : ResourceGroupFlags(node->resource_group)) {
      request.argv.push_back(std::move(flag));
    }
  }
  if (st.ok() && node) {
    auto started = launcher_->Start(request);
    if (started.ok()) return KeepPid(in.id, *started);
    st = started.status();
  }
  if (!node) st = Status::NotFound("node \"" + in.node + "\" is no longer deployed");
  return store_->Transaction([&]() -> Status {
    in.state = InstanceState::kFailed;
    in.message = "could not start: " + st.message();
    in.finished_at = Seconds(now);
    return store_->Update(in);
  });
}

}  // namespace ferry
