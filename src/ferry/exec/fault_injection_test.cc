// Fault injection for the engine (DESIGN 6), in the spirit of LevelDB's fault_injection_test:
// one test per failure a user can meet — refused rows, transient and fatal errors, a stop
// request, the dirty-record limit, resume — run through RunJob with an in-memory source and a
// fault-injecting transactional destination, checking what a user would check afterwards: the
// destination rows (each exactly once), the summary and dirty.jsonl.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <condition_variable>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "ferry/common/log.h"
#include "ferry/exec/job_runner.h"
#include "ferry/exec/run_dir.h"
#include "ferry/exec/testing/fault_plugins.h"

namespace ferry {
namespace {

using ::ferry::testing::FakeDestination;
using ::ferry::testing::MemorySource;
using ::ferry::testing::ReadCall;
using ::ferry::testing::WaitForStop;
using ::ferry::testing::WriteCall;
using nlohmann::json;

// Ids 0..n-1 without `except`, sorted: what the destination must hold, each once.
std::vector<int64_t> Ids(int64_t n, const std::set<int64_t>& except = {}) {
  std::vector<int64_t> out;
  for (int64_t i = 0; i < n; ++i) {
    if (!except.count(i)) out.push_back(i);
  }
  return out;
}

std::vector<int64_t> Range(int64_t lo, int64_t hi) {
  std::vector<int64_t> out;
  for (int64_t i = lo; i < hi; ++i) out.push_back(i);
  return out;
}

// Bytes the memory source's rows [0, n) count for: an int64 (8) and "row-<id>".
int64_t SourceBytes(int64_t n) {
  int64_t total = 0;
  for (int64_t i = 0; i < n; ++i) total += 8 + 4 + static_cast<int64_t>(std::to_string(i).size());
  return total;
}

// Counts threads that reached a point; the test waits for a number of them, with a time limit
// so that a broken engine fails the test instead of hanging it.
class Arrivals {
 public:
  void Arrive() {
    std::lock_guard lock(mu_);
    ++count_;
    cv_.notify_all();
  }
  bool WaitFor(int n) {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, std::chrono::seconds(20), [&] { return count_ >= n; });
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  int count_ = 0;
};

class FaultInjectionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    SetLogLevel(LogLevel::kError);
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    run_dir_ =
        ::testing::TempDir() + "ferry_fault_" + info->name() + "_" + std::to_string(::getpid());
    std::filesystem::remove_all(run_dir_);
  }
  void TearDown() override { std::filesystem::remove_all(run_dir_); }

  // `rows` rows over `splits` splits (split k holds [rows*k/splits, rows*(k+1)/splits)).
  JobModel Job(int64_t rows, int splits, int concurrent = 1) {
    return ::ferry::testing::MemoryToFaultJob(rows, splits, concurrent, "jobs/fault.json");
  }

  RunOptions Options(bool resume) {
    RunOptions options;
    options.run_dir = run_dir_;
    options.resume = resume;
    options.progress_interval = std::chrono::seconds(0);
    options.channel.batch_rows = 16;
    options.channel.max_retries = 2;
    options.channel.retry_backoff = std::chrono::milliseconds(1);
    return options;
  }

  RunReport Run(const JobModel& job, bool resume = false, std::stop_token stop = {}) {
    return RunJob(job, registry_, Options(resume), stop);
  }

  std::vector<json> DirtyLines() {
    std::vector<json> out;
    std::ifstream in(run_dir_ + "/dirty.jsonl");
    std::string line;
    while (std::getline(in, line)) out.push_back(json::parse(line));
    return out;
  }

  // The dirty ids in dirty.jsonl, sorted (a record logged twice appears twice).
  std::vector<int64_t> DirtyIds() {
    std::vector<int64_t> out;
    for (const json& line : DirtyLines()) out.push_back(line["record"][0].get<int64_t>());
    std::sort(out.begin(), out.end());
    return out;
  }

  std::vector<std::string> SplitIds(int n) {
    std::vector<std::string> out;
    for (int k = 0; k < n; ++k) {
      char id[16];
      std::snprintf(id, sizeof(id), "%04d", k);
      out.push_back(id);
    }
    return out;
  }

  // Appends the row count of every Write() to `sizes` (in call order with one channel).
  void RecordWriteSizes(std::vector<size_t>* sizes) {
    dest_.on_write = [sizes](const WriteCall& call) {
      sizes->push_back(call.rows);
      return Status::OK();
    };
  }

  // Every task the engine opened was committed or aborted; none was left open.
  void ExpectNoTaskLeftOpen() {
    std::lock_guard lock(dest_.mu);
    EXPECT_EQ(dest_.tasks_opened,
              dest_.tasks_committed + dest_.tasks_aborted + dest_.tasks_found_committed);
    EXPECT_EQ(dest_.tasks_left_open, 0);
  }

  MemorySource source_;
  FakeDestination dest_;
  Registry registry_ = ::ferry::testing::MakeFaultRegistry(&source_, &dest_);
  std::string run_dir_;
};

// ---- A clean run

TEST_F(FaultInjectionTest, CleanRunWritesEveryRowOnceWithExactFigures) {
  RunReport r = Run(Job(1000, 7, 3));
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  EXPECT_EQ(dest_.Rows(), Ids(1000));
  EXPECT_TRUE(r.summary.succeeded);
  EXPECT_EQ(r.summary.job, "jobs/fault.json");
  EXPECT_EQ(r.summary.records_read, 1000);
  EXPECT_EQ(r.summary.records_written, 1000);
  EXPECT_EQ(r.summary.dirty_records, 0);
  EXPECT_EQ(r.summary.bytes_read, SourceBytes(1000));
  EXPECT_EQ(r.summary.splits_total, 7);
  EXPECT_EQ(r.summary.splits_done, 7);
  EXPECT_EQ(r.summary.split_retries, 0);
  EXPECT_TRUE(!r.summary.error.has_value());
  EXPECT_TRUE(r.summary.dirty_log.empty());
  EXPECT_FALSE(std::filesystem::exists(run_dir_ + "/dirty.jsonl"));
  EXPECT_EQ(dest_.starts, std::vector<bool>{false});
  EXPECT_EQ(dest_.finalized_ok, std::vector<bool>{true});
  ASSERT_EQ(dest_.finalized_splits.size(), 1u);
  EXPECT_EQ(dest_.finalized_splits[0], SplitIds(7));  // every split, in plan order
  EXPECT_EQ(dest_.tasks_opened, 7);
  EXPECT_EQ(dest_.tasks_committed, 7);
  ExpectNoTaskLeftOpen();
  // The run directory keeps what --resume and the user need.
  for (const char* f : {"job.json", "plan.json", "committed.log", "summary.json"}) {
    EXPECT_TRUE(std::filesystem::exists(run_dir_ + "/" + f)) << f;
  }
  std::ifstream in(run_dir_ + "/summary.json");
  EXPECT_EQ(json::parse(in), json::parse(SummaryJson(r.summary)));
}

