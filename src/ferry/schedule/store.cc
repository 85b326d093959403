#include "ferry/schedule/store.h"

#include <sqlite3.h>

#include <algorithm>

namespace ferry {
namespace {

constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS deployments (
  id INTEGER PRIMARY KEY, deployed_at INTEGER NOT NULL, spec TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS node_since (node TEXT PRIMARY KEY, since INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS frozen_nodes (node TEXT PRIMARY KEY);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS backfills (
  id INTEGER PRIMARY KEY, created_at INTEGER NOT NULL, nodes TEXT NOT NULL,
  from_bizdate TEXT NOT NULL, to_bizdate TEXT NOT NULL, newest_first INTEGER NOT NULL,
  parallel INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS instances (
  id INTEGER PRIMARY KEY, node TEXT NOT NULL, cyctime TEXT NOT NULL, fire_at INTEGER NOT NULL,
  backfill_id INTEGER NOT NULL DEFAULT 0, backfill_seq INTEGER NOT NULL DEFAULT 0,
  bizdate TEXT NOT NULL, state TEXT NOT NULL, priority INTEGER NOT NULL DEFAULT 0,
  frozen INTEGER NOT NULL DEFAULT 0, stop_requested INTEGER NOT NULL DEFAULT 0,
  resume INTEGER NOT NULL DEFAULT 0, runs INTEGER NOT NULL DEFAULT 0,
  failures INTEGER NOT NULL DEFAULT 0, next_try_at INTEGER NOT NULL DEFAULT 0,
  pid INTEGER NOT NULL DEFAULT 0, pid_start INTEGER NOT NULL DEFAULT 0,
  run_dir TEXT NOT NULL DEFAULT '', log_path TEXT NOT NULL DEFAULT '',
  summary_path TEXT NOT NULL DEFAULT '', started_at INTEGER NOT NULL DEFAULT 0,
  finished_at INTEGER NOT NULL DEFAULT 0, exit_code INTEGER, summary TEXT NOT NULL DEFAULT '',
  message TEXT NOT NULL DEFAULT '',
  UNIQUE (node, cyctime, backfill_id));
CREATE INDEX IF NOT EXISTS instances_bizdate ON instances (bizdate);
CREATE INDEX IF NOT EXISTS instances_state ON instances (state);
)sql";

constexpr const char* kColumns =
    "id, node, cyctime, fire_at, backfill_id, backfill_seq, bizdate, state, priority, frozen, "
    "stop_requested, resume, runs, failures, next_try_at, pid, pid_start, run_dir, log_path, "
    "summary_path, started_at, finished_at, exit_code, summary, message";

// A prepared statement, finalized when it goes out of scope.
class Stmt {
 public:
  Stmt(sqlite3* db, const std::string& sql) : db_(db) {
    rc_ = sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt_, nullptr);
  }
  ~Stmt() { sqlite3_finalize(stmt_); }
  Status status() const {
    return rc_ == SQLITE_OK ? Status::OK()
                            : Status::IOError(std::string("store: ") + sqlite3_errmsg(db_));
  }
  Stmt& Bind(const std::string& v) {
    sqlite3_bind_text(stmt_, ++n_, v.c_str(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
    return *this;
  }
  Stmt& Bind(const char* v) { return Bind(std::string(v)); }
  Stmt& Bind(int64_t v) {
    sqlite3_bind_int64(stmt_, ++n_, v);
    return *this;
  }
  Stmt& Bind(int v) { return Bind(static_cast<int64_t>(v)); }
  Stmt& Bind(bool v) { return Bind(static_cast<int64_t>(v)); }
  Stmt& Bind(const std::optional<int>& v) {
    if (v) return Bind(*v);
    sqlite3_bind_null(stmt_, ++n_);
    return *this;
  }
  // True while a row is available.
  Result<bool> Step() {
    RETURN_NOT_OK(status());
    int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    return Status::IOError(std::string("store: ") + sqlite3_errmsg(db_));
  }
  int64_t Int(int i) const { return sqlite3_column_int64(stmt_, i); }
  bool IsNull(int i) const { return sqlite3_column_type(stmt_, i) == SQLITE_NULL; }
  std::string Text(int i) const {
    const unsigned char* t = sqlite3_column_text(stmt_, i);
    return t ? std::string(reinterpret_cast<const char*>(t), sqlite3_column_bytes(stmt_, i)) : "";
  }

 private:
  sqlite3* db_;
  sqlite3_stmt* stmt_ = nullptr;
  int rc_;
  int n_ = 0;
};

Instance ReadInstance(const Stmt& s) {
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
  return in;
}

}  // namespace

Result<std::unique_ptr<Store>> Store::Open(const std::string& path) {
  std::unique_ptr<Store> store(new Store(path));
  int rc =
      sqlite3_open_v2(path.c_str(), &store->db_,
                      SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX, nullptr);
  if (rc != SQLITE_OK) {
    return Status::IOError(
        fmt::format("store {}: {}", path, store->db_ ? sqlite3_errmsg(store->db_) : "cannot open"));
  }
  sqlite3_busy_timeout(store->db_, 10000);
  RETURN_NOT_OK(store->Exec("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"));
  RETURN_NOT_OK(store->Exec(kSchema));
  return store;
}

Store::~Store() {
  if (db_) sqlite3_close(db_);
}

Status Store::Exec(const std::string& sql) {
  char* err = nullptr;
  if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
    std::string message = err ? err : "unknown error";
    sqlite3_free(err);
    return Status::IOError(fmt::format("store {}: {}", path_, message));
  }
  return Status::OK();
}

Status Store::Transaction(const std::function<Status()>& fn) {
  std::lock_guard lock(mu_);
  RETURN_NOT_OK(Exec("BEGIN IMMEDIATE"));
  Status st = fn();
  if (!st.ok()) {
    (void)Exec("ROLLBACK");
    return st;
  }
  Status commit = Exec("COMMIT");
  if (!commit.ok()) (void)Exec("ROLLBACK");
  return commit;
}

Status Store::Deploy(const ScheduleSpec& spec, int64_t now) {
  return Transaction([&]() -> Status {
    ASSIGN_OR_RETURN(std::optional<Deployment> previous, CurrentDeployment());
    Stmt ins(db_, "INSERT INTO deployments (deployed_at, spec) VALUES (?, ?)");
    ins.Bind(now).Bind(spec.ToJson().dump());
    RETURN_NOT_OK(ins.Step());
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
      Stmt drop(db_,
                "DELETE FROM instances WHERE node = ? AND backfill_id = 0 AND runs = 0 AND "
                "state IN ('not_run', 'waiting_time') AND fire_at > ?");
      drop.Bind(name).Bind(now);
      RETURN_NOT_OK(drop.Step());
      Stmt mark(db_, "DELETE FROM meta WHERE key = ?");
      mark.Bind("materialized:" + name);
      RETURN_NOT_OK(mark.Step());
    }
    for (const NodeSpec& node : spec.nodes) {
      // A node new to this deployment (or back after being left out, or retimed) starts now:
      // its cycles before this moment are a backfill's business, not the scheduler's.
      bool kept = previous && previous->spec.Find(node.name) &&
                  std::find(retimed.begin(), retimed.end(), node.name) == retimed.end();
      if (kept) continue;
      Stmt since(db_, "INSERT OR REPLACE INTO node_since (node, since) VALUES (?, ?)");
      since.Bind(node.name).Bind(now);
      RETURN_NOT_OK(since.Step());
      Stmt mark(db_, "DELETE FROM meta WHERE key = ?");
      mark.Bind("materialized:" + node.name);
      RETURN_NOT_OK(mark.Step());
    }
    return Status::OK();
  });
}

Result<std::optional<Deployment>> Store::CurrentDeployment() {
  std::lock_guard lock(mu_);
  Stmt s(db_, "SELECT id, deployed_at, spec FROM deployments ORDER BY id DESC LIMIT 1");
  ASSIGN_OR_RETURN(bool row, s.Step());
  if (!row) return std::optional<Deployment>();
  Deployment d;
  d.id = s.Int(0);
  d.deployed_at = s.Int(1);
  nlohmann::json j = nlohmann::json::parse(s.Text(2), nullptr, false);
  ASSIGN_OR_RETURN(d.spec, ScheduleSpec::FromJson(j));
  return std::optional<Deployment>(std::move(d));
}

Result<int64_t> Store::CurrentDeploymentId() {
  std::lock_guard lock(mu_);
  Stmt s(db_, "SELECT max(id) FROM deployments");
  ASSIGN_OR_RETURN(bool row, s.Step());
  return row ? s.Int(0) : int64_t{0};
}

Result<int64_t> Store::NodeSince(const std::string& node) {
  std::lock_guard lock(mu_);
  Stmt s(db_, "SELECT since FROM node_since WHERE node = ?");
  s.Bind(node);
  ASSIGN_OR_RETURN(bool row, s.Step());
  return row ? s.Int(0) : int64_t{0};
}

Result<int> Store::InsertInstances(const std::vector<Instance>& instances) {
  std::lock_guard lock(mu_);
  int added = 0;
  for (const Instance& in : instances) {
    Stmt s(db_,
           "INSERT OR IGNORE INTO instances (node, cyctime, fire_at, backfill_id, backfill_seq, "
           "bizdate, state, priority, message) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)");
    s.Bind(in.node)
        .Bind(FormatCivilTime(in.cyctime))
        .Bind(in.fire_at)
        .Bind(in.backfill_id)
        .Bind(in.backfill_seq)
        .Bind(in.bizdate)
        .Bind(StateName(in.state))
        .Bind(in.priority)
        .Bind(in.message);
    RETURN_NOT_OK(s.Step());
    added += sqlite3_changes(db_);
  }
  return added;
}

Result<std::vector<Instance>> Store::Instances(const InstanceFilter& f) {
  std::lock_guard lock(mu_);
  std::string sql = fmt::format("SELECT {} FROM instances WHERE 1=1", kColumns);
  if (!f.node.empty()) sql += " AND node = ?";
  if (f.state) sql += " AND state = ?";
  if (!f.bizdate.empty()) sql += " AND bizdate = ?";
  if (f.backfill_id) sql += " AND backfill_id = ?";
  if (f.pending_only) {
    sql += " AND state NOT IN ('succeeded', 'failed', 'stopped', 'running')";
  }
  if (f.running_only) sql += " AND state = 'running'";
  sql += f.newest_first ? " ORDER BY fire_at DESC, id DESC" : " ORDER BY fire_at, id";
  if (f.limit > 0) sql += fmt::format(" LIMIT {}", f.limit);
  Stmt s(db_, sql);
  if (!f.node.empty()) s.Bind(f.node);
  if (f.state) s.Bind(StateName(*f.state));
  if (!f.bizdate.empty()) s.Bind(f.bizdate);
  if (f.backfill_id) s.Bind(*f.backfill_id);
  std::vector<Instance> out;
  for (;;) {
    ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) break;
    out.push_back(ReadInstance(s));
  }
  return out;
}

Result<std::optional<Instance>> Store::Get(int64_t id) {
  std::lock_guard lock(mu_);
  Stmt s(db_, fmt::format("SELECT {} FROM instances WHERE id = ?", kColumns));
  s.Bind(id);
  ASSIGN_OR_RETURN(bool row, s.Step());
  if (!row) return std::optional<Instance>();
  return std::optional<Instance>(ReadInstance(s));
}

Result<std::optional<Instance>> Store::Find(const std::string& node, const CivilTime& cyctime,
                                            int64_t backfill_id) {
  std::lock_guard lock(mu_);
  Stmt s(db_,
         fmt::format("SELECT {} FROM instances WHERE node = ? AND cyctime = ? AND backfill_id = ?",
                     kColumns));
  s.Bind(node).Bind(FormatCivilTime(cyctime)).Bind(backfill_id);
  ASSIGN_OR_RETURN(bool row, s.Step());
  if (!row) return std::optional<Instance>();
  return std::optional<Instance>(ReadInstance(s));
}

Status Store::Update(const Instance& in) {
  std::lock_guard lock(mu_);
  Stmt s(db_,
         "UPDATE instances SET state = ?, frozen = ?, stop_requested = ?, resume = ?, runs = ?, "
         "failures = ?, next_try_at = ?, pid = ?, pid_start = ?, run_dir = ?, log_path = ?, "
         "summary_path = ?, started_at = ?, finished_at = ?, exit_code = ?, summary = ?, "
         "message = ?, priority = ? WHERE id = ?");
  s.Bind(StateName(in.state))
      .Bind(in.frozen)
      .Bind(in.stop_requested)
      .Bind(in.resume)
      .Bind(in.runs)
      .Bind(in.failures)
      .Bind(in.next_try_at)
      .Bind(in.pid)
      .Bind(in.pid_start)
      .Bind(in.run_dir)
      .Bind(in.log_path)
      .Bind(in.summary_path)
      .Bind(in.started_at)
      .Bind(in.finished_at)
      .Bind(in.exit_code)
      .Bind(in.summary)
      .Bind(in.message)
      .Bind(in.priority)
      .Bind(in.id);
  ASSIGN_OR_RETURN(bool row, s.Step());
  (void)row;
  return Status::OK();
}

Result<std::vector<std::string>> Store::Bizdates(int limit) {
  std::lock_guard lock(mu_);
  Stmt s(db_, "SELECT DISTINCT bizdate FROM instances ORDER BY bizdate DESC LIMIT ?");
  s.Bind(limit);
  std::vector<std::string> out;
  for (;;) {
    ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) break;
    out.push_back(s.Text(0));
  }
  return out;
}

