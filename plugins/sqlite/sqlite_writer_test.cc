#include "plugins/sqlite/sqlite_writer.h"

#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "plugins/sqlite/sqlite_test_util.h"

namespace ferry {
namespace {

using nlohmann::json;
using sqlite_test::RecordingDirtySink;
using sqlite_test::Step;
using sqlite_test::TempDb;
using Rows = std::vector<std::vector<std::string>>;

std::vector<ColumnInfo> Input(size_t n) { return std::vector<ColumnInfo>(n); }

// A batch of (id, name) rows; a null name where `name` is "<NULL>".
RecordBatch Batch(const std::vector<std::pair<int64_t, std::string>>& rows) {
  RecordBatch batch(2);
  for (const auto& [id, name] : rows) {
    Value* row = batch.AppendRow();
    row[0] = Value::Int64(id);
    row[1] = name == "<NULL>" ? Value::Null() : batch.String(name);
  }
  return batch;
}

class SqliteWriterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    db_.Exec(
        "CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT NOT NULL);"
        "INSERT INTO t VALUES (1, 'old-1'), (2, 'old-2');");
  }
  json Params(json extra) const {
    json p = {{"path", db_.path()}, {"table", "t"}, {"column", {"id", "name"}}};
    p.update(extra);
    return p;
  }
  Status Prepare(SqliteWriter& writer, const json& p, size_t input_columns = 2) {
    Step step(p);
    return writer.Prepare(step.ctx, Input(input_columns));
  }
  // Prepares, writes `batch` as one split and commits.
  Status WriteOneSplit(const json& p, const RecordBatch& batch) {
    SqliteWriter writer;
    RETURN_NOT_OK(Prepare(writer, p, batch.num_columns()));
    RETURN_NOT_OK(writer.Start(false));
    ASSIGN_OR_RETURN(auto task, writer.OpenTask(Split{"0000", json::object()}));
    RETURN_NOT_OK(task->Begin());
    RETURN_NOT_OK(task->Write(batch, 0, batch.num_rows()));
    RETURN_NOT_OK(task->Commit({}));
    return writer.Finalize(true, {"0000"});
  }
  Rows All() const { return db_.Query("SELECT id, name FROM t ORDER BY id"); }

  TempDb db_;
};

TEST_F(SqliteWriterTest, InsertAppendsRows) {
  ASSERT_TRUE(WriteOneSplit(Params(json::object()), Batch({{3, "c"}, {4, ""}})).ok());
  EXPECT_EQ(All(), (Rows{{"1", "old-1"}, {"2", "old-2"}, {"3", "c"}, {"4", ""}}));
}

TEST_F(SqliteWriterTest, InsertConflictIsDataErrorNamingTheColumn) {
  Status s = WriteOneSplit(Params(json::object()), Batch({{3, "c"}, {1, "dup"}}));
  EXPECT_EQ(s.code(), StatusCode::kDataError);
  EXPECT_EQ(s.message(), "UNIQUE constraint failed: t.id");
  EXPECT_EQ(s.column(), "id");
  EXPECT_EQ(All(), (Rows{{"1", "old-1"}, {"2", "old-2"}}));
}

TEST_F(SqliteWriterTest, ReplaceOverwritesWholeRows) {
  ASSERT_TRUE(
      WriteOneSplit(Params({{"writeMode", "replace"}}), Batch({{2, "new-2"}, {3, "c"}})).ok());
  EXPECT_EQ(All(), (Rows{{"1", "old-1"}, {"2", "new-2"}, {"3", "c"}}));
}

TEST_F(SqliteWriterTest, IgnoreKeepsExistingRows) {
  ASSERT_TRUE(
      WriteOneSplit(Params({{"writeMode", "ignore"}}), Batch({{2, "new-2"}, {3, "c"}})).ok());
  EXPECT_EQ(All(), (Rows{{"1", "old-1"}, {"2", "old-2"}, {"3", "c"}}));
}

TEST_F(SqliteWriterTest, IgnoreStillRefusesInvalidRows) {
  // ON CONFLICT DO NOTHING skips duplicates only; a NOT NULL violation is a dirty record, where
  // INSERT OR IGNORE would have dropped it silently.
  Status s = WriteOneSplit(Params({{"writeMode", "ignore"}}), Batch({{3, "<NULL>"}}));
  EXPECT_EQ(s.code(), StatusCode::kDataError);
  EXPECT_EQ(s.message(), "NOT NULL constraint failed: t.name");
  EXPECT_EQ(s.column(), "name");
}

