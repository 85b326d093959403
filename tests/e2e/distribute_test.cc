// executeMode "distribute" end to end (DESIGN 8): the real ferry binary started by a real
// mpirun (Open MPI) — by the test, as `mpirun -np 3 ferry run JOB`, or by `ferry run` itself
// from --hosts — on this machine: the rows of a one-host run exactly, splits on every rank, the
// throttle and errorLimit job-wide, the concurrent >= 8 rule, and a rank killed with SIGKILL:
// the job fails within seconds naming the host, and --resume finishes with every row once.
#include <fcntl.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "tests/support/ferry_cli.h"
#include "tests/support/mariadb_test_server.h"
#include "tests/support/pg_test_server.h"
#include "tests/support/scheduler_cli.h"

extern char** environ;

namespace ferry::testing {
namespace {

using json = nlohmann::json;
using ::testing::HasSubstr;
using Clock = std::chrono::steady_clock;

constexpr int kRows = 60000;

std::string HostName() {
  char name[256] = {};
  gethostname(name, sizeof(name) - 1);
  return name;
}

// A process started with its stdout and stderr in one file.
struct Process {
  pid_t pid = -1;
  std::string output_path;
  std::string output() const { return ReadTextFile(output_path); }
};

Process Start(const std::vector<std::string>& args, const std::string& output_path,
              const std::string& cwd) {
  // A shell changes directory and redirects; exec keeps the pid the one to signal.
  std::string script = "cd \"$0\" && exec \"$@\" >\"$OUT\" 2>&1";
  std::vector<std::string> all = {"/bin/sh", "-c", script, cwd};
  all.insert(all.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (std::string& s : all) argv.push_back(s.data());
  argv.push_back(nullptr);
  setenv("OUT", output_path.c_str(), 1);
  Process p;
  p.output_path = output_path;
  if (posix_spawn(&p.pid, "/bin/sh", nullptr, nullptr, argv.data(), environ) != 0) p.pid = -1;
  return p;
}

// The exit code, or -1 after `limit` (the process is then killed).
int Wait(const Process& p, std::chrono::seconds limit = std::chrono::seconds(60)) {
  auto deadline = Clock::now() + limit;
  int status = 0;
  while (Clock::now() < deadline) {
    pid_t done = waitpid(p.pid, &status, WNOHANG);
    if (done == p.pid) return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  kill(p.pid, SIGKILL);
  waitpid(p.pid, &status, 0);
  return -1;
}

// Whether `pid` still runs (a zombie waiting for its parent does not).
bool Alive(int pid) {
  std::string stat = FileExists("/proc/" + std::to_string(pid) + "/stat")
                         ? ReadTextFile("/proc/" + std::to_string(pid) + "/stat")
                         : "";
  size_t paren = stat.rfind(')');
  return paren != std::string::npos && paren + 2 < stat.size() && stat[paren + 2] != 'Z';
}

int Occurrences(const std::string& text, const std::string& what) {
  int n = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

// The children of `pid` (every thread's).
std::vector<int> ChildPids(int pid) {
  std::vector<int> out;
  std::error_code ec;
  for (const auto& task :
       std::filesystem::directory_iterator("/proc/" + std::to_string(pid) + "/task", ec)) {
    std::stringstream in(ReadTextFile(task.path() / "children"));
    for (int child; in >> child;) out.push_back(child);
  }
  return out;
}

// Waits (at most `limit`) until none of `pids` runs; returns those still running then.
std::vector<int> StillRunning(const std::vector<int>& pids, std::chrono::seconds limit) {
  auto deadline = Clock::now() + limit;
  std::vector<int> alive;
  do {
    alive.clear();
    for (int pid : pids) {
      if (Alive(pid)) alive.push_back(pid);
    }
    if (alive.empty()) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  } while (Clock::now() < deadline);
  return alive;
}

int CountLines(const std::string& path) {
  std::string text = ReadTextFile(path);
  return static_cast<int>(std::count(text.begin(), text.end(), '\n'));
}

class DistributeTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    // Open MPI refuses to run as root without these (the tests run as root in CI).
    setenv("OMPI_ALLOW_RUN_AS_ROOT", "1", 1);
    setenv("OMPI_ALLOW_RUN_AS_ROOT_CONFIRM", "1", 1);
    // Loopback only, and no warning about the high-speed transports this machine lacks.
    setenv("OMPI_MCA_btl", "self,vader,tcp", 1);
    setenv("OMPI_MCA_btl_tcp_if_include", "lo", 1);
    setenv("OMPI_MCA_oob_tcp_if_include", "lo", 1);
  }

  void SetUp() override {
    SqliteExec(dir_ / "src.db",
               "CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT);"
               "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < " +
                   std::to_string(kRows) + ") INSERT INTO t SELECT i, 'value ' || i FROM n;");
  }

  // sqlite -> sqlite (commit markers: exactly once) or sqlite -> txtfile.
  json Job(const std::string& writer, json setting, const std::string& dst_table = "t") {
    json reader = {{"path", dir_ / "src.db"},
                   {"table", "t"},
                   {"column", {"*"}},
                   {"splitPk", "id"},
                   {"splitFactor", 3}};
    json wparam = writer == "sqlite"
                      ? json{{"path", dir_ / "dst.db"}, {"table", dst_table}, {"column", {"*"}}}
                      : json{{"path", dir_ / "out"}, {"fileName", "t"}, {"writeMode", "truncate"}};
    if (!setting.contains("executeMode")) setting["executeMode"] = "distribute";
    return StepsJob("sqlite", reader, writer, wparam, setting);
  }

  void WriteJob(const json& job, const std::string& name = "job.json") {
    WriteTextFile(dir_ / name, job.dump(2));
  }

  std::vector<std::string> Mpirun(int np, std::vector<std::string> ferry_args) {
    std::vector<std::string> args = {"mpirun", "-np", std::to_string(np), "--oversubscribe",
                                     FerryBinary()};
    args.insert(args.end(), ferry_args.begin(), ferry_args.end());
    return args;
  }

  json Summary(const std::string& name = "summary.json") {
    return json::parse(ReadTextFile(dir_ / name));
  }

  std::vector<std::string> DestinationCheck() {
    return SqliteRows(dir_ / "dst.db", "SELECT count(*), count(DISTINCT id), sum(id) FROM t");
  }

  static std::string ExpectedCheck() {
    int64_t n = kRows;
    return std::to_string(n) + "|" + std::to_string(n) + "|" + std::to_string(n * (n + 1) / 2);
  }

  // `ferry run --resume run` on this machine's 8 slots finishes the job: every row once.
  void ResumeOnOneMachineWritesEveryRowOnce() {
    CliResult r =
        RunFerry({"run", "--resume", "run", "--hosts", "localhost:8", "--progress-interval", "0"},
                 dir_.path());
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(DestinationCheck(), std::vector<std::string>{ExpectedCheck()});
  }

  void CreateDestination() {
    SqliteExec(dir_ / "dst.db", "CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT);");
  }

  // Waits until the run in `run_dir` committed a split and its coordinator recorded every
  // rank's pid; returns hosts.json.
  json AwaitRunning(const std::string& run_dir, int workers) {
    auto deadline = Clock::now() + std::chrono::seconds(20);
    while (Clock::now() < deadline) {
      if (CountLines(run_dir + "/committed.log") >= 1 && FileExists(run_dir + "/hosts.json")) {
        json hosts = json::parse(ReadTextFile(run_dir + "/hosts.json"), nullptr, false);
        bool all = hosts.is_object() && hosts["workers"].size() == static_cast<size_t>(workers);
        for (const auto& w : hosts.value("workers", json::array())) all = all && w["pid"] != 0;
        if (all) return hosts;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return nullptr;
  }

  // A sqlite copy throttled to 15,000 records/s, started on two "hosts" of 4 slots on this machine,
  // its run directory run/ and summary.json in the test directory.
  Process StartThrottledRunOnTwoHosts() {
    CreateDestination();
    WriteJob(Job("sqlite", {{"speed", {{"concurrent", 8}, {"record", 15000}}}}));
    return Start({FerryBinary(), "run", "job.json", "--hosts", "localhost:4,localhost:4",
                  "--run-dir", "run", "--summary-json", "summary.json", "--progress-interval", "0"},
                 dir_ / "run.out", dir_.path());
  }

  TempDir dir_;
};

TEST_F(DistributeTest, MpirunNp3GivesTheRowsOfAOneHostRunAndEveryRankGetsSplits) {
  WriteJob(Job("txtfile", {{"speed", {{"concurrent", 8}}}}));
  Process p = Start(Mpirun(3, {"run", "job.json", "--run-dir", "run", "--summary-json",
                               "summary.json", "--progress-interval", "0"}),
                    dir_ / "mpirun.out", dir_.path());
  ASSERT_EQ(Wait(p), 0) << p.output();
  std::string distributed = ReadTextFile(dir_ / "out/t");

  json summary = Summary();
  EXPECT_EQ(summary["status"], "SUCCEEDED");
  EXPECT_EQ(summary["records_written"], kRows);
  ASSERT_EQ(summary["hosts"].size(), 2u) << summary.dump(2);
  int64_t splits = 0;
  for (const auto& h : summary["hosts"]) {
    EXPECT_GT(h["splits"].get<int64_t>(), 0) << summary.dump(2);
    EXPECT_EQ(h["host"], HostName());
    EXPECT_GT(h["peak_rss_bytes"].get<int64_t>(), 0);
    splits += h["splits"].get<int64_t>();
  }
  EXPECT_EQ(splits, summary["splits_total"].get<int64_t>());

  // The same job on one machine writes the same rows.
  WriteJob(Job("txtfile", {{"speed", {{"concurrent", 8}}}, {"executeMode", nullptr}}), "one.json");
  CliResult one =
      RunFerry({"run", "one.json", "--run-dir", "run1", "--progress-interval", "0"}, dir_.path());
  ASSERT_EQ(one.exit_code, 0) << one.err;
  std::string local = ReadTextFile(dir_ / "out/t");
  auto sorted_lines = [](std::string text) {
    std::vector<std::string> lines;
    size_t from = 0;
    for (size_t nl; (nl = text.find('\n', from)) != std::string::npos; from = nl + 1) {
      lines.push_back(text.substr(from, nl - from));
    }
    std::sort(lines.begin(), lines.end());
    return lines;
  };
  EXPECT_EQ(sorted_lines(distributed).size(), static_cast<size_t>(kRows));
  EXPECT_TRUE(sorted_lines(distributed) == sorted_lines(local));
}

TEST_F(DistributeTest, FerryRunStartsMpirunOverTheHostsAndWritesEveryRowOnce) {
  CreateDestination();
  WriteJob(Job("sqlite", {{"speed", {{"concurrent", 8}}}}));
  CliResult r = RunFerry({"run", "job.json", "--hosts", "localhost:2,localhost:6", "--run-dir",
                          "run", "--summary-json", "summary.json", "--progress-interval", "0"},
                         dir_.path());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.err, HasSubstr("mpirun --hostfile run/hostfile -np 3"));
  EXPECT_EQ(DestinationCheck(), std::vector<std::string>{ExpectedCheck()});
  json summary = Summary();
  ASSERT_EQ(summary["hosts"].size(), 2u);
  // Channels follow the slots; splits are handed out on demand.
  EXPECT_EQ(summary["hosts"][0]["channels"], 2);
  EXPECT_EQ(summary["hosts"][1]["channels"], 6);
  for (const auto& h : summary["hosts"]) EXPECT_GT(h["splits"].get<int64_t>(), 0);
  EXPECT_EQ(ReadTextFile(dir_ / "run/hostfile"), "localhost slots=3\n");
  json hosts = json::parse(ReadTextFile(dir_ / "run/hosts.json"));
  EXPECT_EQ(hosts["workers"].size(), 2u);
  EXPECT_EQ(CountLines(dir_ / "run/committed.log"), summary["splits_total"].get<int>());
}

TEST_F(DistributeTest, ThrottleHoldsForTheWholeJobNotPerHost) {
  WriteJob(Job("txtfile", {{"speed", {{"concurrent", 8}, {"record", 20000}}}}));
  auto t0 = Clock::now();
  Process p = Start(Mpirun(3, {"run", "job.json", "--run-dir", "run", "--summary-json",
                               "summary.json", "--progress-interval", "0"}),
                    dir_ / "mpirun.out", dir_.path());
  ASSERT_EQ(Wait(p), 0) << p.output();
  double seconds = std::chrono::duration<double>(Clock::now() - t0).count();
  json summary = Summary();
  EXPECT_EQ(summary["records_written"], kRows);
  // 60,000 records at 20,000/s with one second of burst: 2 s. Two hosts each allowed the
  // full rate would take 1 s.
  double elapsed = summary["elapsed_seconds"].get<double>();
  EXPECT_GE(elapsed, 1.8) << summary.dump(2);
  EXPECT_LT(seconds, 8.0);
  // The rate after the first second's burst is within 10 % of the limit.
  EXPECT_LE((kRows - 20000) / (elapsed - 0.0), 20000 * 1.1);
}

TEST_F(DistributeTest, ErrorLimitCountsTheDirtyRecordsOfEveryHost) {
  // v is NOT NULL in the destination: ten rows spread over the key range are refused.
  SqliteExec(dir_ / "src.db", "UPDATE t SET v = NULL WHERE id % 6000 = 17;");
  SqliteExec(dir_ / "dst.db", "CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT NOT NULL);");
  WriteJob(Job("sqlite", {{"speed", {{"concurrent", 8}}}, {"errorLimit", {{"record", 6}}}}));
  Process p = Start(Mpirun(3, {"run", "job.json", "--run-dir", "run", "--summary-json",
                               "summary.json", "--progress-interval", "0"}),
                    dir_ / "mpirun.out", dir_.path());
  EXPECT_EQ(Wait(p), 1) << p.output();
  EXPECT_THAT(p.output(), HasSubstr("dirty-record limit passed"));
  EXPECT_THAT(p.output(), HasSubstr("errorLimit.record is 6"));

  // With room for all ten, the run succeeds and dirty.jsonl holds the ten of both hosts.
  SqliteExec(dir_ / "dst.db", "DELETE FROM t;");
  WriteJob(Job("sqlite", {{"speed", {{"concurrent", 8}}}, {"errorLimit", {{"record", 10}}}}));
  Process q = Start(Mpirun(3, {"run", "job.json", "--run-dir", "run2", "--summary-json",
                               "summary.json", "--progress-interval", "0"}),
                    dir_ / "mpirun2.out", dir_.path());
  ASSERT_EQ(Wait(q), 0) << q.output();
  json summary = Summary();
  EXPECT_EQ(summary["dirty_records"], 10);
  EXPECT_EQ(summary["records_written"], kRows - 10);
  EXPECT_EQ(CountLines(dir_ / "run2/dirty.jsonl"), 10);
  for (const auto& h : summary["hosts"]) EXPECT_GT(h["splits"].get<int64_t>(), 0);
}

TEST_F(DistributeTest, FewerThanEightChannelsIsRefusedWithTheRule) {
  WriteJob(Job("txtfile", {{"speed", {{"concurrent", 4}}}}));
  CliResult r = RunFerry({"run", "job.json", "--hosts", "localhost:4,localhost:4"}, dir_.path());
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("job.json:"));
  EXPECT_THAT(r.err, HasSubstr("executeMode \"distribute\" needs speed.concurrent of at least 8"));
  // Under mpirun too: every rank exits, with the coordinator's code.
  Process p = Start(Mpirun(3, {"run", "job.json"}), dir_ / "mpirun.out", dir_.path());
  EXPECT_EQ(Wait(p, std::chrono::seconds(30)), 2) << p.output();
  EXPECT_THAT(p.output(), HasSubstr("at least 8"));
  EXPECT_FALSE(FileExists(dir_ / "out/t"));
}

TEST_F(DistributeTest, KilledWorkerFailsTheJobFastNamingTheHostAndResumeFinishesExactlyOnce) {
  Process p = StartThrottledRunOnTwoHosts();
  json hosts = AwaitRunning(dir_ / "run", 2);
  ASSERT_FALSE(hosts.is_null()) << p.output();
  const int worker = hosts["workers"][1]["pid"].get<int>();
  auto killed_at = Clock::now();
  ASSERT_EQ(kill(worker, SIGKILL), 0);
  int code = Wait(p, std::chrono::seconds(30));
  double after = std::chrono::duration<double>(Clock::now() - killed_at).count();
  EXPECT_EQ(code, 1) << p.output();
  EXPECT_LT(after, 10.0);
  EXPECT_THAT(p.output(), HasSubstr("host " + HostName() + " (rank 2, pid " +
                                    std::to_string(worker) + ") died: signal 9"));
  EXPECT_THAT(p.output(), HasSubstr("ferry run --resume run"));
  json failed = Summary();
  EXPECT_EQ(failed["status"], "FAILED");
  EXPECT_LT(failed["splits_done"].get<int>(), failed["splits_total"].get<int>());
  // No rank outlives the job.
  EXPECT_FALSE(Alive(worker));
  EXPECT_FALSE(Alive(hosts["coordinator"]["pid"].get<int>()));
  EXPECT_FALSE(Alive(hosts["workers"][0]["pid"].get<int>()));

  // Only whole committed splits are in the destination; a resume on other hosts adds the rest.
  int committed = CountLines(dir_ / "run/committed.log");
  EXPECT_GE(committed, 1);
  CliResult r = RunFerry({"run", "--resume", "run", "--hosts", "localhost:8", "--summary-json",
                          "summary.json", "--progress-interval", "0"},
                         dir_.path());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(DestinationCheck(), std::vector<std::string>{ExpectedCheck()});
  json done = Summary();
  EXPECT_EQ(done["records_written"], kRows);
  EXPECT_EQ(done["splits_done"], done["splits_total"]);
}

TEST_F(DistributeTest, SigtermStopsEveryRankCleanlyAndTheRunResumes) {
  Process p = StartThrottledRunOnTwoHosts();
  json hosts = AwaitRunning(dir_ / "run", 2);
  ASSERT_FALSE(hosts.is_null()) << p.output();
  ASSERT_EQ(kill(p.pid, SIGTERM), 0);
  EXPECT_EQ(Wait(p, std::chrono::seconds(30)), 143) << p.output();
  EXPECT_THAT(p.output(), HasSubstr("stopped by signal"));
  for (const auto& w : hosts["workers"]) EXPECT_FALSE(Alive(w["pid"].get<int>()));
  // Only whole committed splits are there; the resume writes the rest once.
  EXPECT_EQ(SqliteRows(dir_ / "dst.db", "SELECT count(*) FROM t"),
            std::vector<std::string>{std::to_string([&] {
              int64_t n = 0;
              std::string log = ReadTextFile(dir_ / "run/committed.log");
              for (size_t at = 0;
                   (at = log.find("\"records_written\":", at)) != std::string::npos;) {
                at += 18;
                n += std::stoll(log.substr(at));
              }
              return n;
            }())});
  ResumeOnOneMachineWritesEveryRowOnce();
}

// A user's `kill` of one rank on its host: the whole run stops cleanly, naming that host, and no
// process of it is left.
TEST_F(DistributeTest, SigtermToOneWorkerRankStopsTheRunNamingItsHostAndLeavesNoProcess) {
  Process p = StartThrottledRunOnTwoHosts();
  json hosts = AwaitRunning(dir_ / "run", 2);
  ASSERT_FALSE(hosts.is_null()) << p.output();
  const std::vector<int> mpirun = ChildPids(p.pid);
  ASSERT_EQ(mpirun.size(), 1u);
  ASSERT_EQ(kill(hosts["workers"][1]["pid"].get<int>(), SIGTERM), 0);
  EXPECT_EQ(Wait(p, std::chrono::seconds(30)), 1) << p.output();
  EXPECT_THAT(p.output(), HasSubstr("stopped by signal (host " + HostName() + " (rank 2))"));
  EXPECT_EQ(Summary()["status"], "FAILED");
  std::vector<int> pids = {mpirun[0], hosts["coordinator"]["pid"].get<int>()};
  for (const auto& w : hosts["workers"]) pids.push_back(w["pid"].get<int>());
  EXPECT_THAT(StillRunning(pids, std::chrono::seconds(0)), ::testing::IsEmpty());
  ResumeOnOneMachineWritesEveryRowOnce();
}

// `kill -9` of `ferry run` (or of mpirun): mpirun and every rank end too, within seconds.
TEST_F(DistributeTest, KilledFerryRunOrMpirunLeavesNoRankRunning) {
  WriteJob(Job("sqlite", {{"speed", {{"concurrent", 8}, {"record", 15000}}}}));
  for (const bool kill_mpirun : {false, true}) {
    SCOPED_TRACE(kill_mpirun ? "mpirun killed" : "ferry run killed");
    std::filesystem::remove_all(dir_ / "run");
    std::filesystem::remove(dir_ / "dst.db");
    CreateDestination();
    Process p = Start({FerryBinary(), "run", "job.json", "--hosts", "localhost:4,localhost:4",
                       "--run-dir", "run", "--progress-interval", "0"},
                      dir_ / "run.out", dir_.path());
    json hosts = AwaitRunning(dir_ / "run", 2);
    ASSERT_FALSE(hosts.is_null()) << p.output();
    const std::vector<int> mpirun = ChildPids(p.pid);
    ASSERT_EQ(mpirun.size(), 1u);
    std::vector<int> ranks = {hosts["coordinator"]["pid"].get<int>()};
    for (const auto& w : hosts["workers"]) ranks.push_back(w["pid"].get<int>());
    ASSERT_EQ(kill(kill_mpirun ? mpirun[0] : p.pid, SIGKILL), 0);
    const int code = Wait(p, std::chrono::seconds(30));
    if (kill_mpirun) {
      EXPECT_EQ(code, 1) << p.output();
      EXPECT_THAT(p.output(), HasSubstr("mpirun (pid " + std::to_string(mpirun[0]) +
                                        ") was killed by signal 9"));
    } else {
      EXPECT_EQ(code, 128 + SIGKILL);
    }
    EXPECT_THAT(StillRunning(mpirun, std::chrono::seconds(10)), ::testing::IsEmpty());
    EXPECT_THAT(StillRunning(ranks, std::chrono::seconds(10)), ::testing::IsEmpty());
  }
  // What committed is there once; a resume writes the rest.
  ResumeOnOneMachineWritesEveryRowOnce();
}

TEST_F(DistributeTest, KilledCoordinatorTakesTheWorkersDownAndResumeOnOneMachineFinishes) {
  CreateDestination();
  WriteJob(Job("sqlite", {{"speed", {{"concurrent", 8}, {"record", 15000}}}}));
  Process p = Start(Mpirun(3, {"run", "job.json", "--run-dir", "run", "--progress-interval", "0"}),
                    dir_ / "mpirun.out", dir_.path());
  json hosts = AwaitRunning(dir_ / "run", 2);
  ASSERT_FALSE(hosts.is_null()) << p.output();
  ASSERT_EQ(kill(hosts["coordinator"]["pid"].get<int>(), SIGKILL), 0);
  auto killed_at = Clock::now();
  EXPECT_NE(Wait(p, std::chrono::seconds(30)), 0) << p.output();
  EXPECT_LT(std::chrono::duration<double>(Clock::now() - killed_at).count(), 10.0);
  for (const auto& w : hosts["workers"]) EXPECT_FALSE(Alive(w["pid"].get<int>()));

  // Resumed without hosts: the rest runs on this machine alone.
  CliResult r = RunFerry({"run", "--resume", "run", "--progress-interval", "0"}, dir_.path());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.err, HasSubstr("on this machine alone"));
  EXPECT_EQ(DestinationCheck(), std::vector<std::string>{ExpectedCheck()});
}

TEST_F(DistributeTest, ResourceGroupsAndHostSources) {
  setenv("FERRY_HOME", (dir_ / "home").c_str(), 1);
  WriteJob(Job("txtfile", {{"speed", {{"concurrent", 8}}}}));
  CliResult add = RunFerry({"resource-group", "add", "etl", "--hosts", "h1:4,h2:4"});
  EXPECT_EQ(add.exit_code, 0) << add.err;
  EXPECT_THAT(add.out, HasSubstr("saved resource group etl (h1:4,h2:4: 2 hosts, 8 slots)"));
  EXPECT_EQ(RunFerry({"resource-group", "add", "etl", "--hosts", "h3"}).exit_code, 2);
  CliResult list = RunFerry({"resource-group", "list"});
  EXPECT_THAT(list.out, HasSubstr("etl"));
  EXPECT_THAT(list.out, HasSubstr("h1:4,h2:4"));
  CliResult show = RunFerry({"resource-group", "show", "etl", "--json"});
  EXPECT_EQ(json::parse(show.out)["slots"], 8);

  CliResult launch =
      RunFerry({"run", "job.json", "--resource-group", "etl", "--print-launch"}, dir_.path());
  ASSERT_EQ(launch.exit_code, 0) << launch.err;
  EXPECT_THAT(launch.out, HasSubstr("#   localhost slots=1\n#   h1 slots=1\n#   h2 slots=1\n"));
  EXPECT_THAT(launch.out, HasSubstr("-np 3 --map-by slot"));
  EXPECT_THAT(launch.out, HasSubstr("-x FERRY_HOME"));
  EXPECT_THAT(launch.out, HasSubstr("run job.json --run-dir"));
  EXPECT_THAT(launch.out, HasSubstr("--dist-weights 4,4"));
  EXPECT_THAT(launch.out, ::testing::Not(HasSubstr("--resource-group")));

  // An Open MPI hostfile, for a run or a group.
  WriteTextFile(dir_ / "hosts.txt", "# the ETL hosts\nh7 slots=2\nh8:6\n");
  CliResult from_file =
      RunFerry({"run", "job.json", "--hostfile", "hosts.txt", "--print-launch"}, dir_.path());
  ASSERT_EQ(from_file.exit_code, 0) << from_file.err;
  EXPECT_THAT(from_file.out, HasSubstr("#   h7 slots=1\n#   h8 slots=1\n"));
  EXPECT_THAT(from_file.out, HasSubstr("--dist-weights 2,6"));
  EXPECT_EQ(RunFerry({"resource-group", "add", "file", "--hostfile", dir_ / "hosts.txt"}).exit_code,
            0);
  EXPECT_THAT(RunFerry({"resource-group", "show", "file"}).out, HasSubstr("h8"));

  // Inside a Slurm allocation its nodes are the default hosts.
  setenv("SLURM_JOB_NODELIST", "node[01-02]", 1);
  setenv("SLURM_JOB_CPUS_PER_NODE", "6(x2)", 1);
  CliResult slurm = RunFerry({"run", "job.json", "--print-launch"}, dir_.path());
  unsetenv("SLURM_JOB_NODELIST");
  unsetenv("SLURM_JOB_CPUS_PER_NODE");
  EXPECT_THAT(slurm.out, HasSubstr("#   node01 slots=1\n#   node02 slots=1\n"));
  EXPECT_THAT(slurm.out, HasSubstr("--dist-weights 6,6"));

  // No hosts: the rule is stated; hosts for a one-machine job: refused.
  CliResult none = RunFerry({"run", "job.json"}, dir_.path());
  EXPECT_EQ(none.exit_code, 2);
  EXPECT_THAT(none.err, HasSubstr("--resource-group NAME, --hosts h1:4,h2:4 or --hostfile"));
  WriteJob(Job("txtfile", {{"speed", {{"concurrent", 8}}}, {"executeMode", nullptr}}), "one.json");
  CliResult one = RunFerry({"run", "one.json", "--hosts", "h1:4"}, dir_.path());
  EXPECT_EQ(one.exit_code, 2);
  EXPECT_THAT(one.err, HasSubstr("are for jobs whose setting.executeMode is \"distribute\""));
  // A resource group is where jobs run: a one-machine job runs here.
  CliResult here = RunFerry(
      {"run", "one.json", "--resource-group", "etl", "--run-dir", "r1", "--progress-interval", "0"},
      dir_.path());
  EXPECT_EQ(here.exit_code, 0) << here.err;
  EXPECT_THAT(here.err, HasSubstr("runs on one machine"));
  CliResult unknown = RunFerry({"run", "job.json", "--resource-group", "nope"}, dir_.path());
  EXPECT_EQ(unknown.exit_code, 2);
  EXPECT_THAT(unknown.err, HasSubstr("no resource group named 'nope'"));

  EXPECT_EQ(RunFerry({"resource-group", "remove", "etl"}).exit_code, 0);
  EXPECT_EQ(RunFerry({"resource-group", "remove", "file"}).exit_code, 0);
  EXPECT_THAT(RunFerry({"resource-group", "list"}).out, HasSubstr("no resource groups"));
  unsetenv("FERRY_HOME");
}

TEST_F(DistributeTest, SettingVerifyRunsOnTheCoordinatorAfterADistributedRun) {
  CreateDestination();
  WriteJob(Job("sqlite", {{"speed", {{"concurrent", 8}}}, {"verify", "checksum"}}));
  CliResult r = RunFerry({"run", "job.json", "--hosts", "localhost:4,localhost:4", "--run-dir",
                          "run", "--summary-json", "summary.json", "--progress-interval", "0"},
                         dir_.path());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.err, HasSubstr("Verify (checksum)"));
  json summary = Summary();
  EXPECT_EQ(summary["status"], "SUCCEEDED");
  EXPECT_EQ(summary["execute_mode"], "distribute");
  EXPECT_EQ(summary["verify"]["status"], "EQUAL") << summary.dump(2);
  EXPECT_EQ(summary["verify"]["mode"], "checksum");
  EXPECT_EQ(summary["verify"]["source_rows"], kRows);
  EXPECT_EQ(summary["verify"]["dest_rows"], kRows);