TEST_F(FaultInjectionTest, EmptySourceSucceedsWithZeroRows) {
  RunReport r = Run(Job(0, 3, 2));
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  EXPECT_TRUE(dest_.Rows().empty());
  EXPECT_EQ(r.summary.records_read, 0);
  EXPECT_EQ(r.summary.splits_done, 3);
}

// ---- Refused rows: bisection into dirty records

TEST_F(FaultInjectionTest, RefusedRowsBecomeDirtyAndEveryOtherRowIsWritten) {
  std::set<int64_t> bad = {0, 17, 500, 998, 999};
  dest_.refuse = bad;
  RunReport r = Run(Job(1000, 4, 2));
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  EXPECT_EQ(dest_.Rows(), Ids(1000, bad));
  EXPECT_EQ(r.summary.records_read, 1000);
  EXPECT_EQ(r.summary.records_written, 995);
  EXPECT_EQ(r.summary.dirty_records, 5);
  EXPECT_EQ(r.dirty_path, run_dir_ + "/dirty.jsonl");
  EXPECT_EQ(r.summary.dirty_log, r.dirty_path);

  std::vector<json> lines = DirtyLines();
  ASSERT_EQ(lines.size(), 5u);
  std::sort(lines.begin(), lines.end(),
            [](const json& a, const json& b) { return a["record"][0] < b["record"][0]; });
  auto expected = [](const char* split, int64_t id) {
    return json{{"split", split},
                {"attempt", 1},
                {"reason", "value " + std::to_string(id) + " refused"},
                {"column", "id"},
                {"record", {id, "row-" + std::to_string(id)}}};
  };
  EXPECT_EQ(lines[0], expected("0000", 0));
  EXPECT_EQ(lines[1], expected("0000", 17));
  EXPECT_EQ(lines[2], expected("0002", 500));
  EXPECT_EQ(lines[3], expected("0003", 998));
  EXPECT_EQ(lines[4], expected("0003", 999));
}

TEST_F(FaultInjectionTest, SplitWhoseEveryRowIsRefusedStillCommitsTheOthers) {
  std::vector<int64_t> split1 = Range(100, 200);
  dest_.refuse = std::set<int64_t>(split1.begin(), split1.end());
  RunReport r = Run(Job(400, 4, 2));
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  EXPECT_EQ(dest_.Rows(), Ids(400, dest_.refuse));
  EXPECT_EQ(r.summary.dirty_records, 100);
  EXPECT_EQ(r.summary.records_written, 300);
  EXPECT_EQ(DirtyIds(), split1);
}

// ---- Streamed writes (Writer::OpenStreamingTask): a refusal undoes the attempt, and the split
// is written again with each write checked

TEST_F(FaultInjectionTest, StreamedSplitsAreEachWrittenOnceByOneStreamingTask) {
  dest_.streams = true;
  RunReport r = Run(Job(1000, 7, 3));
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  EXPECT_EQ(dest_.Rows(), Ids(1000));
  EXPECT_EQ(dest_.streaming_tasks_opened, 7);
  EXPECT_EQ(dest_.tasks_opened, 7);
  EXPECT_EQ(r.summary.records_read, 1000);
  EXPECT_EQ(r.summary.records_written, 1000);
  EXPECT_EQ(r.summary.split_retries, 0);
  ExpectNoTaskLeftOpen();
}

TEST_F(FaultInjectionTest, RefusedStreamIsWrittenAgainCheckedAndOnlyTheRefusedRowsAreDirty) {
  dest_.streams = true;
  // 17: reported by a later Write of the stream; 999, the last row of the last split: by Commit.
  dest_.refuse = {17, 500, 999};
  source_.unreadable = {3};  // a reader's dirty record in a split whose stream is refused
  RunReport r = Run(Job(1000, 4, 2));
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  EXPECT_EQ(dest_.Rows(), Ids(1000, {3, 17, 500, 999}));
  EXPECT_EQ(dest_.streaming_tasks_opened, 4);
  EXPECT_EQ(dest_.Attempts("0000"), 2);
  EXPECT_EQ(dest_.Attempts("0001"), 1);
  EXPECT_EQ(dest_.Attempts("0002"), 2);
  EXPECT_EQ(dest_.Attempts("0003"), 2);
  // The undone attempts count for nothing: not as retries, not as rows read twice.
  EXPECT_EQ(r.summary.split_retries, 0);
  EXPECT_EQ(r.summary.records_read, 1000);
  EXPECT_EQ(r.summary.bytes_read, SourceBytes(1000) - (8 + 4 + 1));  // row 3 was never batched
  EXPECT_EQ(r.summary.records_written, 996);
  EXPECT_EQ(r.summary.dirty_records, 4);
  // Each dirty record once, from the checked attempt, with the checked write's reason.
  std::vector<json> lines = DirtyLines();
  ASSERT_EQ(lines.size(), 4u);
  std::sort(lines.begin(), lines.end(),
            [](const json& a, const json& b) { return a["record"][0] < b["record"][0]; });
  EXPECT_EQ(lines[0]["reason"], "unreadable source row 3");
  EXPECT_EQ(lines[0]["attempt"], 2);
  for (size_t i = 1; i < lines.size(); ++i) {
    const int64_t id = lines[i]["record"][0];
    EXPECT_EQ(lines[i]["reason"], "value " + std::to_string(id) + " refused");
    EXPECT_EQ(lines[i]["attempt"], 2);
  }
  ExpectNoTaskLeftOpen();
}

TEST_F(FaultInjectionTest, RefusedStreamWithErrorLimitZeroFailsOnTheRowItself) {
  dest_.streams = true;
  dest_.refuse = {250};
  JobModel job = Job(400, 4, 1);
  job.setting.error_limit_records = 0;
  RunReport r = Run(job);
  ASSERT_FALSE(r.status.ok());
  EXPECT_EQ(r.summary.error, "dirty-record limit passed: 1 dirty records, errorLimit.record is 0");
  EXPECT_EQ(dest_.CommittedSplits(), (std::set<std::string>{"0000", "0001"}));
  EXPECT_EQ(dest_.Rows(), Ids(200));
  EXPECT_EQ(DirtyIds(), std::vector<int64_t>{250});
  ExpectNoTaskLeftOpen();
}

