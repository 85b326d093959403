#include "ferry/dist/launch.h"

#include <fmt/format.h>

#include <cstdlib>
#include <map>

namespace ferry {
namespace {

bool IsLocal(const std::string& host, const std::string& local_host) {
  return host == "localhost" || host == "127.0.0.1" || host == "::1" ||
         (!local_host.empty() && host == local_host);
}

std::optional<int> EnvInt(const std::function<const char*(const char*)>& getenv, const char* name) {
  const char* v = getenv(name);
  if (v == nullptr || *v == '\0') return std::nullopt;
  char* end = nullptr;
  long n = std::strtol(v, &end, 10);
  if (end == v || *end != '\0' || n < 0) return std::nullopt;
  return static_cast<int>(n);
}

}  // namespace

LaunchPlan PlanLaunch(const MpiLaunchRequest& request) {
  // The coordinator runs here, first in the hostfile, so that it owns the run directory and
  // reads the job file where the user started ferry; each listed host then gets a worker rank
  // (a host listed twice, two).
  std::string local_name = "localhost";
  std::vector<std::string> order;  // hosts in the hostfile's order
  std::map<std::string, int> ranks_on;
  std::map<std::string, std::vector<double>> weights_on;
  for (const HostSlots& h : request.hosts) {
    if (IsLocal(h.host, request.local_host)) local_name = h.host;
  }
  order.push_back(local_name);
  ranks_on[local_name] = 1;
  for (const HostSlots& h : request.hosts) {
    const std::string name = IsLocal(h.host, request.local_host) ? local_name : h.host;
    if (!ranks_on.count(name)) order.push_back(name);
    ++ranks_on[name];
    weights_on[name].push_back(h.slots);
  }
  LaunchPlan plan;
  for (const std::string& host : order) {
    plan.hostfile_text += fmt::format("{} slots={}\n", host, ranks_on[host]);
    plan.ranks += ranks_on[host];
    for (double w : weights_on[host]) plan.weights.push_back(w);
  }
  std::vector<std::string>& a = plan.argv;
  a = {request.mpirun, "--hostfile", request.hostfile_path, "-np", std::to_string(plan.ranks),
       "--map-by",     "slot",       "--bind-to",           "none"};
  for (const std::string& var : request.forward_env) {
    a.push_back("-x");
    a.push_back(var);
  }
  a.insert(a.end(), request.extra_mpirun_args.begin(), request.extra_mpirun_args.end());
  a.push_back(request.ferry);
  a.insert(a.end(), request.run_args.begin(), request.run_args.end());
  std::string weights;
  for (double w : plan.weights) weights += (weights.empty() ? "" : ",") + fmt::format("{}", w);
  a.push_back("--dist-weights");
  a.push_back(weights);
  return plan;
}

std::string ShellCommand(const std::vector<std::string>& argv) {
  std::string out;
  for (const std::string& arg : argv) {
    if (!out.empty()) out += ' ';
    bool plain = !arg.empty();
    for (char c : arg) {
      plain = plain && (std::isalnum(static_cast<unsigned char>(c)) ||
                        std::string_view("-_./:=,@%+").find(c) != std::string_view::npos);
    }
    if (plain) {
      out += arg;
      continue;
    }
    out += '\'';
    for (char c : arg) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
    out += '\'';
  }
  return out;
}

std::optional<MpiLaunch> MpiLaunchFromEnv(const std::function<const char*(const char*)>& getenv) {
  // Open MPI's mpirun.
  if (auto size = EnvInt(getenv, "OMPI_COMM_WORLD_SIZE")) {
    return MpiLaunch{EnvInt(getenv, "OMPI_COMM_WORLD_RANK").value_or(0), *size};
  }
  // srun --mpi=pmi2 (and other PMI-1/2 launchers).
  if (auto size = EnvInt(getenv, "PMI_SIZE")) {
    return MpiLaunch{EnvInt(getenv, "PMI_RANK").value_or(0), *size};
  }
  // srun --mpi=pmix: the rank is PMIx's, the size Slurm's.
  if (auto rank = EnvInt(getenv, "PMIX_RANK"); rank && getenv("SLURM_NTASKS") != nullptr) {
    return MpiLaunch{*rank, EnvInt(getenv, "SLURM_NTASKS").value_or(1)};
  }
  return std::nullopt;
}

}  // namespace ferry
