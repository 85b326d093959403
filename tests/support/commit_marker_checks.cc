#include "tests/support/commit_marker_checks.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <optional>
#include <thread>

#include "ferry/plugin/registry.h"
#include "ferry/plugin/writer.h"
#include "ferry/types/record_batch.h"

namespace ferry::testing {
namespace {

RecordBatch TwoRows() {
  RecordBatch batch(2);
  for (int64_t id : {1, 2}) {
    Value* row = batch.AppendRow();
    row[0] = Value::Int64(id);
    row[1] = batch.String("v");
  }
  return batch;
}

// Waits for `condition` (polled), at most 30 s.
bool Eventually(const std::function<bool()>& condition) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (std::chrono::steady_clock::now() < deadline) {
    if (condition()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return false;
}

}  // namespace

void CheckCommitMarkerClaims(const std::string& plugin, const nlohmann::json& param,
                             const std::function<bool()>& claim_waits) {
  const PluginInfo* info = Registry::Builtin().Find(plugin);
  ASSERT_NE(info, nullptr) << plugin;
  std::unique_ptr<Writer> writer = info->make_writer();
  const std::string run_id = "claims-" + std::to_string(getpid());
  StepContext ctx{&param, "Writer", 1, 0, "", run_id};
  Status st = writer->Prepare(ctx, std::vector<ColumnInfo>(2));
  ASSERT_TRUE(st.ok()) << st.ToString();
  ASSERT_TRUE(writer->keeps_commit_markers());
  st = writer->Start(false);
  ASSERT_TRUE(st.ok()) << st.ToString();
  const RecordBatch rows = TwoRows();

  // The first attempt claims split 0001 and writes; the second waits on its claim.
  auto first = writer->OpenTask(Split{"0001", nlohmann::json::object()});
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  auto opened = (*first)->Begin();
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  ASSERT_FALSE(opened->has_value());
  st = (*first)->Write(rows, 0, rows.num_rows());
  ASSERT_TRUE(st.ok()) << st.ToString();
  std::optional<Result<std::optional<SplitFigures>>> second_begin;
  std::unique_ptr<WriterTask> second;
  std::jthread retry([&] {
    auto task = writer->OpenTask(Split{"0001", nlohmann::json::object()});
    if (!task.ok()) {
      second_begin = task.status();
      return;
    }
    second = std::move(task).value();
    second_begin = second->Begin();
  });
  EXPECT_TRUE(Eventually(claim_waits)) << "the second attempt's claim never waited";
  EXPECT_FALSE(second_begin.has_value()) << "the second attempt's claim did not wait";
  const SplitFigures figures{2, 20, 2, 0, 1};
  st = (*first)->Commit(figures);
  ASSERT_TRUE(st.ok()) << st.ToString();
  retry.join();
  ASSERT_TRUE(second_begin.has_value());
  ASSERT_TRUE(second_begin->ok()) << second_begin->status().ToString();
  ASSERT_TRUE((*second_begin)->has_value()) << "the second attempt claimed a committed split";
  EXPECT_EQ((**second_begin)->attempt, 1);
  EXPECT_EQ((**second_begin)->records_written, 2);
  EXPECT_EQ((**second_begin)->bytes_read, 20);

  // A claim rolled back frees the split.
  for (int attempt = 1; attempt <= 2; ++attempt) {
    auto task = writer->OpenTask(Split{"0002", nlohmann::json::object()});
    ASSERT_TRUE(task.ok()) << task.status().ToString();
    auto begun = (*task)->Begin();
    ASSERT_TRUE(begun.ok()) << begun.status().ToString();
    EXPECT_FALSE(begun->has_value()) << "attempt " << attempt;
    (*task)->Abort();
  }

  auto committed = writer->CommittedSplits();
  ASSERT_TRUE(committed.ok()) << committed.status().ToString();
  ASSERT_EQ(committed->size(), 1u);
  EXPECT_EQ(committed->begin()->first, "0001");
  EXPECT_EQ(committed->begin()->second.records_read, 2);
  auto runs = writer->ListCommitMarkers();
  ASSERT_TRUE(runs.ok()) << runs.status().ToString();
  ASSERT_EQ(runs->size(), 1u);
  EXPECT_EQ((*runs)[0].run_id, run_id);
  EXPECT_EQ((*runs)[0].splits, 1);
  EXPECT_EQ((*runs)[0].last_commit.size(), 19u) << (*runs)[0].last_commit;
  auto removed = writer->RemoveCommitMarkers(run_id, "");
  ASSERT_TRUE(removed.ok()) << removed.status().ToString();
  EXPECT_EQ(*removed, 1);

  // By date: a run whose last commit is before the cutoff goes, a later one stays.
  auto third = writer->OpenTask(Split{"0003", nlohmann::json::object()});
  ASSERT_TRUE(third.ok());
  ASSERT_TRUE((*third)->Begin().ok());
  ASSERT_TRUE((*third)->Commit(figures).ok());
  auto kept = writer->RemoveCommitMarkers("", "2000-01-01 00:00:00");
  ASSERT_TRUE(kept.ok()) << kept.status().ToString();
  EXPECT_EQ(*kept, 0);
  auto gone = writer->RemoveCommitMarkers("", "2999-01-01 00:00:00");
  ASSERT_TRUE(gone.ok()) << gone.status().ToString();
  EXPECT_EQ(*gone, 1);
  st = writer->Finalize(true, {});
  EXPECT_TRUE(st.ok()) << st.ToString();
}

}  // namespace ferry::testing