Status Store::SetNodeFrozen(const std::string& node, bool frozen) {
  std::lock_guard lock(mu_);
  Stmt s(db_, frozen ? "INSERT OR IGNORE INTO frozen_nodes (node) VALUES (?)"
                     : "DELETE FROM frozen_nodes WHERE node = ?");
  s.Bind(node);
  return s.Step().status();
}

Result<std::set<std::string>> Store::FrozenNodes() {
  std::lock_guard lock(mu_);
  Stmt s(db_, "SELECT node FROM frozen_nodes");
  std::set<std::string> out;
  for (;;) {
    ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) break;
    out.insert(s.Text(0));
  }
  return out;
}

Result<int64_t> Store::AddBackfill(const Backfill& b) {
  std::lock_guard lock(mu_);
  Stmt s(
      db_,
      "INSERT INTO backfills (created_at, nodes, from_bizdate, to_bizdate, newest_first, parallel) "
      "VALUES (?, ?, ?, ?, ?, ?)");
  s.Bind(b.created_at)
      .Bind(nlohmann::json(b.nodes).dump())
      .Bind(b.from_bizdate)
      .Bind(b.to_bizdate)
      .Bind(b.newest_first)
      .Bind(b.parallel);
  RETURN_NOT_OK(s.Step());
  return static_cast<int64_t>(sqlite3_last_insert_rowid(db_));
}

