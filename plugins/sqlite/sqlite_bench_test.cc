// Throughput of the sqlite reader and writer on 1M rows of 10 columns. Disabled by default (it
// takes a few seconds and prints figures rather than checking them); run with
//   --gtest_also_run_disabled_tests --gtest_filter='*SqliteBench*'
#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <ctime>
#include <thread>

#include "plugins/sqlite/sqlite_reader.h"
#include "plugins/sqlite/sqlite_test_util.h"
#include "plugins/sqlite/sqlite_writer.h"

namespace ferry {
namespace {

using nlohmann::json;
using sqlite_test::RecordingDirtySink;
using sqlite_test::Step;
using sqlite_test::TempDb;

constexpr int64_t kRows = 1'000'000;
constexpr const char* kSchema =
    "CREATE TABLE orders (id INTEGER PRIMARY KEY, customer_id INTEGER, amount REAL, sku TEXT, "
    "status TEXT, qty INTEGER, discount REAL, note TEXT, shop_id INTEGER, created_at TEXT);";

void FillOrders(const TempDb& db) {
  db.Exec(std::string(kSchema) +
          "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < " +
          std::to_string(kRows) +
          ") INSERT INTO orders SELECT i, i % 100000, i * 0.25, 'SKU-' || (i % 5000), "
          "CASE i % 3 WHEN 0 THEN 'paid' WHEN 1 THEN 'shipped' ELSE 'new' END, i % 7, 0.05, "
          "'note for order ' || i, i % 64, '2025-10-31 12:00:00.' || printf('%06d', i % 1000000) "
          "FROM n;");
}

double Seconds(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// CPU seconds of the whole process (all threads) since `start`.
double CpuSeconds(std::clock_t start) {
  return static_cast<double>(std::clock() - start) / CLOCKS_PER_SEC;
}

// Reads every split, `concurrent` threads pulling from the plan; returns rows read.
int64_t ReadAllSplits(SqliteReader& reader, int concurrent) {
  auto splits = reader.PlanSplits(concurrent);
  EXPECT_TRUE(splits.ok());
  std::atomic<size_t> next{0};
  std::atomic<int64_t> rows{0};
  const size_t width = reader.OutputColumns().size();
  {
    std::vector<std::jthread> threads;
    for (int t = 0; t < concurrent; ++t) {
      threads.emplace_back([&] {
        RecordingDirtySink dirty;
        RecordBatch batch(width);
        for (size_t i; (i = next++) < splits->size();) {
          auto task = reader.OpenTask((*splits)[i]);
          ASSERT_TRUE(task.ok());
          TaskContext ctx{&(*splits)[i], &dirty, {}};
          for (bool more = true; more;) {
            batch.Reset(width);
            auto r = (*task)->Next(&batch, 4096, ctx);
            ASSERT_TRUE(r.ok());
            more = *r;
            rows += batch.num_rows();
          }
        }
      });
    }
  }
  return rows;
}

// One 1M-row source database for every benchmark of the suite.
class DISABLED_SqliteBench : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    source_ = new TempDb("bench.db");
    FillOrders(*source_);
  }
  static void TearDownTestSuite() {
    delete source_;
    source_ = nullptr;
  }
  static TempDb* source_;
};
TempDb* DISABLED_SqliteBench::source_ = nullptr;

TEST_F(DISABLED_SqliteBench, Read) {
  for (int concurrent : {1, 2}) {
    SqliteReader reader;
    json p = {{"path", source_->path()}, {"table", "orders"}, {"column", {"*"}}};
    if (concurrent > 1) p["splitPk"] = "id";
    Step step(p, concurrent);
    ASSERT_TRUE(reader.Prepare(step.ctx).ok());
    auto start = std::chrono::steady_clock::now();
    std::clock_t cpu = std::clock();
    int64_t rows = ReadAllSplits(reader, concurrent);
    double s = Seconds(start);
    EXPECT_EQ(rows, kRows);
    std::printf("read  concurrent=%d: %lld rows in %.3f s (cpu %.3f s) = %.0f rows/s\n", concurrent,
                static_cast<long long>(rows), s, CpuSeconds(cpu), rows / s);
  }
}

// One split of 1M rows from a reused in-memory batch of 1024 rows; `timestamps` makes the last
// column a Timestamp value (bound as ISO text) instead of a string.
void BenchWrite(bool timestamps) {
  TempDb out("out.db");
  out.Exec(kSchema);
  SqliteWriter writer;
  Step ws({{"path", out.path()}, {"table", "orders"}, {"column", {"*"}}});
  ASSERT_TRUE(writer.Prepare(ws.ctx, std::vector<ColumnInfo>(10)).ok());
  RecordBatch batch(10);
  for (int r = 0; r < 1024; ++r) {
    Value* row = batch.AppendRow();
    row[1] = Value::Int64(r * 7);
    row[2] = Value::Double(r * 0.25);
    row[3] = batch.String("SKU-" + std::to_string(r));
    row[4] = batch.String("paid");
    row[5] = Value::Int64(r % 7);
    row[6] = Value::Double(0.05);
    row[7] = batch.String("note for order " + std::to_string(r));
    row[8] = Value::Int64(r % 64);
    row[9] = timestamps ? Value::Timestamp(1'761'912'000'000'001 + r)
                        : batch.String("2025-10-31 12:00:00.000001");
  }
  auto task = writer.OpenTask(Split{"0000", json::object()});
  ASSERT_TRUE(task.ok());
  auto start = std::chrono::steady_clock::now();
  std::clock_t cpu = std::clock();
  ASSERT_TRUE((*task)->Begin().ok());
  int64_t written = 0;
  while (written < kRows) {
    for (size_t r = 0; r < batch.num_rows(); ++r) batch.mutable_row(r)[0] = Value::Int64(++written);
    ASSERT_TRUE((*task)->Write(batch, 0, batch.num_rows()).ok());
  }
  ASSERT_TRUE((*task)->Commit({}).ok());
  double s = Seconds(start);
  std::printf("write (insert, 1 split, %s): %lld rows in %.3f s (cpu %.3f s) = %.0f rows/s\n",
              timestamps ? "timestamp values" : "text values", static_cast<long long>(written), s,
              CpuSeconds(cpu), written / s);
}

TEST_F(DISABLED_SqliteBench, Write) {
  BenchWrite(false);
  BenchWrite(true);
}

TEST_F(DISABLED_SqliteBench, Copy) {
  TempDb copy("copy.db");
  copy.Exec(kSchema);
  SqliteReader reader;
  Step rs({{"path", source_->path()}, {"table", "orders"}, {"column", {"*"}}});
  ASSERT_TRUE(reader.Prepare(rs.ctx).ok());
  SqliteWriter copier;
  Step cs({{"path", copy.path()}, {"table", "orders"}, {"column", {"*"}}});
  ASSERT_TRUE(copier.Prepare(cs.ctx, reader.OutputColumns()).ok());
  RecordingDirtySink dirty;
  auto start = std::chrono::steady_clock::now();
  std::clock_t cpu = std::clock();
  ASSERT_TRUE(sqlite_test::CopyAll(reader, copier, dirty, 1, 4096).ok());
  double s = Seconds(start);
  std::printf("copy sqlite->sqlite: %lld rows in %.3f s (cpu %.3f s) = %.0f rows/s\n",
              static_cast<long long>(kRows), s, CpuSeconds(cpu), kRows / s);
  EXPECT_EQ(copy.One("SELECT count(*) FROM orders"), std::to_string(kRows));
}

}  // namespace
}  // namespace ferry
