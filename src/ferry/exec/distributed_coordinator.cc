// The coordinator of a distributed run: rank 0 (exec/distributed_runner.h).
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <cstdio>
#include <deque>
#include <filesystem>
#include <map>
#include <mutex>
#include <numeric>
#include <queue>
#include <random>
#include <set>
#include <thread>

#include "ferry/common/log.h"
#include "ferry/exec/dirty_log.h"
#include "ferry/exec/distributed_protocol.h"
#include "ferry/exec/distributed_runner.h"
#include "ferry/exec/progress.h"
#include "ferry/exec/run_steps.h"

namespace ferry {
namespace {

using json = nlohmann::json;
using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;
using namespace dist_protocol;

struct WorkerState {
  std::string host = "?";
  int64_t pid = 0;
  int channels = 0;
  json stats = json::object();    // the latest figures it reported
  json figures = json::object();  // its own, from "done"
  bool done = false;
};

struct PendingGrant {
  Clock::time_point due;
  int rank;
  json reply;
  bool operator>(const PendingGrant& o) const { return due > o.due; }
};

class Coordinator {
 public:
  // `early`: what the workers sent before the run was set up (their hellos), handled first.
  Coordinator(const JobModel& job, RunSetup* setup, RunReport* report, Metrics* metrics,
              Transport* transport, std::string host, std::vector<TransportMessage> early)
      : early_(std::move(early)),
        job_(job),
        coordinator_host_(std::move(host)),
        setup_(setup),
        metrics_(metrics),
        transport_(transport),
        throttle_(job.setting.bytes_per_second, job.setting.records_per_second),
        dirty_(report->dirty_path,
               ErrorLimit{job.setting.error_limit_records, job.setting.error_limit_percentage},
               metrics),
        queue_(setup->pending),
        workers_(static_cast<size_t>(transport->size())),
        prepared_(static_cast<size_t>(transport->size()), 0) {
    base_ = {metrics->records_read.load(), metrics->bytes_read.load(),
             metrics->records_written.load(), metrics->dirty_records.load(), 0};
    base_done_ = metrics->splits_done.load();
  }

  // Starts every worker and serves them until each is done.
  void Run(const RunOptions& options, const std::vector<int>& channels, std::stop_token stop) {
    WriteRanks();
    for (const TransportMessage& m : early_) Handle(m);
    early_.clear();
    // Every host reads the source as the coordinator's reader sees it (one snapshot).
    const json reader_state = setup_->plugins.reader->SharedReadState();
    for (int r = 1; r < transport_->size(); ++r) {
      workers_[r].channels = channels[r - 1];
      json start = {{"t", "start"},
                    {"job", job_.ToJson(false)},
                    {"file", job_.file},
                    {"run_id", setup_->info.run_id},
                    {"run_dir", setup_->dir->path()},
                    {"channels", channels[r - 1]},
                    {"workers", transport_->size() - 1},
                    {"batch_rows", options.channel.batch_rows},
                    {"reader_state", reader_state}};
      Send(r, start);
    }
    while (!AllDone()) {
      auto wait = 100ms;
      if (!grants_.empty()) {
        auto until =
            std::chrono::duration_cast<std::chrono::milliseconds>(grants_.top().due - Clock::now());
        wait = std::clamp<std::chrono::milliseconds>(until, 0ms, wait);
      }
      auto msg = transport_->Receive(wait);
      if (!msg.ok()) {
        Fail(msg.status().WithPrefix("lost the workers"));
        break;
      }
      if (*msg) Handle(**msg);
      SendDueGrants();
      if (stop.stop_requested() && !stopping_) Fail(Status::Cancelled("stopped by signal"));
      if (barrier_ && Clock::now() - held_since_ > std::chrono::seconds(30)) {
        Fail(Status::Unavailable(
            "the hosts did not open their snapshots within 30 s of the source being held still; "
            "it was let go"));
      }
    }
  }

  Status first_error() const { return first_error_; }
  DirtyLog& dirty() { return dirty_; }
  const std::map<std::string, int64_t>& committed_now() const { return committed_now_; }
  std::set<std::pair<std::string, int64_t>>& rolled_back() { return rolled_back_; }

