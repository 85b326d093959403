#include "ferry/schedule/store.h"

#include <fmt/format.h>

#include <algorithm>
#include <random>

#include "ferry/common/log.h"
#include "ferry/schedule/store_sqlite.h"

namespace ferry {
namespace {

// One SQL for both backends; {id} is the backend's generated id column.
constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS deployments (
  id {id}, deployed_at BIGINT NOT NULL, spec TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS node_since (node TEXT PRIMARY KEY, since BIGINT NOT NULL);
CREATE TABLE IF NOT EXISTS frozen_nodes (node TEXT PRIMARY KEY);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS backfills (
  id {id}, created_at BIGINT NOT NULL, nodes TEXT NOT NULL,
  from_bizdate TEXT NOT NULL, to_bizdate TEXT NOT NULL, newest_first BIGINT NOT NULL,
  parallel BIGINT NOT NULL);
CREATE TABLE IF NOT EXISTS instances (
  id {id}, node TEXT NOT NULL, cyctime TEXT NOT NULL, fire_at BIGINT NOT NULL,
  backfill_id BIGINT NOT NULL DEFAULT 0, backfill_seq BIGINT NOT NULL DEFAULT 0,
  bizdate TEXT NOT NULL, state TEXT NOT NULL, priority BIGINT NOT NULL DEFAULT 0,
  frozen BIGINT NOT NULL DEFAULT 0, stop_requested BIGINT NOT NULL DEFAULT 0,
  resume BIGINT NOT NULL DEFAULT 0, runs BIGINT NOT NULL DEFAULT 0,
  failures BIGINT NOT NULL DEFAULT 0, next_try_at BIGINT NOT NULL DEFAULT 0,
  pid BIGINT NOT NULL DEFAULT 0, pid_start BIGINT NOT NULL DEFAULT 0,
  run_dir TEXT NOT NULL DEFAULT '', log_path TEXT NOT NULL DEFAULT '',
  summary_path TEXT NOT NULL DEFAULT '', started_at BIGINT NOT NULL DEFAULT 0,
  finished_at BIGINT NOT NULL DEFAULT 0, exit_code BIGINT, summary TEXT NOT NULL DEFAULT '',
  message TEXT NOT NULL DEFAULT '',
  UNIQUE (node, cyctime, backfill_id));
CREATE INDEX IF NOT EXISTS instances_bizdate ON instances (bizdate);
CREATE INDEX IF NOT EXISTS instances_state ON instances (state);
CREATE TABLE IF NOT EXISTS alert_deliveries (
  id {id}, created_at BIGINT NOT NULL, dedupe TEXT NOT NULL UNIQUE, node TEXT NOT NULL,
  instance_id BIGINT NOT NULL, event TEXT NOT NULL, url TEXT NOT NULL, payload TEXT NOT NULL,
  status TEXT NOT NULL, attempts BIGINT NOT NULL DEFAULT 0,
  next_try_at BIGINT NOT NULL DEFAULT 0, http_status BIGINT NOT NULL DEFAULT 0,
  error TEXT NOT NULL DEFAULT '', finished_at BIGINT NOT NULL DEFAULT 0);
CREATE INDEX IF NOT EXISTS alert_deliveries_due ON alert_deliveries (status, next_try_at);
)sql";

constexpr const char* kAlertColumns =
    "id, created_at, dedupe, node, instance_id, event, url, payload, status, attempts, "
    "next_try_at, http_status, error, finished_at";

AlertDelivery ReadAlert(const SqlRow& s) {
  AlertDelivery a;
  a.id = s.Int(0);
  a.created_at = s.Int(1);
  a.dedupe = s.Text(2);
  a.node = s.Text(3);
  a.instance_id = s.Int(4);
  a.event = ParseAlertEvent(s.Text(5)).value_or(AlertEvent::kFailure);
  a.url = s.Text(6);
  a.payload = s.Text(7);
  a.status = s.Text(8);
  a.attempts = static_cast<int>(s.Int(9));
  a.next_try_at = s.Int(10);
  a.http_status = static_cast<int>(s.Int(11));
  a.error = s.Text(12);
  a.finished_at = s.Int(13);
  return a;
}

// Columns added after the first release, with their definitions.
constexpr std::pair<const char*, const char*> kAddedInstanceColumns[] = {
    {"host", "TEXT NOT NULL DEFAULT ''"},
    {"timed_out_at", "BIGINT NOT NULL DEFAULT 0"},
};

constexpr const char* kColumns =
    "id, node, cyctime, fire_at, backfill_id, backfill_seq, bizdate, state, priority, frozen, "
    "stop_requested, resume, runs, failures, next_try_at, pid, pid_start, run_dir, log_path, "
    "summary_path, started_at, finished_at, exit_code, summary, message, host, timed_out_at";

Instance ReadInstance(const SqlRow& s) {
  Instance in;
  in.id = s.Int(0);
  in.node = s.Text(1);
  auto cyc = ParseCyctime(s.Text(2));
  if (cyc.ok()) in.cyctime = *cyc;
  in.fire_at = s.Int(3);
  in.backfill_id = s.Int(4);
  in.backfill_seq = static_cast<int>(s.Int(5));
  in.bizdate = s.Text(6);
  in.state = ParseState(s.Text(7)).value_or(InstanceState::kNotRun);
  in.priority = static_cast<int>(s.Int(8));
  in.frozen = s.Int(9) != 0;
  in.stop_requested = s.Int(10) != 0;
  in.resume = s.Int(11) != 0;
  in.runs = static_cast<int>(s.Int(12));
  in.failures = static_cast<int>(s.Int(13));
  in.next_try_at = s.Int(14);
  in.pid = s.Int(15);
  in.pid_start = s.Int(16);
  in.run_dir = s.Text(17);
  in.log_path = s.Text(18);
  in.summary_path = s.Text(19);
  in.started_at = s.Int(20);
  in.finished_at = s.Int(21);
  if (!s.IsNull(22)) in.exit_code = static_cast<int>(s.Int(22));
  in.summary = s.Text(23);
  in.message = s.Text(24);
  in.host = s.Text(25);
  in.timed_out_at = s.Int(26);
  return in;
}

int64_t Seconds(SysSeconds t) { return t.time_since_epoch().count(); }

}  // namespace

bool IsServerStoreLocation(const std::string& location) {
  return FindStoreBackend(location) != nullptr;
}

Result<std::unique_ptr<Store>> Store::Open(const std::string& location,
                                           const DataSourceCatalog* datasources) {
  if (const StoreBackendKind* kind = FindStoreBackend(location)) {
    ASSIGN_OR_RETURN(std::unique_ptr<StoreBackend> server, kind->open(location, datasources));
    return Over(std::move(server));
  }
  ASSIGN_OR_RETURN(std::unique_ptr<StoreBackend> sqlite, OpenSqliteStore(location));
  return Over(std::move(sqlite));
}

Result<std::unique_ptr<Store>> Store::Over(std::unique_ptr<StoreBackend> backend) {
  std::unique_ptr<Store> store(new Store(std::move(backend)));
  RETURN_NOT_OK(store->CreateTables());
  return store;
}

Status Store::CreateTables() {
  std::string schema = kSchema;
  for (size_t at; (at = schema.find("{id}")) != std::string::npos;) {
    schema.replace(at, 4, backend_->id_column());
  }
  return Transaction([&]() -> Status {
    RETURN_NOT_OK(backend_->ExecScript(schema));
    ASSIGN_OR_RETURN(std::optional<std::string> id, GetMeta("store_id"));
    if (!id) {
      std::random_device random;
      RETURN_NOT_OK(SetMeta("store_id", fmt::format("{:08x}{:08x}", random(), random())));
    }
    for (const auto& [column, definition] : kAddedInstanceColumns) {
      ASSIGN_OR_RETURN(bool has, backend_->HasColumn("instances", column));
      if (!has) {
        RETURN_NOT_OK(backend_->ExecScript(
            fmt::format("ALTER TABLE instances ADD COLUMN {} {}", column, definition)));
      }
    }
    return Status::OK();
  });
}

Result<int64_t> Store::Exec(std::string_view sql, const std::vector<SqlParam>& params,
                            const SqlRowFn& on_row) {
  std::lock_guard lock(mu_);
  return backend_->Exec(sql, params, on_row);
}

Status Store::Transaction(const std::function<Status()>& fn) {
  std::lock_guard lock(mu_);
  RETURN_NOT_OK(backend_->Begin());
  Status st = fn();
  if (!st.ok()) {
    (void)backend_->Rollback();
    return st;
  }
  Status commit = backend_->Commit();
  if (!commit.ok()) (void)backend_->Rollback();
  return commit;
}

Result<bool> Store::Lead(const LeaderClaim& claim, SysSeconds now) {
  std::optional<bool> locked;
  {
    std::lock_guard lock(mu_);
    ASSIGN_OR_RETURN(locked, backend_->HoldLeaderLock());
  }
  if (locked) return *locked;
  return LeadByLease(claim, now);
}

Result<bool> Store::LeadByLease(const LeaderClaim& claim, SysSeconds now) {
  bool leader = false;
  RETURN_NOT_OK(Transaction([&]() -> Status {
    ASSIGN_OR_RETURN(std::optional<std::string> lease, GetMeta("leader"));
    nlohmann::json current = nlohmann::json::parse(lease.value_or(""), nullptr, false);
    std::string holder = current.is_object() ? current.value("holder", "") : "";
    int64_t until = current.is_object() ? current.value("until", int64_t{0}) : 0;
    bool free = holder.empty() || holder == claim.holder || until < Seconds(now) ||
                (claim.is_gone && claim.is_gone(holder));
    if (!free) return Status::OK();
    if (holder != claim.holder) {
      LogInfo("scheduler: {} leads{}", claim.holder,
              holder.empty() ? "" : " (after " + holder + ")");
    }
    leader = true;
    nlohmann::json mine = {{"holder", claim.holder}, {"until", Seconds(now + claim.lease)}};
    return SetMeta("leader", mine.dump());
  }));
  return leader;
}

Status Store::Deploy(const ScheduleSpec& spec, int64_t now) {
  return Transaction([&]() -> Status {
    ASSIGN_OR_RETURN(std::optional<Deployment> previous, CurrentDeployment());
    RETURN_NOT_OK(Exec("INSERT INTO deployments (deployed_at, spec) VALUES (?, ?)",
                       {now, spec.ToJson().dump()})
                      .status());
    // Future cycles not started yet of nodes whose timing changed (or that left the schedule)
    // go; the new timing makes its own from now on.
    std::vector<std::string> retimed;
    if (previous) {
      for (const NodeSpec& old : previous->spec.nodes) {
        const NodeSpec* now_node = spec.Find(old.name);
        if (!now_node || now_node->cron != old.cron || now_node->time_zone != old.time_zone) {
          retimed.push_back(old.name);
        }
      }
    }
    for (const std::string& name : retimed) {
      RETURN_NOT_OK(Exec("DELETE FROM instances WHERE node = ? AND backfill_id = 0 AND runs = 0 "
                         "AND state IN ('not_run', 'waiting_time') AND fire_at > ?",
                         {name, now})
                        .status());
      RETURN_NOT_OK(Exec("DELETE FROM meta WHERE key = ?", {"materialized:" + name}).status());
    }
    for (const NodeSpec& node : spec.nodes) {
      // A node new to this deployment (or back after being left out, or retimed) starts now:
      // its cycles before this moment are a backfill's business, not the scheduler's.
      bool kept = previous && previous->spec.Find(node.name) &&
                  std::find(retimed.begin(), retimed.end(), node.name) == retimed.end();
      if (kept) continue;
      RETURN_NOT_OK(Exec("INSERT INTO node_since (node, since) VALUES (?, ?) "
                         "ON CONFLICT (node) DO UPDATE SET since = excluded.since",
                         {node.name, now})
                        .status());
      RETURN_NOT_OK(Exec("DELETE FROM meta WHERE key = ?", {"materialized:" + node.name}).status());
    }
    return Status::OK();
  });
}

Result<std::optional<Deployment>> Store::CurrentDeployment() {
  std::optional<Deployment> d;
  std::string spec;
  RETURN_NOT_OK(Exec("SELECT id, deployed_at, spec FROM deployments ORDER BY id DESC LIMIT 1", {},
                     [&](const SqlRow& row) {
                       d.emplace();
                       d->id = row.Int(0);
                       d->deployed_at = row.Int(1);
                       spec = row.Text(2);
                     })
                    .status());
  if (!d) return d;
  ASSIGN_OR_RETURN(d->spec, ScheduleSpec::FromJson(nlohmann::json::parse(spec, nullptr, false)));
  return d;
}

Result<int64_t> Store::CurrentDeploymentId() {
  int64_t id = 0;
  RETURN_NOT_OK(Exec("SELECT max(id) FROM deployments", {}, [&](const SqlRow& row) {
                  if (!row.IsNull(0)) id = row.Int(0);
                }).status());
  return id;
}

Result<int64_t> Store::NodeSince(const std::string& node) {
  int64_t since = 0;
  RETURN_NOT_OK(Exec("SELECT since FROM node_since WHERE node = ?", {node}, [&](const SqlRow& row) {
                  since = row.Int(0);
                }).status());
  return since;
}

Result<int> Store::InsertInstances(const std::vector<Instance>& instances) {
  int added = 0;
  for (const Instance& in : instances) {
    ASSIGN_OR_RETURN(
        int64_t changed,
        Exec("INSERT INTO instances (node, cyctime, fire_at, backfill_id, backfill_seq, bizdate, "
             "state, priority, message) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) "
             "ON CONFLICT (node, cyctime, backfill_id) DO NOTHING",
             {in.node, FormatCivilTime(in.cyctime), in.fire_at, in.backfill_id, in.backfill_seq,
              in.bizdate, StateName(in.state), in.priority, in.message}));
    added += static_cast<int>(changed);
  }
  return added;
}

Result<std::vector<Instance>> Store::QueryInstances(const std::string& where,
                                                    const std::vector<SqlParam>& params) {
  std::vector<Instance> out;
  RETURN_NOT_OK(Exec(fmt::format("SELECT {} FROM instances {}", kColumns, where), params,
                     [&](const SqlRow& row) { out.push_back(ReadInstance(row)); })
                    .status());
  return out;
}

namespace {

// The WHERE clause of `f` (without ORDER BY, LIMIT), its parameters appended to `params`.
std::string InstanceWhere(const InstanceFilter& f, std::vector<SqlParam>* params) {
  std::string where = "WHERE 1=1";
  if (!f.node.empty()) {
    where += " AND node = ?";
    params->push_back(f.node);
  }
  if (f.state) {
    where += " AND state = ?";
    params->push_back(StateName(*f.state));
  }
  if (!f.bizdate.empty()) {
    where += " AND bizdate = ?";
    params->push_back(f.bizdate);
  }
  if (f.backfill_id) {
    where += " AND backfill_id = ?";
    params->push_back(*f.backfill_id);
  }
  if (f.pending_only) {
    where += " AND state NOT IN ('succeeded', 'failed', 'stopped', 'running')";
  }
  if (f.running_only) where += " AND state = 'running'";
  if (f.fired_from) {
    where += " AND fire_at >= ?";
    params->push_back(*f.fired_from);
  }
  if (f.fired_until) {
    where += " AND fire_at <= ?";
    params->push_back(*f.fired_until);
  }
  return where;
}

}  // namespace

Result<std::vector<Instance>> Store::Instances(const InstanceFilter& f) {
  std::vector<SqlParam> params;
  std::string where = InstanceWhere(f, &params);
  where += f.newest_first ? " ORDER BY fire_at DESC, id DESC" : " ORDER BY fire_at, id";
  if (f.limit > 0) where += fmt::format(" LIMIT {} OFFSET {}", f.limit, f.offset);
  return QueryInstances(where, params);
}

Result<int64_t> Store::CountInstances(const InstanceFilter& f) {
  std::vector<SqlParam> params;
  std::string sql = "SELECT COUNT(*) FROM instances " + InstanceWhere(f, &params);
  int64_t count = 0;
  RETURN_NOT_OK(Exec(sql, params, [&](const SqlRow& row) { count = row.Int(0); }).status());
  return count;
}

Result<std::optional<Instance>> Store::Get(int64_t id) {
  ASSIGN_OR_RETURN(std::vector<Instance> found, QueryInstances("WHERE id = ?", {id}));
  if (found.empty()) return std::optional<Instance>();
  return std::optional<Instance>(std::move(found[0]));
}

Result<std::optional<Instance>> Store::Find(const std::string& node, const CivilTime& cyctime,
                                            int64_t backfill_id) {
  ASSIGN_OR_RETURN(std::vector<Instance> found,
                   QueryInstances("WHERE node = ? AND cyctime = ? AND backfill_id = ?",
                                  {node, FormatCivilTime(cyctime), backfill_id}));
  if (found.empty()) return std::optional<Instance>();
  return std::optional<Instance>(std::move(found[0]));
}

Status Store::Update(const Instance& in) {
  return Exec(
             "UPDATE instances SET state = ?, frozen = ?, stop_requested = ?, resume = ?, "
             "runs = ?, failures = ?, next_try_at = ?, pid = ?, pid_start = ?, run_dir = ?, "
             "log_path = ?, summary_path = ?, started_at = ?, finished_at = ?, exit_code = ?, "
             "summary = ?, message = ?, priority = ?, host = ?, timed_out_at = ? WHERE id = ?",
             {StateName(in.state),
              in.frozen,
              in.stop_requested,
              in.resume,
              in.runs,
              in.failures,
              in.next_try_at,
              in.pid,
              in.pid_start,
              in.run_dir,
              in.log_path,
              in.summary_path,
              in.started_at,
              in.finished_at,
              in.exit_code,
              in.summary,
              in.message,
              in.priority,
              in.host,
              in.timed_out_at,
              in.id})
      .status();
}

Result<std::vector<std::string>> Store::Bizdates(int limit) {
  std::vector<std::string> out;
  RETURN_NOT_OK(Exec("SELECT DISTINCT bizdate FROM instances ORDER BY bizdate DESC LIMIT ?",
                     {limit}, [&](const SqlRow& row) { out.push_back(row.Text(0)); })
                    .status());
  return out;
}

Status Store::SetNodeFrozen(const std::string& node, bool frozen) {
  return Exec(frozen ? "INSERT INTO frozen_nodes (node) VALUES (?) ON CONFLICT (node) DO NOTHING"
                     : "DELETE FROM frozen_nodes WHERE node = ?",
              {node})
      .status();
}

Result<std::set<std::string>> Store::FrozenNodes() {
  std::set<std::string> out;
  RETURN_NOT_OK(Exec("SELECT node FROM frozen_nodes", {}, [&](const SqlRow& row) {
                  out.insert(row.Text(0));
                }).status());
  return out;
}

Result<int64_t> Store::AddBackfill(const Backfill& b) {
  int64_t id = 0;
  RETURN_NOT_OK(Exec("INSERT INTO backfills (created_at, nodes, from_bizdate, to_bizdate, "
                     "newest_first, parallel) VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
                     {b.created_at, nlohmann::json(b.nodes).dump(), b.from_bizdate, b.to_bizdate,
                      b.newest_first, b.parallel},
                     [&](const SqlRow& row) { id = row.Int(0); })
                    .status());
  return id;
}

Result<std::vector<Backfill>> Store::Backfills() {
  std::vector<Backfill> out;
  RETURN_NOT_OK(Exec("SELECT id, created_at, nodes, from_bizdate, to_bizdate, newest_first, "
                     "parallel FROM backfills ORDER BY id",
                     {},
                     [&](const SqlRow& row) {
                       Backfill b;
                       b.id = row.Int(0);
                       b.created_at = row.Int(1);
                       nlohmann::json nodes = nlohmann::json::parse(row.Text(2), nullptr, false);
                       if (nodes.is_array()) b.nodes = nodes.get<std::vector<std::string>>();
                       b.from_bizdate = row.Text(3);
                       b.to_bizdate = row.Text(4);
                       b.newest_first = row.Int(5) != 0;
                       b.parallel = static_cast<int>(row.Int(6));
                       out.push_back(std::move(b));
                     })
                    .status());
  return out;
}

Result<std::string> Store::Id() {
  ASSIGN_OR_RETURN(std::optional<std::string> id, GetMeta("store_id"));
  return id.value_or("");
}

Result<std::optional<std::string>> Store::GetMeta(const std::string& key) {
  std::optional<std::string> value;
  RETURN_NOT_OK(Exec("SELECT value FROM meta WHERE key = ?", {key}, [&](const SqlRow& row) {
                  value = row.Text(0);
                }).status());
  return value;
}

Status Store::SetMeta(const std::string& key, const std::string& value) {
  return Exec(
             "INSERT INTO meta (key, value) VALUES (?, ?) "
             "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
             {key, value})
      .status();
}

Result<bool> Store::AddAlert(const AlertDelivery& a) {
  ASSIGN_OR_RETURN(int64_t added,
                   Exec("INSERT INTO alert_deliveries (created_at, dedupe, node, instance_id, "
                        "event, url, payload, status, attempts, next_try_at) "
                        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (dedupe) DO NOTHING",
                        {a.created_at, a.dedupe, a.node, a.instance_id, AlertEventName(a.event),
                         a.url, a.payload, a.status, a.attempts, a.next_try_at}));
  return added > 0;
}

Result<std::vector<AlertDelivery>> Store::AlertDeliveries(const AlertFilter& f) {
  std::string sql = fmt::format("SELECT {} FROM alert_deliveries WHERE 1=1", kAlertColumns);
  std::vector<SqlParam> params;
  if (f.due_at) {
    sql += " AND status = 'pending' AND next_try_at <= ?";
    params.push_back(*f.due_at);
  }
  if (f.instance_id) {
    sql += " AND instance_id = ?";
    params.push_back(*f.instance_id);
  }
  sql += f.due_at ? " ORDER BY next_try_at, id" : " ORDER BY id DESC";
  if (f.limit > 0) sql += fmt::format(" LIMIT {}", f.limit);
  std::vector<AlertDelivery> out;
  RETURN_NOT_OK(
      Exec(sql, params, [&](const SqlRow& row) { out.push_back(ReadAlert(row)); }).status());
  return out;
}

Result<bool> Store::ClaimAlert(int64_t id, int64_t seen_next_try_at, int64_t until) {
  ASSIGN_OR_RETURN(int64_t claimed,
                   Exec("UPDATE alert_deliveries SET next_try_at = ? WHERE id = ? AND "
                        "status = 'pending' AND next_try_at = ?",
                        {until, id, seen_next_try_at}));
  return claimed == 1;
}

Status Store::UpdateAlert(const AlertDelivery& a) {
  return Exec(
             "UPDATE alert_deliveries SET status = ?, attempts = ?, next_try_at = ?, "
             "http_status = ?, error = ?, finished_at = ? WHERE id = ?",
             {a.status, a.attempts, a.next_try_at, a.http_status, a.error, a.finished_at, a.id})
      .status();
}

}  // namespace ferry
