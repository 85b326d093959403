// `ferry params EXPR...`: renders scheduling-parameter expressions for a scheduled time, so a
// user can see what ${yyyymmdd-1} or $[hh24:mi:ss-1/24] will be before a job runs.
#include <fmt/format.h>

#include <iostream>

#include "ferry/cli/commands.h"
#include "ferry/cli/param_flags.h"
#include "ferry/cli/store_flag.h"

namespace ferry {
namespace {

struct ParamsFlags {
  ParamFlags params;
  std::vector<std::string> expressions;
  bool raw = false;
  std::string node;  // --node: the deployed node's assignments at the scheduled time
  std::string store = kDefaultStorePath;
};

// The parameters a deployed node's run at the flags' scheduled time gets (its assignments first,
// then the -p / --params given here).
Result<ParameterSet> NodeParameters(const ParamsFlags& flags) {
  ASSIGN_OR_RETURN(ParameterSet base, flags.params.Build());
  ASSIGN_OR_RETURN(std::unique_ptr<Store> store, OpenStore(flags.store));
  ASSIGN_OR_RETURN(Deployment deployed, DeployedSchedule(store.get()));
  const NodeSpec* node = deployed.spec.Find(flags.node);
  if (!node) return Status::InvalidArgument("--node: \"" + flags.node + "\" is not deployed");
  CivilTime cyctime = base.cyctime();
  ASSIGN_OR_RETURN(CronSchedule cron, node->Schedule());
  if (flags.params.cyctime.empty() && flags.params.bizdate.empty()) {
    // No time given: the node's next cycle.
    std::optional<Cycle> next = cron.NextAfter(SystemClock().Now());
    if (!next) return Status::InvalidArgument("--node: \"" + flags.node + "\" has no next cycle");
    cyctime = next->cyctime;
  } else if (!cron.Matches(cyctime)) {
    // Shown, not refused: a user may well ask what a rerun at another time would get.
    std::string that_day;
    for (const Cycle& c : cron.OnDay(cyctime)) {
      if (that_day.size() > 60) {
        that_day += ", ...";
        break;
      }
      that_day += (that_day.empty() ? "" : ", ") + FormatCivilTime(c.cyctime).substr(11);
    }
    std::cerr << fmt::format(
        "note: {} is not a cycle of node \"{}\" (cron \"{}\", {}); its cycles that day: {}. The "
        "values below are for the time given.\n",
        FormatCivilTime(cyctime), node->name, node->cron,
        node->time_zone.empty() ? "UTC" : node->time_zone, that_day.empty() ? "none" : that_day);
  }
  ASSIGN_OR_RETURN(ParameterSet set, node->Parameters(cyctime));
  if (!flags.params.params.empty()) RETURN_NOT_OK(set.AddAssignments(flags.params.params));
  for (const std::string& a : flags.params.assignments) RETURN_NOT_OK(set.Add(a));
  return set;
}

int Params(const ParamsFlags& flags) {
  auto set = flags.node.empty() ? flags.params.Build() : NodeParameters(flags);
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
  cmd->add_option("--node", flags->node,
                  "a deployed node: its assignments at --cyctime (default: its next cycle)");
  AddStoreFlag(cmd, &flags->store);
  cmd->callback([flags, exit_code] { *exit_code = Params(*flags); });
}

}  // namespace ferry
