// Scheduler: the loop of `ferry server`. Each tick creates the instances of the coming cycles,
// collects the runs that ended (their exit code and --summary-json decide succeeded, failed,
// retry or resume), moves every pending instance to the state that says what it waits for, and
// starts those whose time has come, whose upstream instances succeeded and whose resource group
// has a free slot. All state lives in the Store, so a scheduler killed at any moment picks up
// where it was: a run whose pid was not yet kept is found by its run directory, and a run that
// ended while no scheduler watched is judged by its summary (or resumed with --resume).
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <set>
#include <stop_token>
#include <string>

#include "ferry/common/status.h"
#include "ferry/schedule/launcher.h"
#include "ferry/schedule/store.h"

namespace ferry {

class BackfillWindows;

struct SchedulerOptions {
  std::string ferry_binary;                // the program that runs jobs (`ferry run`)
  std::string data_dir;                    // instance folders: <data_dir>/instances/<id>/run-<N>/
  int slots = 4;                           // running instances per resource group
  std::map<std::string, int> group_slots;  // overrides per group
  // $FERRY_HOME, whose resource_groups.json says whether "default" names hosts; empty: the
  // default home. A node's run gets `--resource-group G` unless G is an undefined "default".
  std::string ferry_home;
  std::chrono::seconds lookahead{std::chrono::hours{24}};  // create instances this far ahead
  // A run past its node's timeout gets SIGTERM, and SIGKILL when still there this much later.
  std::chrono::seconds timeout_grace{30};
  // Leadership among servers sharing one store: only the leader schedules (Store::Lead). Empty:
  // no election (one server). On SQLite the lease is renewed every tick and lapses after
  // `lease`; a holder on this host whose process is gone (is_gone) loses it at once. On
  // PostgreSQL the leader holds an advisory lock for as long as its process lives.
  std::string holder;
  std::chrono::seconds lease{15};
  std::function<bool(const std::string& holder)> is_gone;
};

// "HOST/PID/START": who this process is, for SchedulerOptions::holder.
std::string ThisProcessHolder();
// Whether `holder` names a process on this host that no longer runs.
bool HolderIsGone(const std::string& holder);

struct TickReport {
  int created = 0;
  int started = 0;
  int finished = 0;
  int running = 0;     // after the tick
  int retrying = 0;    // failed runs waiting for their retry time
  bool leader = true;  // false: another server holds the lease; nothing was done
};

class Scheduler {
 public:
  // *store, *launcher and *clock must outlive the scheduler.
  Scheduler(Store* store, Launcher* launcher, const Clock* clock, SchedulerOptions options);

  Result<TickReport> Tick();
  // Ticks every `interval` until `stop` is requested; errors are logged, not fatal.
  void Run(std::stop_token stop, std::chrono::milliseconds interval);

 private:
  Result<bool> Lead(SysSeconds now);
  Status Materialize(const ScheduleSpec& spec, SysSeconds now, TickReport* report);
  Status Reap(const ScheduleSpec& spec, SysSeconds now, TickReport* report);
  Status Finish(const ScheduleSpec& spec, int64_t id, std::optional<int> exit_code, SysSeconds now);
  // Stops a running instance of this host that passed its node's timeout: SIGTERM first, then
  // SIGKILL once the grace has passed.
  Status EnforceTimeout(const ScheduleSpec& spec, const Instance& instance, SysSeconds now);
  Status Evaluate(const ScheduleSpec& spec, SysSeconds now, std::vector<Instance>* to_start,
                  TickReport* report);
  // Sets the state an instance waits in (and why), or returns true when it may start now
  // (taking a slot of its group in `busy`).
  Result<bool> Decide(const ScheduleSpec& spec, int64_t now,
                      const std::set<std::string>& frozen_nodes, const BackfillWindows& windows,
                      std::map<std::string, int>& busy, Instance* instance);
  // The next run's folders and fields; the pid follows once spawned.
  void MarkStarted(Instance* instance, int64_t now) const;
  Status Launch(const ScheduleSpec& spec, Instance instance, SysSeconds now);
  // Records the process of a running instance (and stops it if that was asked meanwhile).
  Status KeepPid(int64_t id, const ProcessId& process);
  int SlotsOf(const std::string& group) const;
  // The `ferry run` flags that put a run on its node's resource group.
  std::vector<std::string> ResourceGroupFlags(const std::string& group) const;

  Store* store_;
  Launcher* launcher_;
  const Clock* clock_;
  SchedulerOptions options_;
  std::string host_;            // where this scheduler's children run
  std::set<int64_t> killed_;    // instances sent SIGKILL after their timeout (logged once)
  int64_t deployment_id_ = -1;  // the deployment `spec_` holds
  ScheduleSpec spec_;
};

}  // namespace ferry
