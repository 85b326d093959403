// `ferry schedule list|show NODE`: the deployed schedule, each node's next cycles and the
// resolved parameters of its next run.
#include <fmt/format.h>

#include <iostream>

#include "ferry/cli/commands.h"
#include "ferry/cli/store_flag.h"

namespace ferry {
namespace {

struct ScheduleFlags {
  std::string store = kDefaultStorePath;
  std::string node;
  int count = 5;
};

std::string Join(const std::vector<std::string>& items) {
  std::string out;
  for (const std::string& s : items) out += (out.empty() ? "" : ",") + s;
  return out.empty() ? "-" : out;
}

// Prints the error; exit 1 when the store failed, 2 when the request was wrong.
int FailByStatus(const Status& st) {
  std::cerr << st.message() << "\n";
  return st.code() == StatusCode::kIOError ? kExitFailed : kExitInvalid;
}

int ListSchedule(const ScheduleFlags& flags) {
  auto store = OpenStore(flags.store);
  if (!store.ok()) return FailByStatus(store.status());
  auto deployed = DeployedSchedule(store->get());
  if (!deployed.ok()) return FailByStatus(deployed.status());
  auto frozen = (*store)->FrozenNodes();
  SysSeconds now = SystemClock().Now();
  std::cout << fmt::format("{:<20} {:<18} {:<16} {:<20} {:<10} {}\n", "NODE", "CRON", "TIME ZONE",
                           "NEXT CYCLE", "GROUP", "UPSTREAM");
  for (const NodeSpec& n : deployed->spec.nodes) {
    auto cron = n.Schedule();
    std::string next = "-";
    if (cron.ok()) {
      if (auto c = cron->NextAfter(now)) next = FormatCivilTime(c->cyctime);
    }
    bool is_frozen = frozen.ok() && frozen->count(n.name);
    std::cout << fmt::format("{:<20} {:<18} {:<16} {:<20} {:<10} {}{}\n", n.name, n.cron,
                             n.time_zone, next, n.resource_group, Join(n.upstream),
                             is_frozen ? "  (frozen)" : "");
  }
  return kExitOk;
}

int Show(const ScheduleFlags& flags) {
  auto store = OpenStore(flags.store);
  if (!store.ok()) return FailByStatus(store.status());
  auto deployed = DeployedSchedule(store->get());
  if (!deployed.ok()) return FailByStatus(deployed.status());
  const NodeSpec* n = deployed->spec.Find(flags.node);
  if (!n) {
    std::cerr << "node \"" << flags.node << "\" is not deployed\n";
    return kExitInvalid;
  }
  std::cout << "node:           " << n->name << "\n"
            << "job:            " << n->job << " (in " << deployed->spec.project_dir << ")\n"
            << "cron:           " << n->cron << " (" << n->time_zone << ")\n"
            << "params:         " << (n->params.empty() ? "-" : n->params) << "\n"
            << "upstream:       " << Join(n->upstream) << "\n"
            << "downstream:     " << Join(deployed->spec.Downstream(n->name)) << "\n"
            << "retries:        " << n->retries << " (every " << n->retry_interval_seconds
            << " s)\n"
            << "timeout:        "
            << (n->timeout_seconds > 0 ? FormatDurationSeconds(n->timeout_seconds) : "-") << "\n"
            << "resource group: " << n->resource_group << ", priority " << n->priority << "\n"
            << "next cycles:\n";
  auto cron = n->Schedule();
  if (!cron.ok()) return FailByStatus(cron.status());
  SysSeconds after = SystemClock().Now();
  for (int i = 0; i < flags.count; ++i) {
    auto c = cron->NextAfter(after);
    if (!c) break;
    std::string values;
    auto params = n->Parameters(c->cyctime);
    if (params.ok()) {
      for (const auto& [k, v] : params->values()) {
        if (k == "cyctime" || k == "gmtdate" || k == "bizmonth") continue;
        values += " " + k + "=" + v;
      }
    } else {
      values = " " + params.status().message();
    }
    std::cout << "  " << FormatCivilTime(c->cyctime) << "  (" << FormatInstant(c->fire_at) << ")"
              << values << "\n";
    after = c->fire_at;
  }
  return kExitOk;
}

}  // namespace

void AddScheduleCommand(CLI::App* app, int* exit_code) {
  auto flags = std::make_shared<ScheduleFlags>();
  CLI::App* cmd = app->add_subcommand("schedule", "the deployed schedule");
  cmd->require_subcommand(1);
  CLI::App* list = cmd->add_subcommand("list", "every node with its cron and next cycle");
  AddStoreFlag(list, &flags->store);
  list->callback([flags, exit_code] { *exit_code = ListSchedule(*flags); });
  CLI::App* show = cmd->add_subcommand("show", "one node, its next cycles and their parameters");
  show->add_option("node", flags->node, "the node")->required();
  show->add_option("--count", flags->count, "how many cycles to show (default 5)");
  AddStoreFlag(show, &flags->store);
  show->callback([flags, exit_code] { *exit_code = Show(*flags); });
}

}  // namespace ferry
