#include "ferry/schedule/launcher.h"

#include <dirent.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <thread>

#include "ferry/common/numbers.h"

extern char** environ;

namespace ferry {

namespace {

struct ProcStat {
  char state = '?';
  int64_t start = 0;
};

// /proc/PID/stat's state (field 3) and start time (field 22); nullopt when it cannot be read.
std::optional<ProcStat> ReadProcStat(int64_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  size_t paren = text.rfind(')');
  if (paren == std::string::npos || paren + 2 > text.size()) return std::nullopt;
  std::istringstream fields(text.substr(paren + 2));
  std::vector<std::string> f;
  for (std::string field; fields >> field;) f.push_back(field);
  if (f.size() < 20 || f[0].empty()) return std::nullopt;
  Result<int64_t> start = ParseInt64(f[19], "start time");
  if (!start.ok()) return std::nullopt;
  return ProcStat{f[0][0], *start};
}

}  // namespace

std::optional<int64_t> ProcessStartTime(int64_t pid) {
  std::optional<ProcStat> stat = ReadProcStat(pid);
  if (!stat || stat->state == 'Z' || stat->state == 'X') return std::nullopt;
  return stat->start;
}

std::string ThisHostName() {
  char host[256] = {};
  gethostname(host, sizeof host - 1);
  return host;
}

Result<ProcessId> ProcessLauncher::Start(const LaunchRequest& request) {
  posix_spawn_file_actions_t actions;
  posix_spawnattr_t attr;
  posix_spawn_file_actions_init(&actions);
  posix_spawnattr_init(&attr);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 1, request.log_path.c_str(),
                                   O_WRONLY | O_CREAT | O_APPEND, 0644);
  posix_spawn_file_actions_adddup2(&actions, 1, 2);
  // The child must not hold the store or the server's socket open after the server dies.
  posix_spawn_file_actions_addclosefrom_np(&actions, 3);
  if (!request.cwd.empty()) posix_spawn_file_actions_addchdir_np(&actions, request.cwd.c_str());
  posix_spawnattr_setflags(&attr,
                           POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
  posix_spawnattr_setpgroup(&attr, 0);
  sigset_t mask, all;
  sigemptyset(&mask);
  if (request.watches_stop_signals) {
    sigaddset(&mask, SIGINT);
    sigaddset(&mask, SIGTERM);
  }
  sigfillset(&all);
  posix_spawnattr_setsigmask(&attr, &mask);
  posix_spawnattr_setsigdefault(&attr, &all);
  std::vector<char*> argv;
  for (const std::string& a : request.argv) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  pid_t pid = 0;
  int rc = posix_spawn(&pid, argv[0], &actions, &attr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  if (rc != 0) {
    return Status::IOError(fmt::format("cannot start {}: {}", request.argv[0], std::strerror(rc)));
  }
  // Right after posix_spawn the child may still be inside exec, when /proc/PID/stat can read
  // empty; its start time is kept from the moment it reads (it does not change with exec).
  std::optional<ProcStat> stat;
  for (int i = 0; i < 200 && !stat; ++i) {
    stat = ReadProcStat(pid);
    if (!stat) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return ProcessId{pid, stat ? stat->start : 0};
}

ProcessExit ProcessLauncher::Poll(const ProcessId& process) {
  int status = 0;
  pid_t r = waitpid(static_cast<pid_t>(process.pid), &status, WNOHANG);
  if (r == 0) return {};
  if (r == process.pid) {
    if (WIFEXITED(status)) return {true, WEXITSTATUS(status)};
    if (WIFSIGNALED(status)) return {true, 128 + WTERMSIG(status)};
    return {};
  }
  // Not our child (adopted after a restart): it runs while its pid holds the same start time.
  std::optional<int64_t> start = ProcessStartTime(process.pid);
  if (start && (process.start == 0 || *start == process.start)) return {};
  return {true, std::nullopt};
}

Status ProcessLauncher::Signal(const ProcessId& process, int sig) {
  std::optional<int64_t> start = ProcessStartTime(process.pid);
  if (!start || (process.start != 0 && *start != process.start)) {
    return Status::NotFound(fmt::format("process {} is no longer running", process.pid));
  }
  if (kill(static_cast<pid_t>(-process.pid), sig) != 0 &&
      kill(static_cast<pid_t>(process.pid), sig) != 0) {
    return Status::IOError(
        fmt::format("cannot signal process {}: {}", process.pid, std::strerror(errno)));
  }
  return Status::OK();
}

std::optional<ProcessId> ProcessLauncher::FindByRunDir(const std::string& run_dir) {
  DIR* proc = opendir("/proc");
  if (!proc) return std::nullopt;
  std::optional<ProcessId> found;
  while (dirent* e = readdir(proc)) {
    char* end = nullptr;
    long pid = std::strtol(e->d_name, &end, 10);
    if (*end != '\0' || pid <= 0) continue;
    std::ifstream in(std::string("/proc/") + e->d_name + "/cmdline");
    std::string cmdline((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    std::vector<std::string> args;
    std::string arg;
    for (char c : cmdline) {
      if (c == '\0') {
        args.push_back(arg);
        arg.clear();
      } else {
        arg += c;
      }
    }
    // The mpirun and the ranks of a distributed run name its run directory too; the run is
    // the `ferry run` that started them (theirs is the only command line with --dist-weights).
    if (std::find(args.begin(), args.end(), "--dist-weights") != args.end()) continue;
    for (size_t i = 0; i + 1 < args.size(); ++i) {
      if ((args[i] == "--run-dir" || args[i] == "--resume") && args[i + 1] == run_dir) {
        if (auto start = ProcessStartTime(pid)) found = ProcessId{pid, *start};
      }
    }
    if (found) break;
  }
  closedir(proc);
  return found;
}

}  // namespace ferry
