// The process launcher with real processes: output into the log, found again by its run
// directory after a restart, stopped through its process group, exit codes as `ferry run` gives.
#include "ferry/schedule/launcher.h"

#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <thread>

#include "tests/support/ferry_cli.h"

namespace ferry {
namespace {

// Polls until the process ended (bounded: 10 s).
ProcessExit WaitForExit(ProcessLauncher& launcher, const ProcessId& p) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  for (;;) {
    ProcessExit e = launcher.Poll(p);
    if (e.exited || std::chrono::steady_clock::now() > deadline) return e;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

TEST(SchedLauncher, ExitCodeAndOutputGoWhereTheSchedulerLooks) {
  testing::TempDir dir;
  ProcessLauncher launcher;
  auto p = launcher.Start(
      {{"/bin/sh", "-c", "echo out; echo err >&2; exit 3"}, dir.path(), dir / "log.txt"});
  ASSERT_TRUE(p.ok()) << p.status().message();
  EXPECT_GT(p->start, 0);
  ProcessExit e = WaitForExit(launcher, *p);
  ASSERT_TRUE(e.exited);
  EXPECT_EQ(e.exit_code, 3);
  EXPECT_EQ(testing::ReadTextFile(dir / "log.txt"), "out\nerr\n");
  EXPECT_EQ(launcher.Signal(*p, SIGTERM).code(), StatusCode::kNotFound);
}

TEST(SchedLauncher, FoundByRunDirAndStoppedThroughItsGroup) {
  testing::TempDir dir;
  ProcessLauncher launcher;
  std::string run_dir = dir / "run";
  auto p =
      launcher.Start({{"/bin/sh", "-c", "while :; do sleep 0.05; done", "sh", "--run-dir", run_dir},
                      "",
                      dir / "log.txt"});
  ASSERT_TRUE(p.ok());
  // The child may still be inside exec (its command line not yet the new one).
  std::optional<ProcessId> found;
  for (int i = 0; i < 500 && !found; ++i) {
    found = launcher.FindByRunDir(run_dir);
    if (!found) std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  ASSERT_TRUE(found);
  EXPECT_EQ(found->pid, p->pid);
  EXPECT_EQ(found->start, p->start);
  EXPECT_FALSE(launcher.FindByRunDir(dir / "other"));
  // The mpirun and ranks of a distributed run (--dist-weights) name the run directory too; they
  // are not the run.
  std::string rank_dir = dir / "rank-run";
  auto rank = launcher.Start({{"/bin/sh", "-c", "while :; do sleep 0.05; done", "sh", "--run-dir",
                               rank_dir, "--dist-weights", "4,4"},
                              "",
                              dir / "rank.txt"});
  ASSERT_TRUE(rank.ok());
  const std::string cmdline = "/proc/" + std::to_string(rank->pid) + "/cmdline";
  for (int i = 0;
       i < 500 && testing::ReadTextFile(cmdline).find("--dist-weights") == std::string::npos; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(2));  // still inside exec
  }
  ASSERT_NE(testing::ReadTextFile(cmdline).find("--dist-weights"), std::string::npos);
  EXPECT_FALSE(launcher.FindByRunDir(rank_dir));
  ASSERT_TRUE(launcher.Signal(*rank, SIGKILL).ok());
  WaitForExit(launcher, *rank);
  EXPECT_FALSE(launcher.Poll(*p).exited);
  // A pid whose start time differs is not ours to signal.
  EXPECT_EQ(launcher.Signal({p->pid, p->start + 1}, SIGTERM).code(), StatusCode::kNotFound);
  ASSERT_TRUE(launcher.Signal(*p, SIGTERM).ok());
  ProcessExit e = WaitForExit(launcher, *p);
  ASSERT_TRUE(e.exited);
  EXPECT_EQ(e.exit_code, 128 + SIGTERM);
}

TEST(SchedLauncher, AMissingProgramIsAnError) {
  testing::TempDir dir;
  ProcessLauncher launcher;
  auto p = launcher.Start({{"/nonexistent/ferry", "run"}, "", dir / "log.txt"});
  // posix_spawn reports a failed exec either at once or as exit 127.
  if (p.ok()) {
    EXPECT_EQ(WaitForExit(launcher, *p).exit_code, 127);
  } else {
    EXPECT_NE(p.status().message().find("cannot start /nonexistent/ferry"), std::string::npos);
  }
}

}  // namespace
}  // namespace ferry