TEST_F(FaultInjectionTest, FailedCheckedRewriteOfARefusedStreamIsRetriedAsUsual) {
  dest_.streams = true;
  dest_.refuse = {150};
  dest_.on_commit = [](const std::string& split, int attempt) {
    return split == "0001" && attempt == 2 ? Status::Unavailable("connection lost during commit")
                                           : Status::OK();
  };
  RunReport r = Run(Job(400, 4, 2));
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  EXPECT_EQ(dest_.Rows(), Ids(400, {150}));
  // Streamed (refused), checked (commit failed), checked again: the retry stays checked.
  EXPECT_EQ(dest_.Attempts("0001"), 3);
  EXPECT_EQ(dest_.streaming_tasks_opened, 4);
  EXPECT_EQ(r.summary.split_retries, 1);
  EXPECT_EQ(r.summary.records_written, 399);
  EXPECT_EQ(DirtyIds(), std::vector<int64_t>{150});
  ExpectNoTaskLeftOpen();
}

TEST_F(FaultInjectionTest, NonTransactionalDestinationIsNeverStreamed) {
  // A refused stream is undone whole; rows delivered at once could not be.
  Registry registry =
      ::ferry::testing::MakeFaultRegistry(&source_, &dest_, /*transactional=*/false);
  dest_.streams = true;
  dest_.refuse = {5, 250};
  RunReport r = RunJob(Job(300, 3, 1), registry, Options(false), {});
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  EXPECT_EQ(dest_.streaming_tasks_opened, 0);
  EXPECT_EQ(dest_.Rows(), Ids(300, {5, 250}));
  EXPECT_EQ(DirtyIds(), (std::vector<int64_t>{5, 250}));
}

TEST_F(FaultInjectionTest, SourceRowsTheReaderCannotReadAreDirtyAndCountedAsRead) {
  source_.unreadable = {3, 250};
  RunReport r = Run(Job(400, 4, 2));
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  EXPECT_EQ(dest_.Rows(), Ids(400, {3, 250}));
  // read = written + dirty, as the summary promises.
  EXPECT_EQ(r.summary.records_read, 400);
  EXPECT_EQ(r.summary.records_written, 398);
  EXPECT_EQ(r.summary.dirty_records, 2);
  std::vector<json> lines = DirtyLines();
  ASSERT_EQ(lines.size(), 2u);
  for (const json& line : lines) {
    int64_t id = line["record"][0];
    EXPECT_EQ(line["reason"], "unreadable source row " + std::to_string(id));
    EXPECT_EQ(line["column"], "name");
    EXPECT_EQ(line["split"], id == 3 ? "0000" : "0002");
  }
}

TEST_F(FaultInjectionTest, DirtyRecordsFromReaderAndWriterOfOneSplitAreAllKept) {
  // Both sides of one channel report dirty records of the same split at the same time.
  source_.unreadable = {1, 5, 9, 13, 40, 77};
  dest_.refuse = {2, 6, 10, 14, 41, 78};
  RunReport r = Run(Job(100, 1, 1));
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  EXPECT_EQ(DirtyIds(), (std::vector<int64_t>{1, 2, 5, 6, 9, 10, 13, 14, 40, 41, 77, 78}));
  EXPECT_EQ(r.summary.dirty_records, 12);
  EXPECT_EQ(dest_.Rows(), Ids(100, {1, 2, 5, 6, 9, 10, 13, 14, 40, 41, 77, 78}));
}

// ---- errorLimit

TEST_F(FaultInjectionTest, ErrorLimitZeroFailsOnTheFirstDirtyRecord) {
  dest_.refuse = {250};
  JobModel job = Job(400, 4, 1);
  job.setting.error_limit_records = 0;
  RunReport r = Run(job);
  ASSERT_FALSE(r.status.ok());
  EXPECT_EQ(r.failed_in, RunPhase::kRun);
  EXPECT_FALSE(r.summary.succeeded);
  EXPECT_EQ(r.summary.error, "dirty-record limit passed: 1 dirty records, errorLimit.record is 0");
  // The split holding the record is rolled back; the job stops there.
  EXPECT_EQ(dest_.CommittedSplits(), (std::set<std::string>{"0000", "0001"}));
  EXPECT_EQ(dest_.Rows(), Ids(200));
  EXPECT_EQ(dest_.Attempts("0003"), 0);
  EXPECT_EQ(r.summary.splits_done, 2);
  EXPECT_EQ(r.summary.records_written, 200);
  // The user can see which record it was.
  EXPECT_EQ(DirtyIds(), std::vector<int64_t>{250});
  EXPECT_EQ(dest_.finalized_ok, std::vector<bool>{false});
  ExpectNoTaskLeftOpen();
}

TEST_F(FaultInjectionTest, ErrorLimitOfNAllowsNDirtyRecords) {
  dest_.refuse = {10, 150, 390};
  JobModel job = Job(400, 4, 2);
  job.setting.error_limit_records = 3;
  RunReport r = Run(job);
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  EXPECT_EQ(r.summary.dirty_records, 3);
  EXPECT_EQ(dest_.Rows(), Ids(400, dest_.refuse));
}

TEST_F(FaultInjectionTest, ErrorLimitOfNFailsOnRecordNPlusOne) {
  dest_.refuse = {10, 150, 230, 390};
  JobModel job = Job(400, 4, 1);
  job.setting.error_limit_records = 3;
  RunReport r = Run(job);
  ASSERT_FALSE(r.status.ok());
  EXPECT_EQ(r.status.message(),
            "dirty-record limit passed: 4 dirty records, errorLimit.record is 3");
  EXPECT_EQ(dest_.CommittedSplits(), (std::set<std::string>{"0000", "0001", "0002"}));
}

TEST_F(FaultInjectionTest, ErrorLimitPercentageIsNotCheckedBeforeTenThousandRead) {
  // The first 100 rows are all dirty (100 % of what was read then), 0.5 % of the job.
  std::vector<int64_t> first = Range(0, 100);
  dest_.refuse = std::set<int64_t>(first.begin(), first.end());
  JobModel job = Job(20000, 2, 1);
  job.setting.error_limit_percentage = 0.02;
  RunReport r = Run(job);
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  EXPECT_EQ(r.summary.dirty_records, 100);
  EXPECT_EQ(dest_.Rows().size(), 19900u);
}

