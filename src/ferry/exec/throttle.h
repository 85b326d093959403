// Throttle: the job-global speed limit, shared by every channel (DataX limits each channel;
// Ferry limits the job, which is what a DBA asking for "20 MB/s" means). A token bucket per
// dimension (bytes/s, records/s) with one second of burst.
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <stop_token>

namespace ferry {

// What a channel asks before it passes a batch on. Thread-safe.
class RateLimiter {
 public:
  virtual ~RateLimiter() = default;
  // Blocks until `bytes` and `records` may pass. Returns false if stopped while waiting; what
  // did not pass is then not charged.
  virtual bool Acquire(size_t bytes, size_t records, std::stop_token stop) = 0;
};

class Throttle : public RateLimiter {
 public:
  // 0 means unlimited in that dimension.
  Throttle(double bytes_per_second, double records_per_second);

  bool enabled() const { return bytes_rate_ > 0 || records_rate_ > 0; }
  bool Acquire(size_t bytes, size_t records, std::stop_token stop) override;
  // Charges `bytes` and `records` now without waiting, and says how long the caller must wait
  // before they may pass (zero: at once). A distributed coordinator grants leases this way.
  std::chrono::nanoseconds Reserve(size_t bytes, size_t records);
  double bytes_rate() const { return bytes_rate_; }
  double records_rate() const { return records_rate_; }

 private:
  using Clock = std::chrono::steady_clock;
  void Refill(Clock::time_point now);

  const double bytes_rate_;
  const double records_rate_;
  std::mutex mu_;
  std::condition_variable_any cv_;  // only woken by stop requests; waits are timed
  double bytes_tokens_;
  double records_tokens_;
  Clock::time_point last_;
};

}  // namespace ferry
