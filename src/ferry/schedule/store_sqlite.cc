#include "ferry/schedule/store_sqlite.h"

#include <fmt/format.h>
#include <sqlite3.h>

namespace ferry {
namespace {

class SqliteRow : public SqlRow {
 public:
  explicit SqliteRow(sqlite3_stmt* stmt) : stmt_(stmt) {}
  bool IsNull(int i) const override { return sqlite3_column_type(stmt_, i) == SQLITE_NULL; }
  int64_t Int(int i) const override { return sqlite3_column_int64(stmt_, i); }
  std::string Text(int i) const override {
    const unsigned char* t = sqlite3_column_text(stmt_, i);
    return t ? std::string(reinterpret_cast<const char*>(t), sqlite3_column_bytes(stmt_, i)) : "";
  }

 private:
  sqlite3_stmt* stmt_;
};

class SqliteBackend : public StoreBackend {
 public:
  explicit SqliteBackend(std::string path) : path_(std::move(path)) {}
  ~SqliteBackend() override {
    if (db_) sqlite3_close(db_);
  }

  Status Open() {
    int rc = sqlite3_open_v2(path_.c_str(), &db_,
                             SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX,
                             nullptr);
    if (rc != SQLITE_OK) return Error(db_ ? sqlite3_errmsg(db_) : "cannot open");
    sqlite3_busy_timeout(db_, 10000);
    return ExecScript("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;");
  }

  const std::string& location() const override { return path_; }
  const char* id_column() const override { return "INTEGER PRIMARY KEY"; }

  Result<int64_t> Exec(std::string_view sql, const std::vector<SqlParam>& params,
                       const SqlRowFn& on_row) override {
    sqlite3_stmt* stmt = nullptr;
    if (sqlite3_prepare_v2(db_, sql.data(), static_cast<int>(sql.size()), &stmt, nullptr) !=
        SQLITE_OK) {
      return Error(sqlite3_errmsg(db_));
    }
    std::unique_ptr<sqlite3_stmt, int (*)(sqlite3_stmt*)> owned(stmt, sqlite3_finalize);
    for (size_t i = 0; i < params.size(); ++i) {
      int n = static_cast<int>(i + 1);
      const SqlParam& p = params[i];
      if (p.is_null()) {
        sqlite3_bind_null(stmt, n);
      } else if (p.is_int()) {
        sqlite3_bind_int64(stmt, n, p.as_int());
      } else {
        sqlite3_bind_text(stmt, n, p.as_text().data(), static_cast<int>(p.as_text().size()),
                          SQLITE_TRANSIENT);
      }
    }
    SqliteRow row(stmt);
    for (;;) {
      int rc = sqlite3_step(stmt);
      if (rc == SQLITE_DONE) break;
      if (rc != SQLITE_ROW) return Error(sqlite3_errmsg(db_));
      if (on_row) on_row(row);
    }
    return static_cast<int64_t>(sqlite3_changes(db_));
  }

  Status ExecScript(const std::string& sql) override {
    char* err = nullptr;
    if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
      std::string message = err ? err : "unknown error";
      sqlite3_free(err);
      return Error(message);
    }
    return Status::OK();
  }

  Result<bool> HasColumn(const std::string& table, const std::string& column) override {
    bool found = false;
    RETURN_NOT_OK(Exec("SELECT 1 FROM pragma_table_info(?) WHERE name = ?", {table, column},
                       [&](const SqlRow&) { found = true; })
                      .status());
    return found;
  }

  Status Begin() override { return ExecScript("BEGIN IMMEDIATE"); }
  Status Commit() override { return ExecScript("COMMIT"); }
  Status Rollback() override { return ExecScript("ROLLBACK"); }

 private:
  Status Error(const std::string& message) const {
    return Status::IOError(fmt::format("store {}: {}", path_, message));
  }

  std::string path_;
  sqlite3* db_ = nullptr;
};

}  // namespace

Result<std::unique_ptr<StoreBackend>> OpenSqliteStore(const std::string& path) {
  auto backend = std::make_unique<SqliteBackend>(path);
  RETURN_NOT_OK(backend->Open());
  return std::unique_ptr<StoreBackend>(std::move(backend));
}

}  // namespace ferry
