// JobRunner: runs one job end to end (DESIGN 6): prepare both plugins, plan or reload the
// splits, run `concurrent` channels over them, finalize the writer, and report exact figures.
// A stop request (SIGINT/SIGTERM) aborts open transactions and ends the run as cancelled.
#pragma once

#include <chrono>
#include <functional>
#include <nlohmann/json.hpp>
#include <stop_token>
#include <string>

#include "ferry/common/status.h"
#include "ferry/exec/channel.h"
#include "ferry/job/job_model.h"
#include "ferry/plugin/registry.h"

namespace ferry {

struct RunOptions {
  std::string run_dir;     // empty: .ferry/runs/<job>-<yyyymmddhhmmss>
  bool resume = false;     // run_dir holds an earlier run to finish
  std::string job_file;    // the job file as given, and the sha256 of its bytes, kept in
  std::string job_sha256;  // run.json so that a resume can refuse a changed file
  std::chrono::seconds progress_interval{10};
  bool live_bar = false;
  ChannelOptions channel;
  // Formats an error a plugin returned while preparing, with its place in the job file.
  std::function<std::string(const StepModel&, const Status&)> locate;
};

enum class RunPhase { kPrepare, kRun };

struct RunReport {
  Status status;
  RunPhase failed_in = RunPhase::kRun;  // kPrepare: nothing was read or written (exit 2)
  nlohmann::ordered_json summary;       // DESIGN 1 --summary-json, in its order
  std::string run_dir;
  std::string dirty_path;
};

// Prepares the reader and writer exactly as a run does, without reading or writing a row:
// what `ferry check` runs after the job file itself is valid.
Status PrepareOnly(const JobModel& job, const Registry& registry,
                   const std::function<std::string(const StepModel&, const Status&)>& locate);

// Prepares both plugins as a run named `run_id` would, and hands back the writer: for commands
// that ask the destination itself (ferry markers).
Result<std::unique_ptr<Writer>> PrepareWriter(
    const JobModel& job, const Registry& registry, const std::string& run_id,
    const std::function<std::string(const StepModel&, const Status&)>& locate);

RunReport RunJob(const JobModel& job, const Registry& registry, const RunOptions& options,
                 std::stop_token stop);

// The human summary block printed at the end of a run.
std::string FormatSummary(const RunReport& report);

}  // namespace ferry
