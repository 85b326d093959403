#include "plugins/postgresql/pg_store_backend.h"

#include <fmt/format.h>
#include <libpq-fe.h>

#include <cctype>
#include <cstdlib>
#include <utility>
#include <vector>

#include "ferry/common/log.h"
#include "ferry/common/numbers.h"
#include "ferry/common/strings.h"
#include "plugins/postgresql/pg_connection.h"

namespace ferry {
namespace {

using Keywords = std::vector<std::pair<std::string, std::string>>;
using pg::PgConnection;
using pg::PgResult;

// 64-bit FNV-1a: a stable advisory-lock key from a name.
int64_t LockKey(const std::string& name) {
  uint64_t h = 14695981039346656037ull;
  for (unsigned char c : name) {
    h ^= c;
    h *= 1099511628211ull;
  }
  return static_cast<int64_t>(h);
}

// Takes Ferry's own `schema` parameter out of a location's query string (libpq refuses it).
std::pair<std::string, std::string> SplitSchema(const std::string& location) {
  size_t q = location.find('?');
  if (q == std::string::npos) return {location, ""};
  std::string kept, schema;
  size_t start = q + 1;
  while (start <= location.size()) {
    size_t end = location.find('&', start);
    if (end == std::string::npos) end = location.size();
    std::string part = location.substr(start, end - start);
    if (part.rfind("schema=", 0) == 0) {
      schema = PercentDecode(part.substr(7));
    } else if (!part.empty()) {
      kept += (kept.empty() ? "" : "&") + part;
    }
    start = end + 1;
  }
  return {location.substr(0, q) + (kept.empty() ? "" : "?" + kept), schema};
}

// The connection a postgresql:// URL names: its libpq keywords, those PgConnection has no field
// for as options.
Result<ConnectionSpec> UrlSpec(const std::string& url) {
  char* err = nullptr;
  PQconninfoOption* options = PQconninfoParse(url.c_str(), &err);
  if (options == nullptr) {
    std::string why = err ? TrimRight(err, "\n ") : "cannot parse it";
    PQfreemem(err);
    return Status::InvalidArgument("--store: not a PostgreSQL URL (" + why + ")");
  }
  ConnectionSpec spec;
  spec.type = "postgresql";
  for (PQconninfoOption* o = options; o->keyword != nullptr; ++o) {
    if (o->val == nullptr || *o->val == '\0') continue;
    const std::string key = o->keyword, value = o->val;
    auto port = key == "port" ? ParseInt32(value, "port") : Result<int32_t>(0);
    if (key == "host") {
      spec.host = value;
    } else if (key == "port" && port.ok()) {
      spec.port = *port;
    } else if (key == "dbname") {
      spec.database = value;
    } else if (key == "user") {
      spec.user = value;
    } else if (key == "password") {
      spec.password = value;
    } else {
      spec.options[key] = value;
    }
  }
  PQconninfoFree(options);
  return spec;
}

Result<ConnectionSpec> DataSourceSpec(const std::string& name,
                                      const DataSourceCatalog* datasources) {
  if (datasources == nullptr) {
    return Status::FailedPrecondition("--store datasource:" + name +
                                      ": no data source catalog to find it in");
  }
  ASSIGN_OR_RETURN(ConnectionSpec spec, datasources->Find(name));
  if (spec.type != "postgresql") {
    return Status::InvalidArgument("--store datasource:" + name + ": a " + spec.type +
                                   " data source; the store needs a postgresql one");
  }
  return spec;
}

class PgRow : public SqlRow {
 public:
  PgRow(const PGresult* result, int row) : result_(result), row_(row) {}
  bool IsNull(int i) const override { return PQgetisnull(result_, row_, i) != 0; }
  int64_t Int(int i) const override {
    return IsNull(i) ? 0 : std::strtoll(PQgetvalue(result_, row_, i), nullptr, 10);
  }
  std::string Text(int i) const override {
    return std::string(PQgetvalue(result_, row_, i), PQgetlength(result_, row_, i));
  }

