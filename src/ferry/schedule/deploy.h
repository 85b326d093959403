// Publishing a project folder: read its schedule, check every job with `ferry check` against the
// parameters of its next cycle, and only when all pass replace the deployed schedule in one
// transaction, so nothing is ever half-deployed.
#pragma once

#include <string>
#include <vector>

#include "ferry/common/status.h"
#include "ferry/schedule/store.h"

namespace ferry {

struct DeployReport {
  ScheduleSpec spec;
  std::vector<std::string> checked;  // "node: next cycle T: OK"
};

// `ferry_binary` runs the checks (`ferry check JOB --cyctime T --params P`, in the project
// folder). InvalidArgument lists every failing node with its job's error; then the store is
// unchanged. `store` may be null for a dry run.
Result<DeployReport> DeployProject(const std::string& dir, const std::string& ferry_binary,
                                   SysSeconds now, Store* store);

// Runs a program and returns its exit code and its stdout+stderr.
struct Captured {
  int exit_code = -1;
  std::string output;
};
Result<Captured> RunCaptured(const std::vector<std::string>& argv, const std::string& cwd);

}  // namespace ferry
