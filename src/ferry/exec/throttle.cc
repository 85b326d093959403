#include "ferry/exec/throttle.h"

#include <algorithm>

namespace ferry {

Throttle::Throttle(double bytes_per_second, double records_per_second)
    : bytes_rate_(bytes_per_second),
      records_rate_(records_per_second),
      bytes_tokens_(bytes_per_second),
      records_tokens_(records_per_second),
      last_(Clock::now()) {}

void Throttle::Refill(Clock::time_point now) {
  double seconds = std::chrono::duration<double>(now - last_).count();
  last_ = now;
  if (bytes_rate_ > 0) bytes_tokens_ = std::min(bytes_rate_, bytes_tokens_ + seconds * bytes_rate_);
  if (records_rate_ > 0) {
    records_tokens_ = std::min(records_rate_, records_tokens_ + seconds * records_rate_);
  }
}

std::chrono::nanoseconds Throttle::Reserve(size_t bytes, size_t records) {
  if (!enabled()) return std::chrono::nanoseconds(0);
  std::lock_guard lock(mu_);
  Refill(Clock::now());
  if (bytes_rate_ > 0) bytes_tokens_ -= static_cast<double>(bytes);
  if (records_rate_ > 0) records_tokens_ -= static_cast<double>(records);
  double wait_seconds = 0;
  if (bytes_rate_ > 0 && bytes_tokens_ < 0) wait_seconds = -bytes_tokens_ / bytes_rate_;
  if (records_rate_ > 0 && records_tokens_ < 0) {
    wait_seconds = std::max(wait_seconds, -records_tokens_ / records_rate_);
  }
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
      std::chrono::duration<double>(wait_seconds));
}

bool Throttle::Acquire(size_t bytes, size_t records, std::stop_token stop) {
  if (!enabled()) return true;
  std::unique_lock lock(mu_);
  // Take the tokens now (possibly going negative: a batch larger than one second of budget
  // still passes), then wait until the debt is paid back. Waiting holds the lock so that
  // channels queue up fairly behind one another.
  Refill(Clock::now());
  if (bytes_rate_ > 0) bytes_tokens_ -= static_cast<double>(bytes);
  if (records_rate_ > 0) records_tokens_ -= static_cast<double>(records);
  double wait_seconds = 0;
  if (bytes_rate_ > 0 && bytes_tokens_ < 0) wait_seconds = -bytes_tokens_ / bytes_rate_;
  if (records_rate_ > 0 && records_tokens_ < 0) {
    wait_seconds = std::max(wait_seconds, -records_tokens_ / records_rate_);
  }
  if (wait_seconds <= 0) return true;
  auto until = Clock::now() + std::chrono::duration_cast<Clock::duration>(
                                  std::chrono::duration<double>(wait_seconds));
  cv_.wait_until(lock, stop, until, [] { return false; });
  if (!stop.stop_requested()) return true;
  // Nothing passes: give the budget back, or a retried split would wait for it again.
  if (bytes_rate_ > 0) bytes_tokens_ += static_cast<double>(bytes);
  if (records_rate_ > 0) records_tokens_ += static_cast<double>(records);
  return false;
}

}  // namespace ferry
