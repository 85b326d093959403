// Publishing interrupted at every step, then resumed: the output is byte for byte what an
// uninterrupted run writes, for single and perSplit files, every writeMode, with and without a
// header, plain, gzip and zstd. An interruption is a hook that fails at its k-th call, which
// leaves the files as a kill there would; a half-done append is added by hand.
#include "plugins/txtfile/part_publisher.h"

#include <gtest/gtest.h>

#include <map>
#include <memory>

#include "plugins/txtfile/compressed_io.h"
#include "plugins/txtfile/file_util.h"
#include "plugins/txtfile/publish_journal.h"
#include "plugins/txtfile/txtfile_test_util.h"

namespace ferry::txtfile {
namespace {

using nlohmann::json;
using testing::ReadFile;
using testing::TempDir;
using testing::WriteFile;
using Files = std::map<std::string, std::string>;  // name -> bytes

const std::vector<ColumnInfo> kColumns = {{"id", TypeId::kInt64}, {"name", TypeId::kString}};
const std::vector<std::string> kSplits = {"0000", "0001", "0002"};

struct Config {
  std::string file_mode;   // single, perSplit
  std::string write_mode;  // truncate, append, nonConflict
  bool header = false;
  std::string compress;  // none, gzip, zstd
};

std::string Describe(const Config& c) {
  return c.file_mode + "/" + c.write_mode + (c.header ? "/header/" : "/no header/") + c.compress;
}

std::vector<Config> AllConfigs() {
  std::vector<Config> out;
  for (const char* file_mode : {"single", "perSplit"}) {
    for (const char* write_mode : {"truncate", "append", "nonConflict"}) {
      for (bool header : {false, true}) {
        for (const char* compress : {"none", "gzip", "zstd"}) {
          out.push_back({file_mode, write_mode, header, compress});
        }
      }
    }
  }
  return out;
}

std::unique_ptr<RecordBatch> Rows(std::vector<std::pair<int64_t, std::string>> rows) {
  auto batch = std::make_unique<RecordBatch>(2);
  for (const auto& [id, name] : rows) {
    Value* row = batch->AppendRow();
    row[0] = Value::Int64(id);
    row[1] = batch->String(name);
  }
  return batch;
}

// Counts the places publishing may be interrupted at and fails at the `stop_at`-th (0: never).
struct StopAt {
  explicit StopAt(int at) : stop_at(at) {}
  PublishHook Hook() {
    return [this](const char* point) {
      ++seen;
      if (seen != stop_at) return Status::OK();
      return Status::Aborted(std::string("interrupted at ") + point);
    };
  }
  int stop_at;
  int seen = 0;
};

// One output directory with its run directory, seeded as the config's writeMode expects.
class Scenario {
 public:
  explicit Scenario(Config config) : config_(std::move(config)) {
    std::filesystem::create_directories(out_dir());
    std::filesystem::create_directories(run_dir());
    Seed();
  }

  std::string out_dir() const { return tmp_.File("out"); }
  std::string run_dir() const { return tmp_.File("run"); }
  std::string journal_path() const { return run_dir() + "/" + kPublishJournalName; }

  json Param() const {
    json p = {{"path", out_dir()},
              {"fileName", "out.csv"},
              {"fileMode", config_.file_mode},
              {"writeMode", config_.write_mode},
              {"compress", config_.compress}};
    if (config_.header) p["header"] = {"id", "name"};
    return p;
  }

  // A writer over the run directory: Prepare, Start, the splits (unless resuming), Finalize.
  Status Run(bool resuming, PublishHook hook) const {
    json param = Param();
    TxtfileWriter writer;
    StepContext step;
    step.parameter = &param;
    step.run_dir = run_dir();
    RETURN_NOT_OK(writer.Prepare(step, kColumns));
    RETURN_NOT_OK(writer.Start(resuming));
    writer.SetPublishHookForTesting(std::move(hook));
    if (!resuming) RETURN_NOT_OK(WriteSplits(&writer));
    return writer.Finalize(true, kSplits);
  }

  // Every file of the output directory.
  Files Outputs() const {
    Files files;
    for (const std::string& name : testing::ListDir(out_dir())) {
      files[name] = ReadFile(out_dir() + "/" + name);
    }
    return files;
  }

  // Adds bytes to each file being appended to, as a kill in the middle of an append leaves.
  void TearAppends() const {
    auto journal = ReadPublishJournal(journal_path());
    ASSERT_TRUE(journal.ok()) << journal.status().message();
    if (!*journal || (*journal)->done) return;
    for (const OutputFile& out : (*journal)->outputs) {
      if (out.make != OutputFile::Make::kAppend) continue;
      WriteFile(out.path, ReadFile(out.path) + "torn half-appended bytes");
    }
  }

