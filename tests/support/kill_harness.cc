#include "tests/support/kill_harness.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <random>
#include <thread>

#include "tests/support/ferry_cli.h"

extern char** environ;

namespace ferry::testing {
namespace {

using Clock = std::chrono::steady_clock;

// Waits for `pid` until `deadline`; nullopt when it is still running then.
std::optional<int> WaitUntil(pid_t pid, Clock::time_point deadline) {
  for (;;) {
    int status = 0;
    pid_t r = waitpid(pid, &status, WNOHANG);
    if (r == pid) return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    if (r < 0) return -1;
    if (Clock::now() >= deadline) return std::nullopt;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

}  // namespace

KilledRun RunFerryKilled(const std::vector<std::string>& args, const std::vector<std::string>& env,
                         std::optional<std::chrono::milliseconds> kill_after, int signal,
                         std::chrono::seconds timeout) {
  TempDir io;
  const std::string err_path = io / "err";
  std::vector<std::string> argv_s = {FerryBinary()};
  argv_s.insert(argv_s.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (std::string& s : argv_s) argv.push_back(s.data());
  argv.push_back(nullptr);
  std::vector<std::string> env_s;
  for (char** e = environ; *e != nullptr; ++e) {
    if (std::string_view(*e).starts_with("FERRY_FAULT=")) continue;
    env_s.emplace_back(*e);
  }
  env_s.insert(env_s.end(), env.begin(), env.end());
  std::vector<char*> envp;
  for (std::string& s : env_s) envp.push_back(s.data());
  envp.push_back(nullptr);

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, err_path.c_str(),
                                   O_WRONLY | O_CREAT | O_TRUNC, 0644);
  KilledRun run;
  pid_t pid = 0;
  int rc = posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) return run;
  const auto start = Clock::now();
  std::optional<int> code;
  if (kill_after) {
    code = WaitUntil(pid, start + *kill_after);
    if (!code) {
      kill(pid, signal);
      run.killed = signal == SIGKILL;
    }
  }
  if (!code) code = WaitUntil(pid, start + timeout);
  if (!code) {
    kill(pid, SIGKILL);
    waitpid(pid, nullptr, 0);
    code = -1;
  }
  run.exit_code = *code;
  if (run.exit_code == 128 + SIGKILL) run.killed = true;
  run.err = ReadTextFile(err_path);
  return run;
}

KillOutcome RunUntilDone(const std::string& job, const std::string& run_dir, const KillPlan& plan,
                         const std::vector<std::string>& extra_args) {
  std::mt19937 random(plan.seed);
  auto delay = [&] {
    return std::chrono::milliseconds(std::uniform_int_distribution<int64_t>(
        0, std::max<int64_t>(plan.max_kill_delay.count() - 1, 0))(random));
  };
  KillOutcome out;
  bool fresh = true;
  for (out.rounds = 1; out.rounds <= plan.max_rounds; ++out.rounds) {
    std::vector<std::string> env = plan.env;
    std::optional<std::chrono::milliseconds> kill_after;
    if (out.rounds == 1 && !plan.fault.empty()) {
      env.push_back("FERRY_FAULT=" + plan.fault);
    } else if (out.rounds == 1 ||
               std::uniform_real_distribution<double>(0, 1)(random) < plan.resume_kill_chance) {
      kill_after = delay();
    }
    std::vector<std::string> args = {"run"};
    if (fresh) {
      args.insert(args.end(), {job, "--run-dir", run_dir});
    } else {
      args.insert(args.end(), {"--resume", run_dir});
    }
    args.insert(args.end(), {"--progress-interval", "0"});
    args.insert(args.end(), extra_args.begin(), extra_args.end());
    const int signal = std::uniform_real_distribution<double>(0, 1)(random) < plan.sigterm_chance
                           ? SIGTERM
                           : SIGKILL;
    KilledRun run = RunFerryKilled(args, env, kill_after, signal);
    out.final_exit = run.exit_code;
    out.last_err = run.err;
    out.history +=
        (fresh ? "run" : "resume") +
        std::string(kill_after ? (signal == SIGTERM ? " (SIGTERM after " : " (SIGKILL after ") +
                                     std::to_string(kill_after->count()) + " ms)"
                               : "") +
        (out.rounds == 1 && !plan.fault.empty() ? " FERRY_FAULT=" + plan.fault : "") + ": exit " +
        std::to_string(run.exit_code) + "\n";
    if (run.killed) ++out.kills;
    if (run.exit_code == 128 + SIGTERM) ++out.stops;
    if (run.exit_code == 0) return out;
    if (!run.killed && run.exit_code != 1 && run.exit_code < 128) {
      out.history += run.err;
      return out;  // an error no resume mends: the test reports it
    }
    fresh = !std::filesystem::exists(run_dir + "/plan.json");
  }
  return out;
}

void ReportOutcome(const std::string& writer, const std::string& fault, uint32_t seed,
                   const KillOutcome& outcome, bool exact) {
  std::printf("[exactly-once] writer=%s fault=%s seed=%u kills=%d stops=%d rounds=%d result=%s\n",
              writer.c_str(), fault.empty() ? "random" : fault.c_str(), seed, outcome.kills,
              outcome.stops, outcome.rounds, exact ? "exact" : "VIOLATION");
  std::fflush(stdout);
}

uint32_t SoakSeed(uint32_t default_seed) {
  const char* s = std::getenv("FERRY_SOAK_SEED");
  return s != nullptr ? static_cast<uint32_t>(std::strtoul(s, nullptr, 10)) : default_seed;
}

int SoakRuns(int default_runs) {
  const char* s = std::getenv("FERRY_SOAK_RUNS");
  return s != nullptr ? std::max(1, std::atoi(s)) : default_runs;
}

}  // namespace ferry::testing
