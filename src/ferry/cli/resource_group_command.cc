// `ferry resource-group add|list|show|remove`: the named host sets distributed runs spread over
// (DESIGN 8), kept in $FERRY_HOME/resource_groups.json.
#include <fmt/format.h>

#include <iostream>

#include "ferry/cli/commands.h"
#include "ferry/datasource/datasource_store.h"
#include "ferry/datasource/resource_group_store.h"

namespace ferry {
namespace {

Result<ResourceGroupStore> OpenResourceGroupStore() {
  ResourceGroupStore store(DataSourceStore::DefaultHome());
  RETURN_NOT_OK(store.Load());
  return store;
}

nlohmann::ordered_json GroupJson(const ResourceGroup& g) {
  nlohmann::ordered_json hosts = nlohmann::ordered_json::array();
  for (const HostSlots& h : g.hosts) hosts.push_back({{"host", h.host}, {"slots", h.slots}});
  return {{"name", g.name}, {"hosts", hosts}, {"slots", g.total_slots()}};
}

struct GroupAddFlags {
  std::string name;
  std::string hosts;
  std::string hostfile;
  bool replace = false;
};

int AddGroup(const GroupAddFlags& f) {
  if (f.hosts.empty() == f.hostfile.empty()) {
    return FailCommand(
        "resource-group",
        Status::InvalidArgument("give the hosts as --hosts h1:4,h2:4 or --hostfile FILE"),
        kExitInvalid);
  }
  auto hosts = f.hosts.empty() ? ReadHostfile(f.hostfile) : ParseHostList(f.hosts);
  if (!hosts.ok()) return FailCommand("resource-group", hosts.status(), kExitInvalid);
  auto store = OpenResourceGroupStore();
  if (!store.ok()) return FailCommand("resource-group", store.status(), kExitInvalid);
  ResourceGroup group{f.name, *hosts};
  const int slots = group.total_slots();
  if (Status st = store->Put(std::move(group), f.replace); !st.ok()) {
    return FailCommand("resource-group", st, kExitInvalid);
  }
  if (Status st = store->Save(); !st.ok()) return FailCommand("resource-group", st, kExitFailed);
  std::cout << fmt::format("saved resource group {} ({}: {} hosts, {} slots) in {}\n", f.name,
                           FormatHostList(*hosts), hosts->size(), slots, store->path());
  return kExitOk;
}

int ListGroups(bool as_json) {
  auto store = OpenResourceGroupStore();
  if (!store.ok()) return FailCommand("resource-group", store.status(), kExitInvalid);
  if (as_json) {
    nlohmann::ordered_json out = nlohmann::ordered_json::array();
    for (const ResourceGroup& g : store->groups()) out.push_back(GroupJson(g));
    std::cout << out.dump(2) << "\n";
    return kExitOk;
  }
  if (store->groups().empty()) {
    std::cout << "no resource groups in " << store->path()
              << " (add one with `ferry resource-group add NAME --hosts h1:4,h2:4`)\n";
    return kExitOk;
  }
  std::cout << fmt::format("{:<20} {:>5} {:>5}  {}\n", "NAME", "HOSTS", "SLOTS", "HOSTS:SLOTS");
  for (const ResourceGroup& g : store->groups()) {
    std::cout << fmt::format("{:<20} {:>5} {:>5}  {}\n", g.name, g.hosts.size(), g.total_slots(),
                             FormatHostList(g.hosts));
  }
  return kExitOk;
}

int ShowGroup(const std::string& name, bool as_json) {
  auto store = OpenResourceGroupStore();
  if (!store.ok()) return FailCommand("resource-group", store.status(), kExitInvalid);
  auto group = store->Get(name);
  if (!group.ok()) return FailCommand("resource-group", group.status(), kExitInvalid);
  if (as_json) {
    std::cout << GroupJson(*group).dump(2) << "\n";
    return kExitOk;
  }
  std::cout << fmt::format("resource group {}: {} hosts, {} slots ({})\n", group->name,
                           group->hosts.size(), group->total_slots(), store->path());
  for (const HostSlots& h : group->hosts) {
    std::cout << fmt::format("  {:<30} slots={}\n", h.host, h.slots);
  }
  return kExitOk;
}

int RemoveGroup(const std::string& name) {
  auto store = OpenResourceGroupStore();
  if (!store.ok()) return FailCommand("resource-group", store.status(), kExitInvalid);
  if (Status st = store->Remove(name); !st.ok())
    return FailCommand("resource-group", st, kExitInvalid);
  if (Status st = store->Save(); !st.ok()) return FailCommand("resource-group", st, kExitFailed);
  std::cout << "removed resource group " << name << " from " << store->path() << "\n";
  return kExitOk;
}

}  // namespace

void AddResourceGroupCommand(CLI::App* app, int* exit_code) {
  CLI::App* cmd = app->add_subcommand(
      "resource-group", "hosts that executeMode \"distribute\" runs over ($FERRY_HOME)");
  cmd->require_subcommand(1);

  auto add = std::make_shared<GroupAddFlags>();
  CLI::App* a = cmd->add_subcommand("add", "save a resource group");
  a->add_option("name", add->name, "the group's name")->required();
  a->add_option("--hosts", add->hosts, "hosts with their slots: h1:4,h2:4");
  a->add_option("--hostfile", add->hostfile, "an Open MPI hostfile (HOST slots=N a line)");
  a->add_flag("--replace", add->replace, "replace a group of the same name");
  a->callback([add, exit_code] { *exit_code = AddGroup(*add); });

  auto list_json = std::make_shared<bool>(false);
  CLI::App* l = cmd->add_subcommand("list", "list the resource groups");
  l->add_flag("--json", *list_json, "as JSON");
  l->callback([list_json, exit_code] { *exit_code = ListGroups(*list_json); });

  auto show_name = std::make_shared<std::string>();
  auto show_json = std::make_shared<bool>(false);
  CLI::App* s = cmd->add_subcommand("show", "show a resource group's hosts");
  s->add_option("name", *show_name, "the group's name")->required();
  s->add_flag("--json", *show_json, "as JSON");
  s->callback(
      [show_name, show_json, exit_code] { *exit_code = ShowGroup(*show_name, *show_json); });

  auto remove_name = std::make_shared<std::string>();
  CLI::App* r = cmd->add_subcommand("remove", "remove a resource group");
  r->add_option("name", *remove_name, "the group's name")->required();
  r->callback([remove_name, exit_code] { *exit_code = RemoveGroup(*remove_name); });
}

}  // namespace ferry
