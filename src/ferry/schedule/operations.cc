#include "ferry/schedule/operations.h"

#include <fmt/format.h>
#include <signal.h>

#include <algorithm>
#include <deque>
#include <filesystem>
#include <fstream>
#include <set>

#include "ferry/schedule/dependencies.h"

namespace ferry {
namespace {

namespace fs = std::filesystem;

int64_t Seconds(SysSeconds t) { return t.time_since_epoch().count(); }

// Whether the instance's last run ended well, judged as Scheduler::Finish judges it.
bool LastRunSucceeded(const Instance& in) {
  nlohmann::json summary = nlohmann::json::parse(in.summary, nullptr, false);
  std::string status;
  if (summary.is_object() && summary.contains("status") && summary["status"].is_string()) {
    status = summary["status"].get<std::string>();
  }
  return status == "SUCCEEDED" || (status.empty() && in.exit_code == 0);
}

// Puts `in` back to run. A last run that did not succeed but got as far as planning may have
// committed splits: the next start resumes its run directory unless `from_scratch`. A succeeded
// run has nothing left to resume: a rerun of it loads everything again.
void ResetForRun(Instance* in, const std::string& why, bool from_scratch) {
  bool has_plan = !in->run_dir.empty() && fs::exists(fs::path(in->run_dir) / "plan.json");
  bool resumable = has_plan && !LastRunSucceeded(*in);
  in->state = InstanceState::kNotRun;
  in->failures = 0;
  in->next_try_at = 0;
  in->resume = resumable && !from_scratch;
  in->stop_requested = false;
  if (in->resume) {
    in->message = why + ": resuming " + in->run_dir;
  } else if (from_scratch) {
    in->message = why + ": from scratch in a new run directory";
    if (resumable) {
      in->message +=
          " (not resuming " + in->run_dir + ": what it committed stays unless the job clears it)";
    }
  } else if (has_plan) {
    in->message = why + ": starting over (its last run succeeded)";
  } else {
    in->message = why;
  }
}
}  // namespace

Result<Instance> Operations::Load(int64_t id) {
  ASSIGN_OR_RETURN(std::optional<Instance> in, store_->Get(id));
  if (!in) return Status::NotFound(fmt::format("instance {} does not exist", id));
  return std::move(*in);
}

Result<ScheduleSpec> Operations::Spec() {
  ASSIGN_OR_RETURN(std::optional<Deployment> d, store_->CurrentDeployment());
  if (!d) return Status::FailedPrecondition("nothing is deployed yet (ferry deploy DIR)");
  return std::move(d->spec);
}

Result<Instance> Operations::Get(int64_t id) { return Load(id); }

Result<LogChunk> Operations::Log(int64_t id, int64_t offset, size_t max_bytes) {
  ASSIGN_OR_RETURN(Instance in, Load(id));
  LogChunk chunk;
  chunk.running = in.state == InstanceState::kRunning;
  if (in.log_path.empty()) return chunk;
  std::ifstream file(in.log_path, std::ios::binary | std::ios::ate);
  if (!file) return chunk;
  int64_t size = file.tellg();
  if (offset < 0) offset = std::max<int64_t>(0, size + offset);
  offset = std::min(offset, size);
  int64_t n = std::min<int64_t>(size - offset, static_cast<int64_t>(max_bytes));
  chunk.text.resize(static_cast<size_t>(n));
  file.seekg(offset);
  file.read(chunk.text.data(), n);
  chunk.offset = offset;
  chunk.next_offset = offset + n;
  return chunk;
}

Status Operations::Stop(int64_t id) {
  return store_->Transaction([&]() -> Status {
    ASSIGN_OR_RETURN(Instance in, Load(id));
    if (IsTerminal(in.state)) {
      return Status::FailedPrecondition(
          fmt::format("instance {} is {}: nothing to stop", id, StateName(in.state)));
    }
    if (in.state == InstanceState::kRunning && !in.host.empty() && in.host != ThisHostName()) {
      return Status::FailedPrecondition(fmt::format(
          "instance {} runs on host {}: stop it from there (ferry ops stop {})", id, in.host, id));
    }
    if (in.state == InstanceState::kRunning) {
      in.stop_requested = true;
      in.message = "stopping (SIGTERM sent)";
      if (in.pid != 0) {
        Status st = launcher_->Signal({in.pid, in.pid_start}, SIGTERM);
        if (!st.ok() && st.code() != StatusCode::kNotFound) return st;
      }
      return store_->Update(in);
    }
    in.state = InstanceState::kStopped;
    in.message = "stopped by an operator before it ran";
    in.finished_at = Seconds(clock_->Now());
    return store_->Update(in);
  });
}

Result<std::vector<Instance>> Operations::Rerun(int64_t id, const RerunRequest& request) {
  std::vector<Instance> rerun;
  Status st = store_->Transaction([&]() -> Status {
    ASSIGN_OR_RETURN(Instance first, Load(id));
    if (first.state == InstanceState::kRunning) {
      return Status::FailedPrecondition(fmt::format("instance {} is running: stop it first", id));
    }
    ResetForRun(&first, "rerun by an operator", request.from_scratch);
    RETURN_NOT_OK(store_->Update(first));
    rerun.push_back(first);
    if (!request.with_downstream) return Status::OK();
    ASSIGN_OR_RETURN(ScheduleSpec spec, Spec());
    std::deque<Instance> frontier{first};
    std::set<int64_t> seen{first.id};
    while (!frontier.empty()) {
      Instance up = frontier.front();
      frontier.pop_front();
      for (const std::string& down : spec.Downstream(up.node)) {
        const NodeSpec* node = spec.Find(down);
        if (!node) continue;
        ASSIGN_OR_RETURN(std::vector<Instance> candidates,
                         store_->Instances({.node = down, .backfill_id = up.backfill_id}));
        for (Instance& c : candidates) {
          if (seen.count(c.id)) continue;
          bool depends = false;
          for (const UpstreamCycle& u : UpstreamCycles(spec, *node, c.cyctime)) {
            if (u.node == up.node && u.cycle.cyctime == up.cyctime) depends = true;
          }
          if (!depends) continue;
          seen.insert(c.id);
          if (c.state != InstanceState::kRunning) {
            // --from-scratch speaks of the named instance only: a downstream run that failed
            // after planning resumes, or its committed splits would be written twice.
            ResetForRun(&c, fmt::format("rerun with its upstream instance {}", first.id),
                        /*from_scratch=*/false);
            RETURN_NOT_OK(store_->Update(c));
            rerun.push_back(c);
          }
          frontier.push_back(c);
        }
      }
    }
    return Status::OK();
  });
  if (!st.ok()) return st;
  return rerun;
}

Status Operations::SetSucceeded(int64_t id) {
  return store_->Transaction([&]() -> Status {
    ASSIGN_OR_RETURN(Instance in, Load(id));
    if (in.state == InstanceState::kRunning) {
      return Status::FailedPrecondition(fmt::format("instance {} is running: stop it first", id));
    }
    in.state = InstanceState::kSucceeded;
    in.frozen = false;
    in.message = "set succeeded by an operator";
    in.finished_at = Seconds(clock_->Now());
    return store_->Update(in);
  });
}

Status Operations::Freeze(int64_t id, bool frozen) {
  return store_->Transaction([&]() -> Status {
    ASSIGN_OR_RETURN(Instance in, Load(id));
    if (frozen && (in.state == InstanceState::kRunning || IsTerminal(in.state))) {
      return Status::FailedPrecondition(
          fmt::format("instance {} is {}: only an instance that has not run can be frozen", id,
                      StateName(in.state)));
    }
    if (!frozen && !in.frozen) {
      return Status::FailedPrecondition(fmt::format("instance {} is not frozen", id));
    }
    in.frozen = frozen;
    if (frozen) {
      in.state = InstanceState::kFrozen;
      in.message = "frozen by an operator";
    } else {
      in.state = InstanceState::kNotRun;
      in.message = "unfrozen by an operator";
    }
    return store_->Update(in);
  });
}

Status Operations::FreezeNode(const std::string& node, bool frozen) {
  return store_->Transaction([&]() -> Status {
    ASSIGN_OR_RETURN(ScheduleSpec spec, Spec());
    if (!spec.Find(node)) return Status::NotFound("node \"" + node + "\" is not deployed");
    return store_->SetNodeFrozen(node, frozen);
  });
}

Result<int64_t> Operations::Backfill(const BackfillRequest& request) {
  if (request.nodes.empty()) return Status::InvalidArgument("backfill: name at least one node");
  if (request.parallel < 1 || request.parallel > 100) {
    return Status::InvalidArgument("backfill: parallel must be 1..100");
  }
  auto from = CyctimeFromBizdate(request.from_bizdate);
  if (!from.ok()) return from.status().WithPrefix("backfill: from");
  auto to = CyctimeFromBizdate(request.to_bizdate);
  if (!to.ok()) return to.status().WithPrefix("backfill: to");
  if (*to < *from) {
    return Status::InvalidArgument(fmt::format("backfill: the range {} .. {} runs backwards",
                                               request.from_bizdate, request.to_bizdate));
  }
  int64_t backfill_id = 0;
  Status st = store_->Transaction([&]() -> Status {
    ASSIGN_OR_RETURN(ScheduleSpec spec, Spec());
    for (const std::string& n : request.nodes) {
      if (!spec.Find(n)) return Status::NotFound("backfill: node \"" + n + "\" is not deployed");
    }
    std::vector<std::string> nodes =
        request.with_downstream ? spec.WithDownstream(request.nodes) : request.nodes;
    std::vector<CivilTime> days;  // the scheduled days: business date + 1
    for (CivilTime d = *from; !(*to < d); d = AddDays(d, 1)) {
      days.push_back(d);
      if (days.size() > 3660)
        return Status::InvalidArgument("backfill: at most 3660 business dates");
    }
    if (request.newest_first) std::reverse(days.begin(), days.end());
    ferry::Backfill b;
    b.created_at = Seconds(clock_->Now());
    b.nodes = nodes;
    b.from_bizdate = DayString(AddDays(*from, -1));
    b.to_bizdate = DayString(AddDays(*to, -1));
    b.newest_first = request.newest_first;
    b.parallel = request.parallel;
    ASSIGN_OR_RETURN(backfill_id, store_->AddBackfill(b));
    std::vector<Instance> fresh;
    for (size_t seq = 0; seq < days.size(); ++seq) {
      for (const std::string& name : nodes) {
        const NodeSpec* node = spec.Find(name);
        ASSIGN_OR_RETURN(CronSchedule cron, node->Schedule());
        for (const Cycle& c : cron.OnDay(days[seq])) {
          Instance in;
          in.node = name;
          in.cyctime = c.cyctime;
          in.fire_at = b.created_at;
          in.backfill_id = backfill_id;
          in.backfill_seq = static_cast<int>(seq);
          in.bizdate = DayString(AddDays(c.cyctime, -1));
          in.priority = node->priority;
          in.message = fmt::format("backfill {}", backfill_id);
          fresh.push_back(in);
        }
      }
    }
    if (fresh.empty())
      return Status::InvalidArgument("backfill: the nodes have no cycle on those dates");
    return store_->InsertInstances(fresh).status();
  });
  if (!st.ok()) return st;
  return backfill_id;
}

}  // namespace ferry
