// ProgressReporter: prints the job's progress to stderr every `interval` while the job runs
// (DESIGN 6), and redraws a one-line live bar each second when stderr is a terminal.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "ferry/exec/metrics.h"

namespace ferry {

class ProgressReporter {
 public:
  // `metrics` must outlive the reporter. An interval of zero prints no periodic lines.
  ProgressReporter(const Metrics* metrics, std::chrono::seconds interval, bool live_bar);
  ~ProgressReporter();  // stops the thread and clears the live bar
  // The progress line for the current figures, `elapsed` seconds (default: since the start)
  // into the run.
  std::string Line(std::optional<double> elapsed = std::nullopt) const;
  // The live bar for a terminal `width` columns wide: the fields that fit, least useful dropped
  // first (WaitReader, WaitWriter, ETA...), never reaching the last column.
  std::string BarLine(size_t width, std::optional<double> elapsed = std::nullopt) const;

 private:
  struct Field {
    std::string text;
    int rank;  // 0: kept longest
  };
  std::vector<Field> Fields(double elapsed) const;
  double Elapsed() const;
  void Loop(std::stop_token stop);

  const Metrics* metrics_;
  std::chrono::seconds interval_;
  bool live_bar_;
  std::chrono::steady_clock::time_point start_;
  std::jthread thread_;
};

// The width of the terminal on `fd` (COLUMNS, else 80, when it is not one).
size_t TerminalColumns(int fd);

}  // namespace ferry
