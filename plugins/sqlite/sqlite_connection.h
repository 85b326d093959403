// SqliteConnection and SqliteStatement: RAII owners of an sqlite3 handle and a prepared statement,
// with every failure turned into a Status (sqlite_status.h). A connection and its statements are
// used by one thread at a time; statements must be destroyed before their connection.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "ferry/common/status.h"

struct sqlite3;
struct sqlite3_stmt;

namespace ferry {

class SqliteStatement {
 public:
  SqliteStatement() = default;
  explicit SqliteStatement(sqlite3_stmt* stmt) : stmt_(stmt) {}
  ~SqliteStatement();
  SqliteStatement(SqliteStatement&& other) noexcept : stmt_(other.stmt_) { other.stmt_ = nullptr; }
  SqliteStatement& operator=(SqliteStatement&& other) noexcept;
  SqliteStatement(const SqliteStatement&) = delete;
  SqliteStatement& operator=(const SqliteStatement&) = delete;

  sqlite3_stmt* get() const { return stmt_; }
  explicit operator bool() const { return stmt_ != nullptr; }

  // Steps once: true when a row is ready, false when the statement is done.
  Result<bool> Step();
  // Steps to completion (discarding rows) and resets, ready to run again.
  Status Run();
  void Reset();

  // Binds a named parameter (":ferry_lo"); a name the statement lacks is ignored.
  void BindInt64(const char* name, int64_t value);
  void BindInt64(int index, int64_t value);

 private:
  Status Error(int rc) const;

  sqlite3_stmt* stmt_ = nullptr;
};

class SqliteConnection {
 public:
  enum class Mode { kReadOnly, kReadWrite };

  // Opens an existing database file (never creates one). A missing file is NotFound with field
  // "path"; a file that is not an SQLite database is FailedPrecondition with field "path".
  // Double-quoted strings are disabled, so "x" is always an identifier, never a string literal.
  static Result<SqliteConnection> Open(const std::string& path, Mode mode, int busy_timeout_ms);

  SqliteConnection() = default;
  ~SqliteConnection();
  SqliteConnection(SqliteConnection&& other) noexcept;
  SqliteConnection& operator=(SqliteConnection&& other) noexcept;
  SqliteConnection(const SqliteConnection&) = delete;
  SqliteConnection& operator=(const SqliteConnection&) = delete;

  sqlite3* handle() const { return db_; }
  const std::string& path() const { return path_; }

  Result<SqliteStatement> Prepare(std::string_view sql);
  // Runs SQL text that may hold several statements (preSql, BEGIN, COMMIT...).
  Status Exec(const std::string& sql);
  // The Status for a failed call on this connection, with SQLite's message.
  Status Error(int rc, std::string_view context = {}) const;
  bool in_transaction() const;

 private:
  SqliteConnection(sqlite3* db, std::string path) : db_(db), path_(std::move(path)) {}
  void Close();

  sqlite3* db_ = nullptr;
  std::string path_;
};

}  // namespace ferry
