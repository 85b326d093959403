// The distributed runner's coordinator and workers as threads of one process, over an
// in-process transport, with the engine's fault-injecting plugins: what the coordinator must
// do once (setup, plan, finalize), what it must merge (commits, dirty records, figures), and
// the errors of one host failing the whole job with that host named. The same code runs over
// MPI in tests/e2e/distribute_test.cc.
#include "ferry/exec/distributed_runner.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <thread>

#include "ferry/common/log.h"
#include "ferry/exec/testing/fault_plugins.h"
#include "ferry/exec/testing/local_transport.h"

namespace ferry {
namespace {

using ::ferry::testing::FakeDestination;
using ::ferry::testing::LocalNetwork;
using ::ferry::testing::MemorySource;
using nlohmann::json;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

TEST(SpreadChannels, ByWeightEachAtLeastOne) {
  EXPECT_THAT(SpreadChannels(8, {}, 2), ElementsAre(4, 4));
  EXPECT_THAT(SpreadChannels(8, {2, 6}, 2), ElementsAre(2, 6));
  EXPECT_THAT(SpreadChannels(9, {}, 2), ElementsAre(5, 4));
  EXPECT_THAT(SpreadChannels(8, {1, 1, 1}, 3), ElementsAre(3, 3, 2));
  EXPECT_THAT(SpreadChannels(8, {100, 1}, 2), ElementsAre(8, 1));
  EXPECT_THAT(SpreadChannels(2, {}, 3), ElementsAre(1, 1, 1));
}

// A host on a slow link: every message it sends takes `latency` to leave.
class SlowLink : public Transport {
 public:
  SlowLink(Transport* link, std::chrono::milliseconds latency) : link_(link), latency_(latency) {}
  int rank() const override { return link_->rank(); }
  int size() const override { return link_->size(); }
  Status Send(int to, std::string body) override {
    std::this_thread::sleep_for(latency_);
    return link_->Send(to, std::move(body));
  }
  Result<std::optional<TransportMessage>> Receive(std::chrono::milliseconds timeout) override {
    return link_->Receive(timeout);
  }

 private:
  Transport* link_;
  std::chrono::milliseconds latency_;
};

class DistributedRunnerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    SetLogLevel(LogLevel::kError);
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    run_dir_ =
        ::testing::TempDir() + "ferry_dist_" + info->name() + "_" + std::to_string(::getpid());
    std::filesystem::remove_all(run_dir_);
  }
  void TearDown() override { std::filesystem::remove_all(run_dir_); }

  JobModel Job(int64_t rows, int splits, int concurrent = 8) {
    JobModel job = ::ferry::testing::MemoryToFaultJob(rows, splits, concurrent, "jobs/dist.json");
    job.setting.execute_mode = "distribute";
    return job;
  }

  // Runs `job` over a coordinator and `workers` worker ranks; worker k is "host-k". Host 1's
  // link is `host1_latency` slow (each message it sends waits that long).
  RunReport Run(const JobModel& job, int workers, bool resume = false,
                std::chrono::milliseconds host1_latency = {}) {
    LocalNetwork net(workers + 1);
    SlowLink slow_host1(net.rank(1), host1_latency);
    std::vector<std::jthread> threads;
    std::vector<Status> worker_status(static_cast<size_t>(workers));
    for (int r = 1; r <= workers; ++r) {
      threads.emplace_back([&, r] {
        DistributeOptions dist;
        dist.host = "host-" + std::to_string(r);
        dist.stats_interval = std::chrono::milliseconds(20);
        worker_status[static_cast<size_t>(r - 1)] =
            RunWorker(registry_, dist, r == 1 ? &slow_host1 : net.rank(r), std::stop_token());
      });
    }
    RunOptions options;
    options.run_dir = run_dir_;
    options.resume = resume;
    options.progress_interval = std::chrono::seconds(0);
    options.channel.batch_rows = 16;
    DistributeOptions dist;
    dist.host = "host-0";
    RunReport report = RunCoordinator(job, registry_, options, dist, net.rank(0), {});
    threads.clear();
    messages_ = net.messages();
    bytes_ = net.bytes();
    return report;
  }

  static std::vector<int64_t> Ids(int64_t n) {
    std::vector<int64_t> out;
    for (int64_t i = 0; i < n; ++i) out.push_back(i);
    return out;
  }

  MemorySource source_;
  FakeDestination dest_;
  Registry registry_ = ::ferry::testing::MakeFaultRegistry(&source_, &dest_);
  std::string run_dir_;
  int64_t messages_ = 0;
  int64_t bytes_ = 0;
};

TEST_F(DistributedRunnerTest, EveryRowOnceSetupAndFinalizeOnceEveryWorkerGetsSplits) {
  RunReport r = Run(Job(20000, 40), 3);
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  EXPECT_EQ(dest_.Rows(), Ids(20000));
  EXPECT_EQ(dest_.starts, std::vector<bool>{false});  // preSql ran once, on the coordinator
  EXPECT_EQ(dest_.finalized_ok, std::vector<bool>{true});
  ASSERT_EQ(dest_.finalized_splits.size(), 1u);
  EXPECT_EQ(dest_.finalized_splits[0].size(), 40u);
  EXPECT_EQ(r.summary.records_read, 20000);
  EXPECT_EQ(r.summary.records_written, 20000);
  EXPECT_EQ(r.summary.splits_done, 40);
  ASSERT_TRUE(r.summary.distributed.has_value());
  ASSERT_EQ(r.summary.distributed->hosts.size(), 3u);
  int64_t splits = 0, records = 0;
  for (const HostSummary& h : r.summary.distributed->hosts) {
    EXPECT_GT(h.splits, 0) << h.host;
    splits += h.splits;
    records += h.records_written;
  }
  EXPECT_EQ(splits, 40);
  EXPECT_EQ(records, 20000);
  EXPECT_EQ(r.summary.distributed->hosts[1].host, "host-2");
  // committed.log holds every split once.
  std::ifstream log(run_dir_ + "/committed.log");
  int lines = 0;
  for (std::string line; std::getline(log, line);) ++lines;
  EXPECT_EQ(lines, 40);
  // The coordination is a handful of small messages per split.
  EXPECT_LT(static_cast<double>(messages_) / 40, 12.0) << messages_;
}

