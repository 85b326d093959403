// Loading a job file: parse with positions, resolve ${...} placeholders, normalize either
// layout to a JobModel, and check it against the plugins' ParamDefs. Everything here runs
// before any source or destination is touched; errors name file, line:col and JSON path.
#pragma once

#include <string>

#include "ferry/common/status.h"
#include "ferry/job/diagnostics.h"
#include "ferry/job/job_model.h"
#include "ferry/job/located_json.h"
#include "ferry/job/sched_params.h"
#include "ferry/plugin/registry.h"

namespace ferry {

struct LoadedJob {
  JobModel model;
  LocatedJson doc;                    // the text as written, for locating later errors
  std::vector<std::string> warnings;  // "file:line:col: warning: path: ..." (keys not used...)
};

struct LoadOptions {
  // Every warning is an error (`ferry check --strict`, `ferry run --strict`): for CI pipelines
  // that want a job to hold nothing Ferry ignores.
  bool strict = false;
};

Result<LoadedJob> LoadJob(const std::string& path, const ParameterSet& params,
                          const Registry& registry, const LoadOptions& options = {});
// The same from text (tests, and the scheduler's previews).
Result<LoadedJob> LoadJobText(std::string_view text, const std::string& file_name,
                              const ParameterSet& params, const Registry& registry,
                              const LoadOptions& options = {});

// Checks `parameter` against `defs`: unknown keys (warnings, with "did you mean"), types, allowed
// values, required keys; renames aliases and fills defaults; "" for a number or switch is unset.
// `path` is the object's JSON path.
void CheckParameters(const std::vector<ParamDef>& defs, const std::string& path,
                     nlohmann::json* parameter, Diagnostics* diag);

// Formats an error a plugin returned for a step: located at Status::field() when it has one.
std::string LocateStepError(const LoadedJob& job, const StepModel& step, const Status& st);

}  // namespace ferry
