#include "ferry/exec/progress.h"

#include <fmt/format.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <mutex>

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

double ProgressReporter::Elapsed() const {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
}

std::vector<ProgressReporter::Field> ProgressReporter::Fields(double elapsed) const {
  int64_t records = metrics_->records_read.load();
  double bytes = static_cast<double>(metrics_->bytes_read.load());
  int64_t done = metrics_->splits_done.load(), total = metrics_->splits_total.load();
  std::string eta = "-";
  if (done > 0 && total > done) {
    eta = HumanDuration(elapsed * static_cast<double>(total - done) / static_cast<double>(done));
  }
  double secs = elapsed > 0 ? elapsed : 1;
  // In the order of the line (DESIGN 6); `rank` 0 is the last to go from a narrow bar.
  return {
      {fmt::format("Total {} records, {}", GroupDigits(records), HumanBytes(bytes)), 0},
      {fmt::format("Speed {} rec/s, {}/s",
                   GroupDigits(static_cast<int64_t>(static_cast<double>(records) / secs)),
                   HumanBytes(bytes / secs)),
       1},
      {fmt::format("Error {} records", GroupDigits(metrics_->dirty_records.load())), 2},
      {fmt::format("Splits {}/{}", done, total), 3},
      {fmt::format("WaitWriter {:.1f}s",
                   static_cast<double>(metrics_->wait_writer_ns.load()) / 1e9),
       5},
      {fmt::format("WaitReader {:.1f}s",
                   static_cast<double>(metrics_->wait_reader_ns.load()) / 1e9),
       6},
      {"ETA " + eta, 4},
  };
}

namespace {

std::string JoinFields(const std::vector<std::string>& fields) {
  std::string out;
  for (const std::string& f : fields) out += (out.empty() ? "" : " | ") + f;
  return out;
}

}  // namespace

std::string ProgressReporter::Line(std::optional<double> elapsed) const {
  std::vector<std::string> text;
  for (const Field& f : Fields(elapsed.value_or(Elapsed()))) text.push_back(f.text);
  return JoinFields(text);
}

std::string ProgressReporter::BarLine(size_t width, std::optional<double> elapsed) const {
  // The last column stays free: a line that reaches it makes some terminals wrap, and the
  // wrapped part is never erased by the next redraw.
  const size_t room = width > 1 ? width - 1 : 1;
  std::vector<Field> fields = Fields(elapsed.value_or(Elapsed()));
  for (int drop = 7; drop > 0; --drop) {
    std::vector<std::string> text;
    for (const Field& f : fields) {
      if (f.rank < drop) text.push_back(f.text);
    }
    std::string line = JoinFields(text);
    if (line.size() <= room || drop == 1) return line.substr(0, room);
  }
  return {};
}

size_t TerminalColumns(int fd) {
  winsize ws{};
  if (::ioctl(fd, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0) return ws.ws_col;
  if (const char* columns = std::getenv("COLUMNS")) {
    long n = std::strtol(columns, nullptr, 10);
    if (n > 0) return static_cast<size_t>(n);
  }
  return 80;
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
      std::string line = BarLine(TerminalColumns(STDERR_FILENO));
      std::fprintf(stderr, "\r\033[K%s", line.c_str());
      std::fflush(stderr);
    }
  }
}

}  // namespace ferry
