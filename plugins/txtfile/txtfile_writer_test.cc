#include "plugins/txtfile/txtfile_writer.h"

#include <gtest/gtest.h>

#include "plugins/txtfile/compressed_io.h"
#include "plugins/txtfile/txtfile_test_util.h"

namespace ferry::txtfile {
namespace {

using nlohmann::json;
using testing::ListDir;
using testing::ReadFile;
using testing::TempDir;
using testing::WriteAll;
using testing::WriteFile;
using Names = std::vector<std::string>;

const std::vector<ColumnInfo> kColumns = {{"id", TypeId::kInt64}, {"name", TypeId::kString}};

// A batch of (id, name) rows.
std::unique_ptr<RecordBatch> Rows(std::vector<std::pair<int64_t, std::string>> rows) {
  auto batch = std::make_unique<RecordBatch>(2);
  for (const auto& [id, name] : rows) {
    Value* row = batch->AppendRow();
    row[0] = Value::Int64(id);
    row[1] = batch->String(name);
  }
  return batch;
}

// A prepared and started writer over `param`.
struct Started {
  json param;
  TxtfileWriter writer;
  Status status;
  Started(json p, bool resuming = false) : param(std::move(p)) {
    StepContext step;
    step.parameter = &param;
    status = writer.Prepare(step, kColumns);
    if (status.ok()) status = writer.Start(resuming);
  }
  // Begins, writes and commits one split.
  Status Commit(const std::string& id, const RecordBatch& batch) {
    ASSIGN_OR_RETURN(auto task, writer.OpenTask(Split{id, json::object()}));
    RETURN_NOT_OK(task->Begin());
    RETURN_NOT_OK(task->Write(batch, 0, batch.num_rows()));
    return task->Commit({});
  }
};

TEST(TxtfileWriterTest, SingleFileJoinsPartsInPlanOrderWithTheHeaderOnce) {
  TempDir dir;
  Started s({{"path", dir.path()}, {"fileName", "out.csv"}, {"header", {"id", "name"}}});
  ASSERT_TRUE(s.status.ok()) << s.status.message();
  auto a = Rows({{1, "a"}}), b = Rows({{2, "b"}, {3, "c"}}), c = Rows({});
  ASSERT_TRUE(s.Commit("0001", *b).ok());  // committed out of plan order
  ASSERT_TRUE(s.Commit("0002", *c).ok());
  ASSERT_TRUE(s.Commit("0000", *a).ok());
  EXPECT_EQ(ListDir(dir.path()),
            (Names{".out.csv.0000.part", ".out.csv.0001.part", ".out.csv.0002.part"}));
  ASSERT_TRUE(s.writer.Finalize(true, {"0000", "0001", "0002"}).ok());
  EXPECT_EQ(ListDir(dir.path()), (Names{"out.csv"}));
  EXPECT_EQ(ReadFile(dir.File("out.csv")), "id,name\n1,a\n2,b\n3,c\n");
}

TEST(TxtfileWriterTest, SingleFileWithNoRowsStillHasTheHeader) {
  TempDir dir;
  Started s({{"path", dir.path()}, {"fileName", "out.csv"}, {"header", {"id", "name"}}});
  ASSERT_TRUE(s.writer.Finalize(true, {}).ok());
  EXPECT_EQ(ReadFile(dir.File("out.csv")), "id,name\n");
}

TEST(TxtfileWriterTest, PerSplitFilesAreNamedBySplitAndEachHasTheHeader) {
  TempDir dir;
  Started s({{"path", dir.path()},
             {"fileName", "out"},
             {"fileMode", "perSplit"},
             {"header", {"id", "name"}}});
  ASSERT_TRUE(s.status.ok()) << s.status.message();
  ASSERT_TRUE(s.Commit("0000", *Rows({{1, "a"}})).ok());
  ASSERT_TRUE(s.Commit("0001", *Rows({{2, "b"}})).ok());
  ASSERT_TRUE(s.writer.Finalize(true, {"0000", "0001"}).ok());
  EXPECT_EQ(ListDir(dir.path()), (Names{"out__0000", "out__0001"}));
  EXPECT_EQ(ReadFile(dir.File("out__0000")), "id,name\n1,a\n");
  EXPECT_EQ(ReadFile(dir.File("out__0001")), "id,name\n2,b\n");
}

TEST(TxtfileWriterTest, TruncateRemovesOnlyFilesStartingWithFileName) {
  TempDir dir;
  WriteFile(dir.File("orders.csv"), "old\n");
  WriteFile(dir.File("orders.csv.bak"), "old\n");
  WriteFile(dir.File("orders_2024.csv"), "old\n");
  WriteFile(dir.File("my_orders.csv"), "keep\n");
  WriteFile(dir.File("other.csv"), "keep\n");
  auto batch = Rows({{1, "new"}});
  ASSERT_TRUE(WriteAll({{"path", dir.path()}, {"fileName", "orders"}, {"writeMode", "truncate"}},
                       kColumns, {{"0000", batch.get()}})
                  .ok());
  EXPECT_EQ(ListDir(dir.path()), (Names{"my_orders.csv", "orders", "other.csv"}));
  EXPECT_EQ(ReadFile(dir.File("orders")), "1,new\n");
  EXPECT_EQ(ReadFile(dir.File("other.csv")), "keep\n");
}

TEST(TxtfileWriterTest, TruncateIsSkippedWhenResuming) {
  TempDir dir;
  WriteFile(dir.File("orders.old"), "old\n");
  Started s({{"path", dir.path()}, {"fileName", "orders"}, {"writeMode", "truncate"}},
            /*resuming=*/true);
  ASSERT_TRUE(s.status.ok());
  EXPECT_TRUE(testing::PathExistsForTest(dir.File("orders.old")));
}

TEST(TxtfileWriterTest, NonConflictFailsInPrepareWhenFilesExist) {
  TempDir dir;
  WriteFile(dir.File("orders.csv.1"), "x\n");
  Started s({{"path", dir.path()}, {"fileName", "orders.csv"}, {"writeMode", "nonConflict"}});
  EXPECT_EQ(s.status.code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(s.status.field(), "writeMode");
  EXPECT_NE(s.status.message().find("orders.csv.1"), std::string::npos);

  Started ok({{"path", dir.path()}, {"fileName", "fresh"}, {"writeMode", "nonConflict"}});
  EXPECT_TRUE(ok.status.ok()) << ok.status.message();
}

TEST(TxtfileWriterTest, AppendAddsToAnExistingFileWithoutAnotherHeader) {
  TempDir dir;
  WriteFile(dir.File("out.csv"), "id,name\n0,old\n");
  auto batch = Rows({{1, "new"}});
  ASSERT_TRUE(WriteAll({{"path", dir.path()}, {"fileName", "out.csv"}, {"header", {"id", "name"}}},
                       kColumns, {{"0000", batch.get()}})
                  .ok());
  EXPECT_EQ(ReadFile(dir.File("out.csv")), "id,name\n0,old\n1,new\n");
}

TEST(TxtfileWriterTest, AppendPerSplitSkipsTheHeaderOfTheNewPart) {
  TempDir dir;
  json param = {{"path", dir.path()},
                {"fileName", "out"},
                {"fileMode", "perSplit"},
                {"header", {"id", "name"}},
                {"compress", "gzip"}};
  auto first = Rows({{1, "a"}}), second = Rows({{2, "b"}});
  ASSERT_TRUE(WriteAll(param, kColumns, {{"0000", first.get()}}).ok());
  ASSERT_TRUE(WriteAll(param, kColumns, {{"0000", second.get()}}).ok());
  EXPECT_EQ(ListDir(dir.path()), (Names{"out__0000.gz"}));
  auto rows = testing::ReadAll({{"path", dir.File("out__0000.gz")}, {"skipHeader", true}});
  ASSERT_TRUE(rows.status.ok()) << rows.status.message();
  EXPECT_EQ(rows.rows, (std::vector<std::vector<std::string>>{{"string:1", "string:a"},
                                                              {"string:2", "string:b"}}));
}

TEST(TxtfileWriterTest, AbortLeavesNothing) {
  TempDir dir;
  Started s({{"path", dir.path()}, {"fileName", "out"}});
  auto task = s.writer.OpenTask(Split{"0000", json::object()});
  ASSERT_TRUE(task.ok());
  ASSERT_TRUE((*task)->Begin().ok());
  ASSERT_TRUE((*task)->Write(*Rows({{1, "a"}}), 0, 1).ok());
  EXPECT_EQ(ListDir(dir.path()), (Names{".out.0000.part.tmp"}));
  (*task)->Abort();
  (*task)->Abort();
  EXPECT_TRUE(ListDir(dir.path()).empty());
  // A task dropped without Commit or Abort cleans up too.
  {
    auto dropped = s.writer.OpenTask(Split{"0001", json::object()});
    ASSERT_TRUE((*dropped)->Begin().ok());
  }
  EXPECT_TRUE(ListDir(dir.path()).empty());
  ASSERT_TRUE(s.writer.Finalize(false, {}).ok());
  EXPECT_TRUE(ListDir(dir.path()).empty());
}

TEST(TxtfileWriterTest, AnAbortedAttemptDoesNotDeleteTheRetrysFile) {
  TempDir dir;
  Started s({{"path", dir.path()}, {"fileName", "out"}});
  auto first = s.writer.OpenTask(Split{"0000", json::object()});
  ASSERT_TRUE((*first)->Begin().ok());
  (*first)->Abort();
  auto retry = s.writer.OpenTask(Split{"0000", json::object()});
  ASSERT_TRUE((*retry)->Begin().ok());
  first->reset();  // the old attempt is destroyed while the retry writes
  ASSERT_TRUE((*retry)->Write(*Rows({{7, "x"}}), 0, 1).ok());
  ASSERT_TRUE((*retry)->Commit({}).ok());
  ASSERT_TRUE(s.writer.Finalize(true, {"0000"}).ok());
  EXPECT_EQ(ReadFile(dir.File("out")), "7,x\n");
}

TEST(TxtfileWriterTest, FailedRunKeepsCommittedPartsForResume) {
  TempDir dir;
  json param = {{"path", dir.path()}, {"fileName", "out"}, {"writeMode", "truncate"}};
  {
    Started s(param);
    ASSERT_TRUE(s.Commit("0000", *Rows({{1, "a"}})).ok());
    ASSERT_TRUE(s.writer.Finalize(false, {"0000"}).ok());
  }
  EXPECT_EQ(ListDir(dir.path()), (Names{".out.0000.part"}));
  Started resumed(param, /*resuming=*/true);
  ASSERT_TRUE(resumed.status.ok());
  ASSERT_TRUE(resumed.Commit("0001", *Rows({{2, "b"}})).ok());
  ASSERT_TRUE(resumed.writer.Finalize(true, {"0000", "0001"}).ok());
  EXPECT_EQ(ListDir(dir.path()), (Names{"out"}));
  EXPECT_EQ(ReadFile(dir.File("out")), "1,a\n2,b\n");
}

TEST(TxtfileWriterTest, MissingPartOfACommittedSplitIsAnError) {
  TempDir dir;
  Started s({{"path", dir.path()}, {"fileName", "out"}});
  Status st = s.writer.Finalize(true, {"0000"});
  EXPECT_EQ(st.code(), StatusCode::kFailedPrecondition);
}

TEST(TxtfileWriterTest, CreatesAMissingDirectory) {
  TempDir dir;
  std::string nested = dir.File("a/b/c");
  auto batch = Rows({{1, "a"}});
  ASSERT_TRUE(
      WriteAll({{"path", nested}, {"fileName", "out"}}, kColumns, {{"0", batch.get()}}).ok());
  EXPECT_EQ(ReadFile(nested + "/out"), "1,a\n");
}

TEST(TxtfileWriterTest, CompressedSingleFileIsOneValidStream) {
  for (const char* codec : {"gzip", "zstd"}) {
    TempDir dir;
    Started s({{"path", dir.path()},
               {"fileName", "out.csv"},
               {"compress", codec},
               {"header", {"id", "name"}}});
    ASSERT_TRUE(s.Commit("0000", *Rows({{1, "a"}})).ok());
    ASSERT_TRUE(s.Commit("0001", *Rows({{2, "b"}})).ok());
    ASSERT_TRUE(s.writer.Finalize(true, {"0000", "0001"}).ok());
    std::string name = std::string("out.csv") + (codec[0] == 'g' ? ".gz" : ".zst");
    EXPECT_EQ(ListDir(dir.path()), (Names{name}));
    auto rows = testing::ReadAll({{"path", dir.File(name)}});
    ASSERT_TRUE(rows.status.ok()) << rows.status.message();
    EXPECT_EQ(rows.rows.size(), 3u);
    EXPECT_EQ(rows.rows[0][0], "string:id");
    EXPECT_EQ(rows.rows[2][1], "string:b");
  }
}

TEST(TxtfileWriterTest, BadParameters) {
  TempDir dir;
  WriteFile(dir.File("file"), "");
  auto field_of = [](json param) { return Started(std::move(param)).status.field(); };
  EXPECT_EQ(field_of({{"path", dir.path()}}), "fileName");
  EXPECT_EQ(field_of({{"fileName", "x"}}), "path");
  EXPECT_EQ(field_of({{"path", dir.path()}, {"fileName", "a/b"}}), "fileName");
  EXPECT_EQ(field_of({{"path", dir.File("file")}, {"fileName", "x"}}), "path");
  EXPECT_EQ(field_of({{"path", dir.path()}, {"fileName", "x"}, {"writeMode", "merge"}}),
            "writeMode");
  EXPECT_EQ(field_of({{"path", dir.path()}, {"fileName", "x"}, {"fileMode", "many"}}), "fileMode");
  EXPECT_EQ(field_of({{"path", dir.path()}, {"fileName", "x"}, {"compress", "lz4"}}), "compress");
  EXPECT_EQ(field_of({{"path", dir.path()}, {"fileName", "x"}, {"encoding", "latin1"}}),
            "encoding");
  EXPECT_EQ(field_of({{"path", dir.path()}, {"fileName", "x"}, {"header", {"only_one"}}}),
            "header");
  EXPECT_EQ(field_of({{"path", dir.path()}, {"fileName", "x"}, {"fileFormat", "parquet"}}),
            "fileFormat");
}

TEST(TxtfileWriterTest, PrepareDoesNotTouchTheDestination) {
  TempDir dir;
  WriteFile(dir.File("out"), "old\n");
  std::string missing = dir.File("not/yet");
  json param = {{"path", missing}, {"fileName", "out"}, {"writeMode", "truncate"}};
  TxtfileWriter writer;
  StepContext step;
  step.parameter = &param;
  ASSERT_TRUE(writer.Prepare(step, kColumns).ok());
  EXPECT_FALSE(testing::PathExistsForTest(missing));
  EXPECT_EQ(ListDir(dir.path()), (Names{"out"}));
}

}  // namespace
}  // namespace ferry::txtfile
