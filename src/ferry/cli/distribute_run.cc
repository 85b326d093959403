#include "ferry/cli/distribute_run.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <poll.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <regex>
#include <sstream>

#include "ferry/cli/commands.h"
#include "ferry/common/log.h"
#include "ferry/datasource/datasource_store.h"
#include "ferry/datasource/resource_group_store.h"
#include "ferry/dist/hosts.h"
#include "ferry/dist/launch.h"
#include "ferry/dist/mpi/mpi_transport.h"
#include "ferry/exec/distributed_runner.h"
#include "ferry/exec/run_dir.h"
#include "ferry/exec/run_steps.h"

namespace ferry {
namespace {

const char* Getenv(const char* name) { return std::getenv(name); }

std::string LocalHostName() {
  char name[256] = {};
  if (::gethostname(name, sizeof(name) - 1) != 0) return "localhost";
  return name;
}

// A run of several ranks: this process is one of them.
std::optional<MpiLaunch> DistributedLaunch() {
  auto launch = MpiLaunchFromEnv(Getenv);
  if (!launch || launch->size < 2) return std::nullopt;
  return launch;
}

Result<std::unique_ptr<MpiTransport>> OpenTransport() {
  auto transport = MpiTransport::Open();
  if (!transport.ok()) {
    return transport.status().WithPrefix(
        "cannot join the distributed run (MPI_Init; inside Slurm start ranks with `srun "
        "--mpi=pmix`: Debian's Open MPI has no PMI-2)");
  }
  return transport;
}

std::vector<double> ParseWeights(const std::string& text) {
  std::vector<double> out;
  std::stringstream in(text);
  for (std::string item; std::getline(in, item, ',');) {
    char* end = nullptr;
    double w = std::strtod(item.c_str(), &end);
    out.push_back(end != item.c_str() && w > 0 ? w : 1.0);
  }
  return out;
}

// The hosts of resource group `name`, for a distributed run: "default" too must be defined.
Result<std::vector<HostSlots>> GroupHosts(const std::string& name) {
  ASSIGN_OR_RETURN(auto group, ResolveResourceGroup(DataSourceStore::DefaultHome(), name));
  if (group) return std::move(group->hosts);
  return Status::InvalidArgument(
      fmt::format("resource group \"{}\" is not defined, so it is this machine alone; executeMode "
                  "\"distribute\" runs over the hosts of a resource group: add them with `ferry "
                  "resource-group add {} --hosts h1:4,h2:4`, or name another group",
                  name, name));
}

// The hosts the flags name, else the Slurm allocation's; nullopt when neither says any.
Result<std::optional<std::vector<HostSlots>>> ResolveHosts(const DistributeFlags& flags) {
  using Hosts = std::optional<std::vector<HostSlots>>;
  if (int named = !flags.resource_group.empty() + !flags.hosts.empty() + !flags.hostfile.empty();
      named > 1) {
    return Status::InvalidArgument("give one of --resource-group, --hosts, --hostfile");
  }
  if (!flags.hosts.empty()) {
    ASSIGN_OR_RETURN(auto hosts, ParseHostList(flags.hosts));
    return Hosts(std::move(hosts));
  }
  if (!flags.hostfile.empty()) {
    ASSIGN_OR_RETURN(auto hosts, ReadHostfile(flags.hostfile));
    return Hosts(std::move(hosts));
  }
  if (!flags.resource_group.empty()) {
    ASSIGN_OR_RETURN(auto hosts, GroupHosts(flags.resource_group));
    return Hosts(std::move(hosts));
  }
  return SlurmAllocationHosts(Getenv);
}

// This command's own arguments from "run" on, as every rank gets them: without the flags that
// choose hosts (the ranks are the hosts).
std::vector<std::string> RankArguments() {
  std::ifstream in("/proc/self/cmdline", std::ios::binary);
  std::vector<std::string> all;
  for (std::string arg; std::getline(in, arg, '\0');) all.push_back(arg);
  std::vector<std::string> out;
  bool in_run = false;
  for (size_t i = 1; i < all.size(); ++i) {
    const std::string& a = all[i];
    if (!in_run) {
      in_run = a == "run";
      if (in_run) out.push_back(a);
      continue;
    }
    if (a == "--print-launch") continue;
    bool skip = false, value_follows = false;
    for (const std::string flag : {"--resource-group", "--hosts", "--hostfile", "--dist-weights"}) {
      if (a == flag) skip = value_follows = true;
      if (a.rfind(flag + "=", 0) == 0) skip = true;
    }
    if (skip) {
      if (value_follows) ++i;
      continue;
    }
    out.push_back(a);
  }
  return out;
}

// What every host needs from this environment: Ferry's home (data sources), the time zone,
// the password variables the data sources refer to, and FERRY_FORWARD_ENV's list.
std::vector<std::string> ForwardedEnv() {
  std::vector<std::string> names = {"FERRY_HOME", "TZ", "PGPASSWORD", "MYSQL_PWD"};
  DataSourceStore store(DataSourceStore::DefaultHome());
  if (store.Load().ok()) {
    for (const DataSourceEntry& e : store.entries()) {
      if (!e.password_env.empty()) names.push_back(e.password_env);
    }
  }
  if (const char* extra = Getenv("FERRY_FORWARD_ENV")) {
    std::stringstream in(extra);
    for (std::string name; std::getline(in, name, ',');) names.push_back(name);
  }
  std::vector<std::string> set;
  for (const std::string& n : names) {
    if (!n.empty() && Getenv(n.c_str()) != nullptr &&
        std::find(set.begin(), set.end(), n) == set.end()) {
      set.push_back(n);
    }
  }
  return set;
}

std::vector<std::string> SplitWords(const char* text) {
  std::vector<std::string> out;
  if (text == nullptr) return out;
  std::stringstream in(text);
  for (std::string w; in >> w;) out.push_back(w);
  return out;
}

std::string SelfExe() {
  char path[4096] = {};
  ssize_t n = ::readlink("/proc/self/exe", path, sizeof(path) - 1);
  return n > 0 ? std::string(path, static_cast<size_t>(n)) : "ferry";
}

struct MpirunResult {
  int exit_code = 0;
  std::string output;  // its stderr, as echoed
  int killed_by = 0;   // the signal that ended mpirun itself, if one did
  pid_t pid = 0;
};

// How a stop request reaches the ranks: SIGUSR1 to mpirun, which forwards it to every rank on
// every host (each stops cleanly: rollback, the coordinator's summary). A run still there
// after kCleanStopLimit gets SIGTERM (mpirun kills its ranks: SIGTERM, SIGKILL a second
// later), and after kKillLimit SIGKILL.
constexpr auto kCleanStopLimit = std::chrono::seconds(30);
constexpr auto kKillLimit = std::chrono::seconds(40);

class MpirunStopper {
 public:
  explicit MpirunStopper(pid_t pid) : pid_(pid) {}

