#include "ferry/exec/job_runner.h"

#include <sys/stat.h>

#include <cerrno>
#include <chrono>
#include <ctime>
#include <filesystem>
#include <map>
#include <thread>
#include <vector>

#include "ferry/common/log.h"
#include "ferry/exec/dirty_log.h"
#include "ferry/exec/progress.h"
#include "ferry/exec/run_dir.h"
#include "ferry/exec/run_steps.h"

namespace ferry {
namespace {

using SysClock = std::chrono::system_clock;

int64_t LocalNowMicros() {
  auto now = SysClock::now();
  std::time_t tt = SysClock::to_time_t(now);
  std::tm tm;
  localtime_r(&tt, &tm);
  int64_t micros =
      std::chrono::duration_cast<std::chrono::microseconds>(now.time_since_epoch()).count();
  return micros + static_cast<int64_t>(tm.tm_gmtoff) * 1'000'000;
}

}  // namespace

std::string DefaultRunDir(const std::string& job_file) {
  std::string stem = std::filesystem::path(job_file).stem().string();
  if (stem.empty()) stem = "job";
  std::time_t tt = SysClock::to_time_t(SysClock::now());
  std::tm tm;
  localtime_r(&tt, &tm);
  char buf[32];
  std::strftime(buf, sizeof(buf), "%Y%m%d%H%M%S", &tm);
  const std::string parent = ".ferry/runs";
  std::error_code ec;
  std::filesystem::create_directories(parent, ec);
  const std::string base = parent + "/" + stem + "-" + buf;
  // mkdir claims the name atomically: two runs started in the same second get different ones.
  std::string dir = base;
  for (int k = 2; k < 10000; ++k) {
    if (::mkdir(dir.c_str(), 0755) == 0 || errno != EEXIST) break;
    dir = base + "-" + std::to_string(k);
  }
  return dir;
}

// The splits of `plan` that committed before this resume: those committed.log records, and
// those only the destination's commit markers know of (the run died between a commit and its
// record), which are recorded now.
Result<std::map<std::string, SplitFigures>> CommittedSplitsOf(RunDir& dir, Writer* writer,
                                                              const std::vector<Split>& plan) {
  ASSIGN_OR_RETURN(auto logged, dir.ReadCommittedSplits());
  ASSIGN_OR_RETURN(auto marked, writer->CommittedSplits());
  std::map<std::string, SplitFigures> out;
  for (const Split& s : plan) {
    if (auto it = logged.find(s.id); it != logged.end()) {
      out.insert(*it);
      continue;
    }
    auto it = marked.find(s.id);
    if (it == marked.end()) continue;
    LogInfo(
        "split {}: committed in the destination (commit marker) but not in committed.log; "
        "recorded now",
        s.id);
    RETURN_NOT_OK(dir.MarkCommitted(s.id, it->second));
    out.insert(*it);
  }
  return out;
}

namespace {

// Rows move pre-encoded (types/row_encoding.h) when the writer takes the reader's form as is.
void UseRowEncodingWhenAccepted(Reader& reader, const Writer& writer) {
  std::shared_ptr<const RowEncoding> offered = reader.OfferedRowEncoding();
  if (offered == nullptr || !writer.AcceptsRowEncoding(*offered)) return;
  reader.UseRowEncoding();
  LogInfo("rows move from reader to writer as {}, unchanged", offered->Describe());
}

}  // namespace

Status PreparePlugins(const JobModel& job, const Registry& registry, const std::string& run_dir,
                      const std::string& run_id, const DataSourceCatalog* datasources,
                      const std::function<std::string(const StepModel&, const Status&)>& locate,
                      PreparedPlugins* out) {
  const PluginInfo* r = registry.Find(job.reader.plugin);
  const PluginInfo* w = registry.Find(job.writer.plugin);
  if (r == nullptr || !r->make_reader) {
    return Status::InvalidArgument("unknown reader plugin " + job.reader.plugin);
  }
  if (w == nullptr || !w->make_writer) {
    return Status::InvalidArgument("unknown writer plugin " + job.writer.plugin);
  }
  out->reader = r->make_reader();
  out->writer = w->make_writer();
  out->writer_transactional = w->transactional;
  out->reader_param = job.reader.parameter;
  out->writer_param = job.writer.parameter;
  int64_t now = LocalNowMicros();
  StepContext rctx{
      &out->reader_param, job.reader.name, job.setting.concurrent, now, run_dir, run_id};
  StepContext wctx{
      &out->writer_param, job.writer.name, job.setting.concurrent, now, run_dir, run_id};
  rctx.datasources = datasources;
  wctx.datasources = datasources;
  Status st = out->reader->Prepare(rctx);
  if (!st.ok()) return Status(st.code(), locate ? locate(job.reader, st) : st.message());
  out->columns = out->reader->OutputColumns();
  st = out->writer->Prepare(wctx, out->columns);
  if (!st.ok()) return Status(st.code(), locate ? locate(job.writer, st) : st.message());
  UseRowEncodingWhenAccepted(*out->reader, *out->writer);
  return Status::OK();
}

ChannelEnv ChannelEnvFor(const PreparedPlugins& plugins, SplitSource* splits, RateLimiter* throttle,
                         Metrics* metrics, DirtyLog* dirty, FirstError* first_error,
                         ChannelOptions options) {
  ChannelEnv env;
  env.reader = plugins.reader.get();
  env.writer = plugins.writer.get();
  env.num_columns = plugins.columns.size();
  env.splits = splits;
  env.throttle = throttle;
  env.metrics = metrics;
  env.dirty = dirty;
  env.first_error = first_error;
  env.writer_transactional = plugins.writer_transactional;
  env.commit_markers = plugins.writer->keeps_commit_markers();
  env.options = options;
  if (env.options.batch_rows == 0) env.options.batch_rows = plugins.writer->batch_rows();
  if (env.options.batch_rows == 0) env.options.batch_rows = ChannelOptions::kDefaultBatchRows;
  return env;
}

Result<std::unique_ptr<Writer>> PrepareWriter(
    const JobModel& job, const Registry& registry, const std::string& run_id,
    const DataSourceCatalog* datasources,
    const std::function<std::string(const StepModel&, const Status&)>& locate) {
  PreparedPlugins p;
  RETURN_NOT_OK(PreparePlugins(job, registry, "", run_id, datasources, locate, &p));
  return std::move(p.writer);
}

Status SetUpRun(const JobModel& job, const Registry& registry, const RunOptions& options,
                RunReport* report, Metrics* metrics, RunSetup* out,
                const std::function<Status(const PreparedPlugins&)>& check_prepared) {
  auto prepare_failed = [&](Status st) {
    report->failed_in = RunPhase::kPrepare;
    return st;
  };
  report->run_dir = options.run_dir.empty() ? DefaultRunDir(job.file) : options.run_dir;
  // A resumed run keeps its id (it names the run's commit markers in the destination).
  RunInfo info{NewRunId(job.file), options.job_file, options.job_sha256};
  if (options.resume) {
    auto opened = RunDir::Open(report->run_dir);
    if (!opened.ok()) return prepare_failed(opened.status());
    auto saved = opened->ReadInfo();
    if (!saved.ok()) return prepare_failed(saved.status());
    info = std::move(saved).value();
  }
  PreparedPlugins plugins;
  Status st = PreparePlugins(job, registry, report->run_dir, info.run_id, options.datasources,
                             options.locate, &plugins);
  if (st.ok() && check_prepared) st = check_prepared(plugins);
  if (!st.ok()) {
    report->run_dir.clear();
    return prepare_failed(st);
  }

  // The run directory: a new plan, or the saved plan of the run being resumed.
  std::vector<Split> plan;
  std::map<std::string, SplitFigures> committed;
  Result<RunDir> dir =
      options.resume ? RunDir::Open(report->run_dir) : RunDir::Create(report->run_dir);
  if (!dir.ok()) return prepare_failed(dir.status());
  report->dirty_path = dir->dirty_path();
  if (options.resume) {
    auto saved = dir->ReadPlan();
    if (!saved.ok()) return saved.status();
    plan = std::move(saved).value();
    auto done = CommittedSplitsOf(*dir, plugins.writer.get(), plan);
    if (!done.ok()) return done.status();
    committed = std::move(done).value();
    // The splits still to run will log their dirty records again.
    st = dir->KeepDirtyRecordsOf(committed);
    if (!st.ok()) return st;
  } else {
    auto planned = plugins.reader->PlanSplits(job.setting.concurrent);
    if (!planned.ok()) return planned.status();
    plan = std::move(planned).value();
  }

  // A resumed run reports the whole job: what the committed splits did counts too.
  std::vector<Split> pending;
  for (const Split& s : plan) {
    auto it = committed.find(s.id);
    if (it == committed.end()) {
      pending.push_back(s);
      continue;
    }
    metrics->records_read += it->second.records_read;
    metrics->bytes_read += it->second.bytes_read;
    metrics->records_written += it->second.records_written;
    metrics->dirty_records += it->second.dirty_records;
  }
  metrics->splits_total = static_cast<int64_t>(plan.size());
  metrics->splits_done = static_cast<int64_t>(plan.size() - pending.size());
  LogInfo("job {}: {} splits ({} to run), {} channels, run directory {}", job.file, plan.size(),
          pending.size(), job.setting.concurrent, report->run_dir);

  st = plugins.writer->Start(options.resume);
  if (!st.ok()) return st;
  if (!options.resume) {
    // Saved only now that the setup (preSql) ran: a directory with a plan is one to resume,
    // where the setup must not run again.
    st = dir->WriteInfo(info);
    if (st.ok()) st = dir->WriteJob(job.ToJson(false));
    if (st.ok()) st = dir->WritePlan(plan);
    if (!st.ok()) {
      (void)plugins.writer->Finalize(false, {});
      return st;
    }
  }

  out->plugins = std::move(plugins);
  out->dir.emplace(std::move(dir).value());
  out->info = std::move(info);
  out->plan = std::move(plan);
  out->pending = std::move(pending);
  out->committed = std::move(committed);
  return Status::OK();
}

Status FinishRun(RunSetup& setup, SplitAttempts attempts, const DirtyLog& dirty, Status status) {
  std::erase_if(attempts.rolled_back, [&](const auto& a) {
    auto it = attempts.committed.find(a.first);
    return it != attempts.committed.end() && it->second == a.second;
  });
  if (Status dropped = setup.dir->DropDirtyRecordsOf(attempts.rolled_back); !dropped.ok()) {
    LogWarn("{}", dropped.message());
  }
  if (status.ok()) status = dirty.CheckFinal();
  std::vector<std::string> all_committed;
  for (const Split& s : setup.plan) {
    if (setup.committed.count(s.id) || attempts.committed.count(s.id)) {
      all_committed.push_back(s.id);
    }
  }
  Status finalized = setup.plugins.writer->Finalize(status.ok(), all_committed);
  if (status.ok()) status = finalized;
  if (!status.ok() && status.code() != StatusCode::kCancelled) {
    LogError("job failed: {}", status.message());
  }
  return status;
}

void CloseReport(const JobModel& job, const Metrics& metrics, SysClock::time_point started,
                 Status status, RunReport* report) {
  report->summary = SummarizeRun(job.file, metrics, status, started, SysClock::now(),
                                 report->run_dir, report->dirty_path);
  report->status = std::move(status);
}

namespace {

// Runs the pending splits of `setup` over the job's channels until every one is done, one
// failed for good, or `stop` is requested; returns the first fatal error (or Cancelled).
Status RunChannels(const JobModel& job, const RunOptions& options, RunSetup& setup,
                   Metrics* metrics, DirtyLog* dirty, SplitAttempts* attempts,
                   std::stop_token stop) {
  std::stop_source job_stop;
  std::stop_callback forward(stop, [&] { job_stop.request_stop(); });
  FirstError first_error(&job_stop);
  Throttle throttle(job.setting.bytes_per_second, job.setting.records_per_second);
  SplitQueue queue(setup.pending);
  std::mutex attempts_mu;
  ChannelEnv env = ChannelEnvFor(setup.plugins, &queue, &throttle, metrics, dirty, &first_error,
                                 options.channel);
  env.on_committed = [&](const Split& s, const SplitFigures& figures) {
    {
      std::lock_guard lock(attempts_mu);
      attempts->committed[s.id] = figures.attempt;
    }
    return setup.dir->MarkCommitted(s.id, figures);
  };
  env.on_rolled_back = [&](const Split& s, int64_t attempt) {
    std::lock_guard lock(attempts_mu);
    attempts->rolled_back.insert({s.id, attempt});
  };
  {
    ProgressReporter progress(metrics, options.progress_interval, options.live_bar);
    size_t channels =
        std::min<size_t>(job.setting.concurrent, std::max<size_t>(setup.pending.size(), 1));
    std::vector<std::jthread> threads;
    for (size_t c = 0; c < channels; ++c) {
      threads.emplace_back([&] { RunChannel(env, job_stop.get_token()); });
    }
  }
  Status st = first_error.Get();
  if (st.ok() && stop.stop_requested()) st = Status::Cancelled("stopped by signal");
  return st;
}

RunReport RunJobUnguarded(const JobModel& job, const Registry& registry, const RunOptions& options,
                          std::stop_token stop) {
  RunReport report;
  Metrics metrics;
  const auto started = SysClock::now();
  if (job.setting.execute_mode == "distribute") {
    report.failed_in = RunPhase::kPrepare;
    CloseReport(job, metrics, started,
                Status::InvalidArgument(
                    "setting.executeMode \"distribute\" runs over several hosts: start it with "
                    "`ferry run` (--resource-group, --hosts, --hostfile or a Slurm allocation) or "
                    "under mpirun"),
                &report);
    return report;
  }
  RunSetup setup;
  if (Status st = SetUpRun(job, registry, options, &report, &metrics, &setup); !st.ok()) {
    CloseReport(job, metrics, started, st, &report);
    return report;
  }
  DirtyLog dirty(report.dirty_path,
                 ErrorLimit{job.setting.error_limit_records, job.setting.error_limit_percentage},
                 &metrics);
  SplitAttempts attempts;
  Status st = RunChannels(job, options, setup, &metrics, &dirty, &attempts, stop);
  st = FinishRun(setup, std::move(attempts), dirty, st);
  CloseReport(job, metrics, started, st, &report);
  report.summary.dirty_samples = dirty.SampleReasons();
  (void)setup.dir->WriteSummary(SummaryJson(report.summary));
  return report;
}

}  // namespace

RunReport RunJob(const JobModel& job, const Registry& registry, const RunOptions& options,
                 std::stop_token stop) {
  const auto started = SysClock::now();
  // Channels turn a plugin's exception into an error; this catches those of the calls made
  // here (Prepare, PlanSplits, Start, Finalize), so a bad plugin fails its job, not the process.
  try {
    return RunJobUnguarded(job, registry, options, stop);
  } catch (const std::exception& e) {
    RunReport report;
    CloseReport(job, Metrics(), started,
                Status::Internal(std::string("unexpected exception: ") + e.what()), &report);
    return report;
  }
}

}  // namespace ferry