TEST_F(FaultInjectionTest, ErrorLimitPercentageStopsTheJobOnceTenThousandWereRead) {
  // Split 0005 (rows 15000..17999) is all dirty: past 10,000 read, the share passes 2 % there.
  std::vector<int64_t> split5 = Range(15000, 18000);
  dest_.refuse = std::set<int64_t>(split5.begin(), split5.end());
  JobModel job = Job(30000, 10, 1);
  job.setting.error_limit_percentage = 0.02;
  RunReport r = Run(job);
  ASSERT_FALSE(r.status.ok());
  EXPECT_EQ(r.status.message().rfind("dirty-record limit passed: ", 0), 0u) << r.status.message();
  EXPECT_NE(r.status.message().find("errorLimit.percentage is 2%"), std::string::npos)
      << r.status.message();
  EXPECT_EQ(r.summary.splits_done, 5);
  EXPECT_EQ(dest_.Attempts("0006"), 0);  // stopped during the run, not at its end
  EXPECT_EQ(dest_.Rows(), Ids(15000));
}

TEST_F(FaultInjectionTest, ErrorLimitPercentageIsCheckedAtTheEnd) {
  // 50 of 1,000 (5 %): too few records for the running check, so the final one catches it.
  std::set<int64_t> bad;
  for (int64_t i = 0; i < 1000; i += 20) bad.insert(i);
  dest_.refuse = bad;
  JobModel job = Job(1000, 4, 2);
  job.setting.error_limit_percentage = 0.02;
  RunReport r = Run(job);
  ASSERT_FALSE(r.status.ok());
  EXPECT_EQ(
      r.status.message(),
      "dirty-record limit passed: 50 of 1000 records dirty (5%), errorLimit.percentage is 2%");
  EXPECT_EQ(r.summary.splits_done, 4);
  EXPECT_FALSE(r.summary.succeeded);
  EXPECT_EQ(dest_.finalized_ok, std::vector<bool>{false});
}

// ---- Transient errors: retry the split, never duplicate

TEST_F(FaultInjectionTest, AbortedWriteRetriesTheSplitWithoutDuplicates) {
  dest_.on_write = [](const WriteCall& c) {
    return c.split == "0001" && c.attempt == 1 && c.index == 3
               ? Status::Aborted("deadlock detected")
               : Status::OK();
  };
  RunReport r = Run(Job(400, 4, 2));
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  EXPECT_EQ(dest_.Rows(), Ids(400));
  EXPECT_EQ(dest_.Attempts("0001"), 2);
  EXPECT_EQ(dest_.tasks_aborted, 1);
  EXPECT_EQ(r.summary.split_retries, 1);
  // The rolled-back attempt's rows are not counted twice.
  EXPECT_EQ(r.summary.records_read, 400);
  EXPECT_EQ(r.summary.records_written, 400);
  EXPECT_EQ(r.summary.bytes_read, SourceBytes(400));
  ExpectNoTaskLeftOpen();
}

// The reader opens its task while the writer begins, but reads no row before Begin said the
// split is to be written: none at all for an attempt whose Begin failed, or found the split
// committed by an earlier attempt (a lost COMMIT reply settled by the marker).
TEST_F(FaultInjectionTest, TheReaderReadsNoRowBeforeTheWritersBegin) {
  dest_.markers = true;
  std::mutex mu;
  std::set<std::string> begun;                         // "split/writer attempt"
  std::map<std::string, std::set<int>> read_attempts;  // split -> reader attempts that read
  int read_before_begin = 0;
  dest_.on_begin = [&](const std::string& split, int attempt) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));  // the reader is waiting by now
    if (split == "0001" && attempt == 1) return Status::Unavailable("connection lost at BEGIN");
    std::lock_guard lock(mu);
    begun.insert(split);
    return Status::OK();
  };
  source_.on_next = [&](const ReadCall& call) {
    std::lock_guard lock(mu);
    if (!begun.count(call.split)) ++read_before_begin;
    read_attempts[call.split].insert(call.attempt);
    return Status::OK();
  };
  dest_.after_commit = [](const std::string& split, int attempt) {
    return split == "0002" && attempt == 1 ? Status::CommitUnknown("reply lost during COMMIT")
                                           : Status::OK();
  };
  RunReport r = Run(Job(400, 4, 2));
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  EXPECT_EQ(dest_.Rows(), Ids(400));
  EXPECT_EQ(read_before_begin, 0);
  // 0001: the reader of the attempt whose Begin failed read nothing; 0002: the attempt whose
  // Begin found the split committed read nothing.
  EXPECT_EQ(source_.Attempts("0001"), 2);
  EXPECT_EQ(read_attempts["0001"], std::set<int>{2});
  EXPECT_EQ(source_.Attempts("0002"), 2);
  EXPECT_EQ(read_attempts["0002"], std::set<int>{1});
  EXPECT_EQ(r.summary.records_read, 400);
  EXPECT_EQ(r.summary.records_written, 400);
  EXPECT_EQ(r.summary.split_retries, 2);
  ExpectNoTaskLeftOpen();
}

TEST_F(FaultInjectionTest, UnavailableOnCommitRetriesTheSplit) {
  dest_.on_commit = [](const std::string& split, int attempt) {
    return split == "0002" && attempt == 1 ? Status::Unavailable("connection lost during commit")
                                           : Status::OK();
  };
  RunReport r = Run(Job(400, 4, 2));
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  EXPECT_EQ(dest_.Rows(), Ids(400));
  EXPECT_EQ(dest_.Attempts("0002"), 2);
  EXPECT_EQ(r.summary.records_written, 400);
}

// ---- A COMMIT whose outcome is unknown (DESIGN 6: never retried blindly)

TEST_F(FaultInjectionTest, LostCommitReplyIsSettledByTheCommitMarker) {
  dest_.markers = true;
  dest_.refuse = {205};
  dest_.after_commit = [](const std::string& split, int attempt) {
    return split == "0002" && attempt == 1
               ? Status::CommitUnknown("server closed the connection during COMMIT")
               : Status::OK();
  };
  RunReport r = Run(Job(400, 4, 2));
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  EXPECT_EQ(dest_.Rows(), Ids(400, {205}));  // split 0002 committed once, not written again
  EXPECT_EQ(dest_.Attempts("0002"), 2);
  EXPECT_EQ(dest_.tasks_found_committed, 1);
  EXPECT_EQ(r.summary.records_read, 400);
  EXPECT_EQ(r.summary.records_written, 399);
  EXPECT_EQ(r.summary.dirty_records, 1);
  EXPECT_EQ(r.summary.splits_done, 4);
  EXPECT_EQ(DirtyIds(), std::vector<int64_t>{205});  // the committed attempt's record, once
  EXPECT_TRUE(dest_.marker_rows.empty());            // a succeeded run removes its markers
  ExpectNoTaskLeftOpen();
}

