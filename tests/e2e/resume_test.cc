// Stopping and resuming: SIGTERM mid-run rolls back open splits and exits 143; --resume then
// finishes the job with every row exactly once.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>

#include <chrono>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <thread>

#include "tests/support/ferry_cli.h"

extern char** environ;

namespace ferry::testing {
namespace {

using json = nlohmann::json;

json CopyJob(const std::string& src, const std::string& dst, double records_per_second) {
  return StepsJob(
      "sqlite",
      {{"path", src}, {"table", "t"}, {"column", {"*"}}, {"splitPk", "id"}, {"splitFactor", 5}},
      "sqlite", {{"path", dst}, {"table", "t"}, {"column", {"*"}}},
      {{"speed", {{"concurrent", 2}, {"record", records_per_second}}},
       {"errorLimit", {{"record", 0}}}});
}

int CountLines(const std::string& path) {
  std::string text = ReadTextFile(path);
  return static_cast<int>(std::count(text.begin(), text.end(), '\n'));
}

TEST(Resume, SigtermRollsBackAndResumeFinishesExactlyOnce) {
  TempDir dir;
  const int kRows = 40000;
  SqliteExec(dir / "src.db",
             "CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT);"
             "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 40000) "
             "INSERT INTO t SELECT i, 'value ' || i FROM n;");
  SqliteExec(dir / "dst.db", "CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT);");
  // 10 splits of 4,000 rows at 8,000 rows/s: the run takes about 5 s.
  WriteTextFile(dir / "job.json", CopyJob(dir / "src.db", dir / "dst.db", 8000).dump());

  std::string out = dir / "run1.out";
  std::vector<std::string> args = {"/bin/sh",
                                   "-c",
                                   "exec \"$0\" run \"$1\" --run-dir \"$2\" >\"$3\" 2>&1",
                                   FerryBinary(),
                                   dir / "job.json",
                                   dir / "run",
                                   out};
  std::vector<char*> argv;
  for (std::string& s : args) argv.push_back(s.data());
  argv.push_back(nullptr);
  pid_t pid;
  ASSERT_EQ(posix_spawn(&pid, "/bin/sh", nullptr, nullptr, argv.data(), environ), 0);
  // Stop once at least one split committed (bounded wait: 30 s).
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (CountLines(dir / "run/committed.log") < 1 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ASSERT_EQ(kill(pid, SIGTERM), 0);
  int status = 0;
  waitpid(pid, &status, 0);
  ASSERT_TRUE(WIFEXITED(status)) << ReadTextFile(out);
  EXPECT_EQ(WEXITSTATUS(status), 143) << ReadTextFile(out);

  // Only whole committed splits are in the destination.
  int committed = CountLines(dir / "run/committed.log");
  auto rows = SqliteRows(dir / "dst.db", "SELECT count(*) FROM t");
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(std::stoi(rows[0]), committed * 4000) << ReadTextFile(out);
  EXPECT_LT(committed, 11);

  CliResult r = RunFerry({"run", "--resume", dir / "run", "--summary-json", dir / "s.json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(SqliteRows(dir / "dst.db", "SELECT count(*), count(DISTINCT id), sum(id) FROM t"),
            std::vector<std::string>{"40000|40000|800020000"});
  auto summary = json::parse(ReadTextFile(dir / "s.json"));
  EXPECT_EQ(summary["splits_done"], summary["splits_total"]);
  // The resumed run reports the whole job: the splits of the first run count too.
  EXPECT_EQ(summary["records_written"], kRows);
  EXPECT_EQ(summary["dirty_records"], 0);
}

TEST(Resume, AFreshRunRefusesARunDirectoryThatHoldsARun) {
  TempDir dir;
  SqliteExec(dir / "src.db",
             "CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT); INSERT INTO t VALUES (1, 'x');");
  SqliteExec(dir / "dst.db", "CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT);");
  WriteTextFile(dir / "job.json", CopyJob(dir / "src.db", dir / "dst.db", 1000).dump());
  ASSERT_EQ(RunFerry({"run", dir / "job.json", "--run-dir", dir / "run"}).exit_code, 0);
  CliResult again = RunFerry({"run", dir / "job.json", "--run-dir", dir / "run"});
  EXPECT_EQ(again.exit_code, 2);
  EXPECT_THAT(again.err, ::testing::HasSubstr("use --resume"));
}

TEST(Resume, AnEditedJobFileIsNotMixedIntoTheRun) {
  TempDir dir;
  SqliteExec(dir / "src.db",
             "CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT); INSERT INTO t VALUES (1, 'x');");
  SqliteExec(dir / "dst.db", "CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT);");
  WriteTextFile(dir / "job.json", CopyJob(dir / "src.db", dir / "dst.db", 1000).dump());
  ASSERT_EQ(RunFerry({"run", dir / "job.json", "--run-dir", dir / "run"}).exit_code, 0);

  CliResult same = RunFerry({"run", dir / "job.json", "--resume", dir / "run"});
  EXPECT_EQ(same.exit_code, 0) << same.err;

  WriteTextFile(dir / "job.json", CopyJob(dir / "src.db", dir / "other.db", 1000).dump());
  CliResult edited = RunFerry({"run", dir / "job.json", "--resume", dir / "run"});
  EXPECT_EQ(edited.exit_code, 2);
  EXPECT_THAT(edited.err, ::testing::HasSubstr((dir / "job.json") + " changed since the run in " +
                                               (dir / "run") + " started (sha256 "));
  EXPECT_EQ(SqliteRows(dir / "dst.db", "SELECT count(*) FROM t"), std::vector<std::string>{"1"});
}

TEST(Resume, RunsStartedInTheSameSecondGetTheirOwnRunDirectories) {
  TempDir dir;
  SqliteExec(dir / "src.db",
             "CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT); INSERT INTO t VALUES (1, 'x');");
  SqliteExec(dir / "dst.db", "CREATE TABLE t (id INTEGER, v TEXT);");
  WriteTextFile(dir / "job.json", CopyJob(dir / "src.db", dir / "dst.db", 1000).dump());
  std::vector<std::jthread> runs;
  for (int k = 0; k < 4; ++k) {
    runs.emplace_back([&] { EXPECT_EQ(RunFerry({"run", "job.json"}, dir.path()).exit_code, 0); });
  }
  runs.clear();
  int dirs = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir / ".ferry/runs")) {
    EXPECT_TRUE(FileExists(entry.path().string() + "/summary.json")) << entry.path();
    ++dirs;
  }
  EXPECT_EQ(dirs, 4);
  EXPECT_EQ(SqliteRows(dir / "dst.db", "SELECT count(*) FROM t"), std::vector<std::string>{"4"});
}

}  // namespace
}  // namespace ferry::testing
