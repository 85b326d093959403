// The txtfile writer killed (SIGKILL, FERRY_FAULT) at each step of publishing, then
// `ferry run --resume`: the output holds every source row exactly once, and an appended-to file
// keeps its own content once. Source: a txtfile reader over several files (one split each).
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>

#include <algorithm>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <sstream>

#include "tests/support/ferry_cli.h"
#include "tests/support/kill_harness.h"

namespace ferry::testing {
namespace {

using json = nlohmann::json;

constexpr int kInputFiles = 4;
constexpr int kRowsPerFile = 50;

// Runs the ferry binary with FERRY_FAULT=`fault` (empty: unset) added to the environment.
// A run killed by a signal has exit code 128 + the signal.
KilledRun RunFerryWithFault(const std::string& fault, const std::vector<std::string>& args) {
  return RunFerryKilled(
      args,
      fault.empty() ? std::vector<std::string>{} : std::vector<std::string>{"FERRY_FAULT=" + fault},
      std::nullopt);
}

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

struct Mode {
  std::string name;
  std::string file_mode;
  std::string write_mode;
  bool header = false;
  std::vector<std::pair<std::string, std::string>> existing;  // output files there before
  int min_renames = 0;  // txtfile.publish.rename points a run passes, at least
};

// One run of a job in a fresh directory: inputs, output directory, run directory.
class FaultRun {
 public:
  explicit FaultRun(const Mode& mode) : mode_(mode) {
    std::filesystem::create_directories(dir_ / "in");
    std::filesystem::create_directories(dir_ / "out");
    for (int f = 0; f < kInputFiles; ++f) {
      std::string text;
      for (int r = 0; r < kRowsPerFile; ++r) {
        int id = f * kRowsPerFile + r + 1;
        text += std::to_string(id) + ",value " + std::to_string(id) + "\n";
      }
      WriteTextFile(dir_ / ("in/part" + std::to_string(f) + ".csv"), text);
    }
    for (const auto& [name, text] : mode.existing) WriteTextFile(dir_ / ("out/" + name), text);
    WriteTextFile(dir_ / "job.json", Job().dump(2));
  }

  KilledRun Start(const std::string& fault) {
    return RunFerryWithFault(fault, {"run", dir_ / "job.json", "--run-dir", dir_ / "run"});
  }
  KilledRun Resume() { return RunFerryWithFault("", {"run", "--resume", dir_ / "run"}); }

  // Every line the job should have written (headers left out), sorted, with the lines the
  // output files held before when appending.
  std::vector<std::string> ExpectedLines() const {
    std::vector<std::string> lines;
    for (int f = 0; f < kInputFiles; ++f) {
      for (std::string& l : Lines(ReadTextFile(dir_ / ("in/part" + std::to_string(f) + ".csv")))) {
        lines.push_back(std::move(l));
      }
    }
    for (const auto& [name, text] : mode_.existing) {
      if (mode_.write_mode != "append") continue;
      for (std::string& l : Lines(text)) {
        if (!mode_.header || l != "id,value") lines.push_back(std::move(l));
      }
    }
    std::sort(lines.begin(), lines.end());
    return lines;
  }

  // The lines of every output file (each file's header left out), sorted; hidden leftovers
  // are reported as lines too, so that they fail the comparison.
  std::vector<std::string> OutputLines() const {
    std::vector<std::string> lines;
    for (const auto& e : std::filesystem::directory_iterator(dir_ / "out")) {
      std::string name = e.path().filename().string();
      if (name.starts_with(".")) {
        lines.push_back("leftover file " + name);
        continue;
      }
      std::vector<std::string> file = Lines(ReadTextFile(e.path().string()));
      if (mode_.header) {
        EXPECT_FALSE(file.empty()) << name;
        if (!file.empty()) {
          EXPECT_EQ(file[0], "id,value") << name;
          file.erase(file.begin());
        }
        EXPECT_EQ(std::count(file.begin(), file.end(), "id,value"), 0) << name;
      }
      for (std::string& l : file) lines.push_back(std::move(l));
    }
    std::sort(lines.begin(), lines.end());
    return lines;
  }