TEST_F(FaultInjectionTest, LostCommitThatRolledBackIsWrittenByTheNextAttempt) {
  dest_.markers = true;
  dest_.on_commit = [](const std::string& split, int attempt) {
    return split == "0001" && attempt == 1 ? Status::CommitUnknown("connection lost during COMMIT")
                                           : Status::OK();
  };
  RunReport r = Run(Job(400, 4, 1));
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  EXPECT_EQ(dest_.Rows(), Ids(400));
  EXPECT_EQ(dest_.Attempts("0001"), 2);
  EXPECT_EQ(dest_.tasks_found_committed, 0);
  EXPECT_EQ(r.summary.records_written, 400);
  ExpectNoTaskLeftOpen();
}

TEST_F(FaultInjectionTest, LostCommitReplyWithoutMarkersFailsTheJobAndIsNotRetried) {
  dest_.after_commit = [](const std::string& split, int attempt) {
    return split == "0001" ? Status::CommitUnknown("connection lost during COMMIT") : Status::OK();
  };
  RunReport r = Run(Job(400, 4, 1));
  ASSERT_FALSE(r.status.ok());
  EXPECT_THAT(r.status.message(),
              ::testing::HasSubstr("split 0001: the outcome of its COMMIT is unknown"));
  EXPECT_THAT(r.status.message(), ::testing::HasSubstr("not retried"));
  EXPECT_FALSE(r.summary.succeeded);
  EXPECT_EQ(dest_.Attempts("0001"), 1);  // never written twice
  std::vector<int64_t> rows = dest_.Rows();
  EXPECT_EQ(std::adjacent_find(rows.begin(), rows.end()), rows.end());
}

// A run killed between a split's commit and its line in committed.log: the destination's marker
// says the split is done, and the resume records it instead of writing it again.
TEST_F(FaultInjectionTest, ResumeRecordsSplitsOnlyTheCommitMarkersKnow) {
  dest_.markers = true;
  std::atomic<bool> broken{true};
  dest_.on_write = [&](const WriteCall& c) {
    return broken && c.split == "0003" ? Status::FailedPrecondition("disk full") : Status::OK();
  };
  dest_.refuse = {150};
  JobModel job = Job(500, 5, 1);
  RunReport first = Run(job);
  ASSERT_FALSE(first.status.ok());
  ASSERT_EQ(dest_.CommittedSplits(), (std::set<std::string>{"0000", "0001", "0002"}));
  // What the kill leaves: commits 0001 and 0002 never reached committed.log.
  {
    std::ifstream in(run_dir_ + "/committed.log");
    std::string line, kept;
    while (std::getline(in, line)) {
      if (line.find("\"0000\"") != std::string::npos) kept += line + "\n";
    }
    std::ofstream(run_dir_ + "/committed.log", std::ios::trunc) << kept;
  }
  broken = false;
  RunReport second = Run(job, /*resume=*/true);
  ASSERT_TRUE(second.status.ok()) << second.status.ToString();
  EXPECT_EQ(dest_.Rows(), Ids(500, {150}));
  EXPECT_EQ(dest_.Attempts("0001"), 1);
  EXPECT_EQ(dest_.Attempts("0002"), 1);
  EXPECT_EQ(second.summary.records_read, 500);
  EXPECT_EQ(second.summary.records_written, 499);
  EXPECT_EQ(second.summary.dirty_records, 1);
  EXPECT_EQ(DirtyIds(), std::vector<int64_t>{150});
  RunDir dir = RunDir::Open(run_dir_).value();
  EXPECT_EQ(dir.ReadCommitted().value(),
            (std::set<std::string>{"0000", "0001", "0002", "0003", "0004"}));
}

TEST_F(FaultInjectionTest, DirtyRecordsOfAnAttemptRolledBackAtCommitAreDropped) {
  dest_.refuse = {105};
  dest_.on_commit = [](const std::string& split, int attempt) {
    return split == "0001" && attempt == 1 ? Status::Aborted("serialization failure at COMMIT")
                                           : Status::OK();
  };
  RunReport r = Run(Job(400, 4, 1));
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  std::vector<json> lines = DirtyLines();
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0]["attempt"], 2);
  EXPECT_EQ(r.summary.dirty_records, 1);
}

TEST_F(FaultInjectionTest, TransientReadErrorRetriesTheSplit) {
  source_.on_next = [](const ReadCall& c) {
    return c.split == "0000" && c.attempt == 1 && c.call == 3
               ? Status::Unavailable("source connection reset")
               : Status::OK();
  };
  RunReport r = Run(Job(400, 4, 1));
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  EXPECT_EQ(dest_.Rows(), Ids(400));
  EXPECT_EQ(source_.Attempts("0000"), 2);
  EXPECT_EQ(r.summary.records_read, 400);
}

TEST_F(FaultInjectionTest, DirtyRecordsOfARetriedAttemptAreLoggedOnce) {
  dest_.refuse = {105};
  dest_.on_write = [](const WriteCall& c) {
    // Fails after the refused row of split 0001 was isolated in the first attempt.
    return c.split == "0001" && c.attempt == 1 && c.index == 12 ? Status::Aborted("deadlock")
                                                                : Status::OK();
  };
  RunReport r = Run(Job(400, 4, 1));
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  EXPECT_EQ(dest_.Attempts("0001"), 2);
  EXPECT_EQ(DirtyIds(), std::vector<int64_t>{105});
  EXPECT_EQ(r.summary.dirty_records, 1);
  EXPECT_EQ(dest_.Rows(), Ids(400, {105}));
}

TEST_F(FaultInjectionTest, RetriesExhaustedFailTheJobWithTheError) {
  dest_.on_write = [](const WriteCall& c) {
    return c.split == "0001" ? Status::Unavailable("connection lost") : Status::OK();
  };
  RunReport r = Run(Job(400, 4, 1));
  ASSERT_FALSE(r.status.ok());
  EXPECT_EQ(r.failed_in, RunPhase::kRun);  // exit 1: it ran and failed
  EXPECT_EQ(r.status.code(), StatusCode::kUnavailable);
  EXPECT_NE(r.status.message().find("connection lost"), std::string::npos) << r.status.message();
  EXPECT_NE(r.status.message().find("0001"), std::string::npos) << r.status.message();
  EXPECT_FALSE(r.summary.succeeded);
  EXPECT_EQ(r.summary.error, r.status.message());
  EXPECT_EQ(dest_.Attempts("0001"), 3);  // max_retries = 2
  EXPECT_EQ(r.summary.split_retries, 2);
  EXPECT_EQ(dest_.Rows(), Ids(100));  // only split 0000 committed
  EXPECT_EQ(r.summary.records_written, 100);
  EXPECT_EQ(r.summary.splits_done, 1);
  ASSERT_EQ(dest_.finalized_splits.size(), 1u);
  EXPECT_EQ(dest_.finalized_splits[0], std::vector<std::string>{"0000"});
  ExpectNoTaskLeftOpen();
}

