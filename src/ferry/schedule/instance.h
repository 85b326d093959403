// An instance: one run of one node for one cycle (or one business date of a backfill), with its
// state, its process while it runs and the figures of its last run.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "ferry/job/sched_params.h"

namespace ferry {

enum class InstanceState {
  kNotRun,            // created, not looked at yet (or its node is no longer deployed)
  kWaitingTime,       // its scheduled time (or the retry's time) has not come
  kWaitingUpstream,   // an upstream instance of the same cycle has not succeeded
  kWaitingResources,  // no free slot in its resource group (or outside a backfill's window)
  kRunning,
  kSucceeded,
  kFailed,
  kFrozen,   // held by an operator: does not run and holds its downstream
  kStopped,  // stopped by an operator
};

const char* StateName(InstanceState state);
std::optional<InstanceState> ParseState(std::string_view name);
// Succeeded, failed and stopped: nothing more happens without an operator.
bool IsTerminal(InstanceState state);

struct Instance {
  int64_t id = 0;
  std::string node;
  CivilTime cyctime;
  int64_t fire_at = 0;      // seconds since the epoch
  int64_t backfill_id = 0;  // 0: a regular cycle
  int backfill_seq = 0;     // the business date's place in the backfill's order
  std::string bizdate;      // YYYYMMDD
  InstanceState state = InstanceState::kNotRun;
  int priority = 0;
  bool frozen = false;
  bool stop_requested = false;
  bool resume = false;  // the next start resumes run_dir instead of starting afresh
  int runs = 0;         // times started; run N lives in <data>/instances/<id>/run-N
  int failures = 0;     // failed tries since the last rerun, against the node's retries
  int64_t next_try_at = 0;
  int64_t pid = 0;        // process group leader while running; 0 between "decided" and "spawned"
  int64_t pid_start = 0;  // its start time (/proc/PID/stat field 22), to tell a reused pid
  std::string host;       // the host the run's process lives on; empty before the first run
  int64_t timed_out_at = 0;  // when the run passed its node's timeout and was told to stop; 0: not
  std::string run_dir;
  std::string log_path;
  std::string summary_path;
  int64_t started_at = 0;
  int64_t finished_at = 0;
  std::optional<int> exit_code;
  std::string summary;  // the run's --summary-json text
  std::string message;  // why it is in its state

  nlohmann::json ToJson() const;
};

}  // namespace ferry
