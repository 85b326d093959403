#include "ferry/exec/distributed_runner.h"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <atomic>
#include <cmath>
#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include <numeric>
#include <queue>
#include <set>
#include <thread>

#include "ferry/common/log.h"
#include "ferry/exec/dirty_log.h"
#include "ferry/exec/progress.h"
#include "ferry/exec/run_steps.h"

namespace ferry {
namespace {

// The messages, each a JSON object whose "t" names it. Worker to coordinator: hello, split
// (asks for the next), commit, lease (throttle budget), dirty (lines for dirty.jsonl), rolled
// (an attempt rolled back), stats (the rank's figures), failed, done. Coordinator to worker:
// start, split, ack, grant, stop, bye. A question carries "req", and its answer the same.
using json = nlohmann::json;
using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

json StatusJson(const Status& st) {
  return {{"code", static_cast<int>(st.code())}, {"msg", st.message()}};
}

Status StatusFromJson(const json& j) {
  if (!j.is_object()) return Status::OK();
  int code = j.value("code", 0);
  if (code == 0) return Status::OK();
  return Status(static_cast<StatusCode>(code), j.value("msg", ""));
}

json FiguresJson(const SplitFigures& f) {
  return {{"read", f.records_read},
          {"bytes", f.bytes_read},
          {"written", f.records_written},
          {"dirty", f.dirty_records},
          {"attempt", f.attempt}};
}

SplitFigures FiguresFromJson(const json& j) {
  return {j.value("read", int64_t{0}), j.value("bytes", int64_t{0}),
          j.value("written", int64_t{0}), j.value("dirty", int64_t{0}),
          j.value("attempt", int64_t{0})};
}

// A rank's counters, as it reports them.
json MetricsJson(const Metrics& m) {
  return {{"read", m.records_read.load()},       {"bytes", m.bytes_read.load()},
          {"written", m.records_written.load()}, {"dirty", m.dirty_records.load()},
          {"done", m.splits_done.load()},        {"retries", m.split_retries.load()},
          {"wait_r", m.wait_reader_ns.load()},   {"wait_w", m.wait_writer_ns.load()}};
}

int64_t PeakRssBytes() {
  rusage usage{};
  ::getrusage(RUSAGE_SELF, &usage);
  return static_cast<int64_t>(usage.ru_maxrss) * 1024;
}

// ---------------------------------------------------------------------------------------------
// Coordinator

struct WorkerState {
  std::string host = "?";
  int64_t pid = 0;
  int channels = 0;
  json stats = json::object();  // the latest figures it reported
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
  Coordinator(const JobModel& job, RunSetup* setup, RunReport* report, Metrics* metrics,
              Transport* transport, std::string host)
      : job_(job),
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
    // Every host reads the source as the coordinator's reader sees it (one snapshot).
    const json reader_state = setup_->plugins.reader->SharedReadState();
    const std::string probe = WriteSharedProbe();
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
                    {"reader_state", reader_state},
                    {"shared_probe", probe}};
      Send(r, start);
    }
    while (!AllDone()) {
      auto wait = 100ms;
      if (!grants_.empty()) {
        auto until = std::chrono::duration_cast<std::chrono::milliseconds>(grants_.top().due -
                                                                         Clock::now());
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

  // Per-host figures for summary.json.
  nlohmann::ordered_json Hosts() const {
    nlohmann::ordered_json hosts = nlohmann::ordered_json::array();
    for (int r = 1; r < transport_->size(); ++r) {
      const WorkerState& w = workers_[r];
      nlohmann::ordered_json h = {{"host", w.host}, {"rank", r}, {"channels", w.channels}};
      for (const char* key :
           {"splits", "records_read", "records_written", "bytes_read", "seconds", "peak_rss_bytes"}) {
        h[key] = w.figures.contains(key) ? w.figures[key] : json(0);
      }
      hosts.push_back(h);
    }
    return hosts;
  }

  // What coordinating cost: the messages rank 0 sent and received, and their bytes, in all and
  // per split run.
  nlohmann::ordered_json Coordination() const {
    const double splits = std::max<double>(1.0, static_cast<double>(setup_->pending.size()));
    return {{"messages", messages_},
            {"bytes", bytes_},
            {"messages_per_split", std::round(messages_ / splits * 10) / 10},
            {"bytes_per_split", std::round(static_cast<double>(bytes_) / splits)}};
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
      } else if (std::count_if(prepared_.begin(), prepared_.end(), [](int64_t q) { return q > 0; }) ==
          transport_->size() - 1) {
        OpenViews();
      }
    } else if (t == "viewed") {
      Status st = StatusFromJson(msg["status"]);
      if (!st.ok()) Fail(st.WithPrefix(HostOf(r)));
      if (++viewed_ == transport_->size() - 1 && barrier_) {
        barrier_.reset();
        LogInfo("every host opened its snapshot; the source was held still for {} ms",
                std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() -
                                                                      held_since_)
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

  // A writer whose output directory every host must share (txtfile): a file only the hosts
  // that share it see, checked by every worker before it writes. Returns its path, or "".
  std::string WriteSharedProbe() {
    const std::string dir = setup_->plugins.writer->SharedDirectory();
    if (dir.empty()) return "";
    probe_ = dir + "/.ferry-shared-" + setup_->info.run_id;
    if (Status st = WriteFileAtomic(probe_, setup_->info.run_id + "\n"); !st.ok()) {
      LogWarn("cannot write {}: {}; not checking that every host shares {}", probe_,
              st.message(), dir);
      probe_.clear();
    }
    return probe_;
  }

 public:
  ~Coordinator() {
    if (!probe_.empty()) std::remove(probe_.c_str());
  }

 private:
  // hosts.json in the run directory: which host and process each rank is, for the user and
  // for naming a host that died.
  void WriteRanks() const {
    nlohmann::ordered_json ranks = nlohmann::ordered_json::array();
    for (int r = 1; r < transport_->size(); ++r) {
      ranks.push_back({{"rank", r}, {"host", workers_[r].host}, {"pid", workers_[r].pid}});
    }
    nlohmann::ordered_json doc = {{"coordinator", {{"host", coordinator_host_},
                                                   {"pid", static_cast<int64_t>(::getpid())}}},
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
  std::string probe_;  // the shared-directory probe file, removed at the end
  // The start of the read: each worker's "prepared" question (by rank), the source held still
  // while the workers open their views, and how many did.
  std::vector<int64_t> prepared_;
  bool views_answered_ = false;
  std::unique_ptr<ReadBarrier> barrier_;
  Clock::time_point held_since_;
  int viewed_ = 0;
};

// ---------------------------------------------------------------------------------------------
// Worker

// A worker's line to the coordinator. Any thread may Call (a question, waiting for its answer)
// or Post; the rank's main thread Pumps: sends what is queued and delivers the answers.
class CoordinatorLink {
 public:
  explicit CoordinatorLink(Transport* transport) : transport_(transport) {}

  void Post(json msg) {
    {
      std::lock_guard lock(mu_);
      outbox_.push_back(std::move(msg));
    }
    outbox_cv_.notify_one();
  }

  // Sends `msg` and waits for its answer, at most `limit`, or until `stop`.
  Result<json> Call(json msg, std::stop_token stop = {},
                    std::chrono::seconds limit = std::chrono::seconds(300)) {
    std::unique_lock lock(mu_);
    const int64_t req = ++next_req_;
    ++unanswered_;
    msg["req"] = req;
    outbox_.push_back(std::move(msg));
    outbox_cv_.notify_one();
    bool answered = replies_cv_.wait_for(lock, stop, limit, [&] { return replies_.count(req); });
    if (!answered) {
      abandoned_.insert(req);
      if (stop.stop_requested()) return Status::Cancelled("stopped");
      return Status::Unavailable(
          fmt::format("the coordinator (rank 0) did not answer within {} s", limit.count()));
    }
    json reply = std::move(replies_[req]);
    replies_.erase(req);
    return reply;
  }

  // From the thread that pumps: sends `msg` and pumps until its answer comes. Other messages
  // that come meanwhile are kept for the next Pump.
  Result<json> Ask(json msg) {
    int64_t req = 0;
    {
      std::lock_guard lock(mu_);
      req = ++next_req_;
      ++unanswered_;
      msg["req"] = req;
      outbox_.push_back(std::move(msg));
    }
    for (;;) {
      ASSIGN_OR_RETURN(std::vector<json> others, Pump(5ms, [] { return false; }));
      for (json& o : others) held_.push_back(std::move(o));
      std::lock_guard lock(mu_);
      if (auto it = replies_.find(req); it != replies_.end()) {
        json reply = std::move(it->second);
        replies_.erase(it);
        return reply;
      }
    }
  }

  // Wakes Pump (a channel finished).
  void Wake() { outbox_cv_.notify_one(); }

  // Sends what is queued and receives what came. While a question waits for its answer it
  // waits for the coordinator (at most 1 ms, then returns); otherwise up to `wait` for more to
  // send or for `wake_when`. Returns the coordinator's messages that are not answers.
  Result<std::vector<json>> Pump(std::chrono::milliseconds wait,
                                 const std::function<bool()>& wake_when) {
    std::deque<json> out;
    bool awaiting = false;
    {
      std::unique_lock lock(mu_);
      awaiting = unanswered_ > 0;
      if (!awaiting) {
        outbox_cv_.wait_for(lock, wait, [&] {
          return !outbox_.empty() || unanswered_ > 0 || wake_when();
        });
      }
      out.swap(outbox_);
      awaiting = unanswered_ > 0;
    }
    for (json& m : out) RETURN_NOT_OK(transport_->Send(0, m.dump()));
    std::vector<json> others = std::move(held_);
    held_.clear();
    // An answer is awaited: the transport's own wait (MPI: polling from microseconds up).
    auto first_wait = awaiting ? 1ms : 0ms;
    for (;;) {
      ASSIGN_OR_RETURN(auto got, transport_->Receive(first_wait));
      first_wait = 0ms;
      if (!got) break;
      json msg = json::parse(got->body, nullptr, /*allow_exceptions=*/false);
      if (!msg.is_object()) continue;
      const int64_t req = msg.value("req", int64_t{0});
      if (req == 0) {
        others.push_back(std::move(msg));
        continue;
      }
      std::lock_guard lock(mu_);
      --unanswered_;
      if (abandoned_.erase(req)) continue;
      replies_[req] = std::move(msg);
      replies_cv_.notify_all();
    }
    return others;
  }

 private:
  Transport* transport_;
  std::mutex mu_;
  std::condition_variable outbox_cv_;
  std::condition_variable_any replies_cv_;
  std::deque<json> outbox_;
  std::map<int64_t, json> replies_;
  std::set<int64_t> abandoned_;
  int64_t next_req_ = 0;
  int64_t unanswered_ = 0;  // questions sent or queued whose answer has not come
  std::vector<json> held_;  // kept by Ask for the next Pump (the pumping thread's own)
};

// Splits, one at a time, from the coordinator.
class RemoteSplits : public SplitSource {
 public:
  explicit RemoteSplits(CoordinatorLink* link) : link_(link) {}
  std::optional<Split> Next() override {
    auto reply = link_->Call({{"t", "split"}});
    if (!reply.ok() || !(*reply)["split"].is_object()) return std::nullopt;
    return (*reply)["split"].get<Split>();
  }

 private:
  CoordinatorLink* link_;
};

// The job-global throttle, leased: budget is asked from the coordinator's token bucket in
// slices of about 100 ms of the job's rate shared by the workers (never less than the batch at
// hand), and spent locally; what the workers hold unspent stays about 100 ms of the rate,
// however many hosts there are.
class LeasedThrottle : public RateLimiter {
 public:
  LeasedThrottle(CoordinatorLink* link, double bytes_rate, double records_rate, int workers)
      : link_(link),
        bytes_rate_(bytes_rate),
        records_rate_(records_rate),
        slices_per_second_(10.0 * std::max(workers, 1)) {}

  bool Acquire(size_t bytes, size_t records, std::stop_token stop) override {
    if (bytes_rate_ <= 0 && records_rate_ <= 0) return true;
    std::lock_guard lock(mu_);
    const double need_bytes = bytes_rate_ > 0 ? static_cast<double>(bytes) - bytes_left_ : 0;
    const double need_records =
        records_rate_ > 0 ? static_cast<double>(records) - records_left_ : 0;
    if (need_bytes > 0 || need_records > 0) {
      auto lease = [this](double need, double rate) {
        return need > 0 ? static_cast<size_t>(std::ceil(std::max(need, rate / slices_per_second_)))
                        : size_t{0};
      };
      const size_t ask_bytes = lease(need_bytes, bytes_rate_);
      const size_t ask_records = lease(need_records, records_rate_);
      auto grant =
          link_->Call({{"t", "lease"}, {"bytes", ask_bytes}, {"records", ask_records}}, stop);
      if (!grant.ok()) return false;
      bytes_left_ += static_cast<double>(ask_bytes);
      records_left_ += static_cast<double>(ask_records);
    }
    bytes_left_ -= static_cast<double>(bytes);
    records_left_ -= static_cast<double>(records);
    return true;
  }

 private:
  CoordinatorLink* link_;
  const double bytes_rate_, records_rate_;
  const double slices_per_second_;
  std::mutex mu_;
  double bytes_left_ = 0, records_left_ = 0;
};

// Waits for the coordinator's "start" (or a dismissal: nullopt).
Result<std::optional<json>> AwaitStart(CoordinatorLink& link) {
  for (;;) {
    ASSIGN_OR_RETURN(std::vector<json> got, link.Pump(5ms, [] { return false; }));
    for (json& msg : got) {
      const std::string t = msg.value("t", "");
      if (t == "start") return std::optional<json>(std::move(msg));
      if (t == "bye" || t == "dismiss") return std::optional<json>();
    }
  }
}

// Serves the link until the coordinator says bye.
Status AwaitBye(CoordinatorLink& link) {
  for (;;) {
    ASSIGN_OR_RETURN(std::vector<json> got, link.Pump(5ms, [] { return false; }));
    for (const json& msg : got) {
      if (msg.value("t", "") == "bye") return Status::OK();
    }
  }
}

// The worker's part of a started run.
class Worker {
 public:
  Worker(const Registry& registry, const DistributeOptions& dist, CoordinatorLink* link,
         const json& start)
      : registry_(registry), dist_(dist), link_(link), start_(start) {}

  Status Run(std::stop_token stop) {
    const auto started = started_ = Clock::now();
    Status st = RunChannels(stop);
    seconds_ = std::chrono::duration<double>(Clock::now() - started).count();
    if (!st.ok()) link_->Post({{"t", "failed"}, {"status", StatusJson(st)}});
    json figures = {{"splits", splits_.load()},
                    {"records_read", metrics_.records_read.load()},
                    {"records_written", metrics_.records_written.load()},
                    {"bytes_read", metrics_.bytes_read.load()},
                    {"seconds", std::round(seconds_ * 1000) / 1000},
                    {"peak_rss_bytes", PeakRssBytes()}};
    link_->Post({{"t", "done"}, {"m", MetricsJson(metrics_)}, {"figures", figures}});
    RETURN_NOT_OK(AwaitBye(*link_));
    return st;
  }

 private:
  Status RunChannels(std::stop_token stop) {
    ASSIGN_OR_RETURN(JobModel job, JobModel::FromJson(start_["job"], start_.value("file", "")));
    PreparedPlugins plugins;
    RETURN_NOT_OK(PreparePlugins(job, registry_, start_.value("run_dir", ""),
                                 start_.value("run_id", ""), {}, &plugins));
    if (start_.contains("reader_state") && !start_["reader_state"].is_null()) {
      RETURN_NOT_OK(plugins.reader->AdoptSharedReadState(start_["reader_state"]));
    }
    RETURN_NOT_OK(CheckSharedProbe(plugins.writer->SharedDirectory()));
    const int channels = std::max(1, start_.value("channels", 1));
    // Every host opens its view of the source when the coordinator says (MySQL's
    // consistentSnapshot: while it holds the source still), after every host is prepared.
    ASSIGN_OR_RETURN(json view, link_->Ask({{"t", "prepared"}}));
    if (view.value("open_view", false)) {
      Status opened = plugins.reader->OpenSharedView(channels);
      link_->Post({{"t", "viewed"}, {"status", StatusJson(opened)}});
      RETURN_NOT_OK(opened);
    }
    std::stop_source job_stop;
    std::stop_callback forward(stop, [&] { job_stop.request_stop(); });
    FirstError first_error(&job_stop);
    DirtyLog dirty("", ErrorLimit{job.setting.error_limit_records,
                                  job.setting.error_limit_percentage},
                   &metrics_);
    dirty.ForwardLinesTo([this](const std::vector<std::string>& lines) {
      link_->Post({{"t", "dirty"}, {"lines", lines}});
      return Status::OK();
    });
    RemoteSplits splits(link_);
    LeasedThrottle throttle(link_, job.setting.bytes_per_second, job.setting.records_per_second,
                            start_.value("workers", 1));
    ChannelEnv env;
    env.reader = plugins.reader.get();
    env.writer = plugins.writer.get();
    env.num_columns = plugins.columns.size();
    env.splits = &splits;
    env.throttle = &throttle;
    env.metrics = &metrics_;
    env.dirty = &dirty;
    env.first_error = &first_error;
    env.writer_transactional = plugins.writer_transactional;
    env.commit_markers = plugins.writer->keeps_commit_markers();
    env.options.batch_rows = start_.value("batch_rows", size_t{0});
    if (env.options.batch_rows == 0) env.options.batch_rows = plugins.writer->batch_rows();
    if (env.options.batch_rows == 0) env.options.batch_rows = ChannelOptions::kDefaultBatchRows;
    env.on_committed = [this](const Split& s, const SplitFigures& figures) -> Status {
      // The coordinator records the commit in committed.log before it answers.
      ASSIGN_OR_RETURN(json ack, link_->Call({{"t", "commit"},
                                              {"split", s.id},
                                              {"figures", FiguresJson(figures)}}));
      RETURN_NOT_OK(StatusFromJson(ack["status"]));
      ++splits_;
      return Status::OK();
    };
    env.on_rolled_back = [this](const Split& s, int64_t attempt) {
      link_->Post({{"t", "rolled"}, {"split", s.id}, {"attempt", attempt}});
    };

    LogInfo("{}: prepared in {:.2f} s; {} channels", dist_.host,
            std::chrono::duration<double>(Clock::now() - started_).count(), channels);
    std::atomic<int> running{channels};
    std::vector<std::jthread> threads;
    for (int c = 0; c < channels; ++c) {
      threads.emplace_back([&] {
        RunChannel(env, job_stop.get_token());
        --running;
        link_->Wake();
      });
    }
    auto next_stats = Clock::now();
    bool stopped_by_coordinator = false;
    Status link_error;
    while (running > 0) {
      auto got = link_->Pump(dist_.stats_interval, [&] { return running == 0; });
      if (!got.ok()) {
        link_error = got.status();
        job_stop.request_stop();
        break;
      }
      for (const json& msg : *got) {
        if (msg.value("t", "") == "stop") {
          stopped_by_coordinator = true;
          job_stop.request_stop();
        }
      }
      if (Clock::now() >= next_stats) {
        link_->Post({{"t", "stats"}, {"m", MetricsJson(metrics_)}});
        next_stats = Clock::now() + dist_.stats_interval;
      }
    }
    // Channels waiting for an answer (a commit's ack) need the link served until they end.
    while (running > 0 && link_error.ok()) {
      auto got = link_->Pump(10ms, [&] { return running == 0; });
      if (!got.ok()) link_error = got.status();
    }
    threads.clear();
    RETURN_NOT_OK(link_error);
    Status st = first_error.Get();
    if (st.ok() && (stopped_by_coordinator || stop.stop_requested())) {
      st = Status::Cancelled("stopped");
    }
    return st;
  }

  // The coordinator's probe must be in this host's view of the writer's directory.
  Status CheckSharedProbe(const std::string& dir) const {
    const std::string probe = start_.value("shared_probe", "");
    if (probe.empty()) return Status::OK();
    auto text = ReadFile(probe);
    if (text.ok() && *text == start_.value("run_id", "") + "\n") return Status::OK();
    return Status::FailedPrecondition(fmt::format(
        "{} is not the directory the coordinator's host sees ({} is missing here): in a "
        "distributed run the writer's path must be a directory every host shares (NFS or "
        "similar)",
        dir, probe));
  }

  const Registry& registry_;
  const DistributeOptions& dist_;
  CoordinatorLink* link_;
  const json& start_;
  Metrics metrics_;
  std::atomic<int64_t> splits_{0};
  double seconds_ = 0;
  Clock::time_point started_;
};

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
    report.status = st;
    report.summary = RunSummary(job, metrics, st, started, std::chrono::system_clock::now(),
                                report.run_dir, report.dirty_path);
    return report;
  };
  const int workers = transport->size() - 1;
  if (workers < 1) {
    report.failed_in = RunPhase::kPrepare;
    return finish(Status::InvalidArgument(
        "executeMode \"distribute\" needs at least two ranks: the coordinator and a worker"));
  }
  RunSetup setup;
  auto distributable = [&](const PreparedPlugins& plugins) {
    Status st = plugins.reader->CheckDistributable();
    if (st.ok() || !options.locate) return st;
    return Status(st.code(), options.locate(job.reader, st));
  };
  if (Status st = SetUpRun(job, registry, options, &report, &metrics, &setup, distributable);
      !st.ok()) {
    DismissWorkers(transport, st);
    return finish(st);
  }
  const std::vector<int> channels = SpreadChannels(job.setting.concurrent, dist.weights, workers);
  LogInfo("distributing {} splits over {} worker ranks ({} channels: {})", setup.pending.size(),
          workers, job.setting.concurrent, fmt::join(channels, "+"));

  Coordinator coordinator(job, &setup, &report, &metrics, transport, dist.host);
  {
    ProgressReporter progress(&metrics, options.progress_interval, options.live_bar);
    coordinator.Run(options, channels, stop);
  }
  Status st = coordinator.first_error();
  // An attempt whose COMMIT outcome was unknown may have committed after all: its records stay.
  auto& rolled_back = coordinator.rolled_back();
  std::erase_if(rolled_back, [&](const auto& a) {
    auto it = coordinator.committed_now().find(a.first);
    return it != coordinator.committed_now().end() && it->second == a.second;
  });
  if (Status dropped = setup.dir->DropDirtyRecordsOf(rolled_back); !dropped.ok()) {
    LogWarn("{}", dropped.message());
  }
  if (st.ok()) st = coordinator.dirty().CheckFinal();
  std::vector<std::string> all_committed;
  for (const Split& s : setup.plan) {
    if (setup.committed.count(s.id) || coordinator.committed_now().count(s.id)) {
      all_committed.push_back(s.id);
    }
  }
  Status fin = setup.plugins.writer->Finalize(st.ok(), all_committed);
  if (st.ok()) st = fin;
  if (!st.ok() && st.code() != StatusCode::kCancelled) LogError("job failed: {}", st.message());
  RunReport out = finish(st);
  out.summary["execute_mode"] = "distribute";
  out.summary["hosts"] = coordinator.Hosts();
  out.summary["coordination"] = coordinator.Coordination();
  if (auto reasons = coordinator.dirty().SampleReasons(); !reasons.empty()) {
    out.summary["dirty_samples"] = reasons;
  }
  (void)setup.dir->WriteSummary(out.summary);
  coordinator.SayBye();
  return out;
}

Status RunWorker(const Registry& registry, const DistributeOptions& dist, Transport* transport,
                 std::stop_token stop) {
  CoordinatorLink link(transport);
  link.Post({{"t", "hello"}, {"host", dist.host}, {"pid", static_cast<int64_t>(::getpid())}});
  ASSIGN_OR_RETURN(std::optional<json> start, AwaitStart(link));
  if (!start) return Status::OK();  // no run: the coordinator reports why
  Worker worker(registry, dist, &link, *start);
  return worker.Run(stop);
}

}  // namespace ferry
