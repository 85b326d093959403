// errorLimit arithmetic and the dirty.jsonl line format, without running a job.
#include "ferry/exec/dirty_log.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "ferry/types/record_batch.h"

namespace ferry {
namespace {

Status CountN(DirtyLog* log, int n) {
  for (int i = 0; i < n; ++i) RETURN_NOT_OK(log->Count());
  return Status::OK();
}

TEST(DirtyLogTest, NoLimitAllowsAnyNumber) {
  Metrics m;
  DirtyLog log("", ErrorLimit{}, &m);
  EXPECT_TRUE(CountN(&log, 1000).ok());
  EXPECT_TRUE(log.CheckFinal().ok());
  EXPECT_EQ(m.dirty_records, 1000);
}

TEST(DirtyLogTest, RecordLimitZeroFailsOnTheFirst) {
  Metrics m;
  DirtyLog log("", ErrorLimit{.records = 0}, &m);
  Status st = log.Count();
  EXPECT_EQ(st.code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(st.message(), "dirty-record limit passed: 1 dirty records, errorLimit.record is 0");
}

TEST(DirtyLogTest, RecordLimitNAllowsExactlyN) {
  Metrics m;
  DirtyLog log("", ErrorLimit{.records = 5}, &m);
  EXPECT_TRUE(CountN(&log, 5).ok());
  EXPECT_TRUE(log.CheckFinal().ok());
  EXPECT_FALSE(log.Count().ok());
  EXPECT_FALSE(log.CheckFinal().ok());
}

TEST(DirtyLogTest, PercentageIsNotCheckedBeforeTenThousandRead) {
  Metrics m;
  m.records_read = 9999;
  DirtyLog log("", ErrorLimit{.percentage = 0.01}, &m);
  EXPECT_TRUE(CountN(&log, 500).ok());  // 5 % of 9,999, but too early to judge
  m.records_read = 10000;
  Status st = log.Count();
  EXPECT_EQ(st.message(),
            "dirty-record limit passed: 501 of 10000 records dirty (5.01%), "
            "errorLimit.percentage is 1%");
}

TEST(DirtyLogTest, PercentageAtTheLimitPassesAndAboveFails) {
  Metrics m;
  m.records_read = 20000;
  DirtyLog log("", ErrorLimit{.percentage = 0.01}, &m);
  EXPECT_TRUE(CountN(&log, 200).ok());  // exactly 1 %
  EXPECT_TRUE(log.CheckFinal().ok());
  EXPECT_FALSE(log.Count().ok());
}

TEST(DirtyLogTest, PercentageIsCheckedAtTheEndWhateverWasRead) {
  Metrics m;
  m.records_read = 100;
  DirtyLog log("", ErrorLimit{.percentage = 0.02}, &m);
  EXPECT_TRUE(CountN(&log, 3).ok());
  EXPECT_EQ(log.CheckFinal().message(),
            "dirty-record limit passed: 3 of 100 records dirty (3%), errorLimit.percentage is 2%");
}

TEST(DirtyLogTest, DiscardedAttemptTakesBackItsCountAndLines) {
  Metrics m;
  DirtyLog log("", ErrorLimit{.records = 2}, &m);
  RecordBatch batch(1);
  batch.AppendRow()[0] = Value::Int64(7);
  SplitDirtyRecorder attempt(&log, 1);
  EXPECT_TRUE(attempt.AddRecord("0001", Status::DataError("bad"), batch.row(0), 1).ok());
  EXPECT_TRUE(attempt.AddRecord("0001", Status::DataError("bad"), batch.row(0), 1).ok());
  EXPECT_EQ(m.dirty_records, 2);
  attempt.Discard();
  EXPECT_EQ(m.dirty_records, 0);
  EXPECT_TRUE(attempt.Flush().ok());
  EXPECT_TRUE(log.SampleReasons().empty());
}

TEST(DirtyLogTest, LineHoldsSplitReasonColumnAndRecord) {
  RecordBatch batch(5);
  Value* row = batch.AppendRow();
  row[0] = Value::Int64(42);
  row[1] = batch.String("héllo \"quoted\"\n");
  row[2] = Value::Null();
  row[3] = batch.CopyText(TypeId::kBytes, std::string("\x00\xff", 2));
  row[4] = Value::Bool(true);
  std::string line = DirtyRecordLine(
      "0003", Status::DataError("value too long for varchar(5)").WithColumn("name"), row, 5);
  EXPECT_EQ(
      line,
      R"j({"column":"name","reason":"value too long for varchar(5)","record":[42,"héllo \"quoted\"\n",null,"\\x00ff",true],"split":"0003"})j");
  EXPECT_EQ(
      DirtyRawLine("0001", Status::DataError("3 fields, expected 4"), "in.csv:17", "a,b,c"),
      R"({"column":null,"reason":"3 fields, expected 4","record":"a,b,c","split":"0001","where":"in.csv:17"})");
}

TEST(DirtyLogTest, LinesAreAppendedToTheFile) {
  std::string path = ::testing::TempDir() + "ferry_dirty_" + std::to_string(::getpid()) + ".jsonl";
  std::filesystem::remove(path);
  {
    Metrics m;
    DirtyLog log(path, ErrorLimit{}, &m);
    EXPECT_TRUE(log.AppendLines({"{\"a\":1}", "{\"b\":2}"}).ok());
    EXPECT_TRUE(log.AppendLines({"{\"c\":3}"}).ok());
  }
  std::ifstream in(path);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(text, "{\"a\":1}\n{\"b\":2}\n{\"c\":3}\n");
  std::filesystem::remove(path);
}

}  // namespace
}  // namespace ferry
