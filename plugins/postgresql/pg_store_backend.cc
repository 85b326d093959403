#include "plugins/postgresql/pg_store_backend.h"

#include <libpq-fe.h>

#include <cctype>
#include <cstdlib>
#include <utility>
#include <vector>

#include "ferry/common/log.h"
#include "ferry/common/strings.h"
#include "ferry/datasource/datasource_store.h"

namespace ferry {
namespace {

using Keywords = std::vector<std::pair<std::string, std::string>>;

struct ResultDeleter {
  void operator()(PGresult* r) const { PQclear(r); }
};
using PgResultPtr = std::unique_ptr<PGresult, ResultDeleter>;

std::string Trim(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

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

// The libpq keywords of a postgresql:// URL.
Result<Keywords> UrlKeywords(const std::string& url) {
  char* err = nullptr;
  PQconninfoOption* options = PQconninfoParse(url.c_str(), &err);
  if (options == nullptr) {
    std::string why = err ? Trim(err) : "cannot parse it";
    PQfreemem(err);
    return Status::InvalidArgument("--store: not a PostgreSQL URL (" + why + ")");
  }
  Keywords keywords;
  for (PQconninfoOption* o = options; o->keyword != nullptr; ++o) {
    if (o->val != nullptr && *o->val != '\0') keywords.emplace_back(o->keyword, o->val);
  }
  PQconninfoFree(options);
  return keywords;
}

Result<Keywords> DataSourceKeywords(const std::string& name) {
  ASSIGN_OR_RETURN(ConnectionSpec spec, DefaultDataSourceCatalog().Find(name));
  if (spec.type != "postgresql") {
    return Status::InvalidArgument("--store datasource:" + name + ": a " + spec.type +
                                   " data source; the store needs a postgresql one");
  }
  Keywords keywords;
  auto add = [&](const char* k, const std::string& v) {
    if (!v.empty()) keywords.emplace_back(k, v);
  };
  add("host", spec.host);
  add("port", spec.port == 0 ? "" : std::to_string(spec.port));
  add("dbname", spec.database);
  add("user", spec.user);
  add("password", spec.password);
  for (const auto& [k, v] : spec.options) add(k.c_str(), v);
  return keywords;
}

std::string Keyword(const Keywords& keywords, const std::string& name) {
  for (const auto& [k, v] : keywords) {
    if (k == name) return v;
  }
  return "";
}

// "postgresql://user@host:port/db": where the store is, without the password.
std::string Describe(const Keywords& keywords, const std::string& schema) {
  std::string user = Keyword(keywords, "user"), host = Keyword(keywords, "host");
  std::string port = Keyword(keywords, "port"), db = Keyword(keywords, "dbname");
  std::string s = "postgresql://" + (user.empty() ? "" : user + "@") +
                  (host.empty() ? "localhost" : host) + (port.empty() ? "" : ":" + port) + "/" + db;
  return schema.empty() ? s : s + "?schema=" + schema;
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
  PgBackend(Keywords keywords, std::string schema, std::string location)
      : keywords_(std::move(keywords)),
        schema_(std::move(schema)),
        location_(std::move(location)) {}
  ~PgBackend() override {
    if (conn_) PQfinish(conn_);
    if (lock_conn_) PQfinish(lock_conn_);
  }

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
      return PgResultPtr(PQexecParams(conn_, text.c_str(), static_cast<int>(params.size()), nullptr,
                                      values.data(), nullptr, nullptr, 0));
    };
    PgResultPtr result = run();
    if (!Check(result.get()).ok() && PQstatus(conn_) != CONNECTION_OK && !in_transaction_) {
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
    PgResultPtr result(PQexec(conn_, sql.c_str()));
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
    if (PQstatus(conn_) != CONNECTION_OK) return Status::OK();  // the server rolled it back
    PgResultPtr result(PQexec(conn_, "ROLLBACK"));
    return Check(result.get());
  }

  Result<std::optional<bool>> HoldLeaderLock() override {
    if (leading_) {
      PgResultPtr alive(PQexec(lock_conn_, "SELECT 1"));
      if (PQresultStatus(alive.get()) == PGRES_TUPLES_OK) return std::optional<bool>(true);
      LogWarn("store {}: lost the session holding the scheduler's lock: {}", location_,
              Trim(PQerrorMessage(lock_conn_)));
      leading_ = false;
    }
    if (lock_conn_ == nullptr || PQstatus(lock_conn_) != CONNECTION_OK) {
      if (lock_conn_) PQfinish(lock_conn_);
      lock_conn_ = nullptr;
      ASSIGN_OR_RETURN(lock_conn_, Connect());
    }
    std::string key = std::to_string(leader_key_);
    const char* values[] = {key.c_str()};
    PgResultPtr result(PQexecParams(lock_conn_, "SELECT pg_try_advisory_lock($1::bigint)", 1,
                                    nullptr, values, nullptr, nullptr, 0));
    if (PQresultStatus(result.get()) != PGRES_TUPLES_OK) {
      return Status::IOError(fmt::format("store {}: cannot ask for the scheduler's lock: {}",
                                         location_, Trim(PQerrorMessage(lock_conn_))));
    }
    leading_ = std::string(PQgetvalue(result.get(), 0, 0)) == "t";
    return std::optional<bool>(leading_);
  }

 private:
  Result<PGconn*> Connect() {
    Keywords keywords = keywords_;
    auto has = [&](const char* k) { return !Keyword(keywords, k).empty(); };
    if (!has("connect_timeout")) keywords.emplace_back("connect_timeout", "10");
    if (!has("application_name")) keywords.emplace_back("application_name", "ferry scheduler");
    // A dead peer is noticed in seconds, not hours: a leader on a lost session must learn it.
    for (const auto& [k, v] : Keywords{{"keepalives", "1"},
                                       {"keepalives_idle", "5"},
                                       {"keepalives_interval", "2"},
                                       {"keepalives_count", "3"}}) {
      if (!has(k.c_str())) keywords.emplace_back(k, v);
    }
    std::string options = Keyword(keywords, "options");
    std::erase_if(keywords, [](const auto& kv) { return kv.first == "options"; });
    keywords.emplace_back("options", "-c client_min_messages=warning " + options);
    std::vector<const char*> k, v;
    for (const auto& [key, value] : keywords) {
      k.push_back(key.c_str());
      v.push_back(value.c_str());
    }
    k.push_back(nullptr);
    v.push_back(nullptr);
    PGconn* conn = PQconnectdbParams(k.data(), v.data(), 0);
    if (conn == nullptr || PQstatus(conn) != CONNECTION_OK) {
      std::string why = conn ? Trim(PQerrorMessage(conn)) : "out of memory";
      if (conn) PQfinish(conn);
      return Status::IOError(fmt::format("store {}: cannot connect: {}", location_, why));
    }
    PQsetNoticeProcessor(conn, IgnoreNotice, nullptr);
    if (!schema_.empty()) {
      char* quoted = PQescapeIdentifier(conn, schema_.c_str(), schema_.size());
      std::string ident = quoted ? quoted : schema_;
      PQfreemem(quoted);
      // Two processes creating the schema at once would collide; the lock keeps them in line.
      std::string sql = fmt::format(
          "BEGIN; SELECT pg_advisory_xact_lock({}); CREATE SCHEMA IF NOT EXISTS {}; COMMIT; "
          "SET search_path TO {}",
          LockKey("ferry scheduler schema " + schema_), ident, ident);
      PgResultPtr result(PQexec(conn, sql.c_str()));
      if (PQresultStatus(result.get()) != PGRES_COMMAND_OK) {
        std::string why = Trim(PQerrorMessage(conn));
        PQfinish(conn);
        return Status::IOError(
            fmt::format("store {}: cannot use schema {}: {}", location_, schema_, why));
      }
    }
    return conn;
  }

  // After a lost connection, the next statement outside a transaction connects again.
  Status EnsureConnected() {
    if (PQstatus(conn_) == CONNECTION_OK) return Status::OK();
    if (in_transaction_) {
      return Status::IOError(
          fmt::format("store {}: connection lost: {}", location_, Trim(PQerrorMessage(conn_))));
    }
    ASSIGN_OR_RETURN(PGconn * fresh, Connect());
    PQfinish(conn_);
    conn_ = fresh;
    return Status::OK();
  }

  Status Check(const PGresult* result) const {
    ExecStatusType st = PQresultStatus(result);
    if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK) return Status::OK();
    std::string why = result ? PQresultErrorMessage(result) : "";
    if (why.empty()) why = PQerrorMessage(conn_);
    return Status::IOError(fmt::format("store {}: {}", location_, Trim(why)));
  }

  Keywords keywords_;
  std::string schema_;
  std::string location_;
  PGconn* conn_ = nullptr;
  PGconn* lock_conn_ = nullptr;
  bool in_transaction_ = false;
  bool leading_ = false;
  int64_t leader_key_ = 0;
  int64_t writer_key_ = 0;
};

}  // namespace

Result<std::unique_ptr<StoreBackend>> OpenPostgresStore(const std::string& location) {
  auto [rest, schema] = SplitSchema(location);
  Keywords keywords;
  std::string described;
  if (rest.rfind("datasource:", 0) == 0) {
    std::string name = rest.substr(11);
    ASSIGN_OR_RETURN(keywords, DataSourceKeywords(name));
    described = "datasource:" + name + (schema.empty() ? "" : "?schema=" + schema);
  } else {
    ASSIGN_OR_RETURN(keywords, UrlKeywords(rest));
    described = Describe(keywords, schema);
  }
  std::string password = Keyword(keywords, "password");
  if (!password.empty()) RegisterSecret(password);
  auto backend = std::make_unique<PgBackend>(std::move(keywords), schema, described);
  RETURN_NOT_OK(backend->Open());
  return std::unique_ptr<StoreBackend>(std::move(backend));
}

}  // namespace ferry
