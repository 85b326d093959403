// The scheduling-parameter flags shared by run, check and params: -p, --params, --cyctime,
// --bizdate, --timezone (DESIGN 3), and the ParameterSet they make.
#pragma once

#include <CLI/CLI.hpp>
#include <string>
#include <vector>

#include "ferry/common/status.h"
#include "ferry/job/sched_params.h"

namespace ferry {

struct ParamFlags {
  std::vector<std::string> assignments;  // -p NAME=VALUE
  std::string params;                    // --params "a=x b=y"
  std::string cyctime;
  std::string bizdate;
  std::string timezone;

  void AddTo(CLI::App* cmd);
  // The scheduled time: --cyctime, else --bizdate (or -p bizdate=D) as D+1 00:00:00, else now.
  Result<ParameterSet> Build() const;
};

}  // namespace ferry
