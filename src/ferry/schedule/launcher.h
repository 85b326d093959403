// Launcher: starts the `ferry run` child of an instance and watches it. The process launcher
// spawns each child in its own process group with its output in a log file, so a crashing job
// cannot take the scheduler down and a stop reaches the whole job. Tests use a fake.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "ferry/common/status.h"
#include "ferry/schedule/cron.h"

namespace ferry {

// Where the scheduler gets the time from; tests set it by hand.
class Clock {
 public:
  virtual ~Clock() = default;
  virtual SysSeconds Now() const = 0;
};

class SystemClock : public Clock {
 public:
  SysSeconds Now() const override {
    return std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
  }
};

struct LaunchRequest {
  std::vector<std::string> argv;  // argv[0] is the program
  std::string cwd;
  std::string log_path;  // stdout and stderr, appended
  // The program watches SIGINT and SIGTERM itself (`ferry run`): it starts with them blocked, so
  // a stop that arrives while it is still starting stays pending until its watcher takes it,
  // instead of killing it before it can roll back and write its summary.
  bool watches_stop_signals = false;
};

struct ProcessId {
  int64_t pid = 0;
  int64_t start = 0;  // start time in clock ticks since boot (/proc/PID/stat field 22)
};

// What became of a started process.
struct ProcessExit {
  bool exited = false;           // false: still running
  std::optional<int> exit_code;  // 128+N for a signal; nullopt when not ours to wait for
};

class Launcher {
 public:
  virtual ~Launcher() = default;
  virtual Result<ProcessId> Start(const LaunchRequest& request) = 0;
  // Works for children of this process and for processes adopted after a restart (then the
  // exit code is unknown).
  virtual ProcessExit Poll(const ProcessId& process) = 0;
  // Sends `sig` to the process group, when that process is still the one we started.
  virtual Status Signal(const ProcessId& process, int sig) = 0;
  // The running `ferry run` whose command line names `run_dir` (after a crash before its pid
  // was kept); not the mpirun or the ranks of a distributed run.
  virtual std::optional<ProcessId> FindByRunDir(const std::string& run_dir) = 0;
};

class ProcessLauncher : public Launcher {
 public:
  Result<ProcessId> Start(const LaunchRequest& request) override;
  ProcessExit Poll(const ProcessId& process) override;
  Status Signal(const ProcessId& process, int sig) override;
  std::optional<ProcessId> FindByRunDir(const std::string& run_dir) override;
};

// The start time of a live, non-zombie process; nullopt when there is none.
std::optional<int64_t> ProcessStartTime(int64_t pid);
// This host's name (where the processes a ProcessLauncher starts live).
std::string ThisHostName();

}  // namespace ferry
