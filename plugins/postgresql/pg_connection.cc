#include "plugins/postgresql/pg_connection.h"

#include <libpq-fe.h>
#include <poll.h>

#include "ferry/common/strings.h"
#include "plugins/postgresql/pg_status.h"

namespace ferry::pg {
namespace {

// Settings every text form in this plugin relies on (pg_copy_text.h); JIT off, because compiling
// a plain scan or COPY costs more CPU than it saves (every split's query would pay it).
constexpr const char* kSessionOptions =
    "-c DateStyle=ISO -c TimeZone=UTC -c extra_float_digits=3 -c bytea_output=hex "
    "-c IntervalStyle=postgres -c client_min_messages=warning -c jit=off";

bool Contains(const std::string& s, const char* part) { return s.find(part) != std::string::npos; }

// Which step of connecting failed, judged from libpq's message.
Status ConnectError(const std::string& server, std::string why) {
  why = TrimRight(std::move(why), "\n ");
  std::string where = " (" + server + ")";
  if (Contains(why, "could not translate host name") || Contains(why, "Name or service")) {
    return Status::FailedPrecondition("resolve: " + why + where);
  }
  if (Contains(why, "password authentication failed") || Contains(why, "no password supplied") ||
      Contains(why, "authentication failed") || Contains(why, "pg_hba.conf") ||
      Contains(why, "role \"")) {
    return Status::FailedPrecondition("auth: " + why + where);
  }
  if (Contains(why, "database \"") && Contains(why, "does not exist")) {
    return Status::FailedPrecondition("database: " + why + where);
  }
  if (Contains(why, "SSL") || Contains(why, "certificate")) {
    return Status::FailedPrecondition("TLS: " + why + where);
  }
  return Status::Unavailable("connect: " + why + where);
}

std::string ServerName(const ConnectionSpec& spec) {
  std::string s = spec.user.empty() ? "" : spec.user + "@";
  s += spec.host.empty() ? "localhost" : spec.host;
  if (spec.port != 0) s += ":" + std::to_string(spec.port);
  return s + "/" + spec.database;
}

}  // namespace

void PgResultDeleter::operator()(pg_result* r) const { PQclear(r); }

Result<PgConnection> PgConnection::Connect(const ConnectionSpec& spec,
                                           const std::string& application_name) {
  std::vector<std::string> keys, values;
  auto add = [&](const char* k, const std::string& v) {
    if (v.empty()) return;
    keys.push_back(k);
    values.push_back(v);
  };
  add("host", spec.host);
  add("port", spec.port == 0 ? "" : std::to_string(spec.port));
  add("dbname", spec.database);
  add("user", spec.user);
  add("password", spec.password);
  std::string options = kSessionOptions;
  bool has_timeout = false;
  for (const auto& [k, v] : spec.options) {
    if (k == "options") {
      options += " " + v;
    } else if (k != "application_name" && k != "client_encoding") {
      add(k.c_str(), v);
      has_timeout |= k == "connect_timeout";
    }
  }
  if (!has_timeout) add("connect_timeout", "10");
  add("options", options);
  add("application_name", application_name);
  add("client_encoding", "UTF8");
  std::vector<const char*> k, v;
  for (size_t i = 0; i < keys.size(); ++i) {
    k.push_back(keys[i].c_str());
    v.push_back(values[i].c_str());
  }
  k.push_back(nullptr);
  v.push_back(nullptr);
  const std::string server = ServerName(spec);
  pg_conn* conn = PQconnectdbParams(k.data(), v.data(), 0);
  if (conn == nullptr) return Status::Unavailable("connect: out of memory (" + server + ")");
  if (PQstatus(conn) != CONNECTION_OK) {
    Status s = ConnectError(server, PQerrorMessage(conn));
    PQfinish(conn);
    return s;
  }
  return PgConnection(conn, server);
}

PgConnection::~PgConnection() { Close(); }

PgConnection::PgConnection(PgConnection&& other) noexcept
    : conn_(other.conn_),
      server_(std::move(other.server_)),
      constraint_columns_(other.constraint_columns_) {
  other.conn_ = nullptr;
}

PgConnection& PgConnection::operator=(PgConnection&& other) noexcept {
  if (this != &other) {
    Close();
    conn_ = other.conn_;
    server_ = std::move(other.server_);
    constraint_columns_ = other.constraint_columns_;
    other.conn_ = nullptr;
  }
  return *this;
}

void PgConnection::Close() {
  if (conn_ != nullptr) PQfinish(conn_);
  conn_ = nullptr;
}

bool PgConnection::alive() const { return conn_ != nullptr && PQstatus(conn_) == CONNECTION_OK; }

bool PgConnection::in_transaction() const {
  if (conn_ == nullptr) return false;
  PGTransactionStatusType t = PQtransactionStatus(conn_);
  return t == PQTRANS_INTRANS || t == PQTRANS_INERROR || t == PQTRANS_ACTIVE;
}

Status PgConnection::LastError(std::string_view context) const {
  return PgError(conn_, nullptr, context, constraint_columns_);
}

Status PgConnection::Error(const pg_result* result, std::string_view context) const {
  return PgError(conn_, result, context, constraint_columns_);
}

Status PgConnection::Exec(const std::string& sql, std::string_view context) {
  if (conn_ == nullptr) return Status::Aborted("no connection to PostgreSQL");
  PgResult r(PQexec(conn_, sql.c_str()));
  ExecStatusType st = r ? PQresultStatus(r.get()) : PGRES_FATAL_ERROR;
  if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK || st == PGRES_EMPTY_QUERY) {
    return Status::OK();
  }
  return Error(r.get(), context);
}

