// A worker of a distributed run: ranks 1..N-1 (exec/distributed_runner.h).
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
#include <map>
#include <mutex>
#include <numeric>
#include <queue>
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
        outbox_cv_.wait_for(lock, wait,
                            [&] { return !outbox_.empty() || unanswered_ > 0 || wake_when(); });
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

// Whether this host sees the coordinator's probe file in the directory every host must share
// (asked before the run writes anything).
json AnswerProbe(const json& probe) {
  const std::string path = probe.value("path", "");
  auto text = ReadFile(path);
  if (text.ok() && *text == probe.value("token", "") + "\n") return {{"t", "probed"}, {"ok", true}};
  return {{"t", "probed"}, {"ok", false}, {"error", fmt::format("{} is missing here", path)}};
}

// Waits for the coordinator's "start" (or a dismissal: nullopt), answering its probes.
Result<std::optional<json>> AwaitStart(CoordinatorLink& link) {
  for (;;) {
    ASSIGN_OR_RETURN(std::vector<json> got, link.Pump(5ms, [] { return false; }));
    for (json& msg : got) {
      const std::string t = msg.value("t", "");
      if (t == "probe") link.Post(AnswerProbe(msg));
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
  Worker(const Registry& registry, const DistributeOptions& dist, int rank, CoordinatorLink* link,
         const json& start)
      : registry_(registry), dist_(dist), rank_(rank), link_(link), start_(start) {}

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
                                 start_.value("run_id", ""), dist_.datasources, {}, &plugins));
    if (start_.contains("reader_state") && !start_["reader_state"].is_null()) {
      RETURN_NOT_OK(plugins.reader->AdoptSharedReadState(start_["reader_state"]));
    }
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
    DirtyLog dirty("",
                   ErrorLimit{job.setting.error_limit_records, job.setting.error_limit_percentage},
                   &metrics_);
    dirty.ForwardLinesTo([this](const std::vector<std::string>& lines) {
      link_->Post({{"t", "dirty"}, {"lines", lines}});
      return Status::OK();
    });
    RemoteSplits splits(link_);
    LeasedThrottle throttle(link_, job.setting.bytes_per_second, job.setting.records_per_second,
                            start_.value("workers", 1));
    ChannelOptions options;
    options.batch_rows = start_.value("batch_rows", size_t{0});
    ChannelEnv env =
        ChannelEnvFor(plugins, &splits, &throttle, &metrics_, &dirty, &first_error, options);
    env.on_committed = [this](const Split& s, const SplitFigures& figures) -> Status {
      // The coordinator records the commit in committed.log before it answers.
      ASSIGN_OR_RETURN(
          json ack,
          link_->Call({{"t", "commit"}, {"split", s.id}, {"figures", FiguresJson(figures)}}));
      RETURN_NOT_OK(StatusFromJson(ack["status"]));
      ++splits_;
      return Status::OK();
    };
    env.on_rolled_back = [this](const Split& s, int64_t attempt) {
      link_->Post({{"t", "rolled"}, {"split", s.id}, {"attempt", attempt}});
    };

    LogInfo("{} (rank {}): prepared in {:.2f} s; {} channels", dist_.host, rank_,
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

  const Registry& registry_;
  const DistributeOptions& dist_;
  const int rank_;
  CoordinatorLink* link_;
  const json& start_;
  Metrics metrics_;
  std::atomic<int64_t> splits_{0};
  double seconds_ = 0;
  Clock::time_point started_;
};

}  // namespace

Status RunWorker(const Registry& registry, const DistributeOptions& dist, Transport* transport,
                 std::stop_token stop) {
  CoordinatorLink link(transport);
  link.Post({{"t", "hello"}, {"host", dist.host}, {"pid", static_cast<int64_t>(::getpid())}});
  ASSIGN_OR_RETURN(std::optional<json> start, AwaitStart(link));
  if (!start) return Status::OK();  // no run: the coordinator reports why
  Worker worker(registry, dist, transport->rank(), &link, *start);
  return worker.Run(stop);
}
}  // namespace ferry
