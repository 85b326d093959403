// The distributed runner: one job's splits over the ranks of a Transport (DESIGN 8).
//
// Rank 0, the coordinator, sets the run up exactly as RunJob does (validates, runs the writer's
// setup and preSql once, plans the splits once or reloads them to resume), then hands splits
// out one at a time to the worker rank that asks (a slow host takes fewer), records each commit
// in committed.log and each dirty record in dirty.jsonl, leases the job-global throttle to the
// workers, counts errorLimit over every host, merges progress into one line, and finalizes
// (postSql, publishing) once. Ranks 1..N-1 run the channels, `concurrent` spread over them.
//
// The commit markers make a split committed on any host a fact of the destination: a run that
// lost a host fails, and `ferry run --resume` runs only the splits not committed.
#pragma once

#include <stop_token>
#include <string>
#include <vector>

#include "ferry/common/status.h"
#include "ferry/exec/job_runner.h"
#include "ferry/exec/transport.h"
#include "ferry/job/job_model.h"
#include "ferry/plugin/registry.h"

namespace ferry {

struct DistributeOptions {
  // The share of the job's channels of each worker rank (index 0 is rank 1), e.g. its host's
  // slots; empty: equal shares.
  std::vector<double> weights;
  std::string host;  // this rank's host name, as messages and the summary name it
  // How often a worker reports its figures to the coordinator (progress, errorLimit).
  std::chrono::milliseconds stats_interval{250};
  // A worker's `"datasource": "NAME"` resolves here (the coordinator's, in RunOptions); null:
  // the job may name none. Must outlive the run.
  const DataSourceCatalog* datasources = nullptr;
};

// Rank 0. `transport` must stay open until this returns; the workers are dismissed before.
RunReport RunCoordinator(const JobModel& job, const Registry& registry, const RunOptions& options,
                         const DistributeOptions& dist, Transport* transport, std::stop_token stop);

// Ranks 1..N-1: runs the channels the coordinator gives this rank, until it dismisses it.
// Returns what ended this rank's part early, if anything (the job's outcome is rank 0's).
Status RunWorker(const Registry& registry, const DistributeOptions& dist, Transport* transport,
                 std::stop_token stop);

// Rank 0, when no run starts (the job or the command line is invalid): the workers exit.
void DismissWorkers(Transport* transport, const Status& why);

// `concurrent` channels over `workers` ranks in proportion to `weights` (empty: equal), each
// rank at least one.
std::vector<int> SpreadChannels(int concurrent, const std::vector<double>& weights, int workers);

}  // namespace ferry
