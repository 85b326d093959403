// ProgressReporter: prints the job's progress to stderr every `interval` while the job runs
// (DESIGN 6), and redraws a one-line live bar each second when stderr is a terminal.
#pragma once

#include <chrono>
#include <string>
#include <thread>

#include "ferry/exec/metrics.h"

namespace ferry {

class ProgressReporter {
 public:
  // `metrics` must outlive the reporter. An interval of zero prints no periodic lines.
  ProgressReporter(const Metrics* metrics, std::chrono::seconds interval, bool live_bar);
  ~ProgressReporter();  // stops the thread and clears the live bar
  // The progress line for the current figures.
  std::string Line() const;

 private:
  void Loop(std::stop_token stop);

  const Metrics* metrics_;
  std::chrono::seconds interval_;
  bool live_bar_;
  std::chrono::steady_clock::time_point start_;
  std::jthread thread_;
};

}  // namespace ferry
