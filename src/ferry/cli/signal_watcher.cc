#include "ferry/cli/signal_watcher.h"

#include <pthread.h>

#include <csignal>
#include <ctime>

#include "ferry/common/log.h"

namespace ferry {
namespace {

// Sent by the destructor to the watching thread alone, so the process ends at once instead of
// after the watcher's next tick.
constexpr int kWakeSignal = SIGUSR2;

}  // namespace

SignalWatcher::SignalWatcher() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, kWakeSignal);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  thread_ = std::jthread([this, set](std::stop_token own) {
    timespec tick{0, 200'000'000};
    while (!own.stop_requested()) {
      int sig = sigtimedwait(&set, nullptr, &tick);
      if (sig <= 0 || sig == kWakeSignal) continue;
      if (signal_.exchange(sig) == 0) {
        LogWarn("received signal {}: stopping, open transactions are rolled back", sig);
        stop_.request_stop();
      }
    }
  });
}

SignalWatcher::~SignalWatcher() {
  thread_.request_stop();
  pthread_kill(thread_.native_handle(), kWakeSignal);
  thread_.join();
}

}  // namespace ferry