 private:
  const PGresult* result_;
  int row_;
};

// `?` placeholders as $1, $2, ... (outside quoted text).
std::string NumberPlaceholders(std::string_view sql) {
  std::string out;
  int n = 0;
  bool quoted = false;
  for (char c : sql) {
    if (c == '\'') quoted = !quoted;
    if (c == '?' && !quoted) {
      out += "$" + std::to_string(++n);
    } else {
      out += c;
    }
  }
  return out;
}

void IgnoreNotice(void*, const char*) {}

class PgBackend : public StoreBackend {
 public:
  PgBackend(ConnectionSpec spec, std::string schema, std::string location)
      : spec_(std::move(spec)), schema_(std::move(schema)), location_(std::move(location)) {}

  Status Open() {
    ASSIGN_OR_RETURN(conn_, Connect());
    std::string database, schema;
    RETURN_NOT_OK(Exec("SELECT current_database(), coalesce(current_schema(), 'public')", {},
                       [&](const SqlRow& row) {
                         database = row.Text(0);
                         schema = row.Text(1);
                       })
                      .status());
    std::string name = database + "." + (schema_.empty() ? schema : schema_);
    leader_key_ = LockKey("ferry scheduler leader " + name);
    writer_key_ = LockKey("ferry scheduler writes " + name);
    return Status::OK();
  }

  const std::string& location() const override { return location_; }
  const char* id_column() const override {
    return "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY";
  }

  Result<int64_t> Exec(std::string_view sql, const std::vector<SqlParam>& params,
                       const SqlRowFn& on_row) override {
    RETURN_NOT_OK(EnsureConnected());
    std::vector<std::string> texts(params.size());
    std::vector<const char*> values(params.size(), nullptr);
    for (size_t i = 0; i < params.size(); ++i) {
      if (params[i].is_null()) continue;
      texts[i] = params[i].is_int() ? std::to_string(params[i].as_int()) : params[i].as_text();
      values[i] = texts[i].c_str();
    }
    std::string text = NumberPlaceholders(sql);
    auto run = [&] {
      return PgResult(PQexecParams(conn_.get(), text.c_str(), static_cast<int>(params.size()),
                                   nullptr, values.data(), nullptr, nullptr, 0));
    };
    PgResult result = run();
    if (!Check(result.get()).ok() && !conn_.alive() && !in_transaction_) {
      // The session was lost (a server restart, a cut connection); each statement outside a
      // transaction can be run again as a whole.
      RETURN_NOT_OK(EnsureConnected());
      result = run();
    }
    RETURN_NOT_OK(Check(result.get()));
    if (on_row) {
      for (int r = 0; r < PQntuples(result.get()); ++r) on_row(PgRow(result.get(), r));
    }
    return std::strtoll(PQcmdTuples(result.get()), nullptr, 10);
  }

  Status ExecScript(const std::string& sql) override {
    RETURN_NOT_OK(EnsureConnected());
    PgResult result(PQexec(conn_.get(), sql.c_str()));
    return Check(result.get());
  }

  Result<bool> HasColumn(const std::string& table, const std::string& column) override {
    bool found = false;
    RETURN_NOT_OK(Exec("SELECT 1 FROM information_schema.columns WHERE table_schema = "
                       "current_schema() AND table_name = ? AND column_name = ?",
                       {table, column}, [&](const SqlRow&) { found = true; })
                      .status());
    return found;
  }

  Status Begin() override {
    RETURN_NOT_OK(ExecScript("BEGIN"));
    in_transaction_ = true;
    Status locked = Exec("SELECT pg_advisory_xact_lock(?::bigint)", {writer_key_}, {}).status();
    if (!locked.ok()) (void)Rollback();
    return locked;
  }
  Status Commit() override {
    Status st = ExecScript("COMMIT");
    in_transaction_ = false;
    return st;
  }
  Status Rollback() override {
    in_transaction_ = false;
    if (!conn_.alive()) return Status::OK();  // the server rolled it back
    PgResult result(PQexec(conn_.get(), "ROLLBACK"));
    return Check(result.get());
  }

  Result<std::optional<bool>> HoldLeaderLock() override {
    if (leading_) {
      Status alive = lock_conn_.Query("SELECT 1").status();
      if (alive.ok()) return std::optional<bool>(true);
      LogWarn("store {}: lost the session holding the scheduler's lock: {}", location_,
              alive.message());
      leading_ = false;
    }
    if (!lock_conn_.alive()) {
      ASSIGN_OR_RETURN(lock_conn_, Connect());
    }
    auto result =
        lock_conn_.Query("SELECT pg_try_advisory_lock($1::bigint)", {std::to_string(leader_key_)});
    if (!result.ok()) {
      return Status::IOError(fmt::format("store {}: cannot ask for the scheduler's lock: {}",
                                         location_, result.status().message()));
    }
    leading_ = std::string(PQgetvalue(result->get(), 0, 0)) == "t";
    return std::optional<bool>(leading_);
  }