TEST_F(SqliteWriterTest, UpdateUpsertsOnThePrimaryKey) {
  db_.Exec("ALTER TABLE t ADD COLUMN extra TEXT DEFAULT 'kept';");
  ASSERT_TRUE(
      WriteOneSplit(Params({{"writeMode", "update"}}), Batch({{2, "new-2"}, {3, "c"}})).ok());
  EXPECT_EQ(db_.Query("SELECT id, name, extra FROM t ORDER BY id"),
            (Rows{{"1", "old-1", "kept"}, {"2", "new-2", "kept"}, {"3", "c", "kept"}}));
}

TEST_F(SqliteWriterTest, UpdateUsesAUniqueIndexWhenThereIsNoPrimaryKey) {
  db_.Exec(
      "CREATE TABLE u (code TEXT, qty INTEGER);"
      "CREATE UNIQUE INDEX u_code ON u (code);"
      "INSERT INTO u VALUES ('a', 1), ('b', 2);");
  RecordBatch batch(2);
  Value* row = batch.AppendRow();
  row[0] = batch.String("b");
  row[1] = Value::Int64(20);
  ASSERT_TRUE(WriteOneSplit({{"path", db_.path()},
                             {"table", "u"},
                             {"column", {"code", "qty"}},
                             {"writeMode", "update"}},
                            batch)
                  .ok());
  EXPECT_EQ(db_.Query("SELECT code, qty FROM u ORDER BY code"), (Rows{{"a", "1"}, {"b", "20"}}));
}

TEST_F(SqliteWriterTest, UpdateOnConflictColumns) {
  db_.Exec("CREATE UNIQUE INDEX t_name ON t (name);");
  ASSERT_TRUE(WriteOneSplit(Params({{"writeMode", "update"}, {"conflictColumns", {"name"}}}),
                            Batch({{20, "old-2"}}))
                  .ok());
  EXPECT_EQ(All(), (Rows{{"1", "old-1"}, {"20", "old-2"}}));
}

TEST_F(SqliteWriterTest, UpdateWithoutAnyKeyIsRefused) {
  db_.Exec("CREATE TABLE nokey (a INTEGER, b TEXT);");
  SqliteWriter writer;
  Status s = Prepare(
      writer,
      {{"path", db_.path()}, {"table", "nokey"}, {"column", {"*"}}, {"writeMode", "update"}});
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(s.field(), "writeMode");
  EXPECT_EQ(s.message(),
            "writeMode \"update\" needs a primary key or unique index on table \"nokey\", or "
            "conflictColumns");
}

TEST_F(SqliteWriterTest, ConflictColumnsMustMatchAUniqueKey) {
  SqliteWriter writer;
  Status s = Prepare(writer, Params({{"writeMode", "update"}, {"conflictColumns", {"name"}}}));
  EXPECT_EQ(s.field(), "conflictColumns") << s.ToString();
  EXPECT_NE(s.message().find("ON CONFLICT clause does not match"), std::string::npos)
      << s.message();
  SqliteWriter missing;
  s = Prepare(missing, Params({{"writeMode", "update"}, {"conflictColumns", {"id", "zz"}}}));
  EXPECT_EQ(s.field(), "conflictColumns[1]") << s.ToString();
  SqliteWriter wrong_mode;
  s = Prepare(wrong_mode, Params({{"writeMode", "replace"}, {"conflictColumns", {"id"}}}));
  EXPECT_EQ(s.field(), "conflictColumns") << s.ToString();
}

TEST_F(SqliteWriterTest, DataErrorLeavesTheTransactionsOtherRowsIntact) {
  SqliteWriter writer;
  ASSERT_TRUE(Prepare(writer, Params(json::object())).ok());
  auto task = writer.OpenTask(Split{"0007", json::object()});
  ASSERT_TRUE(task.ok());
  ASSERT_TRUE((*task)->Begin().ok());
  RecordBatch first = Batch({{10, "a"}, {11, "b"}});
  ASSERT_TRUE((*task)->Write(first, 0, 2).ok());
  RecordBatch mixed = Batch({{12, "c"}, {1, "dup"}, {13, "d"}});
  Status s = (*task)->Write(mixed, 0, 3);
  EXPECT_EQ(s.code(), StatusCode::kDataError);
  // The engine bisects: the good rows of the refused range go in, the bad one is dirty.
  RecordingDirtySink dirty;
  ASSERT_TRUE(sqlite_test::WriteBisecting(**task, mixed, 0, 3, "0007", dirty).ok());
  ASSERT_TRUE((*task)->Commit({}).ok());
  EXPECT_EQ(
      All(),
      (Rows{{"1", "old-1"}, {"2", "old-2"}, {"10", "a"}, {"11", "b"}, {"12", "c"}, {"13", "d"}}));
  ASSERT_EQ(dirty.records.size(), 1u);
  EXPECT_EQ(dirty.records[0].split_id, "0007");
  EXPECT_EQ(dirty.records[0].reason.message(), "UNIQUE constraint failed: t.id");
  EXPECT_EQ(dirty.records[0].reason.column(), "id");
  EXPECT_EQ(dirty.records[0].values, (std::vector<std::string>{"1", "dup"}));
}

