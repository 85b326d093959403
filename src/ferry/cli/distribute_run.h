// The distributed side of `ferry run` (DESIGN 8): the hosts (--resource-group, --hosts,
// --hostfile, else a Slurm allocation's nodes), starting mpirun over them (--print-launch shows
// the command instead), and the coordinator's and the workers' parts of a run that mpirun or
// srun started. A job without executeMode "distribute" never gets here, and never
// initializes MPI.
#pragma once

#include <CLI/CLI.hpp>
#include <functional>
#include <optional>
#include <stop_token>
#include <string>

#include "ferry/cli/signal_watcher.h"
#include "ferry/common/status.h"
#include "ferry/exec/job_runner.h"
#include "ferry/job/job_model.h"

namespace ferry {

struct DistributeFlags {
  std::string resource_group;
  std::string hosts;
  std::string hostfile;
  bool print_launch = false;
  std::string weights;  // --dist-weights: the launcher tells its ranks the workers' shares

  void AddTo(CLI::App* cmd);
  bool names_hosts() const {
    return !resource_group.empty() || !hosts.empty() || !hostfile.empty();
  }
};

// Whether `job` can run on resource group `name` (`--resource-group`): the group is defined in
// $FERRY_HOME ("default" may be left undefined: then it is this machine), and when the job is
// executeMode "distribute" it names hosts.
Status CheckResourceGroup(const JobModel& job, const std::string& name);

// Whether mpirun or srun started this process as one rank of several (the coordinator or a
// worker).
bool IsRankOfDistributedRun();

// Whether this process is a worker rank of a distributed run (started by mpirun or srun, rank
// 1 or more). A worker does not read the job file: the coordinator sends it the job.
bool IsWorkerRank();
int RunWorkerRank(const DistributeFlags& flags, std::stop_token stop);

// Rank 0 of a distributed run whose job could not be loaded: lets the workers go.
void DismissWorkersIfCoordinator(const Status& why);

// Runs `job` distributed when it asks for it (or this is rank 0 under mpirun): as the
// coordinator, whose report goes to `finish` (setting.verify, the summary; it returns the exit
// code) as a one-machine run's does, or by starting mpirun. Returns the exit code, or nullopt
// when the job runs on this machine alone (then `job` may have been changed: a distributed run
// resumed without hosts runs here).
std::optional<int> MaybeRunDistributed(JobModel& job, const RunOptions& options,
                                       const DistributeFlags& flags,
                                       const std::string& summary_json,
                                       const SignalWatcher& signals,
                                       const std::function<int(RunReport)>& finish);

}  // namespace ferry
