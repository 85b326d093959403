// A streamed split (pg_writer_task.h) against the real test server. The pieces: a COPY FROM
// STDIN that stays open says nothing while its rows are good; once the server refused a row it
// has answered before the COPY ends (ServerSpokeDuringCopy), so a long split stops early; a COPY
// abandoned half way (AbortCopyIn) keeps none of its rows and leaves the connection usable. The
// task: one COPY for the split, a new one after stream_copy_bytes, a refusal reported by a later
// Write or by Commit, nothing kept after it.
#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <string>
#include <thread>

#include "plugins/postgresql/pg_connection.h"
#include "plugins/postgresql/pg_writer_task.h"
#include "tests/support/pg_test_server.h"

namespace ferry::pg {
namespace {

using ::ferry::testing::PgTestSchema;
using ::ferry::testing::PgValue;

ConnectionSpec TestSpec() {
  const auto& server = ::ferry::testing::TestPgServer();
  ConnectionSpec spec;
  spec.type = "postgresql";
  spec.host = server.host;
  spec.port = server.port;
  spec.database = server.database;
  spec.user = server.user;
  spec.password = server.password;
  return spec;
}

PgConnection Connect() {
  Result<PgConnection> conn = PgConnection::Connect(TestSpec(), "ferry/test");
  EXPECT_TRUE(conn.ok()) << conn.status().ToString();
  return conn.ok() ? std::move(*conn) : PgConnection();
}

// Polls for up to five seconds: the server's answer travels over loopback.
bool SpeaksWithin5s(const PgConnection& conn) {
  for (int i = 0; i < 500; ++i) {
    if (conn.ServerSpokeDuringCopy()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return false;
}

std::string Rows(int from, int to) {
  std::string out;
  for (int i = from; i < to; ++i) out += std::to_string(i) + "\tv" + std::to_string(i) + "\n";
  return out;
}

TEST(PgCopyStream, GoodRowsGetNoAnswerUntilTheCopyEnds) {
  PgTestSchema s;
  ::ferry::testing::PgExec("CREATE TABLE " + (s / "t") + " (id int PRIMARY KEY, v text)");
  PgConnection conn = Connect();
  ASSERT_TRUE(conn);
  ASSERT_TRUE(conn.StartCopyIn("COPY " + (s / "t") + " (id, v) FROM STDIN").ok());
  ASSERT_TRUE(conn.PutCopyData(Rows(0, 5000)).ok());
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  EXPECT_FALSE(conn.ServerSpokeDuringCopy());
  ASSERT_TRUE(conn.PutCopyData(Rows(5000, 10000)).ok());
  Status ended = conn.EndCopyIn();
  EXPECT_TRUE(ended.ok()) << ended.ToString();
  EXPECT_EQ(PgValue("SELECT count(*) || ':' || sum(id) FROM " + (s / "t")), "10000:49995000");
}

TEST(PgCopyStream, ARefusedRowIsAnsweredBeforeTheCopyEndsAndIsADataError) {
  PgTestSchema s;
  ::ferry::testing::PgExec("CREATE TABLE " + (s / "t") +
                           " (id int PRIMARY KEY, v text CHECK (v <> 'v7'))");
  PgConnection conn = Connect();
  ASSERT_TRUE(conn);
  ASSERT_TRUE(conn.StartCopyIn("COPY " + (s / "t") + " (id, v) FROM STDIN").ok());
  // Row 7 is refused; the server reads the rest of the COPY without a word more.
  ASSERT_TRUE(conn.PutCopyData(Rows(0, 2000)).ok());
  // libpq sends what it buffered once the COPY has 8 KB or more waiting; these rows pass that.
  EXPECT_TRUE(SpeaksWithin5s(conn));
  ASSERT_TRUE(conn.PutCopyData(Rows(2000, 3000)).ok());
  Status ended = conn.EndCopyIn();
  EXPECT_EQ(ended.code(), StatusCode::kDataError) << ended.ToString();
  EXPECT_NE(ended.message().find("violates check constraint"), std::string::npos)
      << ended.message();
  EXPECT_EQ(PgValue("SELECT count(*) FROM " + (s / "t")), "0");
  EXPECT_TRUE(conn.Exec("SELECT 1").ok());
}

TEST(PgCopyStream, AnAbandonedCopyKeepsNoRowAndTheConnectionGoesOn) {
  PgTestSchema s;
  ::ferry::testing::PgExec("CREATE TABLE " + (s / "t") + " (id int, v text)");
  PgConnection conn = Connect();
  ASSERT_TRUE(conn);
  ASSERT_TRUE(conn.Exec("BEGIN").ok());
  ASSERT_TRUE(conn.StartCopyIn("COPY " + (s / "t") + " (id, v) FROM STDIN").ok());
  ASSERT_TRUE(conn.PutCopyData(Rows(0, 3000)).ok());
  conn.AbortCopyIn("ferry: abandoned");
  EXPECT_TRUE(conn.in_transaction());
  EXPECT_TRUE(conn.Exec("ROLLBACK").ok());
  EXPECT_FALSE(conn.in_transaction());
  EXPECT_TRUE(conn.Exec("INSERT INTO " + (s / "t") + " VALUES (1, 'after')").ok());
  EXPECT_EQ(PgValue("SELECT string_agg(id || v, ',') FROM " + (s / "t")), "1after");
}

// A table t (id bigint, v text CHECK (v <> 'bad')) whose statement trigger counts the COPYs
// into it, and the plan a copy-mode writer would make for it.
class PgStreamedTask : public ::testing::Test {
 protected:
  void SetUp() override {
    ::ferry::testing::PgExec(
        "CREATE TABLE " + (s_ / "t") + " (id bigint, v text CHECK (v <> 'bad')); CREATE TABLE " +
        (s_ / "copies") + " (n int); CREATE FUNCTION " + (s_ / "count_copy") +
        "() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN INSERT INTO " + (s_ / "copies") +
        " VALUES (1); RETURN NULL; END$$; CREATE TRIGGER counted AFTER INSERT ON " + (s_ / "t") +
        " FOR EACH STATEMENT EXECUTE FUNCTION " + (s_ / "count_copy") + "()");
    plan_->copy_sql = "COPY " + (s_ / "t") + " (id, v) FROM STDIN";
    plan_->copy_binary_sql = plan_->copy_sql + " (FORMAT binary)";
    plan_->binary = {BinaryKind::kInt8, BinaryKind::kText};
    plan_->oids = {20, 25};
    plan_->bytea = {false, false};
    plan_->columns = {"id", "v"};
    plan_->rows_per_copy = 1000;
  }

  // `session`: libpq's "options" (e.g. "-c statement_timeout=300").
  std::unique_ptr<PgWriterTask> Open(const std::string& session = "") {
    SqlSource source;
    source.conn = TestSpec();
    if (!session.empty()) source.conn.options["options"] = session;
    auto task = PgWriterTask::Open(std::make_shared<PgConnectionPool>(1), source, plan_, nullptr,
                                   "0000", /*stream=*/true);
    EXPECT_TRUE(task.ok()) << task.status().ToString();
    return task.ok() ? std::move(*task) : nullptr;
  }

  // Rows [from, to) as (id, "v<id>"); `bad` gets the value the CHECK refuses.
  static RecordBatch Batch(int from, int to, int bad = -1) {
    RecordBatch b(2);
    for (int i = from; i < to; ++i) {
      Value* row = b.AppendRow();
      row[0] = Value::Int64(i);
      row[1] = b.String(i == bad ? "bad" : "v" + std::to_string(i));
    }
    return b;
  }

  std::string Copies() const { return PgValue("SELECT count(*) FROM " + (s_ / "copies")); }
  std::string Rows() const {
    return PgValue("SELECT count(*) || ':' || coalesce(sum(id), 0) FROM " + (s_ / "t"));
  }

  PgTestSchema s_;
  std::shared_ptr<PgWritePlan> plan_ = std::make_shared<PgWritePlan>();
};

TEST_F(PgStreamedTask, ASplitIsOneCopyWhateverTheBatchesAndANewOneAfterStreamCopyBytes) {
  std::unique_ptr<PgWriterTask> task = Open();
  ASSERT_NE(task, nullptr);
  EXPECT_TRUE(task->streams_writes());
  ASSERT_TRUE(task->Begin().ok());
  for (int b = 0; b < 10; ++b) {
    RecordBatch batch = Batch(b * 1000, (b + 1) * 1000);
    ASSERT_TRUE(task->Write(batch, 0, batch.num_rows()).ok());
  }
  ASSERT_TRUE(task->Commit({}).ok());
  EXPECT_EQ(Rows(), "10000:49995000");
  EXPECT_EQ(Copies(), "1");

  // A row of this table is 2 + 12 + 4 + 5..6 bytes in binary, ~24 KB a batch of 1000: a COPY
  // ends after the batch that takes it past 64 KiB, i.e. after every third batch.
  ::ferry::testing::PgExec("TRUNCATE " + (s_ / "t") + ", " + (s_ / "copies"));
  plan_->stream_copy_bytes = 64 << 10;
  task = Open();
  ASSERT_NE(task, nullptr);
  ASSERT_TRUE(task->Begin().ok());
  for (int b = 0; b < 10; ++b) {
    RecordBatch batch = Batch(b * 1000, (b + 1) * 1000);
    ASSERT_TRUE(task->Write(batch, 0, batch.num_rows()).ok());
  }
  ASSERT_TRUE(task->Commit({}).ok());
  EXPECT_EQ(Rows(), "10000:49995000");
  EXPECT_EQ(Copies(), "4");
}

// The COPY stays open while the reader is slow; a server's statement_timeout does not cancel it.
TEST_F(PgStreamedTask, AStatementTimeoutDoesNotCancelTheOpenCopy) {
  std::unique_ptr<PgWriterTask> task = Open("-c statement_timeout=300");
  ASSERT_NE(task, nullptr);
  ASSERT_TRUE(task->Begin().ok());
  RecordBatch first = Batch(0, 1000);
  ASSERT_TRUE(task->Write(first, 0, first.num_rows()).ok());
  std::this_thread::sleep_for(std::chrono::milliseconds(900));
  RecordBatch second = Batch(1000, 2000);
  Status st = task->Write(second, 0, second.num_rows());
  ASSERT_TRUE(st.ok()) << st.ToString();
  st = task->Commit({});
  ASSERT_TRUE(st.ok()) << st.ToString();
  EXPECT_EQ(Rows(), "2000:1999000");
  EXPECT_EQ(Copies(), "1");
}

TEST_F(PgStreamedTask, ARefusedRowFailsTheStreamAtALaterWriteOrAtCommitAndNothingIsKept) {
  // Refused in the first batch: a later Write reports it (the server answered by then).
  std::unique_ptr<PgWriterTask> task = Open();
  ASSERT_NE(task, nullptr);
  ASSERT_TRUE(task->Begin().ok());
  RecordBatch first = Batch(0, 1000, /*bad=*/5);
  Status st = task->Write(first, 0, first.num_rows());
  for (int b = 1; b < 200 && st.ok(); ++b) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
    RecordBatch batch = Batch(b * 1000, (b + 1) * 1000);
    st = task->Write(batch, 0, batch.num_rows());
  }
  EXPECT_EQ(st.code(), StatusCode::kDataError) << st.ToString();
  EXPECT_NE(st.message().find("violates check constraint"), std::string::npos) << st.message();
  task->Abort();
  EXPECT_EQ(Rows(), "0:0");

  // Refused in the last batch: Commit reports it, and commits nothing.
  task = Open();
  ASSERT_NE(task, nullptr);
  ASSERT_TRUE(task->Begin().ok());
  RecordBatch only = Batch(0, 10, /*bad=*/9);
  ASSERT_TRUE(task->Write(only, 0, only.num_rows()).ok());
  st = task->Commit({});
  EXPECT_EQ(st.code(), StatusCode::kDataError) << st.ToString();
  task->Abort();
  EXPECT_EQ(Rows(), "0:0");
  EXPECT_EQ(Copies(), "0");
}

}  // namespace
}  // namespace ferry::pg
