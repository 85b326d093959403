// `ferry markers list|remove JOB`: the commit markers (DESIGN 6) a job's destination holds. A
// succeeded run removes its own; these are what failed runs left (needed to --resume them) and
// runs from before. `remove` takes one run (--run ID, or --run-dir DIR) or every run whose last
// commit is older than --older-than.
#include <fmt/format.h>

#include <ctime>
#include <iostream>

#include "ferry/cli/commands.h"
#include "ferry/cli/param_flags.h"
#include "ferry/common/log.h"
#include "ferry/datasource/datasource_store.h"
#include "ferry/exec/job_runner.h"
#include "ferry/exec/run_dir.h"
#include "ferry/job/job_loader.h"
#include "ferry/schedule/schedule_spec.h"

namespace ferry {
namespace {

struct MarkerFlags {
  std::string job;
  ParamFlags params;
  std::string run_id;
  std::string run_dir;
  std::string older_than;
};

// The job's writer, prepared (it connects, and checks the destination like `ferry check`).
Result<std::unique_ptr<Writer>> JobWriter(const MarkerFlags& flags) {
  const Registry& registry = Registry::Builtin();
  ASSIGN_OR_RETURN(ParameterSet params, flags.params.Build());
  ASSIGN_OR_RETURN(LoadedJob job, LoadJob(flags.job, params, registry));
  ASSIGN_OR_RETURN(std::unique_ptr<Writer> writer,
                   PrepareWriter(job.model, registry, "ferry-markers", &DefaultDataSourceCatalog(),
                                 [&](const StepModel& step, const Status& s) {
                                   return LocateStepError(job, step, s);
                                 }));
  if (!writer->keeps_commit_markers()) {
    return Status::FailedPrecondition("the writer of " + flags.job +
                                      " keeps no commit markers (commitMarker false, or a "
                                      "destination without transactions)");
  }
  return writer;
}

std::string UtcBefore(int64_t seconds_ago) {
  std::time_t t = std::time(nullptr) - seconds_ago;
  std::tm tm;
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof(buf), "%Y-%m-%d %H:%M:%S", &tm);
  return buf;
}

int ListMarkers(const MarkerFlags& flags) {
  auto writer = JobWriter(flags);
  if (!writer.ok()) return FailCommand("markers", writer.status(), kExitInvalid);
  auto runs = (*writer)->ListCommitMarkers();
  if (!runs.ok()) return FailCommand("markers", runs.status(), kExitFailed);
  if (runs->empty()) {
    std::cout << "no commit markers\n";
    return kExitOk;
  }
  std::cout << fmt::format("{:<48} {:<24} {:>7}  {:<19}  {:<19}\n", "RUN", "TARGET", "SPLITS",
                           "FIRST COMMIT (UTC)", "LAST COMMIT (UTC)");
  for (const MarkerRun& r : *runs) {
    std::cout << fmt::format("{:<48} {:<24} {:>7}  {:<19}  {:<19}\n", r.run_id, r.target, r.splits,
                             r.first_commit, r.last_commit);
  }
  return kExitOk;
}

int Remove(const MarkerFlags& flags) {
  int given = !flags.run_id.empty() + !flags.run_dir.empty() + !flags.older_than.empty();
  if (given != 1) {
    return FailCommand(
        "markers",
        Status::InvalidArgument("give one of --run ID, --run-dir DIR or --older-than AGE"),
        kExitInvalid);
  }
  std::string run_id = flags.run_id;
  std::string before;
  if (!flags.run_dir.empty()) {
    auto dir = RunDir::Open(flags.run_dir);
    auto info = dir.ok() ? dir->ReadInfo() : Result<RunInfo>(dir.status());
    if (!info.ok()) return FailCommand("markers", info.status(), kExitInvalid);
    run_id = info->run_id;
  }
  if (!flags.older_than.empty()) {
    auto seconds = ParseDurationSeconds(flags.older_than);
    if (!seconds.ok())
      return FailCommand("markers", seconds.status().WithPrefix("--older-than"), kExitInvalid);
    before = UtcBefore(*seconds);
  }
  auto writer = JobWriter(flags);
  if (!writer.ok()) return FailCommand("markers", writer.status(), kExitInvalid);
  auto removed = (*writer)->RemoveCommitMarkers(run_id, before);
  if (!removed.ok()) return FailCommand("markers", removed.status(), kExitFailed);
  std::cout << "removed " << *removed << " commit marker(s)"
            << (run_id.empty() ? " of runs last committed before " + before + " UTC"
                               : " of run " + run_id)
            << "\n";
  return kExitOk;
}

}  // namespace

void AddMarkersCommand(CLI::App* app, int* exit_code) {
  CLI::App* markers =
      app->add_subcommand("markers", "list or remove the commit markers at a job's destination");
  markers->require_subcommand(1);
  auto flags = std::make_shared<MarkerFlags>();
  CLI::App* list =
      markers->add_subcommand("list", "runs whose commit markers the destination holds");
  list->add_option("job", flags->job, "the job whose destination to look at")->required();
  flags->params.AddTo(list);
  list->callback([flags, exit_code] { *exit_code = ListMarkers(*flags); });
  CLI::App* remove = markers->add_subcommand("remove", "remove commit markers of old runs");
  remove->add_option("job", flags->job, "the job whose destination to clean")->required();
  flags->params.AddTo(remove);
  remove->add_option("--run", flags->run_id, "the run id (run.json) whose markers to remove");
  remove->add_option("--run-dir", flags->run_dir,
                     "remove the markers of the run in this directory");
  remove->add_option("--older-than", flags->older_than,
                     "remove the markers of runs last committed longer ago (30d, 12h, 90m)");
  remove->callback([flags, exit_code] { *exit_code = Remove(*flags); });
}

}  // namespace ferry
