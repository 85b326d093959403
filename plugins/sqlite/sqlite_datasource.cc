#include "plugins/sqlite/sqlite_datasource.h"

#include <sqlite3.h>

#include <chrono>

#include "plugins/sqlite/sqlite_connection.h"

namespace ferry {

Result<nlohmann::json> ParamWithDatasourcePath(const StepContext& ctx) {
  nlohmann::json p = ctx.param();
  auto it = p.find("datasource");
  if (it == p.end() || it->is_null()) return p;
  if (!it->is_string()) {
    return Status::InvalidArgument("expected the name of a data source").WithField("datasource");
  }
  if (p.contains("path")) {
    return Status::InvalidArgument("give path or datasource, not both").WithField("datasource");
  }
  const std::string name = it->get<std::string>();
  if (ctx.datasources == nullptr) {
    return Status::FailedPrecondition("data source '" + name + "' cannot be looked up here")
        .WithField("datasource");
  }
  auto conn = ctx.datasources->Find(name);
  if (!conn.ok()) return Status(conn.status()).WithField("datasource");
  if (conn->type != "sqlite") {
    return Status::InvalidArgument("data source '" + name + "' is a " + conn->type +
                                   " connection; this step is sqlite")
        .WithField("datasource");
  }
  p["path"] = conn->database;
  p.erase("datasource");
  return p;
}

Result<ConnectionProbe> TestSqliteConnection(const ConnectionSpec& conn) {
  const auto start = std::chrono::steady_clock::now();
  auto db = SqliteConnection::Open(conn.database, SqliteConnection::Mode::kReadOnly, 1000);
  if (!db.ok()) return Status(db.status().code(), "database: " + db.status().message());
  auto stmt = db->Prepare("SELECT count(*) FROM sqlite_schema");
  if (!stmt.ok()) return Status(stmt.status().code(), "database: " + stmt.status().message());
  RETURN_NOT_OK(stmt->Step().status());
  const auto elapsed = std::chrono::steady_clock::now() - start;
  ConnectionProbe probe;
  probe.server_version = std::string("SQLite ") + sqlite3_libversion();
  probe.round_trip_ms = std::chrono::duration<double, std::milli>(elapsed).count();
  return probe;
}

}  // namespace ferry
