// JobRunner: runs one job end to end (DESIGN 6): prepare both plugins, plan or reload the
// splits, run `concurrent` channels over them, finalize the writer, and report exact figures.
// A stop request (SIGINT/SIGTERM) aborts open transactions and ends the run as cancelled.
#pragma once

#include <chrono>
#include <functional>
#include <stop_token>
#include <string>

#include "ferry/common/status.h"
#include "ferry/exec/channel.h"
#include "ferry/exec/run_summary.h"
#include "ferry/job/job_model.h"
#include "ferry/plugin/datasource_catalog.h"
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
  // Resolves `"datasource": "NAME"`; null: the job may name none. Must outlive the run.
  const DataSourceCatalog* datasources = nullptr;
  // Formats an error a plugin returned while preparing, with its place in the job file.
  std::function<std::string(const StepModel&, const Status&)> locate;
};

enum class RunPhase { kPrepare, kRun };

struct RunReport {
  Status status;
  RunPhase failed_in = RunPhase::kRun;  // kPrepare: nothing was read or written (exit 2)
  RunSummary summary;                   // the figures of --summary-json and the human summary
  std::string run_dir;
  std::string dirty_path;
};

// Prepares both plugins as a run named `run_id` would, without reading or writing a row, and
// hands back the writer: what `ferry check` runs after the job file itself is valid, and for
// commands that ask the destination itself (ferry markers). `datasources` may be null.
Result<std::unique_ptr<Writer>> PrepareWriter(
    const JobModel& job, const Registry& registry, const std::string& run_id,
    const DataSourceCatalog* datasources,
    const std::function<std::string(const StepModel&, const Status&)>& locate);

RunReport RunJob(const JobModel& job, const Registry& registry, const RunOptions& options,
                 std::stop_token stop);

}  // namespace ferry