  // Called while mpirun runs: passes a stop request on, and escalates it as time goes by.
  void Tick(const std::stop_token& stop) {
    if (!stop.stop_requested()) return;
    const auto now = std::chrono::steady_clock::now();
    if (!asked_) {
      asked_ = true;
      asked_at_ = now;
      LogInfo(
          "stopping the distributed run: every rank is asked to stop (SIGUSR1 through "
          "mpirun)");
      ::kill(pid_, SIGUSR1);
    } else if (!terminated_ && now - asked_at_ >= kCleanStopLimit) {
      terminated_ = true;
      LogWarn("the ranks did not stop within {} s: mpirun ends them (SIGTERM)",
              kCleanStopLimit.count());
      ::kill(pid_, SIGTERM);
    } else if (!killed_ && now - asked_at_ >= kKillLimit) {
      killed_ = true;
      LogWarn("mpirun did not end: SIGKILL");
      ::kill(-pid_, SIGKILL);
    }
  }

 private:
  const pid_t pid_;
  bool asked_ = false;
  std::chrono::steady_clock::time_point asked_at_;
  bool terminated_ = false;
  bool killed_ = false;
};

// Echoes what mpirun wrote to `fd` to our stderr, keeping it (the last few MB); returns what
// read(2) returned.
ssize_t EchoOutput(int fd, std::string* kept) {
  char buf[4096];
  ssize_t n = ::read(fd, buf, sizeof(buf));
  if (n <= 0) return n;
  (void)!::write(STDERR_FILENO, buf, static_cast<size_t>(n));
  kept->append(buf, static_cast<size_t>(n));
  if (kept->size() > (4u << 20)) kept->erase(0, 1u << 20);
  return n;
}

// Runs mpirun, its stderr echoed to ours and kept. mpirun runs in its own process group, so
// that a signal to ours (the scheduler stops a run so) reaches this process alone, which
// stops the ranks cleanly (MpirunStopper); mpirun dies with this process (and takes its ranks
// with it).
MpirunResult RunMpirun(const std::vector<std::string>& argv, std::stop_token stop) {
  std::vector<char*> cargv;
  for (const std::string& a : argv) cargv.push_back(const_cast<char*>(a.c_str()));
  cargv.push_back(nullptr);
  int fds[2];
  MpirunResult result;
  if (::pipe2(fds, O_CLOEXEC) != 0) {
    result.exit_code = kExitFailed;
    result.output = std::string("cannot start mpirun: ") + std::strerror(errno);
    return result;
  }
  const pid_t parent = ::getpid();
  pid_t pid = ::fork();
  if (pid == 0) {
    ::setpgid(0, 0);
    ::prctl(PR_SET_PDEATHSIG, SIGTERM);
    if (::getppid() != parent) ::_exit(1);
    sigset_t none;
    sigemptyset(&none);
    ::pthread_sigmask(SIG_SETMASK, &none, nullptr);  // SignalWatcher blocked them
    ::dup2(fds[1], STDERR_FILENO);
    ::execvp(cargv[0], cargv.data());
    const char* msg = "ferry: cannot start mpirun (install openmpi-bin, or set FERRY_MPIRUN)\n";
    (void)!::write(STDERR_FILENO, msg, std::strlen(msg));
    ::_exit(127);
  }
  ::close(fds[1]);
  if (pid < 0) {
    ::close(fds[0]);
    result.exit_code = kExitFailed;
    result.output = std::string("cannot start mpirun: ") + std::strerror(errno);
    return result;
  }
  result.pid = pid;
  ::setpgid(pid, pid);  // also here: a signal may come before the child ran setpgid
  MpirunStopper stopper(pid);
  bool open = true;
  int status = 0;
  for (;;) {
    stopper.Tick(stop);
    pollfd p{fds[0], POLLIN, 0};
    // Once mpirun closed its end, poll only waits (100 ms) for it to end.
    if (::poll(open ? &p : nullptr, open ? 1 : 0, 100) > 0) {
      ssize_t n = EchoOutput(fds[0], &result.output);
      open = n > 0 || (n < 0 && errno == EINTR);
    }
    pid_t done = ::waitpid(pid, &status, WNOHANG);
    if (done == pid || (done < 0 && errno != EINTR)) break;
  }
  // What mpirun wrote just before it ended; its ranks may still hold the pipe: do not wait.
  ::fcntl(fds[0], F_SETFL, O_NONBLOCK);
  while (open && EchoOutput(fds[0], &result.output) > 0) {
  }
  ::close(fds[0]);
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  if (WIFSIGNALED(status)) result.killed_by = WTERMSIG(status);
  return result;
}

// The pid of `rank` as the coordinator recorded it in hosts.json (mpirun 4.1 may say 0).
std::string RankPid(const std::string& run_dir, const std::string& rank, std::string pid) {
  if (pid != "0") return pid;
  auto text = ReadFile(run_dir + "/hosts.json");
  if (!text.ok()) return pid;
  auto doc = nlohmann::json::parse(*text, nullptr, /*allow_exceptions=*/false);
  if (!doc.is_object()) return pid;
  if (rank == "0") return std::to_string(doc["coordinator"].value("pid", 0));
  for (const auto& w : doc.value("workers", nlohmann::json::array())) {
    if (std::to_string(w.value("rank", -1)) == rank) return std::to_string(w.value("pid", 0));
  }
  return pid;
}

// What mpirun said about a rank or host that died, or "".
std::string LostRank(const std::string& output, const std::string& run_dir) {
  std::smatch m;
  static const std::regex died(
      R"(process rank (\d+) with PID (\d+) on node (\S+) exited on signal (\d+)(?: \(([^)]*)\))?)");
  if (std::regex_search(output, m, died)) {
    std::string signal = m[4].str() + (m[5].matched ? " (" + m[5].str() + ")" : "");
    const std::string role = m[1].str() == "0" ? "the coordinator, rank 0" : "rank " + m[1].str();
    return fmt::format("host {} ({}, pid {}) died: signal {}", m[3].str(), role,
                       RankPid(run_dir, m[1].str(), m[2].str()), signal);
  }
  static const std::regex lost(R"(Remote daemon:\s*\S+ on node (\S+))");
  if (std::regex_search(output, m, lost)) {
    return fmt::format("host {} was lost (mpirun lost its connection to it)", m[1].str());
  }
  static const std::regex gone(
      R"(process rank (\d+) with PID (\d+) on node (\S+) exited (?:improperly|unexpectedly))");
  if (std::regex_search(output, m, gone)) {
    return fmt::format("host {} (rank {}, pid {}) exited before the run ended", m[3].str(),
                       m[1].str(), RankPid(run_dir, m[1].str(), m[2].str()));
  }
  return "";
}

// The summary of a run whose coordinator could not write one: what committed.log recorded.
RunSummary LostRunSummary(const JobModel& job, const std::string& run_dir, const Status& st,
                          std::chrono::system_clock::time_point started) {
  Metrics m;
  if (auto dir = RunDir::Open(run_dir); dir.ok()) {
    if (auto plan = dir->ReadPlan(); plan.ok()) m.splits_total = static_cast<int64_t>(plan->size());
    if (auto done = dir->ReadCommittedSplits(); done.ok()) {
      m.splits_done = static_cast<int64_t>(done->size());
      for (const auto& [id, f] : *done) {
        m.records_read += f.records_read;
        m.bytes_read += f.bytes_read;
        m.records_written += f.records_written;
        m.dirty_records += f.dirty_records;
      }
    }
  }
  RunSummary summary = SummarizeRun(job.file, m, st, started, std::chrono::system_clock::now(),
                                    run_dir, run_dir + "/dirty.jsonl");
  summary.distributed = DistributedSummary{.coordinated = false};
  return summary;
}

int Launch(const JobModel& job, const RunOptions& options, const DistributeFlags& flags,
           const std::vector<HostSlots>& hosts, const std::string& summary_json,
           const SignalWatcher& signals) {
  std::vector<std::string> args = RankArguments();
  std::string run_dir = options.run_dir;
  if (run_dir.empty()) {
    run_dir = flags.print_launch ? ".ferry/runs/<job>-<time>" : DefaultRunDir(job.file);
    args.push_back("--run-dir");
    args.push_back(run_dir);
  }
  MpiLaunchRequest request;
  request.hosts = hosts;
  request.local_host = LocalHostName();
  if (const char* mpirun = Getenv("FERRY_MPIRUN")) request.mpirun = mpirun;
  request.ferry = SelfExe();
  request.run_args = args;
  request.forward_env = ForwardedEnv();
  request.extra_mpirun_args = SplitWords(Getenv("FERRY_MPIRUN_ARGS"));
  request.hostfile_path = run_dir + "/hostfile";
  LaunchPlan plan = PlanLaunch(request);
  if (flags.print_launch) {
    std::cout << "# " << request.hostfile_path << ":\n";
    std::istringstream lines(plan.hostfile_text);
    for (std::string line; std::getline(lines, line);) std::cout << "#   " << line << "\n";
    std::cout << ShellCommand(plan.argv) << "\n";
    return kExitOk;
  }
  std::error_code ec;
  std::filesystem::create_directories(run_dir, ec);
  if (Status st = WriteFileAtomic(request.hostfile_path, plan.hostfile_text); !st.ok()) {
    std::cerr << st.message() << "\n";
    return kExitFailed;
  }
  LogInfo("distributing over {} hosts ({}), {} ranks: {}", hosts.size(), FormatHostList(hosts),
          plan.ranks, ShellCommand(plan.argv));
  const auto started = std::chrono::system_clock::now();
  MpirunResult result = RunMpirun(plan.argv, signals.token());
  if (signals.signal() != 0) return 128 + signals.signal();
  if (result.exit_code == 0) return kExitOk;
  std::string lost = LostRank(result.output, run_dir);
  if (lost.empty() && result.killed_by != 0) {
    lost = fmt::format("mpirun (pid {}) was killed by signal {} ({}); its ranks end by themselves",
                       result.pid, result.killed_by, strsignal(result.killed_by));
  }
  if (lost.empty()) return result.exit_code;
  // The coordinator may be the rank that died, and mpirun ended the others: the run's failure
  // is reported here, from what committed.log recorded.
  Status st = Status::Unavailable(fmt::format(
      "{}; the distributed run failed. Splits that committed stay committed (commit markers); "
      "`ferry run --resume {}` runs only the others",
      lost, run_dir));
  std::cerr << "\nferry: " << st.message() << "\n";
  const std::string summary = SummaryJson(LostRunSummary(job, run_dir, st, started));
  (void)WriteFileAtomic(run_dir + "/summary.json", summary);
  if (!summary_json.empty()) (void)WriteFileAtomic(summary_json, summary);
  return kExitFailed;
}

}  // namespace

void DistributeFlags::AddTo(CLI::App* cmd) {
  cmd->add_option("--resource-group", resource_group,
                  "executeMode distribute: run over this resource group's hosts (inside a Slurm "
                  "allocation its nodes are the default; or start the ranks with srun "
                  "--mpi=pmix)");
  cmd->add_option("--hosts", hosts, "executeMode distribute: run over these hosts, h1:4,h2:4");
  cmd->add_option("--hostfile", hostfile,
                  "executeMode distribute: run over the hosts of this Open MPI hostfile");
  cmd->add_flag("--print-launch", print_launch,
                "executeMode distribute: print the mpirun command instead of running it");
  cmd->add_option("--dist-weights", weights)->group("");  // set by the launcher for its ranks
}

Status CheckResourceGroup(const JobModel& job, const std::string& name) {
  if (job.setting.execute_mode == "distribute") return GroupHosts(name).status();
  return ResolveResourceGroup(DataSourceStore::DefaultHome(), name).status();
}

bool IsRankOfDistributedRun() { return DistributedLaunch().has_value(); }

bool IsWorkerRank() {
  auto launch = DistributedLaunch();
  return launch && launch->rank > 0;
}

int RunWorkerRank(const DistributeFlags& flags, std::stop_token stop) {
  auto transport = OpenTransport();
  if (!transport.ok()) {
    std::cerr << "ferry: " << transport.status().message() << "\n";
    return kExitFailed;
  }
  DistributeOptions dist;
  dist.host = LocalHostName();
  dist.datasources = &DefaultDataSourceCatalog();
  Status st = RunWorker(Registry::Builtin(), dist, transport->get(), stop);
  if (!st.ok() && st.code() != StatusCode::kCancelled) {
    LogError("worker rank {} on {}: {}", (*transport)->rank(), dist.host, st.message());
  }
  return kExitOk;  // the job's outcome is the coordinator's exit code
}

void DismissWorkersIfCoordinator(const Status& why) {
  if (!DistributedLaunch()) return;
  auto transport = OpenTransport();
  if (transport.ok()) DismissWorkers(transport->get(), why);
}

std::optional<int> MaybeRunDistributed(JobModel& job, const RunOptions& options,
                                       const DistributeFlags& flags,
                                       const std::string& summary_json,
                                       const SignalWatcher& signals,
                                       const std::function<int(RunReport)>& finish) {
  const bool distribute = job.setting.execute_mode == "distribute";
  if (DistributedLaunch()) {
    auto transport = OpenTransport();
    if (!transport.ok()) {
      std::cerr << "ferry: " << transport.status().message() << "\n";
      return kExitFailed;
    }
    if (!distribute) {
      Status st =
          Status::InvalidArgument(job.file +
                                  ": started by mpirun, but the job's setting.executeMode is not "
                                  "\"distribute\"; set it, or run the job without mpirun");
      DismissWorkers(transport->get(), st);
      std::cerr << st.message() << "\n";
      return kExitInvalid;
    }
    DistributeOptions dist;
    dist.host = LocalHostName();
    dist.weights = ParseWeights(flags.weights);
    return finish(
        RunCoordinator(job, Registry::Builtin(), options, dist, transport->get(), signals.token()));
  }
  if (!distribute) {
    if (!flags.names_hosts() && !flags.print_launch) return std::nullopt;
    // A resource group is where jobs run (the scheduler names a node's); a one-machine job runs
    // on this one of its hosts.
    if (!flags.resource_group.empty() && flags.hosts.empty() && flags.hostfile.empty() &&
        !flags.print_launch) {
      if (Status st = CheckResourceGroup(job, flags.resource_group); !st.ok()) {
        std::cerr << "ferry run: " << st.message() << "\n";
        return kExitInvalid;
      }
      LogInfo(
          "{} runs on one machine (setting.executeMode is not \"distribute\"): here, not "
          "over resource group {}",
          job.file, flags.resource_group);
      return std::nullopt;
    }
    std::cerr << "--hosts, --hostfile and --print-launch are for jobs whose "
                 "setting.executeMode is \"distribute\"; "
              << job.file << " runs on one machine\n";
    return kExitInvalid;
  }
  auto hosts = ResolveHosts(flags);
  if (!hosts.ok()) {
    std::cerr << "ferry run: " << hosts.status().message() << "\n";
    return kExitInvalid;
  }
  if (!*hosts) {
    if (options.resume) {
      LogInfo(
          "resuming the distributed run in {} on this machine alone (give --resource-group "
          "or --hosts to spread it)",
          options.run_dir);
      job.setting.execute_mode.clear();
      return std::nullopt;
    }
    std::cerr << job.file
              << ": setting.executeMode \"distribute\" runs over several hosts: give "
                 "--resource-group NAME, --hosts h1:4,h2:4 or --hostfile FILE, run it inside a "
                 "Slurm allocation (salloc, or srun --mpi=pmix -n N), or start it with mpirun "
                 "-np N\n";
    return kExitInvalid;
  }
  return Launch(job, options, flags, **hosts, summary_json, signals);
}

}  // namespace ferry
