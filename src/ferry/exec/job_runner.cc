#include "ferry/exec/job_runner.h"

#include <fmt/format.h>
#include <sys/stat.h>

#include <cerrno>
#include <chrono>
#include <cmath>
#include <ctime>
#include <filesystem>
#include <map>
#include <set>
#include <thread>
#include <vector>

#include "ferry/common/log.h"
#include "ferry/common/strings.h"
#include "ferry/datasource/datasource_store.h"
#include "ferry/exec/dirty_log.h"
#include "ferry/exec/progress.h"
#include "ferry/exec/run_dir.h"
#include "ferry/exec/run_steps.h"

namespace ferry {
namespace {

using SysClock = std::chrono::system_clock;

std::string IsoUtc(SysClock::time_point t) {
  std::time_t tt = SysClock::to_time_t(t);
  std::tm tm;
  gmtime_r(&tt, &tm);
  char buf[32];
  std::strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

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
                      const std::string& run_id,
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
  rctx.datasources = &DefaultDataSourceCatalog();
  wctx.datasources = &DefaultDataSourceCatalog();
  Status st = out->reader->Prepare(rctx);
  if (!st.ok()) return Status(st.code(), locate ? locate(job.reader, st) : st.message());
  out->columns = out->reader->OutputColumns();
  st = out->writer->Prepare(wctx, out->columns);
  if (!st.ok()) return Status(st.code(), locate ? locate(job.writer, st) : st.message());
  UseRowEncodingWhenAccepted(*out->reader, *out->writer);
  return Status::OK();
}

nlohmann::ordered_json RunSummary(const JobModel& job, const Metrics& m, const Status& st,
                                  SysClock::time_point started, SysClock::time_point finished,
                                  const std::string& run_dir, const std::string& dirty_path) {
  double elapsed = std::chrono::duration<double>(finished - started).count();
  nlohmann::json error =
      st.ok() ? nlohmann::json(nullptr) : nlohmann::json(MaskSecrets(st.message()));
  return {{"status", st.ok() ? "SUCCEEDED" : "FAILED"},
          {"job", job.file},
          {"started_at", IsoUtc(started)},
          {"finished_at", IsoUtc(finished)},
          {"elapsed_seconds", std::round(elapsed * 1000) / 1000},
          {"records_read", m.records_read.load()},
          {"records_written", m.records_written.load()},
          {"dirty_records", m.dirty_records.load()},
          {"bytes_read", m.bytes_read.load()},
          {"splits_total", m.splits_total.load()},
          {"splits_done", m.splits_done.load()},
          {"split_retries", m.split_retries.load()},
          {"wait_reader_seconds", std::round(m.wait_reader_ns.load() / 1e6) / 1000},
          {"wait_writer_seconds", std::round(m.wait_writer_ns.load() / 1e6) / 1000},
          {"run_dir", run_dir},
          {"dirty_log",
           m.dirty_records.load() > 0 ? nlohmann::json(dirty_path) : nlohmann::json(nullptr)},
          {"error", error}};
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

Status PrepareOnly(const JobModel& job, const Registry& registry,
                   const std::function<std::string(const StepModel&, const Status&)>& locate) {
  PreparedPlugins p;
  return PreparePlugins(job, registry, "", "", locate, &p);
}

Result<std::unique_ptr<Writer>> PrepareWriter(
    const JobModel& job, const Registry& registry, const std::string& run_id,
    const std::function<std::string(const StepModel&, const Status&)>& locate) {
  PreparedPlugins p;
  RETURN_NOT_OK(PreparePlugins(job, registry, "", run_id, locate, &p));
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
  Status st = PreparePlugins(job, registry, report->run_dir, info.run_id, options.locate, &plugins);
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

namespace {

RunReport RunJobUnguarded(const JobModel& job, const Registry& registry, const RunOptions& options,
                          std::stop_token stop) {
  RunReport report;
  Metrics metrics;
  auto started = SysClock::now();
  auto finish = [&](Status st) {
    report.status = st;
    report.summary =
        RunSummary(job, metrics, st, started, SysClock::now(), report.run_dir, report.dirty_path);
    return report;
  };
  if (job.setting.execute_mode == "distribute") {
    report.failed_in = RunPhase::kPrepare;
    return finish(Status::InvalidArgument(
        "setting.executeMode \"distribute\" runs over several hosts: start it with `ferry run` "
        "(--resource-group, --hosts, --hostfile or a Slurm allocation) or under mpirun"));
  }

  RunSetup setup;
  if (Status st = SetUpRun(job, registry, options, &report, &metrics, &setup); !st.ok()) {
    return finish(st);
  }
  PreparedPlugins& plugins = setup.plugins;
  const std::vector<Split>& plan = setup.plan;
  const std::vector<Split>& pending = setup.pending;
  const std::map<std::string, SplitFigures>& committed = setup.committed;
  Status st;

  std::stop_source job_stop;
  std::stop_callback forward(stop, [&] { job_stop.request_stop(); });
  FirstError first_error(&job_stop);
  Throttle throttle(job.setting.bytes_per_second, job.setting.records_per_second);
  DirtyLog dirty(report.dirty_path,
                 ErrorLimit{job.setting.error_limit_records, job.setting.error_limit_percentage},
                 &metrics);
  SplitQueue queue(pending);
  std::mutex commit_mu;
  std::map<std::string, int64_t> committed_now;  // split -> the attempt that committed
  RunDir& run_dir = *setup.dir;
  ChannelEnv env =
      ChannelEnvFor(plugins, &queue, &throttle, &metrics, &dirty, &first_error, options.channel);
  env.on_committed = [&](const Split& s, const SplitFigures& figures) {
    {
      std::lock_guard lock(commit_mu);
      committed_now[s.id] = figures.attempt;
    }
    return run_dir.MarkCommitted(s.id, figures);
  };
  std::set<std::pair<std::string, int64_t>> rolled_back;
  env.on_rolled_back = [&](const Split& s, int64_t attempt) {
    std::lock_guard lock(commit_mu);
    rolled_back.insert({s.id, attempt});
  };
  {
    ProgressReporter progress(&metrics, options.progress_interval, options.live_bar);
    size_t channels = std::min<size_t>(job.setting.concurrent, std::max<size_t>(pending.size(), 1));
    std::vector<std::jthread> threads;
    for (size_t c = 0; c < channels; ++c) {
      threads.emplace_back([&] { RunChannel(env, job_stop.get_token()); });
    }
  }

  st = first_error.Get();
  if (st.ok() && stop.stop_requested()) st = Status::Cancelled("stopped by signal");
  // An attempt whose COMMIT outcome was unknown may have committed after all (its marker said
  // so): its records stay.
  std::erase_if(rolled_back, [&](const auto& a) {
    auto it = committed_now.find(a.first);
    return it != committed_now.end() && it->second == a.second;
  });
  if (Status dropped = run_dir.DropDirtyRecordsOf(rolled_back); !dropped.ok()) {
    LogWarn("{}", dropped.message());
  }
  if (st.ok()) st = dirty.CheckFinal();
  std::vector<std::string> all_committed;
  for (const Split& s : plan) {
    if (committed.count(s.id) || committed_now.count(s.id)) all_committed.push_back(s.id);
  }
  Status fin = plugins.writer->Finalize(st.ok(), all_committed);
  if (st.ok()) st = fin;
  if (!st.ok() && st.code() != StatusCode::kCancelled) {
    LogError("job failed: {}", st.message());
  }
  RunReport out = finish(st);
  if (auto reasons = dirty.SampleReasons(); !reasons.empty()) {
    out.summary["dirty_samples"] = reasons;
  }
  (void)run_dir.WriteSummary(out.summary);
  return out;
}

}  // namespace

RunReport RunJob(const JobModel& job, const Registry& registry, const RunOptions& options,
                 std::stop_token stop) {
  // Channels turn a plugin's exception into an error; this catches those of the calls made
  // here (Prepare, PlanSplits, Start, Finalize), so a bad plugin fails its job, not the process.
  try {
    return RunJobUnguarded(job, registry, options, stop);
  } catch (const std::exception& e) {
    RunReport report;
    report.status = Status::Internal(std::string("unexpected exception: ") + e.what());
    report.summary = {{"status", "FAILED"}, {"job", job.file}, {"error", report.status.message()}};
    return report;
  }
}

std::string FormatSummary(const RunReport& report) {
  const nlohmann::json& s = report.summary;
  double elapsed = s.value("elapsed_seconds", 0.0);
  double secs = elapsed > 0 ? elapsed : 1e-9;
  int64_t read = s.value("records_read", int64_t{0});
  double bytes = static_cast<double>(s.value("bytes_read", int64_t{0}));
  std::string out;
  out += "\n";
  out += fmt::format("{:<22}: {}\n", "Job status", s.value("status", ""));
  out += fmt::format("{:<22}: {}\n", "Start time", s.value("started_at", ""));
  out += fmt::format("{:<22}: {}\n", "End time", s.value("finished_at", ""));
  out += fmt::format("{:<22}: {:.3f}s\n", "Elapsed", elapsed);
  out += fmt::format("{:<22}: {}/s\n", "Average speed", HumanBytes(bytes / secs));
  out += fmt::format("{:<22}: {} rec/s\n", "Record speed",
                     GroupDigits(static_cast<int64_t>(static_cast<double>(read) / secs)));
  out += fmt::format("{:<22}: {}\n", "Records read", GroupDigits(read));
  out += fmt::format("{:<22}: {}\n", "Records written",
                     GroupDigits(s.value("records_written", int64_t{0})));
  out += fmt::format("{:<22}: {}\n", "Dirty records",
                     GroupDigits(s.value("dirty_records", int64_t{0})));
  out += fmt::format("{:<22}: {}/{}\n", "Splits", s.value("splits_done", int64_t{0}),
                     s.value("splits_total", int64_t{0}));
  out += fmt::format("{:<22}: reader {:.1f}s, writer {:.1f}s\n", "Waited for",
                     s.value("wait_reader_seconds", 0.0), s.value("wait_writer_seconds", 0.0));
  if (!report.run_dir.empty()) out += fmt::format("{:<22}: {}\n", "Run directory", report.run_dir);
  if (s.value("dirty_records", int64_t{0}) > 0) {
    out += fmt::format("{:<22}: {}\n", "Dirty record log", report.dirty_path);
    for (const auto& reason : s.value("dirty_samples", nlohmann::json::array())) {
      out += fmt::format("{:<22}  {}\n", "", MaskSecrets(reason.get<std::string>()));
    }
  }
  if (!report.status.ok()) {
    out += fmt::format("{:<22}: {}\n", "Error", MaskSecrets(report.status.message()));
  }
  return out;
}

}  // namespace ferry
