// ResourceGroupStore: the named host sets of `ferry resource-group` (DESIGN 8), kept in
// $FERRY_HOME/resource_groups.json beside the data sources. A group is the hosts a distributed
// run spreads over, each with its slots (its share of the job's channels).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "ferry/common/status.h"
#include "ferry/dist/hosts.h"

namespace ferry {

struct ResourceGroup {
  std::string name;
  std::vector<HostSlots> hosts;
  int total_slots() const;
};

class ResourceGroupStore {
 public:
  // `home` is $FERRY_HOME (DataSourceStore::DefaultHome()).
  explicit ResourceGroupStore(std::string home) : home_(std::move(home)) {}

  // A missing file is no group. Errors name the file and what is wrong in it.
  Status Load();
  // Atomically (temporary file, fsync, rename); the home directory is made 0700.
  Status Save() const;

  const std::vector<ResourceGroup>& groups() const { return groups_; }
  // NotFound naming the file and the groups it has.
  Result<ResourceGroup> Get(const std::string& name) const;
  // FailedPrecondition if the name exists and !replace.
  Status Put(ResourceGroup group, bool replace);
  Status Remove(const std::string& name);

  std::string path() const { return home_ + "/resource_groups.json"; }

 private:
  std::string home_;
  std::vector<ResourceGroup> groups_;
};

// The resource group a schedule node names when it names none: this machine (the scheduler's),
// unless a resource group of that name is defined.
inline constexpr const char* kDefaultResourceGroup = "default";

// The group `name` of the catalog in `home`, or nullopt when the name means this machine
// ("default" while no group has that name). NotFound for any other name not in the catalog.
Result<std::optional<ResourceGroup>> ResolveResourceGroup(const std::string& home,
                                                          const std::string& name);

}  // namespace ferry