TEST_F(SqliteWriterTest, AbortRollsBackEverythingSinceBegin) {
  SqliteWriter writer;
  ASSERT_TRUE(Prepare(writer, Params(json::object())).ok());
  auto task = writer.OpenTask(Split{"0000", json::object()});
  ASSERT_TRUE(task.ok());
  ASSERT_TRUE((*task)->Begin().ok());
  RecordBatch batch = Batch({{10, "a"}, {11, "b"}});
  ASSERT_TRUE((*task)->Write(batch, 0, 2).ok());
  (*task)->Abort();
  (*task)->Abort();  // safe twice
  EXPECT_EQ(All(), (Rows{{"1", "old-1"}, {"2", "old-2"}}));
  // The task can start over.
  ASSERT_TRUE((*task)->Begin().ok());
  ASSERT_TRUE((*task)->Write(batch, 1, 2).ok());
  ASSERT_TRUE((*task)->Commit({}).ok());
  EXPECT_EQ(All().size(), 3u);
}

TEST_F(SqliteWriterTest, DestroyingAnOpenTaskRollsBack) {
  SqliteWriter writer;
  ASSERT_TRUE(Prepare(writer, Params(json::object())).ok());
  {
    auto task = writer.OpenTask(Split{"0000", json::object()});
    ASSERT_TRUE((*task)->Begin().ok());
    RecordBatch batch = Batch({{10, "a"}});
    ASSERT_TRUE((*task)->Write(batch, 0, 1).ok());
  }
  EXPECT_EQ(All().size(), 2u);
}

TEST_F(SqliteWriterTest, NanIsDirtyNotNull) {
  db_.Exec("CREATE TABLE f (x REAL);");
  RecordBatch batch(1);
  batch.AppendRow()[0] = Value::Double(std::nan(""));
  Status s = WriteOneSplit({{"path", db_.path()}, {"table", "f"}, {"column", {"x"}}}, batch);
  EXPECT_EQ(s.code(), StatusCode::kDataError);
  EXPECT_EQ(s.column(), "x");
}

TEST_F(SqliteWriterTest, PreSqlAtStartPostSqlOnlyOnSuccess) {
  json p = Params({{"preSql", {"DELETE FROM @table WHERE id = 1", ""}},
                   {"postSql", "INSERT INTO @table VALUES (99, 'post')"}});
  SqliteWriter writer;
  ASSERT_TRUE(Prepare(writer, p).ok());
  EXPECT_EQ(All().size(), 2u);  // Prepare changes nothing
  ASSERT_TRUE(writer.Start(true).ok());
  EXPECT_EQ(All().size(), 2u);  // resuming: preSql already ran
  ASSERT_TRUE(writer.Start(false).ok());
  EXPECT_EQ(All(), (Rows{{"2", "old-2"}}));
  ASSERT_TRUE(writer.Finalize(false, {}).ok());
  EXPECT_EQ(All(), (Rows{{"2", "old-2"}}));
  ASSERT_TRUE(writer.Finalize(true, {}).ok());
  EXPECT_EQ(All(), (Rows{{"2", "old-2"}, {"99", "post"}}));
}

TEST_F(SqliteWriterTest, FailingPreSqlNamesIt) {
  SqliteWriter writer;
  ASSERT_TRUE(Prepare(writer, Params({{"preSql", {"DELETE FROM t", "DELETE FROM nope"}}})).ok());
  Status s = writer.Start(false);
  EXPECT_EQ(s.field(), "preSql[1]");
  EXPECT_EQ(s.message(), "preSql[1] failed: no such table: nope");
}

// --- Prepare errors. ---

