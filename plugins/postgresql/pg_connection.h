// PgConnection: an RAII libpq connection with every failure turned into a Status (pg_status.h),
// opened with the session settings the plugin's text forms rely on (UTF8, DateStyle ISO,
// TimeZone UTC, shortest exact floats, hex bytea). PgResult owns one PGresult. A connection is
// used by one thread at a time. Messages never hold the password.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "ferry/common/status.h"
#include "ferry/plugin/connection.h"
#include "plugins/postgresql/pg_status.h"

struct pg_conn;
struct pg_result;

namespace ferry::pg {

struct PgResultDeleter {
  void operator()(pg_result* r) const;
};
using PgResult = std::unique_ptr<pg_result, PgResultDeleter>;

class PgConnection {
 public:
  // Connects; `application_name` shows in pg_stat_activity ("ferry/0003"). A failure's message
  // starts with the step that failed ("resolve: ", "connect: ", "TLS: ", "auth: ",
  // "database: ") and names the server (user@host:port/db, no password). Auth and database
  // errors are FailedPrecondition; an unreachable server is Unavailable.
  static Result<PgConnection> Connect(const ConnectionSpec& spec,
                                      const std::string& application_name);

  PgConnection() = default;
  ~PgConnection();
  PgConnection(PgConnection&& other) noexcept;
  PgConnection& operator=(PgConnection&& other) noexcept;
  PgConnection(const PgConnection&) = delete;
  PgConnection& operator=(const PgConnection&) = delete;

  pg_conn* get() const { return conn_; }
  explicit operator bool() const { return conn_ != nullptr; }
  const std::string& server() const { return server_; }  // "ferry@127.0.0.1:5432/shop"
  bool alive() const;
  bool in_transaction() const;  // inside BEGIN (also when the transaction failed)

  // Runs SQL that may hold several statements and returns no rows (or discards them).
  Status Exec(const std::string& sql, std::string_view context = {});
  // Sends `sql` (several statements) in one round trip and returns every result, in order; after
  // a failed statement the server skips the rest, so a failed result is the last. Empty when
  // nothing could be sent. The caller judges the results, and alive() after a lost connection.
  std::vector<PgResult> ExecAll(const std::string& sql);
  // Runs one query that returns rows; `params` are text parameters $1, $2...
  Result<PgResult> Query(const std::string& sql, const std::vector<std::string>& params = {},
                         std::string_view context = {});
  // Describes the result columns of `sql` without running it (prepare + describe).
  Result<PgResult> Describe(const std::string& sql, std::string_view context = {});

  // COPY ... FROM STDIN: Start, then Put any number of times, then End (which returns the
  // statement's outcome: a refused row is a DataError naming the column when it can).
  Status StartCopyIn(const std::string& sql);
  Status PutCopyData(std::string_view data);
  Status EndCopyIn();
  // Ends a COPY FROM STDIN with a failure (`why`), so nothing of it is kept and the connection
  // takes commands again (its transaction has failed).
  void AbortCopyIn(const char* why);
  // Whether the server sent something while a COPY FROM STDIN is still being sent: it answers
  // only at the end, unless it refused a row (or sends a notice). Does not wait or read.
  bool ServerSpokeDuringCopy() const;
  // COPY ... TO STDOUT: Start, then read rows with PQgetCopyData, then FinishCopyOut.
  Status StartCopyOut(const std::string& sql);
  Status FinishCopyOut();

  // The Status for the connection's last error.
  Status LastError(std::string_view context = {}) const;
  // The Status for a failed result of this connection.
  Status Error(const pg_result* result, std::string_view context = {}) const;
  // Lets data errors name the column of a one-column constraint; must outlive the connection.
  void set_constraint_columns(const ConstraintColumns* c) { constraint_columns_ = c; }

 private:
  PgConnection(pg_conn* conn, std::string server) : conn_(conn), server_(std::move(server)) {}
  void Close();
  Status DrainResults();

  pg_conn* conn_ = nullptr;
  std::string server_;
  const ConstraintColumns* constraint_columns_ = nullptr;
};

}  // namespace ferry::pg
