// SignalWatcher: turns SIGINT/SIGTERM into a stop request, so a run can abort cleanly (roll
// back open transactions) instead of dying mid-write. Construct it before starting any thread:
// it blocks the signals it watches (and SIGUSR2, its own wake-up) for the whole process and
// waits for them on its own thread.
//
// A rank of a distributed run watches more, so that it never outlives its run: SIGUSR1 (what
// `ferry run` sends mpirun for a clean stop; mpirun forwards it to every rank on every host)
// stops it too, so does the end of the process that started it (mpirun or orted: the rank is
// orphaned), and a rank still alive some seconds after its stop began exits by itself — its
// peers may be gone, and MPI would wait for them forever.
#pragma once

#include <atomic>
#include <chrono>
#include <optional>
#include <stop_token>
#include <thread>

namespace ferry {

class SignalWatcher {
 public:
  struct RankLimits {
    std::chrono::seconds after_signal{20};   // a stop by signal must end the rank by then
    std::chrono::seconds after_orphaned{5};  // its launcher gone: MPI cannot end cleanly
  };

  // `rank`: this process is a rank of a distributed run (else SIGINT and SIGTERM alone).
  explicit SignalWatcher(std::optional<RankLimits> rank = std::nullopt);
  ~SignalWatcher();
  std::stop_token token() const { return stop_.get_token(); }
  int signal() const { return signal_.load(); }  // 0 until a signal arrived (or orphaned: SIGHUP)

 private:
  void Watch(std::stop_token own, bool rank, RankLimits limits);
  void Stop(int sig, const char* why);

  std::stop_source stop_;
  std::atomic<int> signal_{0};
  std::jthread thread_;
};

}  // namespace ferry
