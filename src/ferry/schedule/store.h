// Store: the scheduler's state — the deployed schedule, the instances, frozen nodes and
// backfills — in a SQLite file (WAL; the default) or a PostgreSQL database (for servers on
// several hosts). Servers, `ferry ops` and `ferry deploy` may use one store at the same time from
// different processes; each change is one transaction, and write transactions never interleave.
// A Store object may be shared by threads; Transaction() holds it for the whole function.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "ferry/common/status.h"
#include "ferry/schedule/alert.h"
#include "ferry/schedule/instance.h"
#include "ferry/schedule/schedule_spec.h"
#include "ferry/schedule/store_backend.h"

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
  std::optional<int64_t> fired_from, fired_until;  // fire_at within [from, until]
  int limit = 0;                                   // 0: all
  int64_t offset = 0;                              // with a limit: skip this many first (paging)
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

struct AlertFilter {
  std::optional<int64_t> due_at;  // only pending deliveries whose next try is at or before this
  std::optional<int64_t> instance_id;
  int limit = 0;  // 0: all; the newest first unless due_at
};

// Who asks to lead the servers sharing a store (see Store::Lead).
struct LeaderClaim {
  std::string holder;  // "HOST/PID/START" of the asking process
  std::chrono::seconds lease{15};
  // Whether a holder's process is known to be gone (then its lease lapses at once); may be null.
  std::function<bool(const std::string& holder)> is_gone;
};

// A location names a store on a database server when a built-in kind claims its prefix
// (postgresql://, postgres://, datasource:NAME — plugins/builtin_plugins.cc); anything else is a
// SQLite file.
bool IsServerStoreLocation(const std::string& location);

class Store {
 public:
  // Opens (creating its tables when missing) the store at `location`: a SQLite file (its folder
  // must exist), "postgresql://USER@HOST:PORT/DB[?schema=S&...]" or "datasource:NAME[?schema=S]"
  // (found in `datasources`, which may be null when the location names none).
  static Result<std::unique_ptr<Store>> Open(const std::string& location,
                                             const DataSourceCatalog* datasources = nullptr);
  // A store over an open backend, for tests of a backend.
  static Result<std::unique_ptr<Store>> Over(std::unique_ptr<StoreBackend> backend);

  // Where the store is, fit for messages (never a password).
  const std::string& location() const { return backend_->location(); }

  // Runs `fn` in one write transaction, exclusive among every user of the store; rolls back when
  // it returns an error.
  Status Transaction(const std::function<Status()>& fn);

  // Whether `claim.holder` is the one server that schedules now. With PostgreSQL, holding an
  // advisory lock on a session of this process's own (it goes when the process dies); with
  // SQLite, a lease in the store renewed by each call, free once it lapses or its holder is gone.
  Result<bool> Lead(const LeaderClaim& claim, SysSeconds now);

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
  // How many instances `filter` selects, its limit and offset aside.
  Result<int64_t> CountInstances(const InstanceFilter& filter);
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

  // Alert deliveries (alert.h). AddAlert keeps the first of each `dedupe` and says whether this
  // one was added. ClaimAlert moves a due delivery's next try to `until` when nobody else did
  // (servers sharing a store send each delivery once). UpdateAlert records an attempt.
  Result<bool> AddAlert(const AlertDelivery& alert);
  Result<std::vector<AlertDelivery>> AlertDeliveries(const AlertFilter& filter);
  Result<bool> ClaimAlert(int64_t id, int64_t seen_next_try_at, int64_t until);
  Status UpdateAlert(const AlertDelivery& alert);

  // A random name given to the store when it was created, the same for every process using it.
  Result<std::string> Id();

  Result<std::optional<std::string>> GetMeta(const std::string& key);
  Status SetMeta(const std::string& key, const std::string& value);

 private:
  explicit Store(std::unique_ptr<StoreBackend> backend) : backend_(std::move(backend)) {}
  Status CreateTables();
  Result<bool> LeadByLease(const LeaderClaim& claim, SysSeconds now);
  // One statement on the backend (under mu_).
  Result<int64_t> Exec(std::string_view sql, const std::vector<SqlParam>& params = {},
                       const SqlRowFn& on_row = {});
  Result<std::vector<Instance>> QueryInstances(const std::string& where,
                                               const std::vector<SqlParam>& params);

  std::unique_ptr<StoreBackend> backend_;
  std::recursive_mutex mu_;
};

}  // namespace ferry