 private:
  // Out of plan order, and one split with no rows.
  static Status WriteSplits(TxtfileWriter* writer) {
    std::vector<std::pair<std::string, std::unique_ptr<RecordBatch>>> splits;
    splits.emplace_back("0002", Rows({{3, "c"}}));
    splits.emplace_back("0000", Rows({{1, "a"}, {2, "b"}}));
    splits.emplace_back("0001", Rows({}));
    for (const auto& [id, batch] : splits) {
      ASSIGN_OR_RETURN(auto task, writer->OpenTask(Split{id, json::object()}));
      RETURN_NOT_OK(task->Begin());
      RETURN_NOT_OK(task->Write(*batch, 0, batch->num_rows()));
      RETURN_NOT_OK(task->Commit({}));
    }
    return Status::OK();
  }

  std::string Old() const {
    auto block = EncodeBlock(*ParseCompression(config_.compress),
                             std::string(config_.header ? "id,name\n" : "") + "0,old\n");
    return block.ok() ? *block : "";
  }

  // append: an existing non-empty file (and, perSplit, an empty one); truncate: stale files;
  // nonConflict: only an unrelated file.
  void Seed() const {
    WriteFile(out_dir() + "/unrelated.csv", "keep\n");
    auto options = ParseWriterOptions(Param());
    ASSERT_TRUE(options.ok());
    OutputLayout layout(out_dir(), "out.csv", options->compression);
    if (config_.write_mode == "append" && config_.file_mode == "single") {
      WriteFile(layout.SingleFilePath(), Old());
    } else if (config_.write_mode == "append") {
      WriteFile(layout.SplitFilePath("0000"), Old());
      WriteFile(layout.SplitFilePath("0001"), "");
    } else if (config_.write_mode == "truncate") {
      WriteFile(layout.SingleFilePath(), Old());
      WriteFile(layout.SplitFilePath("0001"), Old());
      WriteFile(out_dir() + "/out.csv.stale", "stale\n");
    }
  }

