#include "plugins/sqlite/sqlite_connection.h"

#include <sqlite3.h>

#include <filesystem>
#include <system_error>

#include "plugins/sqlite/sqlite_fault_vfs.h"
#include "plugins/sqlite/sqlite_status.h"

namespace ferry {

SqliteStatement::~SqliteStatement() { sqlite3_finalize(stmt_); }

SqliteStatement& SqliteStatement::operator=(SqliteStatement&& other) noexcept {
  if (this != &other) {
    sqlite3_finalize(stmt_);
    stmt_ = other.stmt_;
    other.stmt_ = nullptr;
  }
  return *this;
}

Status SqliteStatement::Error(int rc) const { return SqliteError(sqlite3_db_handle(stmt_), rc); }

Result<bool> SqliteStatement::Step() {
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  Status error = Error(rc);
  sqlite3_reset(stmt_);
  return error;
}

Status SqliteStatement::Run() {
  for (;;) {
    ASSIGN_OR_RETURN(bool row, Step());
    if (!row) break;
  }
  Reset();
  return Status::OK();
}

void SqliteStatement::Reset() { sqlite3_reset(stmt_); }

void SqliteStatement::BindInt64(const char* name, int64_t value) {
  int index = sqlite3_bind_parameter_index(stmt_, name);
  if (index > 0) BindInt64(index, value);
}

void SqliteStatement::BindInt64(int index, int64_t value) {
  sqlite3_bind_int64(stmt_, index, value);
}

namespace {

Status CheckFileExists(const std::string& path) {
  std::error_code ec;
  auto status = std::filesystem::status(path, ec);
  if (!std::filesystem::exists(status)) {
    return Status::NotFound("database file \"" + path + "\" does not exist").WithField("path");
  }
  if (std::filesystem::is_directory(status)) {
    return Status::InvalidArgument("\"" + path + "\" is a directory, not a database file")
        .WithField("path");
  }
  return Status::OK();
}

}  // namespace

Result<SqliteConnection> SqliteConnection::Open(const std::string& path, Mode mode,
                                                int busy_timeout_ms) {
  if (path.empty()) return Status::InvalidArgument("path is empty").WithField("path");
  RETURN_NOT_OK(CheckFileExists(path));
  int flags = (mode == Mode::kReadOnly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE) |
              SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_EXRESCODE;
  sqlite3* db = nullptr;
  InstallSqliteFaultVfsIfArmed();
  int rc = sqlite3_open_v2(path.c_str(), &db, flags, nullptr);
  SqliteConnection conn(db, path);  // owns db even when the open failed
  if (rc != SQLITE_OK) {
    return conn.Error(rc, "cannot open \"" + path + "\"").WithField("path");
  }
  sqlite3_busy_timeout(db, busy_timeout_ms);
  sqlite3_db_config(db, SQLITE_DBCONFIG_DQS_DML, 0, nullptr);
  sqlite3_db_config(db, SQLITE_DBCONFIG_DQS_DDL, 0, nullptr);
  // Reads the header now, so a file that is not a database is reported here, about "path".
  rc = sqlite3_exec(db, "PRAGMA schema_version", nullptr, nullptr, nullptr);
  if (rc != SQLITE_OK) {
    Status error = conn.Error(rc, "\"" + path + "\"");
    if (error.code() == StatusCode::kUnavailable) return error;
    return std::move(error).WithField("path");
  }
  return conn;
}

SqliteConnection::~SqliteConnection() { Close(); }

SqliteConnection::SqliteConnection(SqliteConnection&& other) noexcept
    : db_(other.db_), path_(std::move(other.path_)) {
  other.db_ = nullptr;
}

SqliteConnection& SqliteConnection::operator=(SqliteConnection&& other) noexcept {
  if (this != &other) {
    Close();
    db_ = other.db_;
    path_ = std::move(other.path_);
    other.db_ = nullptr;
  }
  return *this;
}

void SqliteConnection::Close() {
  // sqlite3_close_v2 defers the close until the last statement is finalized.
  if (db_ != nullptr) sqlite3_close_v2(db_);
  db_ = nullptr;
}

Result<SqliteStatement> SqliteConnection::Prepare(std::string_view sql) {
  sqlite3_stmt* stmt = nullptr;
  const char* tail = nullptr;
  int rc = sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()),
                              SQLITE_PREPARE_PERSISTENT, &stmt, &tail);
  if (rc != SQLITE_OK) return Error(rc);
  SqliteStatement owned(stmt);
  if (stmt == nullptr) return Status::InvalidArgument("the SQL text holds no statement");
  std::string_view rest = sql.substr(tail - sql.data());
  size_t extra = rest.find_first_not_of(" \t\r\n;");
  if (extra != std::string_view::npos) {
    return Status::InvalidArgument("the SQL text holds more than one statement: \"" +
                                   std::string(rest.substr(extra, 40)) + "\"");
  }
  return owned;
}

Status SqliteConnection::Exec(const std::string& sql) {
  int rc = sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, nullptr);
  return rc == SQLITE_OK ? Status::OK() : Error(rc);
}

Status SqliteConnection::Error(int rc, std::string_view context) const {
  return SqliteError(db_, rc, context);
}

bool SqliteConnection::in_transaction() const {
  return db_ != nullptr && sqlite3_get_autocommit(db_) == 0;
}

}  // namespace ferry
