// `ferry run JOB.json`: runs a job, prints progress and the summary, exits 0/1/2/128+N.
#include <fmt/format.h>
#include <unistd.h>

#include <cstdio>
#include <iostream>

#include "ferry/cli/commands.h"
#include "ferry/cli/distribute_run.h"
#include "ferry/cli/param_flags.h"
#include "ferry/cli/signal_watcher.h"
#include "ferry/common/log.h"
#include "ferry/common/sha256.h"
#include "ferry/datasource/datasource_store.h"
#include "ferry/exec/job_runner.h"
#include "ferry/exec/run_dir.h"
#include "ferry/job/job_loader.h"
#include "ferry/verify/verifier.h"

namespace ferry {
namespace {

struct RunFlags {
  std::string job;
  ParamFlags params;
  std::string summary_json;
  std::string run_dir;
  std::string resume;
  int progress_interval = 10;
  bool strict = false;
  size_t batch_rows = 0;  // 0: the writer's batchSize where it has one, else 4096
  DistributeFlags distribute;
};

// `--resume RUN_DIR` with a JOB.json: the file, resolved with this command's parameters, must be
// the job the run started with — otherwise the finished run would mix two jobs' rows.
Status CheckSameJob(const RunFlags& flags, const Registry& registry, const JobModel& saved,
                    const RunDir& dir) {
  ASSIGN_OR_RETURN(ParameterSet params, flags.params.Build());
  ASSIGN_OR_RETURN(LoadedJob job, LoadJob(flags.job, params, registry));
  if (job.model.ToJson(false) == saved.ToJson(false)) return Status::OK();
  return Status::InvalidArgument(flags.job + " (with these parameters) is not the job " +
                                 dir.File("job.json") +
                                 " started with; resume with `ferry run --resume " + flags.resume +
                                 "` alone to finish that job, or start a new run");
}

// The sha256 of the job file's bytes, "" when it cannot be read (stdin, gone).
std::string JobFileSha256(const std::string& path) {
  if (path.empty() || path == "-") return {};
  auto text = ReadFile(path);
  return text.ok() ? Sha256Hex(*text) : std::string();
}

// A resume finishes the job the run started with. Given the same JOB file again, its bytes must
// be those the run started from; without one, a changed file is only worth a note.
Status CheckJobFileUnchanged(const RunFlags& flags, const RunDir& dir) {
  ASSIGN_OR_RETURN(RunInfo info, dir.ReadInfo());
  if (info.job_sha256.empty()) return Status::OK();
  const std::string& path = flags.job.empty() ? info.job_file : flags.job;
  std::string now = JobFileSha256(path);
  if (now.empty() || now == info.job_sha256) return Status::OK();
  if (flags.job.empty()) {
    LogWarn(
        "{} changed since the run in {} started; the resume finishes the job as it started "
        "({})",
        path, dir.path(), dir.File("job.json"));
    return Status::OK();
  }
  return Status::InvalidArgument(
      flags.job + " changed since the run in " + dir.path() + " started (sha256 " +
      info.job_sha256.substr(0, 12) + "... then, " + now.substr(0, 12) +
      "... now); a resume must finish the job it started: run `ferry run --resume " + flags.resume +
      "` alone, or start a new run");
}

// The job to run: from the file, or saved in the run directory being resumed.
Result<JobModel> LoadForRun(const RunFlags& flags, const Registry& registry,
                            std::optional<LoadedJob>* loaded) {
  if (!flags.resume.empty()) {
    ASSIGN_OR_RETURN(RunDir dir, RunDir::Open(flags.resume));
    RETURN_NOT_OK(CheckJobFileUnchanged(flags, dir));
    ASSIGN_OR_RETURN(nlohmann::json saved, dir.ReadJob());
    ASSIGN_OR_RETURN(
        JobModel model,
        JobModel::FromJson(saved, flags.job.empty() ? dir.File("job.json") : flags.job));
    if (!flags.job.empty()) RETURN_NOT_OK(CheckSameJob(flags, registry, model, dir));
    return model;
  }
  if (flags.job.empty())
    return Status::InvalidArgument("ferry run: give a JOB.json file or --resume RUN_DIR");
  ASSIGN_OR_RETURN(ParameterSet params, flags.params.Build());
  LoadOptions load;
  load.strict = flags.strict;
  ASSIGN_OR_RETURN(LoadedJob job, LoadJob(flags.job, params, registry, load));
  for (const std::string& w : job.warnings) std::cerr << MaskSecrets(w) << "\n";
  *loaded = std::move(job);
  return (*loaded)->model;
}

// setting.verify: compares source and destination once the run succeeded. The result goes into
// the summary ("verify"); a difference, or a verification that could not finish, fails the run.
std::string VerifyAfterRun(
    const JobModel& job, const Registry& registry,
    const std::function<std::string(const StepModel&, const Status&)>& locate, RunReport* report) {
  verify::VerifyOptions options;
  options.count_only = job.setting.verify == "count";
  options.datasources = &DefaultDataSourceCatalog();
  auto result = verify::VerifyJob(job, registry, options, locate);
  Status failed;
  std::string text = "Verify (" + job.setting.verify + ")\n";
  if (!result.ok()) {
    failed = Status(result.status().code(), "verify: " + result.status().message());
    report->summary.verify_json =
        nlohmann::ordered_json{{"mode", job.setting.verify},
                               {"status", "ERROR"},
                               {"error", MaskSecrets(result.status().message())}}
            .dump();
    text += MaskSecrets(failed.message()) + "\n";
  } else {
    nlohmann::ordered_json v = result->ToJson();
    v["mode"] = job.setting.verify;
    report->summary.verify_json = v.dump();
    text += result->ToText();
    if (!result->equal) {
      failed = Status::DataError(fmt::format(
          "verify ({}): the destination differs from the source: {} missing, {} extra, {} "
          "duplicate, {} changed",
          job.setting.verify, result->missing, result->extra, result->duplicate, result->changed));
    }
  }
  if (!failed.ok()) {
    report->status = failed;
    report->summary.Fail(failed);
    text += "Run FAILED: " + failed.message() + "\n";
  }
  return text;
}

// The end of a run, on one machine or as a distributed run's coordinator: setting.verify once
// it succeeded, the summary on stderr and in --summary-json; returns the exit code.
int Finish(const JobModel& job, const Registry& registry, const RunOptions& options,
           const RunFlags& flags, const SignalWatcher& signals, RunReport report) {
  std::string verify_text;
  if (report.status.ok() && signals.signal() == 0 && !job.setting.verify.empty()) {
    verify_text = VerifyAfterRun(job, registry, options.locate, &report);
  }
  if (report.failed_in == RunPhase::kPrepare) {
    std::cerr << MaskSecrets(report.status.message()) << "\n";
  } else {
    std::cerr << SummaryText(report.summary);
  }
  if (!verify_text.empty()) std::cerr << verify_text;
  if (!flags.summary_json.empty()) {
    Status st = WriteFileAtomic(flags.summary_json, SummaryJson(report.summary));
    if (!st.ok()) std::cerr << st.message() << "\n";
  }
  if (signals.signal() != 0) return 128 + signals.signal();
  if (report.status.ok()) return kExitOk;
  return report.failed_in == RunPhase::kPrepare ? kExitInvalid : kExitFailed;
}

int Run(const RunFlags& flags) {
  SignalWatcher signals(IsRankOfDistributedRun() ? std::optional(SignalWatcher::RankLimits{})
                                                 : std::nullopt);
  if (IsWorkerRank()) return RunWorkerRank(flags.distribute, signals.token());
  const Registry& registry = Registry::Builtin();
  std::optional<LoadedJob> loaded;
  auto job = LoadForRun(flags, registry, &loaded);
  if (!job.ok()) {
    std::cerr << MaskSecrets(job.status().message()) << "\n";
    DismissWorkersIfCoordinator(job.status());
    return kExitInvalid;
  }
  RunOptions options;
  options.run_dir = flags.resume.empty() ? flags.run_dir : flags.resume;
  options.resume = !flags.resume.empty();
  options.job_file = flags.job;
  options.job_sha256 = JobFileSha256(flags.job);
  options.progress_interval = std::chrono::seconds(flags.progress_interval);
  options.live_bar = isatty(STDERR_FILENO) && flags.progress_interval > 0;
  options.channel.batch_rows = flags.batch_rows;
  options.datasources = &DefaultDataSourceCatalog();
  if (loaded) {
    options.locate = [&](const StepModel& step, const Status& st) {
      return LocateStepError(*loaded, step, st);
    };
  }
  if (!job->setting.verify.empty()) {
    Status st = verify::CheckVerifiable(*job, registry);
    if (!st.ok()) {
      std::cerr << "setting.verify: " << st.message() << "\n";
      DismissWorkersIfCoordinator(st);
      return kExitInvalid;
    }
  }
  auto finish = [&](RunReport report) {
    return Finish(*job, registry, options, flags, signals, std::move(report));
  };
  if (auto code = MaybeRunDistributed(*job, options, flags.distribute, flags.summary_json, signals,
                                      finish)) {
    return *code;
  }
  return finish(RunJob(*job, registry, options, signals.token()));
}

}  // namespace

void AddRunCommand(CLI::App* app, int* exit_code) {
  auto flags = std::make_shared<RunFlags>();
  CLI::App* cmd = app->add_subcommand("run", "run a job");
  cmd->add_option("job", flags->job, "the job file (DataWorks 2.0 or DataX layout)");
  flags->params.AddTo(cmd);
  cmd->add_option("--summary-json", flags->summary_json, "write the final figures as JSON here");
  cmd->add_option("--run-dir", flags->run_dir, "run directory (default .ferry/runs/<job>-<time>)");
  cmd->add_option("--resume", flags->resume, "finish the interrupted or failed run in RUN_DIR");
  cmd->add_flag("--strict", flags->strict,
                "every warning (a key Ferry does not use, an ignored value) is an error");
  cmd->add_option("--progress-interval", flags->progress_interval,
                  "seconds between progress lines (0: none)");
  cmd->add_option("--batch-rows", flags->batch_rows,
                  "records per batch (default: the writer's batchSize where it has one, else 4096)")
      ->check(CLI::Range(1, 1 << 20));
  flags->distribute.AddTo(cmd);
  cmd->callback([flags, exit_code] { *exit_code = Run(*flags); });
}

}  // namespace ferry