std::vector<PgResult> PgConnection::ExecAll(const std::string& sql) {
  std::vector<PgResult> results;
  if (conn_ == nullptr || PQsendQuery(conn_, sql.c_str()) != 1) return results;
  while (pg_result* r = PQgetResult(conn_)) results.emplace_back(r);
  return results;
}

Result<PgResult> PgConnection::Query(const std::string& sql, const std::vector<std::string>& params,
                                     std::string_view context) {
  if (conn_ == nullptr) return Status::Aborted("no connection to PostgreSQL");
  std::vector<const char*> values;
  for (const std::string& p : params) values.push_back(p.c_str());
  PgResult r(PQexecParams(conn_, sql.c_str(), static_cast<int>(values.size()), nullptr,
                          values.data(), nullptr, nullptr, 0));
  if (r && PQresultStatus(r.get()) == PGRES_TUPLES_OK) return r;
  return Error(r.get(), context);
}

Result<PgResult> PgConnection::Describe(const std::string& sql, std::string_view context) {
  if (conn_ == nullptr) return Status::Aborted("no connection to PostgreSQL");
  PgResult prepared(PQprepare(conn_, "", sql.c_str(), 0, nullptr));
  if (!prepared || PQresultStatus(prepared.get()) != PGRES_COMMAND_OK) {
    return Error(prepared.get(), context);
  }
  PgResult r(PQdescribePrepared(conn_, ""));
  if (r && PQresultStatus(r.get()) == PGRES_COMMAND_OK) return r;
  return Error(r.get(), context);
}

Status PgConnection::StartCopyIn(const std::string& sql) {
  if (conn_ == nullptr) return Status::Aborted("no connection to PostgreSQL");
  PgResult r(PQexec(conn_, sql.c_str()));
  if (r && PQresultStatus(r.get()) == PGRES_COPY_IN) return Status::OK();
  return Error(r.get());
}

Status PgConnection::PutCopyData(std::string_view data) {
  if (PQputCopyData(conn_, data.data(), static_cast<int>(data.size())) == 1) return Status::OK();
  return LastError("COPY FROM STDIN");
}

Status PgConnection::EndCopyIn() {
  if (PQputCopyEnd(conn_, nullptr) != 1) return LastError("COPY FROM STDIN");
  return DrainResults();
}

void PgConnection::AbortCopyIn(const char* why) {
  if (conn_ == nullptr) return;
  if (PQputCopyEnd(conn_, why) == 1) (void)DrainResults();
}

bool PgConnection::ServerSpokeDuringCopy() const {
  if (conn_ == nullptr) return false;
  pollfd fd{PQsocket(conn_), POLLIN, 0};
  return ::poll(&fd, 1, 0) > 0;
}

Status PgConnection::StartCopyOut(const std::string& sql) {
  if (conn_ == nullptr) return Status::Aborted("no connection to PostgreSQL");
  PgResult r(PQexec(conn_, sql.c_str()));
  if (r && PQresultStatus(r.get()) == PGRES_COPY_OUT) return Status::OK();
  return Error(r.get());
}

Status PgConnection::FinishCopyOut() { return DrainResults(); }

// Reads every result left after a COPY so the connection is ready for the next command; the
// first failure is the outcome.
Status PgConnection::DrainResults() {
  Status first;
  while (pg_result* raw = PQgetResult(conn_)) {
    PgResult r(raw);
    if (PQresultStatus(raw) != PGRES_COMMAND_OK && first.ok()) first = Error(raw);
  }
  if (first.ok() && PQstatus(conn_) == CONNECTION_BAD) return LastError();
  return first;
}

}  // namespace ferry::pg
