// `ferry ops ...`: operations on instances from the command line, on the same store the server
// uses: list, log (--follow for a live tail), stop, rerun (--downstream, --from-scratch),
// set-succeeded, freeze / unfreeze (an instance or --node), backfill. Exit 0 done, 1 store
// failure, 2 refused.
#include <fmt/format.h>

#include <algorithm>
#include <iostream>
#include <set>
#include <thread>

#include "ferry/cli/commands.h"
#include "ferry/cli/store_flag.h"
#include "ferry/schedule/operations.h"

namespace ferry {
namespace {

struct OpsFlags {
  std::string store = kDefaultStorePath;
  int64_t id = 0;
  std::string node, state, bizdate;
  bool json = false, follow = false, downstream = false, newest_first = false;
  bool from_scratch = false;
  std::vector<std::string> nodes;
  std::string from, to;
  int parallel = 1;
  int limit = 200;
  int page = 1;
};

int Report(const Status& st) {
  if (st.ok()) return kExitOk;
  std::cerr << st.message() << "\n";
  return st.code() == StatusCode::kIOError ? kExitFailed : kExitInvalid;
}

// Opens the store and runs `fn` with the operations on it.
int WithOps(const OpsFlags& flags, const std::function<Status(Store*, Operations*)>& fn) {
  auto store = OpenStore(flags.store);
  if (!store.ok()) return Report(store.status());
  SystemClock clock;
  ProcessLauncher launcher;
  Operations ops(store->get(), &launcher, &clock);
  return Report(fn(store->get(), &ops));
}

Status ListInstances(const OpsFlags& flags, Store* store) {
  InstanceFilter f;
  f.node = flags.node;
  if (!flags.state.empty()) {
    f.state = ParseState(flags.state);
    if (!f.state) return Status::InvalidArgument("--state " + flags.state + ": unknown state");
  }
  if (!flags.bizdate.empty()) {
    ASSIGN_OR_RETURN(CivilTime cyc, CyctimeFromBizdate(flags.bizdate));
    f.bizdate = DayString(AddDays(cyc, -1));
  }
  if (flags.page < 1) return Status::InvalidArgument("--page: expected 1 or more");
  f.limit = flags.limit;
  f.offset = flags.limit > 0 ? int64_t{flags.page - 1} * flags.limit : 0;
  f.newest_first = true;
  ASSIGN_OR_RETURN(std::vector<Instance> instances, store->Instances(f));
  ASSIGN_OR_RETURN(int64_t total, store->CountInstances(f));
  std::reverse(instances.begin(), instances.end());
  if (flags.json) {
    nlohmann::json list = nlohmann::json::array();
    for (const Instance& in : instances) list.push_back(in.ToJson());
    std::cout << list.dump(2) << "\n";
    return Status::OK();
  }
  std::cout << fmt::format("{:>6}  {:<18} {:<9} {:<20} {:<18} {:>4}  {}\n", "ID", "NODE", "BIZDATE",
                           "CYCTIME", "STATE", "RUNS", "NOTE");
  bool backfills = false;
  for (const Instance& in : instances) {
    std::string node = in.backfill_id ? fmt::format("{} [b{}]", in.node, in.backfill_id) : in.node;
    backfills = backfills || in.backfill_id != 0;
    std::cout << fmt::format("{:>6}  {:<18} {:<9} {:<20} {:<18} {:>4}  {}\n", in.id, node,
                             in.bizdate, FormatCivilTime(in.cyctime), StateName(in.state), in.runs,
                             in.message);
  }
  if (backfills) std::cout << "[bN]: an instance of backfill N (ferry ops backfill)\n";
  // Where this page sits among all, on stderr so a script reading the table is not disturbed.
  if (static_cast<int64_t>(instances.size()) < total) {
    int64_t first = f.offset + 1, last = f.offset + static_cast<int64_t>(instances.size());
    std::string more =
        last < total ? fmt::format("; --page {} for older ones", flags.page + 1) : "";
    std::cerr << fmt::format("instances {}-{} of {}, newest first by page{}; --limit 0 for all\n",
                             instances.empty() ? 0 : first, last, total, more);
  }
  return Status::OK();
}

// The alert deliveries, newest first (webhook addresses redacted), and the deployed rules.
Status Alerts(const OpsFlags& flags, Store* store) {
  ASSIGN_OR_RETURN(std::vector<AlertDelivery> sent, store->AlertDeliveries({.limit = flags.limit}));
  ASSIGN_OR_RETURN(std::optional<Deployment> deployed, store->CurrentDeployment());
  ScheduleSpec spec = deployed ? std::move(deployed->spec) : ScheduleSpec{};
  if (flags.json) {
    nlohmann::json out = {{"rules", nlohmann::json::array()},
                          {"deliveries", nlohmann::json::array()}};
    for (const AlertRule& r : spec.alerts) out["rules"].push_back(r.ToJson(false));
    for (const AlertDelivery& d : sent) out["deliveries"].push_back(d.ToJson());
    std::cout << out.dump(2) << "\n";
    return Status::OK();
  }
  std::cout << "rules:" << (spec.alerts.empty() ? " none (alerts: in the schedule file)" : "")
            << "\n";
  for (const AlertRule& r : spec.alerts) std::cout << "  " << r.ToJson(false).dump() << "\n";
  std::cout << fmt::format("{:>5}  {:<20} {:<16} {:>8}  {:<15} {:<9} {:>3}  {}\n", "ID", "TIME",
                           "NODE", "INSTANCE", "EVENT", "STATUS", "TRY", "URL / ERROR");
  for (const AlertDelivery& d : sent) {
    nlohmann::json j = d.ToJson();
    std::cout << fmt::format("{:>5}  {:<20} {:<16} {:>8}  {:<15} {:<9} {:>3}  {}{}\n", d.id,
                             j["time"].get<std::string>(), d.node, d.instance_id,
                             AlertEventName(d.event), d.status, d.attempts, RedactUrl(d.url),
                             d.error.empty() ? "" : "  (" + d.error + ")");
  }
  return Status::OK();
}

Status Log(const OpsFlags& flags, Operations* ops) {
  int64_t offset = 0;
  for (;;) {
    ASSIGN_OR_RETURN(LogChunk chunk, ops->Log(flags.id, offset));
    std::cout << chunk.text << std::flush;
    offset = chunk.next_offset;
    if (!flags.follow || (!chunk.running && chunk.text.empty())) return Status::OK();
    if (chunk.text.empty()) std::this_thread::sleep_for(std::chrono::milliseconds(500));
  }
}

void AddIdOp(CLI::App* ops, const std::shared_ptr<OpsFlags>& flags, int* exit_code,
             const char* name, const char* help,
             std::function<Status(Operations*, const OpsFlags&)> fn) {
  CLI::App* cmd = ops->add_subcommand(name, help);
  cmd->add_option("id", flags->id, "the instance id (ferry ops list)")->required();
  AddStoreFlag(cmd, &flags->store);
  cmd->callback([flags, exit_code, fn] {
    *exit_code = WithOps(*flags, [&](Store*, Operations* o) { return fn(o, *flags); });
  });
}

void AddFreezeOp(CLI::App* ops, const std::shared_ptr<OpsFlags>& flags, int* exit_code,
                 bool freeze) {
  CLI::App* cmd = ops->add_subcommand(freeze ? "freeze" : "unfreeze",
                                      freeze ? "hold an instance (or every instance of --node)"
                                             : "release a frozen instance or --node");
  cmd->add_option("id", flags->id, "the instance id");
  cmd->add_option("--node", flags->node, "the whole node instead of one instance");
  AddStoreFlag(cmd, &flags->store);
  cmd->callback([flags, exit_code, freeze] {
    *exit_code = WithOps(*flags, [&](Store*, Operations* o) -> Status {
      if (!flags->node.empty()) return o->FreezeNode(flags->node, freeze);
      if (flags->id == 0) return Status::InvalidArgument("give an instance id or --node NODE");
      return o->Freeze(flags->id, freeze);
    });
  });
}

}  // namespace

void AddOpsCommand(CLI::App* app, int* exit_code) {
  auto flags = std::make_shared<OpsFlags>();
  CLI::App* ops =
      app->add_subcommand("ops", "operate instances: list, log, stop, rerun, backfill, ...");
  ops->require_subcommand(1);

  CLI::App* list = ops->add_subcommand("list", "instances with their state");
  list->add_option("--node", flags->node, "only this node");
  list->add_option("--state", flags->state, "only this state (running, failed, ...)");
  list->add_option("--bizdate", flags->bizdate, "only this business date");
  list->add_flag("--json", flags->json, "print JSON");
  list->add_option("--limit", flags->limit,
                   "instances per page, newest first (default 200; 0: all)")
      ->check(CLI::NonNegativeNumber);
  list->add_option("--page", flags->page,
                   "which page of --limit instances (default 1: the newest)");
  AddStoreFlag(list, &flags->store);
  list->callback([flags, exit_code] {
    *exit_code = WithOps(*flags, [&](Store* s, Operations*) { return ListInstances(*flags, s); });
  });

  CLI::App* alerts = ops->add_subcommand(
      "alerts", "alert rules and the webhook deliveries they made, newest first");
  alerts->add_flag("--json", flags->json, "print JSON");
  alerts->add_option("--limit", flags->limit, "the newest N deliveries (default 200; 0: all)");
  AddStoreFlag(alerts, &flags->store);
  alerts->callback([flags, exit_code] {
    *exit_code = WithOps(*flags, [&](Store* s, Operations*) { return Alerts(*flags, s); });
  });

  CLI::App* log = ops->add_subcommand("log", "the log of an instance's last run");
  log->add_option("id", flags->id, "the instance id")->required();
  log->add_flag("-f,--follow", flags->follow, "keep printing while it runs");
  AddStoreFlag(log, &flags->store);
  log->callback([flags, exit_code] {
    *exit_code = WithOps(*flags, [&](Store*, Operations* o) { return Log(*flags, o); });
  });

  AddIdOp(ops, flags, exit_code, "stop", "stop an instance (SIGTERM; the job aborts cleanly)",
          [](Operations* o, const OpsFlags& f) { return o->Stop(f.id); });
  CLI::App* rerun = ops->add_subcommand(
      "rerun",
      "run an instance again (a run that failed after planning resumes its run directory)");
  rerun->add_option("id", flags->id, "the instance id")->required();
  rerun->add_flag("--downstream", flags->downstream, "and every instance downstream of it");
  rerun->add_flag("--from-scratch", flags->from_scratch,
                  "start the instance over in a new run directory instead of resuming its failed "
                  "run (what that run committed stays unless the job clears it)");
  AddStoreFlag(rerun, &flags->store);
  rerun->callback([flags, exit_code] {
    *exit_code = WithOps(*flags, [&](Store*, Operations* o) -> Status {
      ASSIGN_OR_RETURN(std::vector<Instance> rerun,
                       o->Rerun(flags->id, {.with_downstream = flags->downstream,
                                            .from_scratch = flags->from_scratch}));
      for (const Instance& in : rerun) {
        std::cerr << fmt::format("instance {} ({} {}): {}\n", in.id, in.node,
                                 FormatCivilTime(in.cyctime), in.message);
      }
      std::cerr << rerun.size() << " instance(s) will run again\n";
      return Status::OK();
    });
  });
  AddIdOp(ops, flags, exit_code, "set-succeeded",
          "mark an instance succeeded (unblocks downstream)",
          [](Operations* o, const OpsFlags& f) { return o->SetSucceeded(f.id); });
  AddFreezeOp(ops, flags, exit_code, true);
  AddFreezeOp(ops, flags, exit_code, false);

  CLI::App* backfill = ops->add_subcommand("backfill", "run nodes for a range of business dates");
  backfill->add_option("nodes", flags->nodes, "the nodes")->required();
  backfill->add_option("--from", flags->from, "first business date YYYYMMDD")->required();
  backfill->add_option("--to", flags->to, "last business date YYYYMMDD")->required();
  backfill->add_flag("--downstream", flags->downstream, "include every node downstream of them");
  backfill->add_flag("--newest-first", flags->newest_first, "run the newest date first");
  backfill->add_option("--parallel", flags->parallel, "business dates run at a time (default 1)");
  AddStoreFlag(backfill, &flags->store);
  backfill->callback([flags, exit_code] {
    *exit_code = WithOps(*flags, [&](Store* store, Operations* o) -> Status {
      BackfillRequest r{flags->nodes, flags->downstream,   flags->from,
                        flags->to,    flags->newest_first, flags->parallel};
      ASSIGN_OR_RETURN(int64_t id, o->Backfill(r));
      ASSIGN_OR_RETURN(std::vector<Instance> created, store->Instances({.backfill_id = id}));
      std::set<std::string> dates, nodes;
      for (const Instance& in : created) {
        dates.insert(in.bizdate);
        nodes.insert(in.node);
      }
      std::cout << fmt::format(
          "backfill {}: {} business date(s) {}..{}, {} node(s), {} instance(s) "
          "created (ferry ops list shows them as [b{}])\n",
          id, dates.size(), flags->from, flags->to, nodes.size(), created.size(), id);
      return Status::OK();
    });
  });
}

}  // namespace ferry