TEST_F(SqliteWriterTest, MissingFileTableAndColumns) {
  SqliteWriter w1;
  Status s = Prepare(w1, Params({{"path", db_.dir() + "/nope.db"}}));
  EXPECT_EQ(s.code(), StatusCode::kNotFound);
  EXPECT_EQ(s.field(), "path");
  EXPECT_FALSE(std::filesystem::exists(db_.dir() + "/nope.db"));  // never created
  SqliteWriter w2;
  s = Prepare(w2, Params({{"table", "nope"}}));
  EXPECT_EQ(s.field(), "table");
  EXPECT_EQ(s.message(), "table \"nope\" does not exist in " + db_.path());
  SqliteWriter w3;
  s = Prepare(w3, Params({{"column", {"id", "nme"}}}));
  EXPECT_EQ(s.field(), "column[1]");
  EXPECT_EQ(s.message(), "column \"nme\" does not exist in table \"t\"");
  SqliteWriter w4;
  s = Prepare(w4, Params({{"column", {"id", "ID"}}}));
  EXPECT_EQ(s.field(), "column[1]");
}

TEST_F(SqliteWriterTest, ColumnCountMustMatchTheReader) {
  SqliteWriter writer;
  Status s = Prepare(writer, Params({{"column", {"*"}}}), 3);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(s.field(), "column");
  EXPECT_EQ(s.message(), "writer has 2 columns, reader produces 3");
}

TEST_F(SqliteWriterTest, StarSkipsGeneratedColumnsAndNamingOneIsRefused) {
  db_.Exec("CREATE TABLE g (a INTEGER, b INTEGER GENERATED ALWAYS AS (a * 2), c TEXT);");
  SqliteWriter star;
  EXPECT_TRUE(Prepare(star, {{"path", db_.path()}, {"table", "g"}, {"column", {"*"}}}).ok());
  SqliteWriter named;
  Status s = Prepare(named, {{"path", db_.path()}, {"table", "g"}, {"column", {"a", "b"}}});
  EXPECT_EQ(s.field(), "column[1]");
}

TEST_F(SqliteWriterTest, ViewIsRefusedAboutTable) {
  db_.Exec("CREATE VIEW v AS SELECT id, name FROM t;");
  SqliteWriter writer;
  Status s = Prepare(writer, Params({{"table", "v"}}));
  EXPECT_EQ(s.field(), "table") << s.ToString();
}

TEST_F(SqliteWriterTest, BadWriteMode) {
  SqliteWriter writer;
  EXPECT_EQ(Prepare(writer, Params({{"writeMode", "upsert"}})).field(), "writeMode");
}

// --- Locking. ---

TEST_F(SqliteWriterTest, LockHeldByAnotherProcessIsUnavailableAfterTheTimeout) {
  // Two Writers do not share a gate, like two processes.
  SqliteWriter holder, waiter;
  ASSERT_TRUE(Prepare(holder, Params(json::object())).ok());
  ASSERT_TRUE(Prepare(waiter, Params({{"busyTimeoutMs", 100}})).ok());
  auto held = holder.OpenTask(Split{"0000", json::object()});
  auto waiting = waiter.OpenTask(Split{"0001", json::object()});
  ASSERT_TRUE((*held)->Begin().ok());
  auto start = std::chrono::steady_clock::now();
  Status s = (*waiting)->Begin().status();
  auto waited = std::chrono::steady_clock::now() - start;
  EXPECT_EQ(s.code(), StatusCode::kUnavailable) << s.ToString();
  EXPECT_TRUE(s.IsTransient());
  EXPECT_GE(waited, std::chrono::milliseconds(90));
  (*held)->Abort();
  EXPECT_TRUE((*waiting)->Begin().ok());
  (*waiting)->Abort();
}

TEST_F(SqliteWriterTest, TasksOfOneWriterQueueForTheWriteLock) {
  // busyTimeoutMs 1: without the in-process gate the second task would fail at once.
  SqliteWriter writer;
  ASSERT_TRUE(Prepare(writer, Params({{"busyTimeoutMs", 1}})).ok());
  auto first = writer.OpenTask(Split{"0000", json::object()});
  auto second = writer.OpenTask(Split{"0001", json::object()});
  ASSERT_TRUE((*first)->Begin().ok());
  Status second_status;
  std::jthread other([&] {
    RecordBatch batch = Batch({{21, "second"}});
    second_status = (*second)->Begin().status();
    if (second_status.ok()) second_status = (*second)->Write(batch, 0, 1);
    if (second_status.ok()) second_status = (*second)->Commit({});
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(200));  // let it queue behind `first`
  RecordBatch batch = Batch({{20, "first"}});
  ASSERT_TRUE((*first)->Write(batch, 0, 1).ok());
  ASSERT_TRUE((*first)->Commit({}).ok());
  other.join();
  EXPECT_TRUE(second_status.ok()) << second_status.ToString();
  EXPECT_EQ(All().size(), 4u);
}

}  // namespace
}  // namespace ferry