  Config config_;
  TempDir tmp_;
};

// What an uninterrupted run writes, and how many interruption points it passes.
struct Expected {
  Files files;
  int points = 0;
};

Expected Uninterrupted(const Config& config) {
  Scenario s(config);
  StopAt counter(0);
  Status st = s.Run(false, counter.Hook());
  EXPECT_TRUE(st.ok()) << Describe(config) << ": " << st.message();
  return {s.Outputs(), counter.seen};
}

TEST(TxtfilePublishResumeTest, UninterruptedOutputsAreWhatTheWriterAlwaysWrote) {
  Config single{"single", "append", true, "none"};
  EXPECT_EQ(Uninterrupted(single).files,
            (Files{{"out.csv", "id,name\n0,old\n1,a\n2,b\n3,c\n"}, {"unrelated.csv", "keep\n"}}));
  Config per_split{"perSplit", "append", true, "none"};
  EXPECT_EQ(Uninterrupted(per_split).files, (Files{{"out.csv__0000", "id,name\n0,old\n1,a\n2,b\n"},
                                                   {"out.csv__0001", "id,name\n"},
                                                   {"out.csv__0002", "id,name\n3,c\n"},
                                                   {"unrelated.csv", "keep\n"}}));
  Config truncate{"single", "truncate", false, "none"};
  EXPECT_EQ(Uninterrupted(truncate).files,
            (Files{{"out.csv", "1,a\n2,b\n3,c\n"}, {"unrelated.csv", "keep\n"}}));
}

// Stops publishing at each point k in turn (tearing any append under way), then resumes: the
// files are exactly the uninterrupted ones, no part is left, and a further resume changes
// nothing.
TEST(TxtfilePublishResumeTest, InterruptedAtEveryStepThenResumedWritesEveryRowOnce) {
  for (const Config& config : AllConfigs()) {
    Expected expected = Uninterrupted(config);
    ASSERT_GE(expected.points, 3) << Describe(config);
    for (int k = 1; k <= expected.points; ++k) {
      SCOPED_TRACE(Describe(config) + ", interrupted at point " + std::to_string(k));
      Scenario s(config);
      StopAt stop(k);
      ASSERT_EQ(s.Run(false, stop.Hook()).code(), StatusCode::kAborted);
      s.TearAppends();
      Status resumed = s.Run(true, StopAt(0).Hook());
      ASSERT_TRUE(resumed.ok()) << resumed.message();
      EXPECT_EQ(s.Outputs(), expected.files);
      Status again = s.Run(true, StopAt(0).Hook());
      ASSERT_TRUE(again.ok()) << again.message();
      EXPECT_EQ(s.Outputs(), expected.files);
    }
  }
}

// A resume can be interrupted too: interrupted at k, resumed and interrupted at j, resumed.
TEST(TxtfilePublishResumeTest, AnInterruptedResumeIsResumedAgain) {
  for (const Config& config :
       {Config{"single", "append", true, "gzip"}, Config{"single", "nonConflict", false, "none"},
        Config{"perSplit", "append", true, "zstd"},
        Config{"perSplit", "nonConflict", true, "none"}}) {
    Expected expected = Uninterrupted(config);
    for (int k = 1; k <= expected.points; ++k) {
      for (int j = 1; j <= expected.points; ++j) {
        SCOPED_TRACE(Describe(config) + ", interrupted at " + std::to_string(k) + " then " +
                     std::to_string(j));
        Scenario s(config);
        StopAt first(k);
        ASSERT_FALSE(s.Run(false, first.Hook()).ok());
        s.TearAppends();
        StopAt second(j);
        if (!s.Run(true, second.Hook()).ok()) s.TearAppends();
        Status last = s.Run(true, StopAt(0).Hook());
        ASSERT_TRUE(last.ok()) << last.message();
        EXPECT_EQ(s.Outputs(), expected.files);
      }
    }
  }
}

TEST(TxtfilePublishResumeTest, JournalRecordsTheDecisionsBeforeAnyOutputChanges) {
  Scenario s({"perSplit", "append", true, "none"});
  StopAt stop(1);
  ASSERT_FALSE(s.Run(false, stop.Hook()).ok());
  auto journal = ReadPublishJournal(s.journal_path());
  ASSERT_TRUE(journal.ok() && journal->has_value());
  const PublishJournal& j = **journal;
  EXPECT_FALSE(j.done);
  ASSERT_EQ(j.outputs.size(), 3u);
  EXPECT_EQ(j.outputs[0].make, OutputFile::Make::kAppend);  // out.csv__0000 held rows
  EXPECT_EQ(j.outputs[0].base_size, std::string("id,name\n0,old\n").size());
  EXPECT_EQ(j.outputs[0].skip, std::string("id,name\n").size());
  EXPECT_EQ(j.outputs[1].make, OutputFile::Make::kRename);  // out.csv__0001 was empty
  EXPECT_EQ(j.outputs[2].make, OutputFile::Make::kRename);  // out.csv__0002 did not exist
  EXPECT_EQ(ReadFile(s.out_dir() + "/out.csv__0000"), "id,name\n0,old\n");  // not yet touched
  auto round_trip = PublishJournalFromJson(PublishJournalToJson(j), "journal");
  ASSERT_TRUE(round_trip.ok()) << round_trip.status().message();
  EXPECT_EQ(*round_trip, j);
}

TEST(TxtfilePublishResumeTest, NonConflictStillRefusesAFileThisRunDidNotPublish) {
  Scenario s({"perSplit", "nonConflict", false, "none"});
  StopAt stop(2);  // out.csv__0000 is in place
  ASSERT_FALSE(s.Run(false, stop.Hook()).ok());
  WriteFile(s.out_dir() + "/out.csv.foreign", "x\n");
  Status st = s.Run(true, StopAt(0).Hook());
  EXPECT_EQ(st.code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(st.message().find("out.csv.foreign"), std::string::npos) << st.message();
  EXPECT_EQ(st.message().find("out.csv__0000"), std::string::npos) << st.message();
}

TEST(TxtfilePublishResumeTest, AnAppendTargetCutShortByAnotherProgramIsAnError) {
  Scenario s({"single", "append", false, "none"});
  StopAt stop(1);
  ASSERT_FALSE(s.Run(false, stop.Hook()).ok());
  WriteFile(s.out_dir() + "/out.csv", "");
  EXPECT_EQ(s.Run(true, StopAt(0).Hook()).code(), StatusCode::kFailedPrecondition);
}

TEST(TxtfilePublishResumeTest, APartMissingBeforeItWasPublishedIsAnError) {
  Scenario s({"perSplit", "truncate", false, "none"});
  StopAt stop(1);
  ASSERT_FALSE(s.Run(false, stop.Hook()).ok());
  OutputLayout layout(s.out_dir(), "out.csv", Compression::kNone);
  ASSERT_TRUE(RemoveFile(layout.PartPath("0001")).ok());
  Status st = s.Run(true, StopAt(0).Hook());
  EXPECT_EQ(st.code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(st.message().find("0001"), std::string::npos) << st.message();
}

TEST(TxtfilePublishResumeTest, WithoutARunDirectoryNoJournalIsWritten) {
  TempDir dir;
  auto batch = Rows({{1, "a"}});
  json param = {{"path", dir.path()}, {"fileName", "out"}, {"fileMode", "perSplit"}};
  ASSERT_TRUE(testing::WriteAll(param, kColumns, {{"0000", batch.get()}}).ok());
  EXPECT_EQ(testing::ListDir(dir.path()), (std::vector<std::string>{"out__0000"}));
}

}  // namespace
}  // namespace ferry::txtfile