  // For the summary: what each worker host did, and what coordinating cost: the messages rank 0
  // sent and received, and their bytes, in all and per split run.
  DistributedSummary Summary() const {
    DistributedSummary out;
    for (int r = 1; r < transport_->size(); ++r) {
      const WorkerState& w = workers_[r];
      const json& f = w.figures;
      out.hosts.push_back({.host = w.host,
                           .rank = r,
                           .channels = w.channels,
                           .splits = f.value("splits", int64_t{0}),
                           .records_read = f.value("records_read", int64_t{0}),
                           .records_written = f.value("records_written", int64_t{0}),
                           .bytes_read = f.value("bytes_read", int64_t{0}),
                           .seconds = f.value("seconds", 0.0),
                           .peak_rss_bytes = f.value("peak_rss_bytes", int64_t{0})});
    }
    const double splits = std::max<double>(1.0, static_cast<double>(setup_->pending.size()));
    out.coordination = {.messages = messages_,
                        .bytes = bytes_,
                        .messages_per_split = std::round(messages_ / splits * 10) / 10,
                        .bytes_per_split = std::round(static_cast<double>(bytes_) / splits)};
    return out;
  }

  void SayBye() {
    for (int r = 1; r < transport_->size(); ++r) Send(r, {{"t", "bye"}});
  }

 private:
  bool AllDone() const {
    for (int r = 1; r < transport_->size(); ++r) {
      if (!workers_[r].done) return false;
    }
    return true;
  }

  void Send(int rank, const json& msg) {
    std::string body = msg.dump();
    ++messages_;
    bytes_ += static_cast<int64_t>(body.size());
    Status st = transport_->Send(rank, std::move(body));
    if (!st.ok()) LogWarn("rank {}: {}", rank, st.message());
  }

  std::string HostOf(int rank) const {
    return fmt::format("host {} (rank {})", workers_[rank].host, rank);
  }

  // Once every worker is prepared: holds the source still when its reader needs that (MySQL's
  // consistentSnapshot), and tells every worker to open its view (or just to go on).
  void OpenViews() {
    if (views_answered_) return;
    bool hold = false;
    if (!stopping_) {
      auto barrier = setup_->plugins.reader->HoldStill();
      if (!barrier.ok()) {
        Fail(barrier.status());
        return;  // Fail answered the workers
      }
      barrier_ = std::move(barrier).value();
      held_since_ = Clock::now();
      hold = barrier_ != nullptr;
    }
    AnswerPrepared(hold);
  }

  void AnswerPrepared(bool open_view) {
    views_answered_ = true;
    for (int r = 1; r < transport_->size(); ++r) {
      if (prepared_[r] > 0) {
        Send(r, {{"t", "view"}, {"req", prepared_[r]}, {"open_view", open_view}});
      }
    }
  }

  // The first failure wins; every worker is told to stop.
  void Fail(const Status& st) {
    if (first_error_.ok()) first_error_ = st;
    barrier_.reset();
    if (stopping_) return;
    stopping_ = true;
    // Workers waiting for the word to open their views go on, into the stop that follows.
    if (!views_answered_) AnswerPrepared(false);
    for (int r = 1; r < transport_->size(); ++r) {
      if (!workers_[r].done) Send(r, {{"t", "stop"}, {"why", st.message()}});
    }
  }

