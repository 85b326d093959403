// The steps of a run that the one-machine runner (job_runner.h) and the distributed one
// (distributed_runner.h) share: preparing the plugins and planning or resuming the run, the
// default run directory, the splits a resumed run finds committed, finishing the run, and its
// summary.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "ferry/common/status.h"
#include "ferry/exec/channel.h"
#include "ferry/exec/dirty_log.h"
#include "ferry/exec/job_runner.h"
#include "ferry/exec/metrics.h"
#include "ferry/exec/run_dir.h"
#include "ferry/job/job_model.h"
#include "ferry/plugin/reader.h"
#include "ferry/plugin/registry.h"
#include "ferry/plugin/writer.h"

namespace ferry {

// The two plugins of a job, prepared.
struct PreparedPlugins {
  std::unique_ptr<Reader> reader;
  std::unique_ptr<Writer> writer;
  std::vector<ColumnInfo> columns;
  nlohmann::json reader_param, writer_param;
  bool writer_transactional = false;
};

// Prepares the reader, then the writer, as the run `run_id` in `run_dir` (both may be empty:
// ferry check). `datasources` (may be null) resolves `"datasource": "NAME"`; `locate` (may be
// empty) places a plugin's error in the job file.
Status PreparePlugins(const JobModel& job, const Registry& registry, const std::string& run_dir,
                      const std::string& run_id, const DataSourceCatalog* datasources,
                      const std::function<std::string(const StepModel&, const Status&)>& locate,
                      PreparedPlugins* out);

// A run set up to move rows: plugins prepared, run directory created (or opened to resume),
// splits planned (or reloaded), the writer's job-level setup (preSql) done.
struct RunSetup {
  PreparedPlugins plugins;
  std::optional<RunDir> dir;
  RunInfo info;
  std::vector<Split> plan;
  std::vector<Split> pending;                     // the splits still to run
  std::map<std::string, SplitFigures> committed;  // by an earlier run (resume)
};

// Sets up the run `options` describe. Sets report->run_dir and dirty_path, and failed_in to
// kPrepare when nothing was read or written; adds what committed splits did to `metrics`.
// `check_prepared` (may be empty) vets the prepared plugins before anything is written.
Status SetUpRun(const JobModel& job, const Registry& registry, const RunOptions& options,
                RunReport* report, Metrics* metrics, RunSetup* out,
                const std::function<Status(const PreparedPlugins&)>& check_prepared = {});

// What the channels of a run over `plugins` share, filled the same way on one machine and on a
// worker host; the caller adds on_committed and on_rolled_back. A batch size of 0 in `options`
// becomes the writer's batchSize, else ChannelOptions::kDefaultBatchRows. Every pointer must
// outlive the channels.
ChannelEnv ChannelEnvFor(const PreparedPlugins& plugins, SplitSource* splits, RateLimiter* throttle,
                         Metrics* metrics, DirtyLog* dirty, FirstError* first_error,
                         ChannelOptions options);

// .ferry/runs/<job stem>-<yyyymmddhhmmss>[-k], created (so it is unique).
std::string DefaultRunDir(const std::string& job_file);

// The splits of `plan` that committed before this resume: those committed.log records, and
// those only the destination's commit markers know of (recorded now).
Result<std::map<std::string, SplitFigures>> CommittedSplitsOf(RunDir& dir, Writer* writer,
                                                              const std::vector<Split>& plan);

// The split attempts of a run as its channels report them: those that committed, and those
// rolled back (to be retried).
struct SplitAttempts {
  std::map<std::string, int64_t> committed;               // split -> the attempt that committed
  std::set<std::pair<std::string, int64_t>> rolled_back;  // (split, attempt)
};

// The end of a run whose channels stopped with `status` (OK, the first error, or cancelled):
// drops the dirty records of rolled-back attempts (keeping those of an attempt whose COMMIT
// outcome was unknown but that committed after all), takes errorLimit's final verdict and
// finalizes the writer over every committed split. Returns the run's outcome.
Status FinishRun(RunSetup& setup, SplitAttempts attempts, const DirtyLog& dirty, Status status);

// Ends `report` with `status` and the summary of the run that started at `started`.
void CloseReport(const JobModel& job, const Metrics& metrics,
                 std::chrono::system_clock::time_point started, Status status, RunReport* report);

}  // namespace ferry
