// How `ferry run` starts a distributed run (DESIGN 8): mpirun with a generated hostfile, the
// coordinator (rank 0) on this machine and one worker rank per listed host, each worker's slots
// its share of the channels. And how a ferry process knows that mpirun or srun started it.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "ferry/dist/hosts.h"

namespace ferry {

// Named apart from the scheduler's LaunchRequest (schedule/launcher.h): two classes of one name in
// one namespace are an ODR violation once both are linked into a binary.
struct MpiLaunchRequest {
  std::vector<HostSlots> hosts;                // the workers' hosts
  std::string local_host;                      // this machine's host name
  std::string mpirun = "mpirun";               // FERRY_MPIRUN overrides
  std::string ferry;                           // this binary, by an absolute path every host has
  std::vector<std::string> run_args;           // "run", JOB, flags: what every rank runs
  std::vector<std::string> forward_env;        // variables to pass to every host (-x)
  std::vector<std::string> extra_mpirun_args;  // FERRY_MPIRUN_ARGS, before the program
  std::string hostfile_path;                   // where the hostfile is written
};

struct LaunchPlan {
  std::vector<std::string> argv;  // mpirun and its arguments
  std::string hostfile_text;
  int ranks = 0;                // 1 coordinator + the workers
  std::vector<double> weights;  // of the worker ranks, in rank order
};

LaunchPlan PlanLaunch(const MpiLaunchRequest& request);

// The command as a shell would take it back (arguments quoted where needed).
std::string ShellCommand(const std::vector<std::string>& argv);

// The rank and size this process was started as by mpirun (OMPI_COMM_WORLD_*), srun
// (PMI_*/SLURM_PROCID with a PMI) or another PMIx launcher; nullopt when started alone. Only a
// process started so ever initializes MPI.
struct MpiLaunch {
  int rank = 0;
  int size = 1;
};
std::optional<MpiLaunch> MpiLaunchFromEnv(const std::function<const char*(const char*)>& getenv);

}  // namespace ferry