  void Handle(const TransportMessage& m) {
    ++messages_;
    bytes_ += static_cast<int64_t>(m.body.size());
    json msg = json::parse(m.body, nullptr, /*allow_exceptions=*/false);
    if (!msg.is_object() || m.from <= 0 || m.from >= transport_->size()) {
      LogWarn("ignored a message from rank {}: {}", m.from, m.body.substr(0, 200));
      return;
    }
    const int r = m.from;
    const std::string t = msg.value("t", "");
    json reply = {{"req", msg.value("req", int64_t{0})}};
    if (t == "hello") {
      workers_[r].host = msg.value("host", "?");
      workers_[r].pid = msg.value("pid", int64_t{0});
      WriteRanks();
    } else if (t == "split") {
      reply["t"] = "split";
      std::optional<Split> next = stopping_ ? std::nullopt : queue_.Next();
      reply["split"] = next ? json(*next) : json(nullptr);
      Send(r, reply);
    } else if (t == "commit") {
      const std::string id = msg.value("split", "");
      SplitFigures figures = FiguresFromJson(msg["figures"]);
      Status st = setup_->dir->MarkCommitted(id, figures);
      if (st.ok()) committed_now_[id] = figures.attempt;
      reply["t"] = "ack";
      reply["status"] = StatusJson(st);
      Send(r, reply);
    } else if (t == "lease") {
      const auto bytes = msg.value("bytes", size_t{0});
      const auto records = msg.value("records", size_t{0});
      reply["t"] = "grant";
      reply["bytes"] = bytes;
      reply["records"] = records;
      auto wait = stopping_ ? 0ns : throttle_.Reserve(bytes, records);
      grants_.push({Clock::now() + wait, r, reply});
    } else if (t == "prepared") {
      prepared_[r] = msg.value("req", int64_t{0});
      if (views_answered_) {
        // Too late to open a view with the others (the run is stopping): go on, into the stop.
        Send(r, {{"t", "view"}, {"req", prepared_[r]}, {"open_view", false}});
      } else if (std::count_if(prepared_.begin(), prepared_.end(),
                               [](int64_t q) { return q > 0; }) == transport_->size() - 1) {
        OpenViews();
      }
    } else if (t == "viewed") {
      Status st = StatusFromJson(msg["status"]);
      if (!st.ok()) Fail(st.WithPrefix(HostOf(r)));
      if (++viewed_ == transport_->size() - 1 && barrier_) {
        barrier_.reset();
        LogInfo("every host opened its snapshot; the source was held still for {} ms",
                std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - held_since_)
                    .count());
      }
    } else if (t == "dirty") {
      Status st = dirty_.AppendLines(msg.value("lines", std::vector<std::string>{}));
      if (!st.ok()) Fail(st);
    } else if (t == "rolled") {
      rolled_back_.insert({msg.value("split", ""), msg.value("attempt", int64_t{0})});
    } else if (t == "stats") {
      workers_[r].stats = msg["m"];
      Recount();
    } else if (t == "failed") {
      Status st = StatusFromJson(msg["status"]);
      if (st.code() == StatusCode::kCancelled && stopping_) return;  // the echo of our stop
      if (st.code() == StatusCode::kCancelled) {
        // That host was asked to stop (a signal reaches every rank through mpirun).
        Fail(Status::Cancelled(fmt::format("stopped by signal ({})", HostOf(r))));
        return;
      }
      Fail(st.WithPrefix(HostOf(r)));
    } else if (t == "done") {
      workers_[r].stats = msg["m"];
      workers_[r].figures = msg["figures"];
      workers_[r].done = true;
      Recount();
    } else {
      LogWarn("ignored a message from rank {}: {}", r, m.body.substr(0, 200));
    }
  }

 private:
  // hosts.json in the run directory: which host and process each rank is, for the user and
  // for naming a host that died.
  void WriteRanks() const {
    nlohmann::ordered_json ranks = nlohmann::ordered_json::array();
    for (int r = 1; r < transport_->size(); ++r) {
      ranks.push_back({{"rank", r}, {"host", workers_[r].host}, {"pid", workers_[r].pid}});
    }
    nlohmann::ordered_json doc = {
        {"coordinator", {{"host", coordinator_host_}, {"pid", static_cast<int64_t>(::getpid())}}},
        {"workers", ranks}};
    Status st = WriteFileAtomic(setup_->dir->File("hosts.json"), doc.dump(2) + "\n");
    if (!st.ok()) LogWarn("{}", st.message());
  }

  // The job's figures: what committed before this run, plus each worker's latest report.
  void Recount() {
    SplitFigures sum = base_;
    int64_t done = base_done_, retries = 0, wait_r = 0, wait_w = 0;
    for (int r = 1; r < transport_->size(); ++r) {
      const json& s = workers_[r].stats;
      sum.records_read += s.value("read", int64_t{0});
      sum.bytes_read += s.value("bytes", int64_t{0});
      sum.records_written += s.value("written", int64_t{0});
      sum.dirty_records += s.value("dirty", int64_t{0});
      done += s.value("done", int64_t{0});
      retries += s.value("retries", int64_t{0});
      wait_r += s.value("wait_r", int64_t{0});
      wait_w += s.value("wait_w", int64_t{0});
    }
    metrics_->records_read = sum.records_read;
    metrics_->bytes_read = sum.bytes_read;
    metrics_->records_written = sum.records_written;
    metrics_->dirty_records = sum.dirty_records;
    metrics_->splits_done = done;
    metrics_->split_retries = retries;
    metrics_->wait_reader_ns = wait_r;
    metrics_->wait_writer_ns = wait_w;
    // errorLimit counts the dirty records of every host together.
    if (Status st = dirty_.Check(); !st.ok()) Fail(st);
  }

