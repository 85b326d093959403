#include "ferry/datasource/resource_group_store.h"

#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "ferry/common/file.h"
#include "ferry/datasource/datasource_store.h"

namespace ferry {
namespace {

constexpr int kFormatVersion = 1;

}  // namespace

int ResourceGroup::total_slots() const {
  int total = 0;
  for (const HostSlots& h : hosts) total += h.slots;
  return total;
}

Status ResourceGroupStore::Load() {
  groups_.clear();
  std::ifstream in(path(), std::ios::binary);
  if (!in) {
    if (!std::filesystem::exists(path())) return Status::OK();
    return Status::IOError("cannot read " + path());
  }
  std::stringstream text;
  text << in.rdbuf();
  nlohmann::json doc = nlohmann::json::parse(text.str(), nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded() || !doc.is_object()) {
    return Status::InvalidArgument(path() + ": not a JSON object; fix or remove the file");
  }
  auto groups = doc.find("resource_groups");
  if (groups == doc.end()) return Status::OK();
  if (!groups->is_object()) {
    return Status::InvalidArgument(path() + ": \"resource_groups\" must be an object of groups");
  }
  for (const auto& [name, value] : groups->items()) {
    if (!value.is_object() || !value.contains("hosts") || !value["hosts"].is_string()) {
      return Status::InvalidArgument(path() + ": resource group '" + name +
                                     "': expected {\"hosts\": \"h1:4,h2:4\"}");
    }
    auto hosts = ParseHostList(value["hosts"].get<std::string>());
    if (!hosts.ok()) {
      return Status::InvalidArgument(path() + ": resource group '" + name +
                                     "': " + hosts.status().message());
    }
    groups_.push_back({name, *std::move(hosts)});
  }
  return Status::OK();
}

Status ResourceGroupStore::Save() const {
  std::error_code ec;
  std::filesystem::create_directories(home_, ec);
  if (ec) return Status::IOError("cannot create " + home_ + ": " + ec.message());
  ::chmod(home_.c_str(), 0700);
  nlohmann::ordered_json doc;
  doc["version"] = kFormatVersion;
  doc["resource_groups"] = nlohmann::ordered_json::object();
  for (const ResourceGroup& g : groups_) {
    doc["resource_groups"][g.name] = {{"hosts", FormatHostList(g.hosts)}};
  }
  return WriteFileAtomic(path(), doc.dump(2) + "\n");
}

Result<ResourceGroup> ResourceGroupStore::Get(const std::string& name) const {
  std::string known;
  for (const ResourceGroup& g : groups_) {
    if (g.name == name) return g;
    known += (known.empty() ? "" : ", ") + g.name;
  }
  return Status::NotFound("no resource group named '" + name + "' in " + path() +
                          (known.empty() ? " (none defined; see `ferry resource-group add`)"
                                         : " (known: " + known + ")"));
}

Status ResourceGroupStore::Put(ResourceGroup group, bool replace) {
  if (!CheckDataSourceName(group.name).ok()) {
    return Status::InvalidArgument("resource group name '" + group.name +
                                   "': use letters, digits, '_', '-', '.' (up to 64), starting "
                                   "with a letter or digit");
  }
  if (group.hosts.empty()) {
    return Status::InvalidArgument("resource group '" + group.name + "' names no host");
  }
  for (ResourceGroup& g : groups_) {
    if (g.name != group.name) continue;
    if (!replace) {
      return Status::FailedPrecondition("resource group '" + group.name + "' exists in " + path() +
                                        "; use --replace to change it");
    }
    g = std::move(group);
    return Status::OK();
  }
  groups_.push_back(std::move(group));
  return Status::OK();
}

Status ResourceGroupStore::Remove(const std::string& name) {
  for (auto it = groups_.begin(); it != groups_.end(); ++it) {
    if (it->name == name) {
      groups_.erase(it);
      return Status::OK();
    }
  }
  return Get(name).status();
}

Result<std::optional<ResourceGroup>> ResolveResourceGroup(const std::string& home,
                                                          const std::string& name) {
  ResourceGroupStore store(home);
  RETURN_NOT_OK(store.Load());
  auto group = store.Get(name);
  if (group.ok()) return std::optional<ResourceGroup>(std::move(group).value());
  if (name == kDefaultResourceGroup) return std::optional<ResourceGroup>();
  return group.status();
}

}  // namespace ferry
