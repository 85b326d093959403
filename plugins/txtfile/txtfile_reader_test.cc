#include "plugins/txtfile/txtfile_reader.h"

#include <gtest/gtest.h>

#include "plugins/txtfile/compressed_io.h"
#include "plugins/txtfile/record_source.h"
#include "plugins/txtfile/txtfile_test_util.h"

namespace ferry::txtfile {
namespace {

using nlohmann::json;
using testing::ReadAll;
using testing::ReadResult;
using testing::TempDir;
using testing::WriteFile;
using Row = std::vector<std::string>;
using Rows = std::vector<Row>;

Row S(std::vector<std::string> texts) {
  Row row;
  for (auto& t : texts) row.push_back(t == "NULL" ? t : "string:" + t);
  return row;
}

TEST(TxtfileReaderTest, StarReadsEveryFieldAsAString) {
  TempDir dir;
  WriteFile(dir.File("a.csv"), "1,alice,\"x,y\"\n2,,\\N\n3,\"\\N\",\"\"\n");
  ReadResult r = ReadAll({{"path", dir.File("a.csv")}, {"column", {"*"}}});
  ASSERT_TRUE(r.status.ok()) << r.status.message();
  ASSERT_EQ(r.columns.size(), 3u);
  EXPECT_EQ(r.columns[0].name, "c0");
  EXPECT_EQ(r.columns[2].name, "c2");
  EXPECT_EQ(r.columns[1].type, TypeId::kString);
  EXPECT_EQ(r.rows, (Rows{S({"1", "alice", "x,y"}), S({"2", "", "NULL"}), S({"3", "\\N", ""})}));
  EXPECT_TRUE(r.dirty.empty());
}

TEST(TxtfileReaderTest, ColumnDefaultsToStar) {
  TempDir dir;
  WriteFile(dir.File("a.csv"), "1,2\n");
  ReadResult r = ReadAll({{"path", dir.File("a.csv")}});
  ASSERT_TRUE(r.status.ok()) << r.status.message();
  EXPECT_EQ(r.rows, (Rows{S({"1", "2"})}));
}

TEST(TxtfileReaderTest, HeaderNamesTheColumnsAndIsSkippedInEveryFile) {
  TempDir dir;
  WriteFile(dir.File("1.csv"), "\xEF\xBB\xBFid,name\r\n1,a\r\n");
  WriteFile(dir.File("2.csv"), "id,name\r\n2,b\r\n");
  ReadResult r = ReadAll({{"path", dir.File("*.csv")}, {"column", {"*"}}, {"skipHeader", true}});
  ASSERT_TRUE(r.status.ok()) << r.status.message();
  ASSERT_EQ(r.columns.size(), 2u);
  EXPECT_EQ(r.columns[0].name, "id");  // the byte order mark is not part of the name
  EXPECT_EQ(r.columns[1].name, "name");
  EXPECT_EQ(r.rows, (Rows{S({"1", "a"}), S({"2", "b"})}));
}

TEST(TxtfileReaderTest, ByteOrderMarkIsSkipped) {
  TempDir dir;
  WriteFile(dir.File("bom.csv"),
            "\xEF\xBB\xBF"
            "a,b\n");
  ReadResult r = ReadAll({{"path", dir.File("bom.csv")}});
  ASSERT_TRUE(r.status.ok());
  EXPECT_EQ(r.rows, (Rows{S({"a", "b"})}));
}

TEST(TxtfileReaderTest, WrongFieldCountIsDirtyWithFileAndLine) {
  TempDir dir;
  std::string file = dir.File("d.csv");
  WriteFile(file, "1,a\n2,\"multi\nline\",extra\n3\n4,d\n5,\"open\n6,f");
  ReadResult r = ReadAll({{"path", file}});
  ASSERT_TRUE(r.status.ok()) << r.status.message();
  EXPECT_EQ(r.rows, (Rows{S({"1", "a"}), S({"4", "d"}), S({"6", "f"})}));
  ASSERT_EQ(r.dirty.size(), 3u);
  EXPECT_TRUE(r.dirty[0].raw_call);
  EXPECT_EQ(r.dirty[0].split_id, "0000");
  EXPECT_EQ(r.dirty[0].where, file + ":2");
  EXPECT_EQ(r.dirty[0].raw, "2,\"multi\nline\",extra");
  EXPECT_EQ(r.dirty[0].reason.code(), StatusCode::kDataError);
  EXPECT_EQ(r.dirty[0].reason.message(), "expected 2 fields, found 3");
  EXPECT_EQ(r.dirty[1].where, file + ":4");
  EXPECT_EQ(r.dirty[1].raw, "3");
  EXPECT_EQ(r.dirty[2].where, file + ":6");
  EXPECT_EQ(r.dirty[2].raw, "5,\"open");
  EXPECT_EQ(r.dirty[2].reason.message(), "unterminated quoted field");
}

TEST(TxtfileReaderTest, DirtySinkErrorEndsTheSplit) {
  TempDir dir;
  WriteFile(dir.File("d.csv"), "1,a\n2\n3\n4,b\n");
  ReadResult r = ReadAll({{"path", dir.File("d.csv")}}, /*dirty_limit=*/1);
  EXPECT_EQ(r.status.code(), StatusCode::kDataError);
  EXPECT_EQ(r.dirty.size(), 2u);
}

TEST(TxtfileReaderTest, TypedColumnsAndConstants) {
  TempDir dir;
  WriteFile(dir.File("t.csv"),
            "7,2.5,true,2025-10-31,2025-10-31 12:00:00.000001,\\x00ff,-1.50,31/10/2025,x\n"
            "\\N,\\N,\\N,\\N,\\N,\\N,\\N,\\N,\\N\n");
  json column = json::array({
      {{"index", 0}, {"type", "long"}},
      {{"index", 1}, {"type", "double"}},
      {{"index", 2}, {"type", "bool"}},
      {{"index", 3}, {"type", "date"}},
      {{"index", 4}, {"type", "timestamp"}},
      {{"index", 5}, {"type", "bytes"}},
      {{"index", 6}, {"type", "decimal"}},
      {{"index", 7}, {"type", "date"}, {"format", "dd/MM/yyyy"}},
      {{"value", "shop-1"}, {"type", "string"}},
      {{"value", "42"}, {"type", "long"}},
      {{"index", 8}},
  });
  ReadResult r = ReadAll({{"path", dir.File("t.csv")}, {"column", column}});
  ASSERT_TRUE(r.status.ok()) << r.status.message() << " " << r.status.field();
  ASSERT_EQ(r.rows.size(), 2u);
  EXPECT_EQ(r.rows[0],
            (Row{"long:7", "double:2.5", "bool:true", "date:2025-10-31",
                 "timestamp:2025-10-31 12:00:00.000001", "bytes:\\x00ff", "decimal:-1.50",
                 "date:2025-10-31", "string:shop-1", "long:42", "string:x"}));
  EXPECT_EQ(r.rows[1], (Row{"NULL", "NULL", "NULL", "NULL", "NULL", "NULL", "NULL", "NULL",
                            "string:shop-1", "long:42", "NULL"}));
  EXPECT_EQ(r.columns[0].type, TypeId::kInt64);
  EXPECT_EQ(r.columns[0].name, "c0");
  EXPECT_EQ(r.columns[8].name, "shop-1");
}

TEST(TxtfileReaderTest, ValueThatDoesNotConvertIsADirtyRecord) {
  TempDir dir;
  std::string file = dir.File("t.csv");
  WriteFile(file, "1,a\nx,b\n3,c\n");
  json column = json::array({{{"index", 0}, {"type", "long"}}, {{"index", 1}, {"type", "string"}}});
  ReadResult r = ReadAll({{"path", file}, {"column", column}, {"fieldDelimiter", ","}});
  ASSERT_TRUE(r.status.ok());
  EXPECT_EQ(r.rows, (Rows{{"long:1", "string:a"}, {"long:3", "string:c"}}));
  ASSERT_EQ(r.dirty.size(), 1u);
  EXPECT_FALSE(r.dirty[0].raw_call);
  EXPECT_EQ(r.dirty[0].reason.code(), StatusCode::kDataError);
  EXPECT_EQ(r.dirty[0].reason.column(), "c0");
  EXPECT_NE(r.dirty[0].reason.message().find(file + ":2"), std::string::npos);
  EXPECT_NE(r.dirty[0].reason.message().find("not an integer"), std::string::npos);
  EXPECT_EQ(r.dirty[0].raw, "x|b");
}

TEST(TxtfileReaderTest, IndexPastTheLastFieldIsAnError) {
  TempDir dir;
  WriteFile(dir.File("t.csv"), "1,2\n");
  ReadResult r = ReadAll(
      {{"path", dir.File("t.csv")}, {"column", json::array({{{"index", 0}}, {{"index", 2}}})}});
  EXPECT_EQ(r.status.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(r.status.field(), "column[1]");
}

TEST(TxtfileReaderTest, BadColumnDefinitions) {
  TempDir dir;
  WriteFile(dir.File("t.csv"), "1,2\n");
  auto field_of = [&](json column) {
    return ReadAll({{"path", dir.File("t.csv")}, {"column", column}}).status.field();
  };
  EXPECT_EQ(field_of(json::array({{{"index", 0}, {"type", "varchar2"}}})), "column[0]");
  EXPECT_EQ(field_of(json::array({{{"index", 0}}, {{"value", "x"}, {"type", "long"}}})),
            "column[1]");
  EXPECT_EQ(field_of(json::array({{{"name", "a"}}})), "column[0]");
  EXPECT_EQ(field_of(json::array({"a"})), "column[0]");
  EXPECT_EQ(field_of(json::object()), "column");
}

TEST(TxtfileReaderTest, GlobsAndListsAreReadInOrderWithoutDuplicates) {
  TempDir dir;
  WriteFile(dir.File("b.csv"), "b\n");
  WriteFile(dir.File("a.csv"), "a\n");
  WriteFile(dir.File("c.txt"), "c\n");
  ReadResult r = ReadAll({{"path", {dir.File("*.csv"), dir.File("c.txt"), dir.File("a.csv")}}});
  ASSERT_TRUE(r.status.ok()) << r.status.message();
  EXPECT_EQ(r.rows, (Rows{S({"a"}), S({"b"}), S({"c"})}));
}

TEST(TxtfileReaderTest, OneSplitPerFile) {
  TempDir dir;
  WriteFile(dir.File("a.csv"), "1\n");
  WriteFile(dir.File("b.csv"), "2\n");
  TxtfileReader reader;
  json param = {{"path", dir.File("*.csv")}};
  StepContext step;
  step.parameter = &param;
  ASSERT_TRUE(reader.Prepare(step).ok());
  auto splits = reader.PlanSplits(4);
  ASSERT_TRUE(splits.ok());
  ASSERT_EQ(splits->size(), 2u);
  EXPECT_EQ((*splits)[0].id, "0000");
  EXPECT_EQ((*splits)[1].id, "0001");
  EXPECT_EQ((*splits)[1].spec["file"], dir.File("b.csv"));
}

TEST(TxtfileReaderTest, MissingFilesAreNamed) {
  TempDir dir;
  WriteFile(dir.File("a.csv"), "1\n");
  ReadResult r = ReadAll({{"path", {dir.File("a.csv"), dir.File("missing.csv")}}});
  EXPECT_EQ(r.status.code(), StatusCode::kNotFound);
  EXPECT_EQ(r.status.field(), "path");
  EXPECT_NE(r.status.message().find("missing.csv"), std::string::npos);

  r = ReadAll({{"path", dir.File("*.tsv")}});
  EXPECT_EQ(r.status.code(), StatusCode::kNotFound);
  EXPECT_EQ(r.status.field(), "path");
  EXPECT_NE(r.status.message().find("no file matches"), std::string::npos);

  std::string empty_dir = dir.File("empty");
  std::filesystem::create_directory(empty_dir);
  r = ReadAll({{"path", empty_dir}});
  EXPECT_EQ(r.status.code(), StatusCode::kNotFound);
  EXPECT_EQ(r.status.field(), "path");
}

TEST(TxtfileReaderTest, DirectoryMeansEveryFileBeneathIt) {
  TempDir dir;
  std::filesystem::create_directories(dir.File("in/sub"));
  std::filesystem::create_directories(dir.File("in/.hidden"));
  WriteFile(dir.File("in/b.csv"), "b\n");
  WriteFile(dir.File("in/sub/a.csv"), "sub\n");
  WriteFile(dir.File("in/a.csv"), "a\n");
  WriteFile(dir.File("in/.out.0000.part.tmp"), "partial\n");
  WriteFile(dir.File("in/.hidden/x.csv"), "hidden\n");
  ReadResult r = ReadAll({{"path", dir.File("in")}});
  ASSERT_TRUE(r.status.ok()) << r.status.message();
  EXPECT_EQ(r.rows, (Rows{S({"a"}), S({"b"}), S({"sub"})}));
}

TEST(TxtfileReaderTest, OnlyUtf8) {
  TempDir dir;
  WriteFile(dir.File("a.csv"), "1\n");
  ReadResult r = ReadAll({{"path", dir.File("a.csv")}, {"encoding", "utf8"}});
  EXPECT_TRUE(r.status.ok());
  r = ReadAll({{"path", dir.File("a.csv")}, {"encoding", "GBK"}});
  EXPECT_EQ(r.status.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(r.status.field(), "encoding");
  EXPECT_NE(r.status.message().find("only UTF-8"), std::string::npos);
}

TEST(TxtfileReaderTest, FieldDelimiterSpellings) {
  TempDir dir;
  WriteFile(dir.File("tab.csv"), "a\tb\n");
  WriteFile(dir.File("hive.txt"),
            "a\x01"
            "b\n");
  EXPECT_EQ(ReadAll({{"path", dir.File("tab.csv")}, {"fieldDelimiter", "\t"}}).rows,
            (Rows{S({"a", "b"})}));
  EXPECT_EQ(ReadAll({{"path", dir.File("tab.csv")}, {"fieldDelimiter", "\\t"}}).rows,
            (Rows{S({"a", "b"})}));
  EXPECT_EQ(ReadAll({{"path", dir.File("hive.txt")}, {"fieldDelimiter", "\\u0001"}}).rows,
            (Rows{S({"a", "b"})}));
  EXPECT_EQ(ReadAll({{"path", dir.File("hive.txt")}, {"fieldDelimiter", "\x01"}}).rows,
            (Rows{S({"a", "b"})}));
  ReadResult r = ReadAll({{"path", dir.File("tab.csv")}, {"fieldDelimiter", "||"}});
  EXPECT_EQ(r.status.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(r.status.field(), "fieldDelimiter");
}

TEST(TxtfileReaderTest, EmptyFilesWithStarCannotTellTheColumns) {
  TempDir dir;
  WriteFile(dir.File("a.csv"), "");
  ReadResult r = ReadAll({{"path", dir.File("a.csv")}});
  EXPECT_EQ(r.status.code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(r.status.field(), "column");
  r = ReadAll({{"path", dir.File("a.csv")}, {"column", json::array({{{"index", 1}}})}});
  EXPECT_TRUE(r.status.ok());
  EXPECT_TRUE(r.rows.empty());
}

TEST(TxtfileReaderTest, ColumnCountComesFromTheFirstNonEmptyFile) {
  TempDir dir;
  WriteFile(dir.File("1.csv"), "");
  WriteFile(dir.File("2.csv"), "a,b\n");
  ReadResult r = ReadAll({{"path", dir.File("*.csv")}});
  ASSERT_TRUE(r.status.ok());
  EXPECT_EQ(r.columns.size(), 2u);
}

TEST(TxtfileReaderTest, CompressedFilesByExplicitSettingAndBySuffix) {
  TempDir dir;
  WriteFile(dir.File("a.csv.gz"), *EncodeBlock(Compression::kGzip, "1,gz\n"));
  WriteFile(dir.File("b.csv.zst"), *EncodeBlock(Compression::kZstd, "2,zst\n"));
  WriteFile(dir.File("c.data"), *EncodeBlock(Compression::kZstd, "3,explicit\n"));
  ReadResult r = ReadAll({{"path", {dir.File("a.csv.gz"), dir.File("b.csv.zst")}}});
  ASSERT_TRUE(r.status.ok()) << r.status.message();
  EXPECT_EQ(r.rows, (Rows{S({"1", "gz"}), S({"2", "zst"})}));
  r = ReadAll({{"path", dir.File("c.data")}, {"compress", "zstd"}});
  ASSERT_TRUE(r.status.ok()) << r.status.message();
  EXPECT_EQ(r.rows, (Rows{S({"3", "explicit"})}));
}

TEST(TxtfileReaderTest, TextFormat) {
  TempDir dir;
  WriteFile(dir.File("t.txt"), "a\\tb\t\\N\t\\\\N\t\n");
  ReadResult r =
      ReadAll({{"path", dir.File("t.txt")}, {"fileFormat", "text"}, {"fieldDelimiter", "\t"}});
  ASSERT_TRUE(r.status.ok()) << r.status.message();
  EXPECT_EQ(r.rows, (Rows{S({"a\tb", "NULL", "\\N", ""})}));
}

TEST(TxtfileReaderTest, CustomNullFormat) {
  TempDir dir;
  WriteFile(dir.File("n.csv"), "NULL,\\N,\"NULL\"\n");
  ReadResult r = ReadAll({{"path", dir.File("n.csv")}, {"nullFormat", "NULL"}});
  ASSERT_TRUE(r.status.ok());
  EXPECT_EQ(r.rows, (Rows{{"NULL", "string:\\N", "string:NULL"}}));
}

TEST(TxtfileReaderTest, CsvReaderConfigIsIgnored) {
  TempDir dir;
  WriteFile(dir.File("a.csv"), "1\n");
  ReadResult r =
      ReadAll({{"path", dir.File("a.csv")}, {"csvReaderConfig", {{"safetySwitch", false}}}});
  EXPECT_TRUE(r.status.ok());
}

TEST(TxtfileReaderTest, StopsWhenAsked) {
  TempDir dir;
  WriteFile(dir.File("a.csv"), "1\n2\n");
  TxtfileReader reader;
  json param = {{"path", dir.File("a.csv")}};
  StepContext step;
  step.parameter = &param;
  ASSERT_TRUE(reader.Prepare(step).ok());
  auto splits = reader.PlanSplits(1);
  auto task = reader.OpenTask((*splits)[0]);
  ASSERT_TRUE(task.ok());
  testing::RecordingDirtySink sink;
  std::stop_source stop;
  stop.request_stop();
  TaskContext ctx{&(*splits)[0], &sink, stop.get_token()};
  RecordBatch batch(1);
  EXPECT_EQ((*task)->Next(&batch, 10, ctx).status().code(), StatusCode::kCancelled);
}

// Records split across every possible chunk boundary read the same as in one chunk.
TEST(RecordSourceTest, TinyChunksGiveTheSameRecords) {
  TempDir dir;
  std::string data =
      "\xEF\xBB\xBF"
      "id,\"na\"\"me\"\r\n1,\"multi\r\nline\"\r\n\r\n2,\\N\r\n3,\"x\"";
  WriteFile(dir.File("a.csv"), data);
  ReaderOptions options;
  for (size_t chunk : {1, 2, 3, 5, 7, 64}) {
    auto source = RecordSource::Open(dir.File("a.csv"), options, chunk);
    ASSERT_TRUE(source.ok());
    std::vector<std::string> got;
    for (;;) {
      auto event = (*source)->Next();
      ASSERT_TRUE(event.ok());
      if (*event == RecordSource::Event::kEnd) break;
      const ParsedRecord& rec = (*source)->record();
      std::string line = std::to_string((*source)->line()) + ":";
      for (size_t f = 0; f < rec.num_fields(); ++f) {
        line +=
            (f ? "|" : "") + (rec.is_null(f) ? std::string("<NULL>") : std::string(rec.field(f)));
      }
      got.push_back(line);
    }
    EXPECT_EQ(got,
              (std::vector<std::string>{"1:id|na\"me", "2:1|multi\r\nline", "5:2|<NULL>", "6:3|x"}))
        << "chunk " << chunk;
  }
}

}  // namespace
}  // namespace ferry::txtfile