// Splits are handed out one at a time to the host that asks: a host on a slow link (a split
// costs it at least two 30 ms messages) runs few of them, the others the rest.
TEST_F(DistributedRunnerTest, ASlowHostTakesFewerSplits) {
  RunReport r = Run(Job(20000, 80, 2), 2, false, std::chrono::milliseconds(30));
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  EXPECT_EQ(dest_.Rows(), Ids(20000));
  ASSERT_TRUE(r.summary.distributed.has_value());
  ASSERT_EQ(r.summary.distributed->hosts.size(), 2u);
  const int64_t slow = r.summary.distributed->hosts[0].splits;
  const int64_t fast = r.summary.distributed->hosts[1].splits;
  EXPECT_EQ(slow + fast, 80);
  EXPECT_LT(slow * 4, fast);
}

TEST_F(DistributedRunnerTest, DirtyRecordsOfEveryHostGoToOneLogAndCountTogether) {
  for (int64_t id : {10, 2010, 4010, 6010, 8010, 9990}) dest_.refuse.insert(id);
  JobModel job = Job(10000, 10);
  job.setting.error_limit_records = 6;
  RunReport r = Run(job, 2);
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  EXPECT_EQ(r.summary.dirty_records, 6);
  EXPECT_EQ(r.summary.records_written, 9994);
  std::ifstream in(run_dir_ + "/dirty.jsonl");
  int lines = 0;
  for (std::string line; std::getline(in, line);) ++lines;
  EXPECT_EQ(lines, 6);
}

TEST_F(DistributedRunnerTest, ErrorLimitCountsTheDirtyRecordsOfAllHosts) {
  // Ten splits of 1,000 rows, one refused row in each: neither host alone passes a limit of 6,
  // both together do.
  for (int64_t k = 0; k < 10; ++k) dest_.refuse.insert(k * 1000 + 500);
  JobModel job = Job(10000, 10);
  job.setting.error_limit_records = 6;
  RunReport r = Run(job, 2);
  ASSERT_FALSE(r.status.ok());
  EXPECT_THAT(r.status.message(), HasSubstr("dirty-record limit passed"));
  EXPECT_THAT(r.status.message(), HasSubstr("errorLimit.record is 6"));
  EXPECT_EQ(dest_.finalized_ok, std::vector<bool>{false});
}

TEST_F(DistributedRunnerTest, AFailingHostFailsTheJobWithTheHostNamed) {
  dest_.on_write = [](const ::ferry::testing::WriteCall& call) {
    return call.split == "0005" ? Status::FailedPrecondition("disk full on the destination")
                                : Status::OK();
  };
  RunReport r = Run(Job(4000, 8), 2);
  ASSERT_FALSE(r.status.ok());
  EXPECT_THAT(r.status.message(), HasSubstr("disk full on the destination"));
  EXPECT_THAT(r.status.message(), ::testing::ContainsRegex(".*host host-[12] \\(rank [12]\\).*"));
  EXPECT_EQ(dest_.finalized_ok, std::vector<bool>{false});
  EXPECT_FALSE(r.summary.succeeded);
}

TEST_F(DistributedRunnerTest, ResumeRunsOnlyTheSplitsNotCommitted) {
  dest_.markers = true;
  dest_.on_write = [](const ::ferry::testing::WriteCall& call) {
    return call.split == "0003" ? Status::FailedPrecondition("refused for now") : Status::OK();
  };
  RunReport first = Run(Job(8000, 8), 2);
  ASSERT_FALSE(first.status.ok());
  const auto committed_first = dest_.CommittedSplits();
  EXPECT_FALSE(committed_first.count("0003"));
  dest_.on_write = nullptr;
  RunReport again = Run(Job(8000, 8), 2, /*resume=*/true);
  ASSERT_TRUE(again.status.ok()) << again.status.ToString();
  EXPECT_EQ(dest_.Rows(), Ids(8000));
  EXPECT_EQ(again.summary.records_written, 8000);
  EXPECT_EQ(dest_.starts, (std::vector<bool>{false, true}));
}

TEST_F(DistributedRunnerTest, ThrottleIsJobWideLeasedToTheHosts) {
  JobModel job = Job(6000, 12);
  job.setting.records_per_second = 3000;  // a second of burst, then 3,000 rows a second
  auto t0 = std::chrono::steady_clock::now();
  RunReport r = Run(job, 3);
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  EXPECT_EQ(dest_.Rows(), Ids(6000));
  // Three hosts each at the full rate would take 0.3 s; the job's rate allows 1 s after the
  // burst.
  EXPECT_GT(seconds, 0.9);
  EXPECT_LT(seconds, 3.0);
}

}  // namespace
}  // namespace ferry