  void SendDueGrants() {
    const auto now = Clock::now();
    while (!grants_.empty() && (stopping_ || grants_.top().due <= now)) {
      Send(grants_.top().rank, grants_.top().reply);
      grants_.pop();
    }
  }

  std::vector<TransportMessage> early_;
  const JobModel& job_;
  const std::string coordinator_host_;
  RunSetup* setup_;
  Metrics* metrics_;
  Transport* transport_;
  Throttle throttle_;
  DirtyLog dirty_;
  SplitQueue queue_;
  std::vector<WorkerState> workers_;  // by rank; [0] unused
  SplitFigures base_;
  int64_t base_done_ = 0;
  std::priority_queue<PendingGrant, std::vector<PendingGrant>, std::greater<>> grants_;
  std::map<std::string, int64_t> committed_now_;  // split -> the attempt that committed
  std::set<std::pair<std::string, int64_t>> rolled_back_;
  Status first_error_;
  bool stopping_ = false;
  int64_t messages_ = 0;
  int64_t bytes_ = 0;
  // The start of the read: each worker's "prepared" question (by rank), the source held still
  // while the workers open their views, and how many did.
  std::vector<int64_t> prepared_;
  bool views_answered_ = false;
  std::unique_ptr<ReadBarrier> barrier_;
  Clock::time_point held_since_;
  int viewed_ = 0;
};

// A random token, so that only this run's probe file answers its check.
std::string ProbeToken() {
  std::random_device random;
  return fmt::format("{:08x}{:08x}", random(), random());
}

// Before anything is written: when the writer needs a directory every host shares (txtfile),
// the coordinator leaves a probe file there and every worker says whether it sees it. What the
// workers send meanwhile (their hellos) is kept in `early`. Fails naming the first host that
// does not see it.
Status CheckSharedDirectory(const SharedPath& shared, Transport* transport, std::stop_token stop,
                            std::vector<TransportMessage>* early) {
  if (shared.directory.empty()) return Status::OK();
  std::error_code ec;
  const std::filesystem::path dir = std::filesystem::absolute(shared.directory, ec);
  std::filesystem::create_directories(dir, ec);
  const std::string token = ProbeToken();
  const std::string probe = (dir / (".ferry-shared-" + token)).string();
  if (Status st = WriteFileAtomic(probe, token + "\n"); !st.ok()) {
    LogWarn("cannot write {}: {}; not checking that every host shares {}", probe, st.message(),
            dir.string());
    return Status::OK();
  }
  for (int r = 1; r < transport->size(); ++r) {
    (void)transport->Send(r, json{{"t", "probe"}, {"path", probe}, {"token", token}}.dump());
  }
  std::map<int, std::string> hosts;
  int answered = 0;
  Status result;
  const auto deadline = Clock::now() + 60s;
  while (answered < transport->size() - 1 && result.ok()) {
    if (stop.stop_requested()) {
      result = Status::Cancelled("stopped by signal");
    } else if (Clock::now() > deadline) {
      result = Status::Unavailable(
          fmt::format("{} of {} hosts did not say within 60 s whether they see {}",
                      transport->size() - 1 - answered, transport->size() - 1, dir.string()));
    } else if (auto got = transport->Receive(100ms); !got.ok()) {
      result = got.status().WithPrefix("lost the workers");
    } else if (*got) {
      json msg = json::parse((*got)->body, nullptr, /*allow_exceptions=*/false);
      const int r = (*got)->from;
      if (!msg.is_object() || msg.value("t", "") != "probed") {
        if (msg.is_object() && msg.value("t", "") == "hello") hosts[r] = msg.value("host", "?");
        early->push_back(std::move(**got));
        continue;
      }
      ++answered;
      if (!msg.value("ok", false)) {
        result = Status::FailedPrecondition(fmt::format(
            "host {} (rank {}) does not see the directory {} as this host does ({}): in a "
            "distributed run it must be a directory every host shares (NFS or similar); nothing "
            "was written",
            hosts.count(r) ? hosts[r] : "?", r, dir.string(), msg.value("error", "")));
      }
    }
  }
  std::remove(probe.c_str());
  if (result.ok() || shared.parameter.empty()) return result;
  return std::move(result).WithField(shared.parameter);
}

}  // namespace

