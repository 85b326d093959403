#include "ferry/exec/progress.h"

#include <condition_variable>
#include <cstdio>
#include <mutex>

#include <fmt/format.h>

#include "ferry/common/log.h"
#include "ferry/common/strings.h"

namespace ferry {

ProgressReporter::ProgressReporter(const Metrics* metrics, std::chrono::seconds interval,
                                   bool live_bar)
    : metrics_(metrics),
      interval_(interval),
      live_bar_(live_bar),
      start_(std::chrono::steady_clock::now()) {
  if (interval_.count() > 0 || live_bar_) {
    thread_ = std::jthread([this](std::stop_token stop) { Loop(stop); });
  }
}

ProgressReporter::~ProgressReporter() {
  if (thread_.joinable()) {
    thread_.request_stop();
    thread_.join();
  }
  if (live_bar_) std::fputs("\r\033[K", stderr);
}

std::string ProgressReporter::Line() const {
  double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  int64_t records = metrics_->records_read.load();
  double bytes = static_cast<double>(metrics_->bytes_read.load());
  int64_t done = metrics_->splits_done.load(), total = metrics_->splits_total.load();
  std::string eta = "-";
  if (done > 0 && total > done) {
    eta = HumanDuration(elapsed * static_cast<double>(total - done) / static_cast<double>(done));
  }
  double secs = elapsed > 0 ? elapsed : 1;
  return fmt::format(
      "Total {} records, {} | Speed {} rec/s, {}/s | Error {} records | Splits {}/{} | "
      "WaitWriter {:.1f}s | WaitReader {:.1f}s | ETA {}",
      GroupDigits(records), HumanBytes(bytes),
      GroupDigits(static_cast<int64_t>(static_cast<double>(records) / secs)),
      HumanBytes(bytes / secs), GroupDigits(metrics_->dirty_records.load()), done, total,
      static_cast<double>(metrics_->wait_writer_ns.load()) / 1e9,
      static_cast<double>(metrics_->wait_reader_ns.load()) / 1e9, eta);
}

void ProgressReporter::Loop(std::stop_token stop) {
  std::mutex mu;
  std::condition_variable_any cv;
  auto next_line = std::chrono::steady_clock::now() + interval_;
  std::unique_lock lock(mu);
  while (!stop.stop_requested()) {
    auto tick = live_bar_ ? std::chrono::steady_clock::now() + std::chrono::seconds(1) : next_line;
    if (interval_.count() > 0 && next_line < tick) tick = next_line;
    if (cv.wait_until(lock, stop, tick, [] { return false; }), stop.stop_requested()) break;
    bool periodic = interval_.count() > 0 && std::chrono::steady_clock::now() >= next_line;
    if (periodic) {
      if (live_bar_) std::fputs("\r\033[K", stderr);
      LogLine(LogLevel::kInfo, Line());
      next_line += interval_;
    }
    if (live_bar_) {
      std::string line = Line();
      std::fprintf(stderr, "\r\033[K%s", line.substr(0, 160).c_str());
      std::fflush(stderr);
    }
  }
}

}  // namespace ferry
