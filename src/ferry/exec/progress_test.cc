#include "ferry/exec/progress.h"

#include <gtest/gtest.h>

namespace ferry {
namespace {

class ProgressTest : public ::testing::Test {
 protected:
  void SetUp() override {
    m_.records_read = 123'456'789;
    m_.bytes_read = 98'765'432'100;
    m_.dirty_records = 12'345;
    m_.splits_total = 4100;
    m_.splits_done = 1234;
    m_.wait_writer_ns = 123'400'000'000;
    m_.wait_reader_ns = 5'600'000'000;
  }
  Metrics m_;
};

TEST_F(ProgressTest, LineHoldsEveryFieldInItsOrder) {
  ProgressReporter p(&m_, std::chrono::seconds(0), false);
  std::string line = p.Line(60.0);
  EXPECT_EQ(line.find("Total 123,456,789 records"), 0u);
  EXPECT_LT(line.find("Speed"), line.find("Error 12,345 records"));
  EXPECT_LT(line.find("Splits 1234/4100"), line.find("WaitWriter 123.4s"));
  EXPECT_LT(line.find("WaitReader 5.6s"), line.find("ETA"));
}

TEST_F(ProgressTest, LiveBarNeverReachesTheLastColumn) {
  ProgressReporter p(&m_, std::chrono::seconds(0), false);
  const std::string full = p.Line(60.0);
  for (size_t width : {20u, 40u, 60u, 80u, 100u, 120u}) {
    std::string bar = p.BarLine(width, 60.0);
    EXPECT_LT(bar.size(), width) << width << ": " << bar;
    EXPECT_EQ(bar.find("Total"), 0u) << bar;
  }
  // At 120 columns the least useful fields go first, the counts stay.
  std::string bar = p.BarLine(120, 60.0);
  EXPECT_NE(bar.find("Error 12,345 records"), std::string::npos) << bar;
  EXPECT_NE(bar.find("Splits 1234/4100"), std::string::npos) << bar;
  EXPECT_EQ(bar.find("WaitReader"), std::string::npos) << bar;
  EXPECT_EQ(p.BarLine(full.size() + 1, 60.0), full);
}

}  // namespace
}  // namespace ferry