 private:
  json Job() const {
    json writer = {{"path", dir_ / "out"},
                   {"fileName", "rows.csv"},
                   {"writeMode", mode_.write_mode},
                   {"fileMode", mode_.file_mode}};
    if (mode_.header) writer["header"] = {"id", "value"};
    return StepsJob("txtfile", {{"path", {dir_ / "in"}}, {"column", {"*"}}}, "txtfile", writer,
                    {{"speed", {{"concurrent", 2}}}, {"errorLimit", {{"record", 0}}}});
  }

  Mode mode_;
  TempDir dir_;
};

// Killed at `fault`, then resumed until it succeeds (at most twice). Returns false when the
// first run was not killed: the fault point was never reached.
bool KilledThenResumed(const Mode& mode, const std::string& fault) {
  SCOPED_TRACE(mode.name + ", FERRY_FAULT=" + fault);
  FaultRun run(mode);
  KilledRun first = run.Start(fault);
  if (first.exit_code == 0) {
    EXPECT_EQ(run.OutputLines(), run.ExpectedLines());
    return false;
  }
  EXPECT_EQ(first.exit_code, 128 + SIGKILL) << first.err;
  EXPECT_THAT(first.err, ::testing::HasSubstr("fault point reached"));
  KilledRun resumed = run.Resume();
  if (resumed.exit_code != 0) resumed = run.Resume();
  EXPECT_EQ(resumed.exit_code, 0) << resumed.err;
  EXPECT_EQ(run.OutputLines(), run.ExpectedLines());
  KilledRun again = run.Resume();  // publishing is done: a further resume changes nothing
  EXPECT_EQ(again.exit_code, 0) << again.err;
  EXPECT_EQ(run.OutputLines(), run.ExpectedLines());
  return true;
}

void KillAtEveryPublishStep(const Mode& mode) {
  int killed = 0;
  for (int n = 1; n <= 20; ++n) {
    if (!KilledThenResumed(mode, "txtfile.publish.rename@" + std::to_string(n))) break;
    ++killed;
    if (::testing::Test::HasFailure()) return;
  }
  EXPECT_GE(killed, mode.min_renames) << mode.name;
  EXPECT_TRUE(KilledThenResumed(mode, "txtfile.publish.done"));
  EXPECT_TRUE(KilledThenResumed(mode, "txtfile.publish.cleanup"));
}

TEST(TxtfilePublishFault, SingleFileTruncate) {
  // Four parts copied into the assembled file, then its rename.
  KillAtEveryPublishStep({"single truncate",
                          "single",
                          "truncate",
                          true,
                          {{"rows.csv", "stale,row\n"}},
                          kInputFiles + 1});
}

TEST(TxtfilePublishFault, SingleFileNonConflict) {
  KillAtEveryPublishStep(
      {"single nonConflict", "single", "nonConflict", false, {}, kInputFiles + 1});
}

TEST(TxtfilePublishFault, SingleFileAppendKeepsTheOriginalContentOnce) {
  KillAtEveryPublishStep({"single append",
                          "single",
                          "append",
                          false,
                          {{"rows.csv", "0,original first\n0,original second\n"}},
                          kInputFiles});
}

TEST(TxtfilePublishFault, PerSplitTruncate) {
  KillAtEveryPublishStep({"perSplit truncate", "perSplit", "truncate", true, {}, kInputFiles});
}

TEST(TxtfilePublishFault, PerSplitNonConflict) {
  KillAtEveryPublishStep(
      {"perSplit nonConflict", "perSplit", "nonConflict", false, {}, kInputFiles});
}

TEST(TxtfilePublishFault, PerSplitAppendKeepsTheOriginalContentOnce) {
  KillAtEveryPublishStep({"perSplit append",
                          "perSplit",
                          "append",
                          true,
                          {{"rows.csv__0001", "id,value\n0,original\n"}},
                          kInputFiles});
}

}  // namespace
}  // namespace ferry::testing