 private:
  // A session of the store: PgConnection's, with keepalives so that a dead peer is noticed in
  // seconds, not hours (a leader on a lost session must learn it), in the store's schema.
  Result<PgConnection> Connect() {
    ConnectionSpec spec = spec_;
    for (const auto& [k, v] : Keywords{{"keepalives", "1"},
                                       {"keepalives_idle", "5"},
                                       {"keepalives_interval", "2"},
                                       {"keepalives_count", "3"}}) {
      spec.options.emplace(k, v);
    }
    auto it = spec_.options.find("application_name");
    auto conn =
        PgConnection::Connect(spec, it == spec_.options.end() ? "ferry scheduler" : it->second);
    if (!conn.ok()) {
      return Status::IOError(
          fmt::format("store {}: cannot connect: {}", location_, conn.status().message()));
    }
    PQsetNoticeProcessor(conn->get(), IgnoreNotice, nullptr);
    if (!schema_.empty()) RETURN_NOT_OK(UseSchema(*conn));
    return conn;
  }

  // Creates the store's schema when missing and puts it first on the search path.
  Status UseSchema(PgConnection& conn) {
    char* quoted = PQescapeIdentifier(conn.get(), schema_.c_str(), schema_.size());
    std::string ident = quoted ? quoted : schema_;
    PQfreemem(quoted);
    // Two processes creating the schema at once would collide; the lock keeps them in line.
    std::string sql = fmt::format(
        "BEGIN; SELECT pg_advisory_xact_lock({}); CREATE SCHEMA IF NOT EXISTS {}; COMMIT; "
        "SET search_path TO {}",
        LockKey("ferry scheduler schema " + schema_), ident, ident);
    Status st = conn.Exec(sql);
    if (st.ok()) return st;
    return Status::IOError(
        fmt::format("store {}: cannot use schema {}: {}", location_, schema_, st.message()));
  }

  // After a lost connection, the next statement outside a transaction connects again.
  Status EnsureConnected() {
    if (conn_.alive()) return Status::OK();
    if (in_transaction_) {
      return Status::IOError(fmt::format("store {}: connection lost: {}", location_,
                                         TrimRight(PQerrorMessage(conn_.get()), "\n ")));
    }
    ASSIGN_OR_RETURN(conn_, Connect());
    return Status::OK();
  }

  Status Check(const PGresult* result) const {
    ExecStatusType st = PQresultStatus(result);
    if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK) return Status::OK();
    std::string why = result ? PQresultErrorMessage(result) : "";
    if (why.empty()) why = PQerrorMessage(conn_.get());
    return Status::IOError(fmt::format("store {}: {}", location_, TrimRight(why, "\n ")));
  }

  ConnectionSpec spec_;
  std::string schema_;
  std::string location_;
  PgConnection conn_;
  PgConnection lock_conn_;  // holds the leader's session lock
  bool in_transaction_ = false;
  bool leading_ = false;
  int64_t leader_key_ = 0;
  int64_t writer_key_ = 0;
};

}  // namespace

Result<std::unique_ptr<StoreBackend>> OpenPostgresStore(const std::string& location,
                                                        const DataSourceCatalog* datasources) {
  auto [rest, schema] = SplitSchema(location);
  ConnectionSpec spec;
  std::string described;
  if (rest.rfind("datasource:", 0) == 0) {
    std::string name = rest.substr(11);
    ASSIGN_OR_RETURN(spec, DataSourceSpec(name, datasources));
    described = "datasource:" + name;
  } else {
    ASSIGN_OR_RETURN(spec, UrlSpec(rest));
    described = spec.Describe();
  }
  if (!schema.empty()) described += "?schema=" + schema;
  if (!spec.password.empty()) RegisterSecret(spec.password);
  auto backend = std::make_unique<PgBackend>(std::move(spec), schema, described);
  RETURN_NOT_OK(backend->Open());
  return std::unique_ptr<StoreBackend>(std::move(backend));
}

}  // namespace ferry