TEST_F(FaultInjectionTest, SplitThatWroteToANonTransactionalDestinationIsNotRetried) {
  // Rows already delivered cannot be taken back: a retry would deliver them twice.
  Registry registry =
      ::ferry::testing::MakeFaultRegistry(&source_, &dest_, /*transactional=*/false);
  dest_.on_write = [](const WriteCall& c) {
    return c.split == "0001" && c.index == 3 ? Status::Unavailable("connection lost")
                                             : Status::OK();
  };
  RunReport r = RunJob(Job(300, 3, 1), registry, Options(false), {});
  ASSERT_FALSE(r.status.ok());
  EXPECT_EQ(dest_.Attempts("0001"), 1);
  EXPECT_EQ(r.status.message(),
            "split 0001 not retried: 32 records were already written to a destination that cannot "
            "roll them back: connection lost");
  // What the destination kept is reported as written.
  EXPECT_EQ(dest_.Rows(), Ids(132));
  EXPECT_EQ(r.summary.records_written, 132);
}

TEST_F(FaultInjectionTest, SplitThatWroteNothingToANonTransactionalDestinationIsRetried) {
  Registry registry =
      ::ferry::testing::MakeFaultRegistry(&source_, &dest_, /*transactional=*/false);
  dest_.on_write = [](const WriteCall& c) {
    return c.split == "0001" && c.attempt == 1 && c.index == 1
               ? Status::Unavailable("connection lost")
               : Status::OK();
  };
  RunReport r = RunJob(Job(300, 3, 1), registry, Options(false), {});
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  EXPECT_EQ(dest_.Attempts("0001"), 2);
  EXPECT_EQ(dest_.Rows(), Ids(300));
}