std::vector<int> SpreadChannels(int concurrent, const std::vector<double>& weights, int workers) {
  if (workers <= 0) return {};
  std::vector<double> w(static_cast<size_t>(workers), 1.0);
  for (size_t i = 0; i < w.size() && i < weights.size(); ++i) w[i] = std::max(weights[i], 0.0);
  double total = std::accumulate(w.begin(), w.end(), 0.0);
  if (total <= 0) {
    std::fill(w.begin(), w.end(), 1.0);
    total = static_cast<double>(workers);
  }
  // Largest remainder: the shares add up to `concurrent` (or to one per worker, when more).
  std::vector<int> out(w.size());
  std::vector<std::pair<double, size_t>> remainders;
  int given = 0;
  for (size_t i = 0; i < w.size(); ++i) {
    double exact = concurrent * w[i] / total;
    out[i] = static_cast<int>(std::floor(exact));
    given += out[i];
    remainders.push_back({exact - out[i], i});
  }
  std::stable_sort(remainders.begin(), remainders.end(),
                   [](const auto& a, const auto& b) { return a.first > b.first; });
  for (size_t k = 0; given < concurrent && k < remainders.size(); ++k, ++given) {
    ++out[remainders[k].second];
  }
  for (int& c : out) c = std::max(c, 1);
  return out;
}

void DismissWorkers(Transport* transport, const Status& why) {
  for (int r = 1; r < transport->size(); ++r) {
    (void)transport->Send(r, json{{"t", "dismiss"}, {"why", why.message()}}.dump());
  }
}

RunReport RunCoordinator(const JobModel& job, const Registry& registry, const RunOptions& options,
                         const DistributeOptions& dist, Transport* transport,
                         std::stop_token stop) {
  RunReport report;
  Metrics metrics;
  const auto started = std::chrono::system_clock::now();
  auto finish = [&](const Status& st) {
    CloseReport(job, metrics, started, st, &report);
    return report;
  };
  const int workers = transport->size() - 1;
  if (workers < 1) {
    report.failed_in = RunPhase::kPrepare;
    return finish(Status::InvalidArgument(
        "executeMode \"distribute\" needs at least two ranks: the coordinator and a worker"));
  }
  RunSetup setup;
  std::vector<TransportMessage> early;
  auto distributable = [&](const PreparedPlugins& plugins) {
    Status st = plugins.reader->CheckDistributable();
    if (!st.ok()) return options.locate ? Status(st.code(), options.locate(job.reader, st)) : st;
    st = CheckSharedDirectory(plugins.writer->SharedDirectory(), transport, stop, &early);
    if (!st.ok() && options.locate) return Status(st.code(), options.locate(job.writer, st));
    return st;
  };
  if (Status st = SetUpRun(job, registry, options, &report, &metrics, &setup, distributable);
      !st.ok()) {
    DismissWorkers(transport, st);
    return finish(st);
  }
  const std::vector<int> channels = SpreadChannels(job.setting.concurrent, dist.weights, workers);
  LogInfo("distributing {} splits over {} worker ranks ({} channels: {})", setup.pending.size(),
          workers, job.setting.concurrent, fmt::join(channels, "+"));

  Coordinator coordinator(job, &setup, &report, &metrics, transport, dist.host, std::move(early));
  {
    ProgressReporter progress(&metrics, options.progress_interval, options.live_bar);
    coordinator.Run(options, channels, stop);
  }
  Status st = FinishRun(
      setup, SplitAttempts{coordinator.committed_now(), std::move(coordinator.rolled_back())},
      coordinator.dirty(), coordinator.first_error());
  CloseReport(job, metrics, started, st, &report);
  report.summary.distributed = coordinator.Summary();
  report.summary.dirty_samples = coordinator.dirty().SampleReasons();
  (void)setup.dir->WriteSummary(SummaryJson(report.summary));
  coordinator.SayBye();
  return report;
}

}  // namespace ferry
