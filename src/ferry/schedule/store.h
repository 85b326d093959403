// Store: the scheduler's state in SQLite (WAL): the deployed schedule, the instances, frozen
// nodes and backfills. The server, `ferry ops` and `ferry deploy` may use one store file at the
// same time from different processes; each change is one transaction.
// A Store object may be shared by threads; Transaction() holds it for the whole function.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "ferry/common/status.h"
#include "ferry/schedule/instance.h"
#include "ferry/schedule/schedule_spec.h"

struct sqlite3;

namespace ferry {

struct Deployment {
  int64_t id = 0;
  int64_t deployed_at = 0;
  ScheduleSpec spec;
};

struct InstanceFilter {
  std::string node;
  std::optional<InstanceState> state;
  std::string bizdate;
  std::optional<int64_t> backfill_id;
  bool pending_only = false;  // not succeeded/failed/stopped, not running
  bool running_only = false;
  int limit = 0;  // 0: all
  bool newest_first = false;
};

struct Backfill {
  int64_t id = 0;
  int64_t created_at = 0;
  std::vector<std::string> nodes;
  std::string from_bizdate, to_bizdate;
  bool newest_first = false;
  int parallel = 1;
};

class Store {
 public:
  // Opens (creating when missing) the store at `path`; its folder must exist.
  static Result<std::unique_ptr<Store>> Open(const std::string& path);
  ~Store();

  const std::string& path() const { return path_; }

  // Runs `fn` in one write transaction (BEGIN IMMEDIATE); rolls back when it returns an error.
  Status Transaction(const std::function<Status()>& fn);

  // Replaces the deployed schedule; nodes seen for the first time get `now` as their start.
  Status Deploy(const ScheduleSpec& spec, int64_t now);
  Result<std::optional<Deployment>> CurrentDeployment();
  // The current deployment's id (0: none), cheap enough to ask every tick.
  Result<int64_t> CurrentDeploymentId();
  // When `node` was first deployed (its cycles are created from then on); 0 when never.
  Result<int64_t> NodeSince(const std::string& node);

  // Inserts instances that do not exist yet (same node, cyctime and backfill); returns how many.
  Result<int> InsertInstances(const std::vector<Instance>& instances);
  Result<std::vector<Instance>> Instances(const InstanceFilter& filter);
  Result<std::optional<Instance>> Get(int64_t id);
  Result<std::optional<Instance>> Find(const std::string& node, const CivilTime& cyctime,
                                       int64_t backfill_id);
  Status Update(const Instance& instance);
  // The business dates that have instances, newest first.
  Result<std::vector<std::string>> Bizdates(int limit);

  Status SetNodeFrozen(const std::string& node, bool frozen);
  Result<std::set<std::string>> FrozenNodes();

  Result<int64_t> AddBackfill(const Backfill& backfill);
  Result<std::vector<Backfill>> Backfills();

  Result<std::optional<std::string>> GetMeta(const std::string& key);
  Status SetMeta(const std::string& key, const std::string& value);

 private:
  explicit Store(std::string path) : path_(std::move(path)) {}
  Status Exec(const std::string& sql);

  std::string path_;
  sqlite3* db_ = nullptr;
  std::recursive_mutex mu_;
};

}  // namespace ferry