Result<std::vector<Backfill>> Store::Backfills() {
  std::lock_guard lock(mu_);
  Stmt s(db_,
         "SELECT id, created_at, nodes, from_bizdate, to_bizdate, newest_first, parallel "
         "FROM backfills ORDER BY id");
  std::vector<Backfill> out;
  for (;;) {
    ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) break;
    Backfill b;
    b.id = s.Int(0);
    b.created_at = s.Int(1);
    nlohmann::json nodes = nlohmann::json::parse(s.Text(2), nullptr, false);
    if (nodes.is_array()) b.nodes = nodes.get<std::vector<std::string>>();
    b.from_bizdate = s.Text(3);
    b.to_bizdate = s.Text(4);
    b.newest_first = s.Int(5) != 0;
    b.parallel = static_cast<int>(s.Int(6));
    out.push_back(std::move(b));
  }
  return out;
}

Result<std::optional<std::string>> Store::GetMeta(const std::string& key) {
  std::lock_guard lock(mu_);
  Stmt s(db_, "SELECT value FROM meta WHERE key = ?");
  s.Bind(key);
  ASSIGN_OR_RETURN(bool row, s.Step());
  if (!row) return std::optional<std::string>();
  return std::optional<std::string>(s.Text(0));
}

Status Store::SetMeta(const std::string& key, const std::string& value) {
  std::lock_guard lock(mu_);
  Stmt s(db_,
         "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = "
         "excluded.value");
  s.Bind(key).Bind(value);
  return s.Step().status();
}

}  // namespace ferry
