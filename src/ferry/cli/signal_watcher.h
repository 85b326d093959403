// SignalWatcher: turns SIGINT/SIGTERM into a stop request, so a run can abort cleanly (roll
// back open transactions) instead of dying mid-write. Construct it before starting any thread:
// it blocks the two signals (and SIGUSR2, its own wake-up) for the whole process and waits for
// them on its own thread.
#pragma once

#include <atomic>
#include <stop_token>
#include <thread>

namespace ferry {

class SignalWatcher {
 public:
  SignalWatcher();
  ~SignalWatcher();
  std::stop_token token() const { return stop_.get_token(); }
  int signal() const { return signal_.load(); }  // 0 until a signal arrived

 private:
  std::stop_source stop_;
  std::atomic<int> signal_{0};
  std::jthread thread_;
};

}  // namespace ferry
