// Kill-and-resume harness for the exactly-once tests (issue 10, DESIGN 6): runs `ferry run` with
// a fault point armed (FERRY_FAULT) or a SIGKILL at a random moment, then `ferry run --resume`
// — itself killed at random — until the run finishes, as a user or the scheduler would. Every
// choice comes from one seed, so a failing case can be replayed.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace ferry::testing {

struct KilledRun {
  int exit_code = -1;   // 128 + signal when killed
  bool killed = false;  // by the harness's timer or a fault point
  std::string err;
};

// Runs build/ferry with `args` and `env` ("NAME=value") added to this process's environment;
// sends it `signal` after `kill_after` when given and still running; gives up (SIGKILL, exit
// -1) after `timeout`.
KilledRun RunFerryKilled(const std::vector<std::string>& args, const std::vector<std::string>& env,
                         std::optional<std::chrono::milliseconds> kill_after, int signal = 9,
                         std::chrono::seconds timeout = std::chrono::seconds(180));

struct KillPlan {
  std::string fault;  // FERRY_FAULT of the first run; empty: a random kill instead
  uint32_t seed = 1;
  std::chrono::milliseconds max_kill_delay{1500};  // random kills land in [0, this)
  double resume_kill_chance = 0.4;                 // of each resume being killed too
  double sigterm_chance = 0.25;  // of a random kill being SIGTERM (a clean stop) not SIGKILL
  int max_rounds = 25;
  std::vector<std::string> env;  // for every run
};

struct KillOutcome {
  int kills = 0;         // runs that died by SIGKILL
  int stops = 0;         // runs stopped by SIGTERM (exit 143)
  int rounds = 0;        // runs started, the first included
  int final_exit = -1;   // of the last run (0 when it finished)
  std::string last_err;  // its stderr
  std::string history;   // one line per run, for failure messages
};

// `ferry run JOB --run-dir RUN_DIR` under `plan`, then resumes until exit 0 or max_rounds. A
// run killed before it planned (no plan.json) is started again, not resumed.
KillOutcome RunUntilDone(const std::string& job, const std::string& run_dir, const KillPlan& plan,
                         const std::vector<std::string>& extra_args = {});

// Prints one line a soak report counts: "[exactly-once] writer=W fault=F seed=S kills=K
// rounds=R result=exact|VIOLATION" (scripts/fault-soak.sh sums them up).
void ReportOutcome(const std::string& writer, const std::string& fault, uint32_t seed,
                   const KillOutcome& outcome, bool exact);

// The seed and round count for a test: FERRY_SOAK_SEED / FERRY_SOAK_RUNS when set (the long
// run of scripts/fault-soak.sh), else `default_seed` / `default_runs` (the CTest subset).
uint32_t SoakSeed(uint32_t default_seed);
int SoakRuns(int default_runs);

}  // namespace ferry::testing
