// The job-global throttle's debt arithmetic. Time is only bounded from below (a token bucket can
// never let more than rate × (1 + elapsed) through); nothing here asserts an upper bound.
#include "ferry/exec/throttle.h"

#include <gtest/gtest.h>

#include <chrono>
#include <thread>

namespace ferry {
namespace {

using Clock = std::chrono::steady_clock;

double SecondsSince(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

TEST(ThrottleTest, UnlimitedThrottleLetsEverythingPass) {
  Throttle throttle(0, 0);
  EXPECT_FALSE(throttle.enabled());
  EXPECT_TRUE(throttle.Acquire(size_t{1} << 40, size_t{1} << 40, {}));
}

// A caller whose stop was already requested gets true only when it need not wait at all, which
// shows the bucket's state without measuring time.
std::stop_token Stopped() {
  std::stop_source s;
  s.request_stop();
  return s.get_token();
}

TEST(ThrottleTest, OneSecondOfBurstPassesWithoutWaiting) {
  Throttle throttle(1000, 0);
  EXPECT_TRUE(throttle.Acquire(600, 1, Stopped()));
  EXPECT_TRUE(throttle.Acquire(400, 1, Stopped()));
  EXPECT_FALSE(throttle.Acquire(1'000'000, 1, Stopped()));  // 1,000 s of debt
}

TEST(ThrottleTest, RecordBurstIsOneSecondToo) {
  Throttle throttle(0, 500);
  EXPECT_TRUE(throttle.Acquire(1 << 30, 500, Stopped()));  // bytes are not limited
  EXPECT_FALSE(throttle.Acquire(0, 1'000'000, Stopped()));
}

TEST(ThrottleTest, StoppedCallerIsNotCharged) {
  // A stopped caller moved nothing; the next one still has the whole burst.
  Throttle throttle(1000, 1000);
  EXPECT_FALSE(throttle.Acquire(1'000'000, 1'000'000, Stopped()));
  EXPECT_TRUE(throttle.Acquire(1000, 1000, Stopped()));
}

TEST(ThrottleTest, ByteDebtIsPaidBackAtTheRate) {
  // 1.5 MB at 1 MB/s with one second of burst: at least 0.5 s.
  Throttle throttle(1'000'000, 0);
  EXPECT_TRUE(throttle.enabled());
  auto t0 = Clock::now();
  for (int i = 0; i < 10; ++i) ASSERT_TRUE(throttle.Acquire(150'000, 1, {}));
  EXPECT_GE(SecondsSince(t0), 0.45);
}

TEST(ThrottleTest, RecordDebtIsPaidBackAtTheRate) {
  Throttle throttle(0, 2000);
  auto t0 = Clock::now();
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(throttle.Acquire(0, 1000, {}));
  EXPECT_GE(SecondsSince(t0), 0.45);
}

TEST(ThrottleTest, TheSlowerDimensionDecides) {
  // Bytes alone would pass at once; records owe half a second.
  Throttle throttle(1e12, 1000);
  auto t0 = Clock::now();
  ASSERT_TRUE(throttle.Acquire(10, 1500, {}));
  EXPECT_GE(SecondsSince(t0), 0.45);
}

TEST(ThrottleTest, ABatchLargerThanOneSecondStillPasses) {
  // A batch bigger than the whole burst is let through once its debt is paid, not refused.
  Throttle throttle(1'000'000, 0);
  auto t0 = Clock::now();
  ASSERT_TRUE(throttle.Acquire(1'500'000, 1, {}));
  EXPECT_GE(SecondsSince(t0), 0.45);
}

TEST(ThrottleTest, ChannelsShareOneBudget) {
  // Four threads take 0.5 MB each from one 1 MB/s bucket: together 1 s past the burst.
  Throttle throttle(1'000'000, 0);
  auto t0 = Clock::now();
  {
    std::vector<std::jthread> channels;
    for (int c = 0; c < 4; ++c) {
      channels.emplace_back([&] {
        for (int i = 0; i < 5; ++i) EXPECT_TRUE(throttle.Acquire(100'000, 1, {}));
      });
    }
  }
  EXPECT_GE(SecondsSince(t0), 0.95);
}

TEST(ThrottleTest, StopRequestEndsTheWait) {
  Throttle throttle(1000, 0);
  std::stop_source stop;
  ASSERT_TRUE(throttle.Acquire(1000, 1, stop.get_token()));  // the burst
  bool passed = true;
  {
    // Would owe 1,000 s; the stop must end the wait and report it.
    std::jthread waiter([&] { passed = throttle.Acquire(1'000'000, 1, stop.get_token()); });
    stop.request_stop();
  }
  EXPECT_FALSE(passed);
}

TEST(ThrottleTest, StoppedCallerDoesNotWait) {
  Throttle throttle(1000, 0);
  std::stop_source stop;
  stop.request_stop();
  EXPECT_FALSE(throttle.Acquire(1'000'000, 1, stop.get_token()));
}

}  // namespace
}  // namespace ferry
