// StoreBackend: the database under the scheduler's Store — SQLite (store_sqlite.h) or a database
// server a plugin provides (PostgreSQL: plugins/postgresql/pg_store_backend.h, so libpq stays in
// its plugin). The Store speaks one SQL to both: `?` placeholders, ON CONFLICT upserts,
// RETURNING; a backend only connects, runs statements, makes a write transaction exclusive among
// every process using the store, and (when it can) holds a leadership lock.
// A backend is not thread-safe: the Store serializes every call.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "ferry/common/status.h"
#include "ferry/plugin/datasource_catalog.h"

namespace ferry {

// A statement parameter: NULL, a whole number or text.
class SqlParam {
 public:
  SqlParam(std::nullopt_t) {}                      // NOLINT: implicit by design
  SqlParam(int64_t v) : v_(v) {}                   // NOLINT
  SqlParam(int v) : v_(int64_t{v}) {}              // NOLINT
  SqlParam(bool v) : v_(int64_t{v}) {}             // NOLINT
  SqlParam(std::string v) : v_(std::move(v)) {}    // NOLINT
  SqlParam(const char* v) : v_(std::string(v)) {}  // NOLINT
  SqlParam(const std::optional<int>& v) {          // NOLINT
    if (v) v_ = int64_t{*v};
  }

  bool is_null() const { return std::holds_alternative<std::monostate>(v_); }
  bool is_int() const { return std::holds_alternative<int64_t>(v_); }
  int64_t as_int() const { return std::get<int64_t>(v_); }
  const std::string& as_text() const { return std::get<std::string>(v_); }

 private:
  std::variant<std::monostate, int64_t, std::string> v_;
};

// One row of a result, by column position.
class SqlRow {
 public:
  virtual ~SqlRow() = default;
  virtual bool IsNull(int column) const = 0;
  virtual int64_t Int(int column) const = 0;
  virtual std::string Text(int column) const = 0;
};

using SqlRowFn = std::function<void(const SqlRow&)>;

class StoreBackend {
 public:
  virtual ~StoreBackend() = default;

  // Where the store is, for messages: a file path, or "postgresql://user@host:port/db" — never a
  // password.
  virtual const std::string& location() const = 0;
  // The column definition of a table's generated id.
  virtual const char* id_column() const = 0;

  // Runs one statement (`?` placeholders, bound in order), calling `on_row` for each row it
  // returns; returns how many rows it changed.
  virtual Result<int64_t> Exec(std::string_view sql, const std::vector<SqlParam>& params,
                               const SqlRowFn& on_row) = 0;
  // Runs statements without parameters or results (schema changes).
  virtual Status ExecScript(const std::string& sql) = 0;
  // Whether `table` (in the store's schema) has `column`: for adding columns to older stores.
  virtual Result<bool> HasColumn(const std::string& table, const std::string& column) = 0;

  // A write transaction that no other writer of the store (in any process) runs beside.
  virtual Status Begin() = 0;
  virtual Status Commit() = 0;
  virtual Status Rollback() = 0;

  // Leadership by a lock that goes with this process's session: true while held (taking it when
  // free). nullopt: this backend has no such lock; the Store keeps a lease in a table instead.
  virtual Result<std::optional<bool>> HoldLeaderLock() { return std::optional<bool>(); }
};

// A store on a database server, provided by a plugin: the location prefixes it claims
// ("postgresql://", "datasource:") and how to open one; a "datasource:NAME" location is found in
// `datasources` (null: none can be).
struct StoreBackendKind {
  std::vector<std::string> prefixes;
  std::function<Result<std::unique_ptr<StoreBackend>>(const std::string& location,
                                                      const DataSourceCatalog* datasources)>
      open;
};

// Fills `kinds` with the server stores built into ferry (plugins/builtin_plugins.cc).
void RegisterBuiltinStoreBackends(std::vector<StoreBackendKind>* kinds);

// The built-in kind whose prefix starts `location`; nullptr: a SQLite file.
const StoreBackendKind* FindStoreBackend(const std::string& location);

}  // namespace ferry
