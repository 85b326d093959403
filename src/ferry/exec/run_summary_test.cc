#include "ferry/exec/run_summary.h"

#include <gtest/gtest.h>

#include "ferry/common/log.h"

namespace ferry {
namespace {

using namespace std::chrono;

class RunSummaryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    m_.records_read = 2'000'000;
    m_.records_written = 1'999'998;
    m_.dirty_records = 2;
    m_.bytes_read = 162'000'000;
    m_.splits_total = 41;
    m_.splits_done = 40;
    m_.split_retries = 1;
    m_.wait_reader_ns = 1'100'400'000;
    m_.wait_writer_ns = 9'699'600'000;
  }

  RunSummary Summarize(const Status& status) const {
    const system_clock::time_point started =
        sys_days{year{2026} / 11 / 26} + hours{2} + minutes{30} + seconds{45};
    return SummarizeRun("jobs/orders.json", m_, status, started, started + microseconds{17'200'400},
                        ".ferry/runs/orders-1", ".ferry/runs/orders-1/dirty.jsonl");
  }

  Metrics m_;
};

TEST_F(RunSummaryTest, JsonHasDesignsFieldsInDesignsOrder) {
  RunSummary s = Summarize(Status::DataError("dirty-record limit passed"));
  s.dirty_samples = {"split 0003: column amount: not a number"};
  EXPECT_EQ(SummaryJson(s), R"({
  "status": "FAILED",
  "job": "jobs/orders.json",
  "started_at": "2026-11-26T02:30:45Z",
  "finished_at": "2026-11-26T02:31:02Z",
  "elapsed_seconds": 17.2,
  "records_read": 2000000,
  "records_written": 1999998,
  "dirty_records": 2,
  "bytes_read": 162000000,
  "splits_total": 41,
  "splits_done": 40,
  "split_retries": 1,
  "wait_reader_seconds": 1.1,
  "wait_writer_seconds": 9.7,
  "run_dir": ".ferry/runs/orders-1",
  "dirty_log": ".ferry/runs/orders-1/dirty.jsonl",
  "error": "dirty-record limit passed",
  "dirty_samples": [
    "split 0003: column amount: not a number"
  ]
}
)");
}

TEST_F(RunSummaryTest, JsonOfADistributedVerifiedRunAddsHostsCoordinationAndVerify) {
  m_.dirty_records = 0;
  RunSummary s = Summarize(Status::OK());
  s.distributed = DistributedSummary{};
  s.distributed->hosts.push_back({.host = "h1",
                                  .rank = 1,
                                  .channels = 4,
                                  .splits = 41,
                                  .records_read = 2'000'000,
                                  .records_written = 1'999'998,
                                  .bytes_read = 162'000'000,
                                  .seconds = 17.1,
                                  .peak_rss_bytes = 52'428'800});
  s.distributed->coordination = {
      .messages = 170, .bytes = 20'500, .messages_per_split = 4.1, .bytes_per_split = 500.0};
  s.verify_json = R"({"equal":true,"mode":"rows"})";
  EXPECT_EQ(SummaryJson(s).substr(SummaryJson(s).find("  \"run_dir\"")),
            R"(  "run_dir": ".ferry/runs/orders-1",
  "dirty_log": null,
  "error": null,
  "execute_mode": "distribute",
  "hosts": [
    {
      "host": "h1",
      "rank": 1,
      "channels": 4,
      "splits": 41,
      "records_read": 2000000,
      "records_written": 1999998,
      "bytes_read": 162000000,
      "seconds": 17.1,
      "peak_rss_bytes": 52428800
    }
  ],
  "coordination": {
    "messages": 170,
    "bytes": 20500,
    "messages_per_split": 4.1,
    "bytes_per_split": 500.0
  },
  "verify": {
    "equal": true,
    "mode": "rows"
  }
}
)");
}

TEST_F(RunSummaryTest, ALostCoordinatorsRunSaysDistributeWithoutHostFigures) {
  RunSummary s = Summarize(Status::Unavailable("host h2 (rank 2) exited before the run ended"));
  s.distributed = DistributedSummary{.coordinated = false};
  std::string json = SummaryJson(s);
  EXPECT_NE(json.find("\"execute_mode\": \"distribute\"\n}"), std::string::npos) << json;
  EXPECT_EQ(json.find("hosts"), std::string::npos) << json;
}

TEST_F(RunSummaryTest, TextNamesEveryFigureTheDirtyLogAndTheMaskedError) {
  RegisterSecret("s3cret-of-the-summary-test");
  RunSummary s = Summarize(
      Status::IOError("connect to postgresql://u:s3cret-of-the-summary-test@h/db failed"));
  s.dirty_samples = {"split 0003: column amount: not a number"};
  EXPECT_EQ(SummaryText(s),
            "\n"
            "Job status            : FAILED\n"
            "Start time            : 2026-11-26T02:30:45Z\n"
            "End time              : 2026-11-26T02:31:02Z\n"
            "Elapsed               : 17.200s\n"
            "Average speed         : 9.0 MB/s\n"
            "Record speed          : 116,279 rec/s\n"
            "Records read          : 2,000,000\n"
            "Records written       : 1,999,998\n"
            "Dirty records         : 2\n"
            "Splits                : 40/41\n"
            "Waited for            : reader 1.1s, writer 9.7s\n"
            "Run directory         : .ferry/runs/orders-1\n"
            "Dirty record log      : .ferry/runs/orders-1/dirty.jsonl\n"
            "                        split 0003: column amount: not a number\n"
            "Error                 : connect to postgresql://u:******@h/db failed\n");
  EXPECT_EQ(*s.error, "connect to postgresql://u:******@h/db failed");
}

}  // namespace
}  // namespace ferry
