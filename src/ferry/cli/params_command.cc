// `ferry params EXPR...`: renders scheduling-parameter expressions for a scheduled time, so a
// user can see what ${yyyymmdd-1} or $[hh24:mi:ss-1/24] will be before a job runs.
#include <iostream>

#include "ferry/cli/commands.h"
#include "ferry/cli/param_flags.h"

namespace ferry {
namespace {

struct ParamsFlags {
  ParamFlags params;
  std::vector<std::string> expressions;
  bool raw = false;
};

int Params(const ParamsFlags& flags) {
  auto set = flags.params.Build();
  if (!set.ok()) {
    std::cerr << set.status().message() << "\n";
    return kExitInvalid;
  }
  if (flags.expressions.empty()) {
    for (const auto& [name, value] : set->values()) std::cout << name << " = " << value << "\n";
    return kExitOk;
  }
  int code = kExitOk;
  for (const std::string& expr : flags.expressions) {
    std::vector<std::string> missing;
    auto substituted = set->Substitute(expr, &missing);
    Result<std::string> value = substituted;
    if (substituted.ok() && missing.empty()) value = RenderExpression(*substituted, set->cyctime());
    if (substituted.ok() && !missing.empty()) {
      value = Status::InvalidArgument("no value for ${" + missing[0] + "}");
    }
    if (!value.ok()) {
      std::cerr << expr << ": " << value.status().message() << "\n";
      code = kExitInvalid;
      continue;
    }
    if (flags.raw) {
      std::cout << *value << "\n";
    } else {
      std::cout << expr << " = " << *value << "\n";
    }
  }
  return code;
}

}  // namespace

void AddParamsCommand(CLI::App* app, int* exit_code) {
  auto flags = std::make_shared<ParamsFlags>();
  CLI::App* cmd = app->add_subcommand("params", "render scheduling-parameter expressions");
  flags->params.AddTo(cmd);
  cmd->add_option("expression", flags->expressions, "e.g. '${yyyymmdd-1}' '$[hh24:mi:ss-1/24]'");
  cmd->add_flag("--raw", flags->raw, "print only the values, one per line");
  cmd->callback([flags, exit_code] { *exit_code = Params(*flags); });
}

}  // namespace ferry