TEST_F(FaultInjectionTest, FatalWriteErrorIsNotRetried) {
  dest_.on_write = [](const WriteCall& c) {
    return c.split == "0002" && c.index == 2 ? Status::FailedPrecondition("column \"id\" is gone")
                                             : Status::OK();
  };
  RunReport r = Run(Job(400, 4, 1));
  ASSERT_FALSE(r.status.ok());
  EXPECT_EQ(r.status.code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(r.status.message().find("column \"id\" is gone"), std::string::npos);
  EXPECT_EQ(dest_.Attempts("0002"), 1);
  EXPECT_EQ(dest_.Rows(), Ids(200));
  ExpectNoTaskLeftOpen();
}

TEST_F(FaultInjectionTest, FirstFatalErrorWinsAndStopsTheOtherChannels) {
  dest_.on_write = [](const WriteCall& c) {
    return c.split == "0000" ? Status::FailedPrecondition("destination table dropped")
                             : Status::OK();
  };
  // Split 0001's source hangs until the job stops it, then fails in its own way.
  source_.on_next = [](const ReadCall& c) {
    if (c.split != "0001") return Status::OK();
    if (!WaitForStop(c.stop)) return Status::Internal("split 0001 was never told to stop");
    return Status::IOError("late failure of split 0001");
  };
  RunReport r = Run(Job(600, 6, 2));
  ASSERT_FALSE(r.status.ok());
  EXPECT_EQ(r.status.code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(r.status.message().find("destination table dropped"), std::string::npos)
      << r.status.message();
  for (const char* later : {"0002", "0003", "0004", "0005"}) {
    EXPECT_EQ(dest_.Attempts(later), 0) << later;
  }
  EXPECT_TRUE(dest_.Rows().empty());
  EXPECT_EQ(r.summary.splits_done, 0);
  ExpectNoTaskLeftOpen();
}

TEST_F(FaultInjectionTest, WriterExceptionFailsTheJobInsteadOfCrashing) {
  dest_.on_write = [](const WriteCall& c) -> Status {
    if (c.split == "0001" && c.index == 2) throw std::runtime_error("driver threw");
    return Status::OK();
  };
  RunReport r = Run(Job(300, 3, 1));
  ASSERT_FALSE(r.status.ok());
  EXPECT_EQ(r.status.code(), StatusCode::kInternal);
  EXPECT_NE(r.status.message().find("driver threw"), std::string::npos) << r.status.message();
  EXPECT_EQ(dest_.Rows(), Ids(100));
  ExpectNoTaskLeftOpen();
}

TEST_F(FaultInjectionTest, ReaderExceptionFailsTheJobInsteadOfCrashing) {
  source_.on_next = [](const ReadCall& c) -> Status {
    if (c.split == "0001" && c.call == 2) throw std::runtime_error("reader threw");
    return Status::OK();
  };
  RunReport r = Run(Job(300, 3, 1));
  ASSERT_FALSE(r.status.ok());
  EXPECT_EQ(r.status.code(), StatusCode::kInternal);
  EXPECT_NE(r.status.message().find("reader threw"), std::string::npos) << r.status.message();
  EXPECT_EQ(dest_.Rows(), Ids(100));
  ExpectNoTaskLeftOpen();
}

TEST_F(FaultInjectionTest, ReaderThatEndsASplitAsCancelledFailsTheJob) {
  // A Cancelled status nobody asked for must not end the job as if it were done.
  source_.on_next = [](const ReadCall& c) {
    return c.split == "0001" && c.call == 2 ? Status::Cancelled("query cancelled by the server")
                                            : Status::OK();
  };
  RunReport r = Run(Job(400, 4, 1));
  ASSERT_FALSE(r.status.ok());
  EXPECT_NE(r.status.message().find("query cancelled by the server"), std::string::npos);
  EXPECT_FALSE(r.summary.succeeded);
}

// ---- Stop request (SIGINT/SIGTERM)

TEST_F(FaultInjectionTest, StopAbortsEveryOpenTaskAndCommitsNothingHalfWay) {
  // Three channels are each half-way through a split: two batches written, the source stalled
  // (a slow query) until the job tells it to stop.
  Arrivals written, stalled;
  dest_.on_write = [&](const WriteCall& c) {
    if (c.index == 2) written.Arrive();
    return Status::OK();
  };
  source_.on_next = [&](const ReadCall& c) {
    if (c.call == 3) {
      stalled.Arrive();
      if (!WaitForStop(c.stop)) return Status::Internal("the source was never told to stop");
    }
    return Status::OK();
  };
  std::stop_source user_stop;
  JobModel job = Job(600, 6, 3);
  RunReport r;
  {
    std::jthread runner([&] { r = Run(job, false, user_stop.get_token()); });
    EXPECT_TRUE(stalled.WaitFor(3)) << "three splits never ran at once";
    EXPECT_TRUE(written.WaitFor(3)) << "the splits wrote nothing before the stop";
    user_stop.request_stop();  // SIGINT
  }
  EXPECT_EQ(r.status.code(), StatusCode::kCancelled);
  EXPECT_EQ(r.failed_in, RunPhase::kRun);
  EXPECT_FALSE(r.summary.succeeded);
  EXPECT_EQ(r.summary.error, "stopped by signal");
  EXPECT_TRUE(dest_.Rows().empty());
  EXPECT_EQ(dest_.tasks_opened, 3);
  EXPECT_EQ(dest_.tasks_aborted, 3);
  ExpectNoTaskLeftOpen();
  EXPECT_EQ(r.summary.splits_done, 0);
  EXPECT_EQ(r.summary.records_written, 0);
  EXPECT_EQ(dest_.finalized_ok, std::vector<bool>{false});

  // --resume finishes the job: every row exactly once, setup not run again.
  dest_.on_write = nullptr;
  source_.on_next = nullptr;
  RunReport resumed = Run(job, /*resume=*/true);
  ASSERT_TRUE(resumed.status.ok()) << resumed.status.ToString();
  EXPECT_EQ(dest_.Rows(), Ids(600));
  EXPECT_EQ(dest_.starts, (std::vector<bool>{false, true}));
  EXPECT_EQ(resumed.summary.splits_done, 6);
}

TEST_F(FaultInjectionTest, StopBeforeAnySplitStartsWritesNothing) {
  std::stop_source user_stop;
  user_stop.request_stop();
  RunReport r = Run(Job(400, 4, 2), false, user_stop.get_token());
  EXPECT_EQ(r.status.code(), StatusCode::kCancelled);
  EXPECT_TRUE(dest_.Rows().empty());
  ExpectNoTaskLeftOpen();
}

// ---- Resume

TEST_F(FaultInjectionTest, ResumeAfterAFailedSplitWritesEveryRowExactlyOnce) {
  std::atomic<bool> broken{true};
  dest_.on_write = [&](const WriteCall& c) {
    return broken && c.split == "0002" && c.index == 2 ? Status::FailedPrecondition("disk full")
                                                       : Status::OK();
  };
  JobModel job = Job(500, 5, 1);
  RunReport first = Run(job);
  ASSERT_FALSE(first.status.ok());
  EXPECT_EQ(dest_.CommittedSplits(), (std::set<std::string>{"0000", "0001"}));

  broken = false;
  RunReport second = Run(job, /*resume=*/true);
  ASSERT_TRUE(second.status.ok()) << second.status.ToString();
  EXPECT_EQ(dest_.Rows(), Ids(500));
  EXPECT_EQ(dest_.Attempts("0000"), 1);  // committed splits are not run again
  EXPECT_EQ(dest_.Attempts("0001"), 1);
  EXPECT_EQ(dest_.starts, (std::vector<bool>{false, true}));
  ASSERT_EQ(dest_.finalized_splits.size(), 2u);
  EXPECT_EQ(dest_.finalized_splits[1], SplitIds(5));
  EXPECT_EQ(dest_.finalized_ok, (std::vector<bool>{false, true}));
  // The summary of the resumed run is the job's: both runs' figures.
  EXPECT_EQ(second.summary.splits_total, 5);
  EXPECT_EQ(second.summary.splits_done, 5);
  EXPECT_EQ(second.summary.records_read, 500);
  EXPECT_EQ(second.summary.records_written, 500);
  EXPECT_EQ(second.summary.bytes_read, SourceBytes(500));
}

TEST_F(FaultInjectionTest, ResumeKeepsEachDirtyRecordOnce) {
  dest_.refuse = {10, 250};
  std::atomic<bool> broken{true};
  dest_.on_commit = [&](const std::string& split, int) {
    return broken && split == "0002" ? Status::FailedPrecondition("disk full") : Status::OK();
  };
  JobModel job = Job(500, 5, 1);
  RunReport first = Run(job);
  ASSERT_FALSE(first.status.ok());
  EXPECT_EQ(DirtyIds(), (std::vector<int64_t>{10, 250}));  // the failed split's too

  broken = false;
  RunReport second = Run(job, /*resume=*/true);
  ASSERT_TRUE(second.status.ok()) << second.status.ToString();
  EXPECT_EQ(dest_.Rows(), Ids(500, {10, 250}));
  EXPECT_EQ(DirtyIds(), (std::vector<int64_t>{10, 250}));
  EXPECT_EQ(second.summary.dirty_records, 2);
  EXPECT_EQ(second.summary.records_written, 498);
}

TEST_F(FaultInjectionTest, ResumedRunCountsDirtyRecordsOfTheWholeJob) {
  dest_.refuse = {10, 350};
  std::atomic<bool> broken{true};
  dest_.on_commit = [&](const std::string& split, int) {
    return broken && split == "0002" ? Status::FailedPrecondition("disk full") : Status::OK();
  };
  JobModel job = Job(500, 5, 1);
  job.setting.error_limit_records = 1;
  ASSERT_FALSE(Run(job).status.ok());
  broken = false;
  RunReport second = Run(job, /*resume=*/true);
  ASSERT_FALSE(second.status.ok());
  EXPECT_EQ(second.status.message(),
            "dirty-record limit passed: 2 dirty records, errorLimit.record is 1");
}

TEST_F(FaultInjectionTest, ResumeOfAFinishedRunDoesNothingAndSucceeds) {
  JobModel job = Job(200, 2, 1);
  ASSERT_TRUE(Run(job).status.ok());
  RunReport again = Run(job, /*resume=*/true);
  ASSERT_TRUE(again.status.ok()) << again.status.ToString();
  EXPECT_EQ(dest_.Rows(), Ids(200));
  EXPECT_EQ(dest_.tasks_opened, 2);
  EXPECT_EQ(again.summary.splits_done, 2);
  EXPECT_EQ(again.summary.records_written, 200);
}

TEST_F(FaultInjectionTest, FreshRunIntoARunDirectoryWithAPlanIsRefused) {
  JobModel job = Job(200, 2, 1);
  ASSERT_TRUE(Run(job).status.ok());
  RunReport again = Run(job);
  ASSERT_FALSE(again.status.ok());
  EXPECT_EQ(again.failed_in, RunPhase::kPrepare);  // exit 2, nothing touched
  EXPECT_EQ(again.status.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(again.status.message().find("--resume " + run_dir_), std::string::npos)
      << again.status.message();
  EXPECT_EQ(dest_.starts.size(), 1u);
  EXPECT_EQ(dest_.Rows(), Ids(200));
}

TEST_F(FaultInjectionTest, ResumeOfADirectoryWithoutAPlanIsRefused) {
  std::filesystem::create_directories(run_dir_);
  RunReport r = Run(Job(200, 2, 1), /*resume=*/true);
  ASSERT_FALSE(r.status.ok());
  EXPECT_EQ(r.failed_in, RunPhase::kPrepare);
  EXPECT_TRUE(dest_.starts.empty());
}

TEST_F(FaultInjectionTest, FailedSetupLeavesNoPlanSoTheJobCanRunAgain) {
  // preSql failed: nothing ran, so the next run must be a fresh one that runs the setup again.
  dest_.on_start = [](bool) { return Status::FailedPrecondition("preSql failed: no such table"); };
  JobModel job = Job(200, 2, 1);
  RunReport first = Run(job);
  ASSERT_FALSE(first.status.ok());
  EXPECT_NE(first.status.message().find("preSql failed"), std::string::npos);
  EXPECT_FALSE(std::filesystem::exists(run_dir_ + "/plan.json"));

  dest_.on_start = nullptr;
  RunReport second = Run(job);
  ASSERT_TRUE(second.status.ok()) << second.status.ToString();
  EXPECT_EQ(dest_.starts, (std::vector<bool>{false, false}));
  EXPECT_EQ(dest_.Rows(), Ids(200));
}

TEST_F(FaultInjectionTest, TornLastLineOfTheCommitLogIsIgnoredOnResume) {
  // A crash while appending to committed.log leaves half a line; resume must still work.
  std::atomic<bool> broken{true};
  dest_.on_write = [&](const WriteCall& c) {
    return broken && c.split == "0001" ? Status::FailedPrecondition("crash") : Status::OK();
  };
  JobModel job = Job(300, 3, 1);
  ASSERT_FALSE(Run(job).status.ok());
  {
    std::ofstream log(run_dir_ + "/committed.log", std::ios::app);
    log << "{\"split\":\"00";
  }
  broken = false;
  RunReport r = Run(job, /*resume=*/true);
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  EXPECT_EQ(dest_.Rows(), Ids(300));
}

// ---- Prepare errors and the throttle

TEST_F(FaultInjectionTest, PrepareErrorTouchesNothing) {
  JobModel job = Job(100, 0, 1);
  RunOptions options = Options(false);
  options.locate = [](const StepModel& step, const Status& st) {
    return "job.json:3:4: " + step.parameter_path() + "." + st.field() + ": " + st.message();
  };
  RunReport r = RunJob(job, registry_, options, {});
  ASSERT_FALSE(r.status.ok());
  EXPECT_EQ(r.failed_in, RunPhase::kPrepare);
  EXPECT_EQ(r.status.message(),
            "job.json:3:4: steps[0].parameter.splits: expected 1 or more splits");
  EXPECT_TRUE(dest_.starts.empty());
  EXPECT_FALSE(std::filesystem::exists(run_dir_));
}

// ---- Batch size

TEST_F(FaultInjectionTest, BatchesFollowTheWritersBatchSizeUnlessTheRunSetsOne) {
  std::vector<size_t> sizes;
  RecordWriteSizes(&sizes);
  dest_.batch_rows = 300;
  RunOptions auto_size = Options(false);
  auto_size.channel.batch_rows = 0;  // as `ferry run` without --batch-rows
  RunReport r = RunJob(Job(1000, 1), registry_, auto_size, {});
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  EXPECT_EQ(sizes, (std::vector<size_t>{300, 300, 300, 100}));

  sizes.clear();
  std::filesystem::remove_all(run_dir_);
  r = Run(Job(40, 1));  // the run's batch size (16) wins over the writer's
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  EXPECT_EQ(sizes, (std::vector<size_t>{16, 16, 8}));

  sizes.clear();
  std::filesystem::remove_all(run_dir_);
  dest_.batch_rows = 0;  // a writer without a preference: the engine's default
  r = RunJob(Job(5000, 1), registry_, auto_size, {});
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  EXPECT_EQ(sizes, (std::vector<size_t>{ChannelOptions::kDefaultBatchRows,
                                        5000 - ChannelOptions::kDefaultBatchRows}));
}

TEST_F(FaultInjectionTest, WideRowsMakeSmallerBatchesAfterTheFirst) {
  std::vector<size_t> sizes;
  RecordWriteSizes(&sizes);
  RunOptions options = Options(false);
  options.channel.batch_rows = 1000;
  // A memory-source row counts about 50 bytes (two 16-byte cells, 8 + "row-NNNN").
  options.channel.batch_bytes = 5000;
  RunReport r = RunJob(Job(3000, 1), registry_, options, {});
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  ASSERT_GT(sizes.size(), 2u);
  EXPECT_EQ(sizes[0], 1000u);  // nothing was known of the rows yet
  size_t total = sizes[0];
  for (size_t i = 1; i < sizes.size(); ++i) {
    total += sizes[i];
    if (i + 1 < sizes.size()) {
      EXPECT_NEAR(static_cast<double>(sizes[i]), 100.0, 15.0) << i;
    }
  }
  EXPECT_EQ(total, 3000u);
  EXPECT_EQ(dest_.Rows(), Ids(3000));
}

TEST_F(FaultInjectionTest, ThrottleLimitsAllChannelsTogether) {
  // 4 channels at a job-wide 80 KB/s: at least (bytes - one second of burst) / rate seconds.
  // Were the limit per channel, the four would pass within their bursts at once.
  JobModel job = Job(10000, 4, 4);
  job.setting.bytes_per_second = 80 * 1024;
  RunReport r = Run(job);
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  double bytes = r.summary.bytes_read;
  double floor_seconds = (bytes - job.setting.bytes_per_second) / job.setting.bytes_per_second;
  ASSERT_GT(floor_seconds, 0.5);
  EXPECT_GE(r.summary.elapsed_seconds, floor_seconds * 0.9);
  EXPECT_EQ(dest_.Rows(), Ids(10000));
}

}  // namespace
}  // namespace ferry
