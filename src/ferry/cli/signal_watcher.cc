#include "ferry/cli/signal_watcher.h"

#include <fmt/format.h>
#include <pthread.h>
#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <cstring>
#include <ctime>
#include <optional>
#include <string>

#include "ferry/common/log.h"

namespace ferry {
namespace {

using SteadyClock = std::chrono::steady_clock;

// Sent by the destructor to the watching thread alone, so the process ends at once instead of
// after the watcher's next tick.
constexpr int kWakeSignal = SIGUSR2;
// What mpirun forwards to every rank (SIGTERM it does not: it kills them).
constexpr int kRankStopSignal = SIGUSR1;

sigset_t WatchedSet(bool rank) {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, kWakeSignal);
  if (rank) sigaddset(&set, kRankStopSignal);
  return set;
}

}  // namespace

SignalWatcher::SignalWatcher(std::optional<RankLimits> rank) {
  sigset_t set = WatchedSet(rank.has_value());
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  thread_ = std::jthread([this, rank](std::stop_token own) {
    Watch(own, rank.has_value(), rank.value_or(RankLimits{}));
  });
}

SignalWatcher::~SignalWatcher() {
  thread_.request_stop();
  pthread_kill(thread_.native_handle(), kWakeSignal);
  thread_.join();
}

void SignalWatcher::Stop(int sig, const char* why) {
  if (signal_.exchange(sig) != 0) return;
  LogWarn("{}: stopping, open transactions are rolled back", why);
  stop_.request_stop();
}

void SignalWatcher::Watch(std::stop_token own, bool rank, RankLimits limits) {
  const sigset_t set = WatchedSet(rank);
  const pid_t parent = getppid();
  std::optional<SteadyClock::time_point> must_end_by;
  bool orphaned = false;
  timespec tick{0, 200'000'000};
  while (!own.stop_requested()) {
    int sig = sigtimedwait(&set, nullptr, &tick);
    if (sig > 0 && sig != kWakeSignal) {
      const std::string why = fmt::format("received signal {} ({})", sig, strsignal(sig));
      Stop(sig, why.c_str());
      if (rank && !must_end_by) must_end_by = SteadyClock::now() + limits.after_signal;
    }
    if (!rank) continue;
    if (!orphaned && getppid() != parent) {
      orphaned = true;
      const std::string why = fmt::format(
          "the process that started this rank (pid {}, mpirun or orted) is gone", parent);
      Stop(SIGHUP, why.c_str());
      const auto by = SteadyClock::now() + limits.after_orphaned;
      must_end_by = must_end_by ? std::min(*must_end_by, by) : by;
    }
    if (must_end_by && SteadyClock::now() >= *must_end_by) {
      LogError(
          "this rank did not end within its stop's time limit: exiting now (splits not "
          "committed are rolled back by the destination; `ferry run --resume` runs them)");
      ::_exit(128 + (signal_.load() != 0 ? signal_.load() : SIGTERM));
    }
  }
}

}  // namespace ferry