  // The one-machine run of the same job reports the same verify object (keys and figures).
  SqliteExec(dir_ / "dst.db", "DELETE FROM t;");
  WriteJob(Job("sqlite",
               {{"speed", {{"concurrent", 8}}}, {"verify", "checksum"}, {"executeMode", nullptr}}),
           "one.json");
  CliResult one = RunFerry({"run", "one.json", "--run-dir", "run1", "--summary-json",
                            "one.json.out", "--progress-interval", "0"},
                           dir_.path());
  ASSERT_EQ(one.exit_code, 0) << one.err;
  json one_verify = Summary("one.json.out")["verify"];
  json dist_verify = summary["verify"];
  one_verify.erase("elapsed_seconds");
  dist_verify.erase("elapsed_seconds");
  EXPECT_EQ(one_verify, dist_verify);

  // A postSql that deletes a row: the distributed run fails, saying what differs.
  SqliteExec(dir_ / "dst.db", "DELETE FROM t;");
  json job = Job("sqlite", {{"speed", {{"concurrent", 8}}}, {"verify", "checksum"}});
  job["steps"][1]["parameter"]["postSql"] = {"DELETE FROM t WHERE id = 17"};
  WriteJob(job);
  CliResult bad = RunFerry({"run", "job.json", "--hosts", "localhost:4,localhost:4", "--run-dir",
                            "run2", "--summary-json", "summary.json", "--progress-interval", "0"},
                           dir_.path());
  EXPECT_EQ(bad.exit_code, 1) << bad.err;
  EXPECT_THAT(bad.err, HasSubstr("Run FAILED: verify (checksum): the destination differs from "
                                 "the source: 1 missing, 0 extra, 0 duplicate, 0 changed"));
  json failed = Summary();
  EXPECT_EQ(failed["status"], "FAILED");
  EXPECT_EQ(failed["verify"]["status"], "DIFFERENT");
  EXPECT_EQ(failed["verify"]["missing"], 1);
  EXPECT_EQ(failed["verify"]["differences"][0]["key"], "id=17") << failed.dump(2);
  EXPECT_THAT(failed["error"].get<std::string>(), HasSubstr("1 missing"));
}

TEST_F(DistributeTest, CheckNamesTheSharedDirectoryAndTheResourceGroupARunNeeds) {
  setenv("FERRY_HOME", (dir_ / "home").c_str(), 1);
  WriteJob(Job("txtfile", {{"speed", {{"concurrent", 8}}}}));
  CliResult check = RunFerry({"check", "job.json"}, dir_.path());
  EXPECT_EQ(check.exit_code, 0) << check.err;
  // The note points at the writer's path, says why and what the run does; it is no warning.
  EXPECT_THAT(check.err, ::testing::ContainsRegex(
                             "job.json:[0-9]+:[0-9]+: note: steps\\[1\\]\\.parameter\\.path: "
                             "executeMode \"distribute\": every host writes its parts into " +
                             (dir_ / "out") + ", so it must be a directory every host shares"));
  EXPECT_THAT(check.err, HasSubstr("fails naming a host that does not"));
  EXPECT_EQ(RunFerry({"check", "--strict", "job.json"}, dir_.path()).exit_code, 0);
  // A one-machine job, or a writer without files, needs no note.
  CreateDestination();
  WriteJob(Job("sqlite", {{"speed", {{"concurrent", 8}}}}), "db.json");
  EXPECT_THAT(RunFerry({"check", "db.json"}, dir_.path()).err, ::testing::Not(HasSubstr("note:")));

  // --resource-group: "default" left undefined is this machine, enough for a one-machine job
  // but not for a distributed one; any other name must be defined.
  WriteJob(Job("txtfile", {{"speed", {{"concurrent", 8}}}, {"executeMode", nullptr}}), "one.json");
  EXPECT_EQ(RunFerry({"check", "one.json", "--resource-group", "default"}, dir_.path()).exit_code,
            0);
  CliResult dist_default =
      RunFerry({"check", "job.json", "--resource-group", "default"}, dir_.path());
  EXPECT_EQ(dist_default.exit_code, 2);
  EXPECT_THAT(dist_default.err,
              HasSubstr("resource group \"default\" is not defined, so it is this machine alone"));
  CliResult unknown = RunFerry({"check", "one.json", "--resource-group", "etl"}, dir_.path());
  EXPECT_EQ(unknown.exit_code, 2);
  EXPECT_THAT(unknown.err, HasSubstr("--resource-group etl: no resource group named 'etl'"));
  ASSERT_EQ(RunFerry({"resource-group", "add", "etl", "--hosts", "localhost:8"}).exit_code, 0);
  EXPECT_EQ(RunFerry({"check", "job.json", "--resource-group", "etl"}, dir_.path()).exit_code, 0);
  // ferry run takes "default" the same way.
  CliResult here = RunFerry({"run", "one.json", "--resource-group", "default", "--run-dir", "r1",
                             "--progress-interval", "0"},
                            dir_.path());
  EXPECT_EQ(here.exit_code, 0) << here.err;
  unsetenv("FERRY_HOME");
}

// The processes whose command line holds `text` (pgrep -f), as "pid command" lines.
std::string ProcessesNaming(const std::string& text, const std::string& out_path) {
  Process p = Start({"pgrep", "-a", "-f", "--", text}, out_path, "/");
  Wait(p);
  return p.output();
}

// `ferry ops stop` sends SIGTERM to the run's process group: `ferry run` alone (mpirun has its
// own group), which asks every rank to stop through mpirun (SIGUSR1, forwarded to every host).
TEST_F(DistributeTest, TheSchedulerRunsADistributeNodeOnItsResourceGroupAndStopReachesEveryRank) {
  setenv("FERRY_HOME", (dir_ / "home").c_str(), 1);
  ASSERT_EQ(
      RunFerry({"resource-group", "add", "etl", "--hosts", "localhost:4,localhost:4"}).exit_code,
      0);
  CreateDestination();
  WriteJob(Job("sqlite", {{"speed", {{"concurrent", 8}, {"record", 5000}}}}));
  const std::string store = dir_ / "scheduler.db";

  // A node naming a group that is not defined is refused at deploy, naming the node and field.
  WriteTextFile(dir_ / "schedule.yaml",
                "nodes:\n  - {name: copy, job: job.json, cron: \"0 1 * * *\", resource_group: "
                "nope}\n");
  CliResult refused = RunFerry({"deploy", dir_.path(), "--store", store});
  EXPECT_EQ(refused.exit_code, 2);
  EXPECT_THAT(refused.err, HasSubstr("schedule.yaml:2: node \"copy\": resource_group \"nope\": "
                                     "no resource group named 'nope'"));
  // So is a distribute node left in "default" while no group of that name is defined.
  WriteTextFile(dir_ / "schedule.yaml",
                "nodes:\n  - {name: copy, job: job.json, cron: \"0 1 * * *\"}\n");
  CliResult no_hosts = RunFerry({"deploy", dir_.path(), "--store", store});
  EXPECT_EQ(no_hosts.exit_code, 2);
  EXPECT_THAT(no_hosts.err, HasSubstr("resource group \"default\" is not defined"));

  WriteTextFile(dir_ / "schedule.yaml",
                "nodes:\n  - {name: copy, job: job.json, cron: \"0 1 * * *\", resource_group: "
                "etl}\n");
  CliResult deploy = RunFerry({"deploy", dir_.path(), "--store", store});
  ASSERT_EQ(deploy.exit_code, 0) << deploy.err;
  ASSERT_EQ(BackfillOneDate(store, "copy", "20251001"), 0);
  pid_t server =
      Spawn({"server", "--store", store, "--no-http", "--tick-ms", "20"}, dir_ / "server.log");
  json running = WaitForInstance(
      store, [](const json& in) { return in["state"] == "running" && in["pid"] != 0; });
  const std::string id = std::to_string(running["id"].get<int64_t>());
  const std::string run_dir = running["run_dir"];
  json hosts = AwaitRunning(run_dir, 2);
  ASSERT_FALSE(hosts.is_null()) << ReadTextFile(run_dir + "/../log.txt");
  EXPECT_THAT(ProcessesNaming(run_dir, dir_ / "pgrep.out"), HasSubstr("mpirun"));

  // ferry ops stop: every rank rolls back and ends; nothing of the run is left running.
  CliResult stop = RunFerry({"ops", "stop", id, "--store", store});
  EXPECT_EQ(stop.exit_code, 0) << stop.err;
  json stopped = WaitForInstance(store, [](const json& in) { return in["state"] != "running"; });
  EXPECT_EQ(stopped["state"], "stopped") << stopped.dump();
  EXPECT_EQ(stopped["exit_code"], 143) << stopped.dump();
  EXPECT_FALSE(Alive(hosts["coordinator"]["pid"].get<int>()));
  for (const auto& w : hosts["workers"]) EXPECT_FALSE(Alive(w["pid"].get<int>())) << w.dump();
  EXPECT_EQ(ProcessesNaming(run_dir, dir_ / "pgrep.out"), "") << "orphans of the stopped run";
  // The instance log holds the lines of every rank (mpirun forwards them): each one's start,
  // each one's stop (the coordinator and both workers got it), the coordinator's summary.
  std::string log = ReadTextFile(run_dir + "/../log.txt");
  EXPECT_THAT(log, HasSubstr("distributing over 2 hosts (localhost:4,localhost:4)"));
  EXPECT_THAT(log, HasSubstr(HostName() + " (rank 1): prepared in"));
  EXPECT_THAT(log, HasSubstr(HostName() + " (rank 2): prepared in"));
  EXPECT_EQ(Occurrences(log, "received signal 10 (User defined signal 1): stopping"), 3) << log;
  EXPECT_THAT(log, HasSubstr("Error                 : stopped by signal"));

  // The rerun resumes the run directory on the group's hosts: every row once.
  ASSERT_EQ(RunFerry({"ops", "rerun", id, "--store", store}).exit_code, 0);
  json done = WaitForInstance(store, [](const json& in) {
    return in["runs"] == 2 && (in["state"] == "succeeded" || in["state"] == "failed");
  });
  const std::string rerun_log = ReadTextFile(run_dir + "/../../run-2/log.txt");
  EXPECT_EQ(done["state"], "succeeded") << rerun_log;
  EXPECT_THAT(rerun_log, HasSubstr("distributing over 2 hosts"));
  EXPECT_EQ(DestinationCheck(), std::vector<std::string>{ExpectedCheck()});
  kill(server, SIGTERM);
  int status = 0;
  waitpid(server, &status, 0);
  unsetenv("FERRY_HOME");
}

TEST_F(DistributeTest, PostgresqlEveryHostReadsTheCoordinatorsSnapshot) {
  // The writer's preSql changes the source after the coordinator's reader took its snapshot and
  // before the workers prepare theirs: every host must still read the coordinator's snapshot,
  // as the channels of a one-host run do.
  PgTestSchema schema;
  PgExec("CREATE TABLE " + schema / "s" +
         " (id bigint PRIMARY KEY, v text);"
         "INSERT INTO " +
         schema / "s" +
         " SELECT i, 'before' FROM generate_series(1, 20000) i;"
         "CREATE TABLE " +
         schema / "d" + " (id bigint PRIMARY KEY, v text);");
  json conn = TestPgServer().ConnectionJson();
  json setting = {{"executeMode", "distribute"}, {"speed", {{"concurrent", 8}}}};
  json job = StepsJob(
      "postgresql",
      {{"connection", conn}, {"table", schema / "s"}, {"column", {"id", "v"}}, {"splitPk", "id"}},
      "postgresql",
      {{"connection", conn},
       {"table", schema / "d"},
       {"column", {"id", "v"}},
       {"preSql", {"UPDATE " + schema / "s" + " SET v = 'after'"}}},
      setting);
  WriteJob(job);
  Process p = Start(Mpirun(3, {"run", "job.json", "--run-dir", "run", "--summary-json",
                               "summary.json", "--progress-interval", "0"}),
                    dir_ / "mpirun.out", dir_.path());
  ASSERT_EQ(Wait(p), 0) << p.output();
  EXPECT_EQ(PgRows("SELECT v, count(*), count(DISTINCT id) FROM " + schema / "d" + " GROUP BY v"),
            std::vector<std::string>{"before|20000|20000"});
  for (const auto& h : Summary()["hosts"]) EXPECT_GT(h["splits"].get<int>(), 0);
}

TEST_F(DistributeTest, MysqlToPostgresqlOverTwoAndThreeWorkerRanks) {
  const std::string db = MariadbCreateDatabase("dist");
  MariadbExec(db, "CREATE TABLE s (id BIGINT PRIMARY KEY, v VARCHAR(40))");
  MariadbExec(db,
              "SET SESSION max_recursive_iterations = 100000; INSERT INTO s WITH RECURSIVE n(i) AS "
              "(SELECT 1 UNION ALL SELECT i + 1 FROM n "
              "WHERE i < 20000) SELECT i, CONCAT('value ', i) FROM n");
  PgTestSchema schema;
  PgExec("CREATE TABLE " + schema / "d" + " (id bigint PRIMARY KEY, v text);");
  json reader = {{"connection", MariadbConnectionJson(db)},
                 {"table", "s"},
                 {"column", {"id", "v"}},
                 {"splitPk", "id"}};
  json writer = {{"connection", TestPgServer().ConnectionJson()},
                 {"table", schema / "d"},
                 {"column", {"id", "v"}}};
  json setting = {{"executeMode", "distribute"}, {"speed", {{"concurrent", 8}}}};
  WriteJob(StepsJob("mysql", reader, "postgresql", writer, setting));
  for (int workers : {2, 3}) {
    SCOPED_TRACE(std::to_string(workers) + " workers");
    PgExec("TRUNCATE " + schema / "d");
    const std::string run = "run" + std::to_string(workers);
    Process p = Start(Mpirun(workers + 1, {"run", "job.json", "--run-dir", run, "--summary-json",
                                           "summary.json", "--progress-interval", "0"}),
                      dir_ / "mpirun.out", dir_.path());
    ASSERT_EQ(Wait(p), 0) << p.output();
    EXPECT_EQ(PgRows("SELECT count(*), count(DISTINCT id), sum(id) FROM " + schema / "d"),
              std::vector<std::string>{"20000|20000|200010000"});
    json hosts = Summary()["hosts"];
    EXPECT_EQ(hosts.size(), static_cast<size_t>(workers));
    for (const auto& h : hosts) EXPECT_GT(h["splits"].get<int>(), 0);
  }

  MariadbExec(db, "DROP DATABASE " + db);
}

TEST_F(DistributeTest, MysqlConsistentSnapshotIsOnePointInTimeOnEveryHost) {
  // While the run reads, every row's v is raised by one, all rows in one transaction, again and
  // again: the destination holds one v only if every split of every host read one moment.
  const std::string db = MariadbCreateDatabase("snap");
  MariadbExec(db, "CREATE TABLE s (id BIGINT PRIMARY KEY, v INT) ENGINE=InnoDB");
  MariadbExec(db,
              "SET SESSION max_recursive_iterations = 100000; INSERT INTO s WITH RECURSIVE n(i) "
              "AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 30000) SELECT i, 0 FROM n");
  PgTestSchema schema;
  PgExec("CREATE TABLE " + schema / "d" + " (id bigint PRIMARY KEY, v int);");
  json reader = {{"connection", MariadbConnectionJson(db)},
                 {"table", "s"},
                 {"column", {"id", "v"}},
                 {"splitPk", "id"},
                 {"consistentSnapshot", true}};
  json writer = {{"connection", TestPgServer().ConnectionJson()},
                 {"table", schema / "d"},
                 {"column", {"id", "v"}}};
  json setting = {{"executeMode", "distribute"}, {"speed", {{"concurrent", 8}, {"record", 12000}}}};
  WriteJob(StepsJob("mysql", reader, "postgresql", writer, setting));
  std::atomic<bool> done{false};
  std::atomic<int> updates{0};
  std::thread updater([&] {
    while (!done) {
      MariadbExec(db, "UPDATE s SET v = v + 1");
      ++updates;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  });
  Process p = Start(Mpirun(3, {"run", "job.json", "--run-dir", "run", "--summary-json",
                               "summary.json", "--progress-interval", "0"}),
                    dir_ / "mpirun.out", dir_.path());
  int code = Wait(p);
  done = true;
  updater.join();
  ASSERT_EQ(code, 0) << p.output();
  EXPECT_GT(updates.load(), 5);
  EXPECT_THAT(p.output(), HasSubstr("every host opened its snapshot"));
  EXPECT_EQ(PgRows("SELECT count(*), count(DISTINCT v) FROM " + schema / "d"),
            std::vector<std::string>{"30000|1"});
  for (const auto& h : Summary()["hosts"]) EXPECT_GT(h["splits"].get<int>(), 0);
  MariadbExec(db, "DROP DATABASE " + db);
}

TEST_F(DistributeTest, KilledWorkerOfAPostgresqlCopyResumesExactlyOnceByItsCommitMarkers) {
  PgTestSchema schema;
  PgExec("CREATE TABLE " + schema / "s" +
         " (id bigint PRIMARY KEY, v text);"
         "INSERT INTO " +
         schema / "s" + " SELECT i, 'value ' || i FROM generate_series(1, " +
         std::to_string(kRows) +
         ") i;"
         "CREATE TABLE " +
         schema / "d" + " (id bigint, v text);");  // no key: a duplicate shows
  json conn = TestPgServer().ConnectionJson();
  json setting = {{"executeMode", "distribute"}, {"speed", {{"concurrent", 8}, {"record", 15000}}}};
  WriteJob(StepsJob(
      "postgresql",
      {{"connection", conn}, {"table", schema / "s"}, {"column", {"id", "v"}}, {"splitPk", "id"}},
      "postgresql",
      {{"connection", conn},
       {"table", schema / "d"},
       {"column", {"id", "v"}},
       {"writeMode", "copy"}},
      setting));
  Process p = Start({FerryBinary(), "run", "job.json", "--hosts", "localhost:4,localhost:4",
                     "--run-dir", "run", "--progress-interval", "0"},
                    dir_ / "run.out", dir_.path());
  json hosts = AwaitRunning(dir_ / "run", 2);
  ASSERT_FALSE(hosts.is_null()) << p.output();
  const int worker = hosts["workers"][0]["pid"].get<int>();
  ASSERT_EQ(kill(worker, SIGKILL), 0);
  EXPECT_EQ(Wait(p, std::chrono::seconds(30)), 1) << p.output();
  EXPECT_THAT(p.output(), HasSubstr("(rank 1, pid " + std::to_string(worker) + ") died"));
  CliResult r = RunFerry(
      {"run", "--resume", "run", "--hosts", "localhost:4,localhost:4", "--progress-interval", "0"},
      dir_.path());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(PgRows("SELECT count(*), count(DISTINCT id), sum(id) FROM " + schema / "d"),
            std::vector<std::string>{ExpectedCheck()});
}

// Inside Slurm: a one-node cluster on this machine (scripts/slurm-test-cluster.sh: slurmctld and
// slurmd from Debian's slurm-wlm, with auth/none). srun starts the ranks itself (PMIx), and
// `ferry run` inside an allocation takes the allocation's nodes as its hosts.
class DistributeSlurmTest : public DistributeTest {
 protected:
  void SetUp() override {
    Process which =
        Start({"sh", "-c", "command -v slurmctld && command -v slurmd && command -v srun"},
              dir_ / "which.out", "/");
    if (Wait(which) != 0) {
      GTEST_SKIP() << "Slurm is not installed (apt-get install slurmctld slurmd slurm-client, as "
                      "scripts/install-deps.sh does): srun and salloc are not tested here";
    }
    // One test cluster on the machine at a time (CTest runs tests in parallel).
    lock_fd_ = open("/tmp/ferry-slurm-test.lock", O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    ASSERT_GE(lock_fd_, 0);
    ASSERT_EQ(flock(lock_fd_, LOCK_EX), 0);
    DistributeTest::SetUp();
    script_ = SourceDir() + "/scripts/slurm-test-cluster.sh";
    Process up = Start({"bash", script_, "start", dir_ / "slurm"}, dir_ / "slurm-up.out", "/");
    ASSERT_EQ(Wait(up), 0) << up.output();
    setenv("SLURM_CONF", (dir_ / "slurm/slurm.conf").c_str(), 1);
  }
  void TearDown() override {
    if (!script_.empty()) {
      Process down = Start({"bash", script_, "stop", dir_ / "slurm"}, dir_ / "slurm-down.out", "/");
      EXPECT_EQ(Wait(down), 0) << down.output();
      unsetenv("SLURM_CONF");
    }
    if (lock_fd_ >= 0) close(lock_fd_);
  }
  std::string script_;
  int lock_fd_ = -1;
};

TEST_F(DistributeSlurmTest, SrunStartsTheRanksAnAllocationsNodesAreTheHostsAndScancelStopsThem) {
  CreateDestination();
  WriteJob(Job("sqlite", {{"speed", {{"concurrent", 8}}}}));
  // srun --mpi=pmix: Slurm starts three ranks; rank 0 coordinates, ranks 1 and 2 work.
  Process srun =
      Start({"srun", "--mpi=pmix", "-n", "3", FerryBinary(), "run", "job.json", "--run-dir", "run",
             "--summary-json", "summary.json", "--progress-interval", "0"},
            dir_ / "srun.out", dir_.path());
  ASSERT_EQ(Wait(srun), 0) << srun.output();
  EXPECT_EQ(DestinationCheck(), std::vector<std::string>{ExpectedCheck()});
  json summary = Summary();
  EXPECT_EQ(summary["execute_mode"], "distribute");
  ASSERT_EQ(summary["hosts"].size(), 2u) << summary.dump(2);
  for (const auto& h : summary["hosts"]) EXPECT_GT(h["splits"].get<int64_t>(), 0);

  // ferry run inside `salloc -n 3`: the allocation's node (3 CPUs) is the host; ferry starts
  // mpirun over it.
  SqliteExec(dir_ / "dst.db", "DELETE FROM t;");
  Process salloc = Start({"salloc", "-n", "3", FerryBinary(), "run", "job.json", "--run-dir",
                          "run2", "--summary-json", "summary.json", "--progress-interval", "0"},
                         dir_ / "salloc.out", dir_.path());
  ASSERT_EQ(Wait(salloc), 0) << salloc.output();
  EXPECT_THAT(salloc.output(), HasSubstr("distributing over 1 hosts (" + HostName() + ":3)"));
  EXPECT_EQ(DestinationCheck(), std::vector<std::string>{ExpectedCheck()});
  EXPECT_EQ(Summary()["hosts"].size(), 1u);

  // scancel (SIGTERM to every task) stops every rank cleanly; the resume writes the rest.
  SqliteExec(dir_ / "dst.db", "DELETE FROM t;");
  WriteJob(Job("sqlite", {{"speed", {{"concurrent", 8}, {"record", 5000}}}}), "slow.json");
  Process slow = Start({"srun", "--mpi=pmix", "-n", "3", FerryBinary(), "run", "slow.json",
                        "--run-dir", "run3", "--progress-interval", "0"},
                       dir_ / "srun3.out", dir_.path());
  ASSERT_FALSE(AwaitRunning(dir_ / "run3", 2).is_null()) << slow.output();
  Process jobs = Start({"squeue", "-h", "-o", "%i"}, dir_ / "squeue.out", "/");
  ASSERT_EQ(Wait(jobs), 0) << jobs.output();
  Process cancel = Start({"scancel", jobs.output().substr(0, jobs.output().find('\n'))},
                         dir_ / "scancel.out", "/");
  EXPECT_EQ(Wait(cancel), 0) << cancel.output();
  EXPECT_NE(Wait(slow, std::chrono::seconds(30)), 0) << slow.output();
  EXPECT_THAT(slow.output(), HasSubstr("Error                 : stopped by signal"));
  CliResult r = RunFerry({"run", "--resume", "run3", "--progress-interval", "0"}, dir_.path());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(DestinationCheck(), std::vector<std::string>{ExpectedCheck()});
}

// Hosts as Linux network namespaces (scripts/netns-hosts.sh): their own addresses and names,
// reached by mpirun through `ip netns exec`; the coordinator stays on this machine.
class DistributeNetnsTest : public DistributeTest {
 protected:
  void SetUp() override {
    if (geteuid() != 0) GTEST_SKIP() << "network namespaces need root (run the suite as root)";
    // One set of namespace hosts on the machine at a time (CTest runs tests in parallel).
    lock_fd_ = open("/tmp/ferry-netns-hosts.lock", O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    ASSERT_GE(lock_fd_, 0);
    ASSERT_EQ(flock(lock_fd_, LOCK_EX), 0);
    DistributeTest::SetUp();
    script_ = SourceDir() + "/scripts/netns-hosts.sh";
    setenv("FERRY_NETNS_DIR", (dir_ / "netns").c_str(), 1);
    unsetenv("OMPI_MCA_btl_tcp_if_include");
    unsetenv("OMPI_MCA_oob_tcp_if_include");
    Process up = Start({"bash", script_, "up", "3"}, dir_ / "up.out", dir_.path());
    ASSERT_EQ(Wait(up), 0) << up.output();
  }
  void TearDown() override {
    if (!script_.empty()) {
      Process down = Start({"bash", script_, "down"}, dir_ / "down.out", dir_.path());
      EXPECT_EQ(Wait(down), 0) << down.output();
      setenv("OMPI_MCA_btl_tcp_if_include", "lo", 1);
      setenv("OMPI_MCA_oob_tcp_if_include", "lo", 1);
    }
    if (lock_fd_ >= 0) close(lock_fd_);  // releases the lock
  }
  // `ferry ARGS...` with the namespace hosts resolvable, as a user on this machine runs it.
  Process Ferry(std::vector<std::string> args, const std::string& out) {
    std::vector<std::string> all = {"bash", script_, "exec", "--", FerryBinary()};
    all.insert(all.end(), args.begin(), args.end());
    return Start(all, dir_ / out, dir_.path());
  }
  std::string script_;
  int lock_fd_ = -1;
};

TEST_F(DistributeNetnsTest, TwoAndThreeHostsWriteTheRowsOfOneHostAndALostHostIsNamed) {
  WriteJob(Job("txtfile", {{"speed", {{"concurrent", 8}}}}));
  for (std::string hosts : {"fh1:4,fh2:4", "fh1:4,fh2:4,fh3:4"}) {
    Process p = Ferry({"run", "job.json", "--hosts", hosts, "--run-dir", "run-" + hosts,
                       "--summary-json", "summary.json", "--progress-interval", "0"},
                      "run.out");
    ASSERT_EQ(Wait(p), 0) << p.output();
    json summary = Summary();
    EXPECT_EQ(summary["records_written"], kRows);
    const size_t n = hosts.size() > 12 ? 3 : 2;
    ASSERT_EQ(summary["hosts"].size(), n) << summary.dump(2);
    for (size_t k = 0; k < n; ++k) {
      EXPECT_EQ(summary["hosts"][k]["host"], "fh" + std::to_string(k + 1));
      EXPECT_GT(summary["hosts"][k]["splits"].get<int>(), 0) << summary.dump(2);
    }
    EXPECT_EQ(CountLines(dir_ / "out/t"), kRows);
  }

  // kill -9 of the ferry on host fh2: the job fails within seconds naming fh2; the resume on
  // the two other hosts writes every row once.
  CreateDestination();
  WriteJob(Job("sqlite", {{"speed", {{"concurrent", 8}, {"record", 15000}}}}));
  Process p = Ferry({"run", "job.json", "--hosts", "fh1:4,fh2:4,fh3:4", "--run-dir", "run",
                     "--summary-json", "summary.json", "--progress-interval", "0"},
                    "kill.out");
  json hosts = AwaitRunning(dir_ / "run", 3);
  ASSERT_FALSE(hosts.is_null()) << p.output();
  ASSERT_EQ(hosts["workers"][1]["host"], "fh2");
  const int victim = hosts["workers"][1]["pid"].get<int>();
  auto killed_at = Clock::now();
  ASSERT_EQ(kill(victim, SIGKILL), 0);
  EXPECT_EQ(Wait(p, std::chrono::seconds(30)), 1) << p.output();
  EXPECT_LT(std::chrono::duration<double>(Clock::now() - killed_at).count(), 10.0);
  EXPECT_THAT(p.output(),
              HasSubstr("host fh2 (rank 2, pid " + std::to_string(victim) + ") died: signal 9"));
  for (const auto& w : hosts["workers"]) EXPECT_FALSE(Alive(w["pid"].get<int>())) << w.dump();
  Process resume = Ferry({"run", "--resume", "run", "--hosts", "fh1:4,fh3:4", "--summary-json",
                          "summary.json", "--progress-interval", "0"},
                         "resume.out");
  ASSERT_EQ(Wait(resume), 0) << resume.output();
  EXPECT_EQ(DestinationCheck(), std::vector<std::string>{ExpectedCheck()});
  EXPECT_EQ(Summary()["records_written"], kRows);
}

TEST_F(DistributeNetnsTest, PostgresqlToPostgresqlOverThreeHostsThroughTheirOwnLinks) {
  // A server of its own, listening on the hosts' bridge too; every host reads and writes it
  // through its own link, with the password passed to it by mpirun.
  const std::string pg_dir = dir_ / "pg";
  ASSERT_EQ(chmod(dir_.path().c_str(), 0755), 0);  // the server runs as the postgres user
  setenv("PG_LISTEN", "127.0.0.1,10.213.7.1", 1);
  setenv("PG_ALLOW", "10.213.7.0/24", 1);
  Process up = Start({"bash", SourceDir() + "/scripts/pg-test-server.sh", "start", pg_dir},
                     dir_ / "pg.out", dir_.path());
  int started = Wait(up);
  unsetenv("PG_LISTEN");
  unsetenv("PG_ALLOW");
  ASSERT_EQ(started, 0) << up.output();
  const std::string port = ReadTextFile(pg_dir + "/port").substr(0, 5);
  setenv("PGPASSWORD", "ferry-test-secret", 1);
  auto psql = [&](const std::string& sql) {
    Process q = Start({"psql", "-X", "-q", "-At", "-v", "ON_ERROR_STOP=1", "-h", "127.0.0.1", "-p",
                       std::to_string(std::stoi(port)), "-U", "ferry", "-d", "ferry", "-c", sql},
                      dir_ / "psql.out", dir_.path());
    EXPECT_EQ(Wait(q), 0) << q.output();
    return q.output();
  };
  psql(
      "CREATE TABLE s (id bigint PRIMARY KEY, v text); CREATE TABLE d (id bigint, v text);"
      "INSERT INTO s SELECT i, md5(i::text) FROM generate_series(1, " +
      std::to_string(kRows) + ") i;");
  setenv("NETNS_PG_PW", "ferry-test-secret", 1);
  setenv("FERRY_FORWARD_ENV", "NETNS_PG_PW", 1);
  unsetenv("PGPASSWORD");  // the hosts get the job's password variable only
  json conn = {{"host", "10.213.7.1"},
               {"port", std::stoi(port)},
               {"database", "ferry"},
               {"user", "ferry"},
               {"passwordEnv", "NETNS_PG_PW"}};
  WriteJob(
      StepsJob("postgresql",
               {{"connection", conn}, {"table", "s"}, {"column", {"id", "v"}}, {"splitPk", "id"}},
               "postgresql", {{"connection", conn}, {"table", "d"}, {"column", {"id", "v"}}},
               {{"executeMode", "distribute"}, {"speed", {{"concurrent", 9}}}}));
  Process p = Ferry({"run", "job.json", "--hosts", "fh1:3,fh2:3,fh3:3", "--run-dir", "run",
                     "--summary-json", "summary.json", "--progress-interval", "0"},
                    "run.out");
  int code = Wait(p);
  setenv("PGPASSWORD", "ferry-test-secret", 1);
  std::string rows = psql("SELECT count(*), count(DISTINCT id), sum(id) FROM d");
  Process down = Start({"bash", SourceDir() + "/scripts/pg-test-server.sh", "stop", pg_dir},
                       dir_ / "pgstop.out", dir_.path());
  EXPECT_EQ(Wait(down), 0);
  unsetenv("PGPASSWORD");
  unsetenv("FERRY_FORWARD_ENV");
  ASSERT_EQ(code, 0) << p.output();
  EXPECT_EQ(rows, ExpectedCheck() + "\n");
  json summary = Summary();
  ASSERT_EQ(summary["hosts"].size(), 3u);
  for (size_t k = 0; k < 3; ++k) {
    EXPECT_EQ(summary["hosts"][k]["host"], "fh" + std::to_string(k + 1));
    EXPECT_GT(summary["hosts"][k]["splits"].get<int>(), 0);
  }
}

TEST_F(DistributeNetnsTest, AHostThatDoesNotShareTheOutputDirectoryIsRefused) {
  WriteJob(Job("txtfile", {{"speed", {{"concurrent", 8}}}}));
  ASSERT_TRUE(std::filesystem::create_directories(dir_ / "out"));
  WriteTextFile(dir_ / "out/t", "old output\n");  // writeMode truncate would remove it
  setenv("FERRY_NETNS_UNSHARED", ("fh2:" + (dir_ / "out")).c_str(), 1);
  Process p = Ferry(
      {"run", "job.json", "--hosts", "fh1:4,fh2:4", "--run-dir", "run", "--progress-interval", "0"},
      "run.out");
  int code = Wait(p);
  unsetenv("FERRY_NETNS_UNSHARED");
  // Refused before anything is written: the old output is still there, no part, no run to
  // resume (exit 2: the hosts do not fit the job).
  EXPECT_EQ(code, 2) << p.output();
  EXPECT_THAT(p.output(), ::testing::ContainsRegex(
                              "job.json:[0-9]+:[0-9]+: steps\\[1\\]\\.parameter\\.path: host fh2 "
                              "\\(rank 2\\) does not see the directory " +
                              (dir_ / "out") + " as this host does"));
  EXPECT_THAT(p.output(), HasSubstr("must be a directory every host shares (NFS or similar); "
                                    "nothing was written"));
  EXPECT_EQ(ReadTextFile(dir_ / "out/t"), "old output\n");
  EXPECT_FALSE(FileExists(dir_ / "run/plan.json"));
  std::vector<std::string> left;
  for (const auto& e : std::filesystem::directory_iterator(dir_ / "out")) {
    left.push_back(e.path().filename());
  }
  EXPECT_THAT(left, ::testing::ElementsAre("t")) << "the probe file is removed";
  // The same hosts without the private mount: the run goes through.
  Process ok = Ferry({"run", "job.json", "--hosts", "fh1:4,fh2:4", "--run-dir", "run-ok",
                      "--progress-interval", "0"},
                     "ok.out");
  ASSERT_EQ(Wait(ok), 0) << ok.output();
  EXPECT_EQ(CountLines(dir_ / "out/t"), kRows);
}

}  // namespace
}  // namespace ferry::testing
