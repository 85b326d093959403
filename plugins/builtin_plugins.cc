// The one explicit list of plugins built into ferry. A new plugin adds its folder and one line
// here; nothing else in the engine changes.
#include "ferry/plugin/registry.h"
#include "ferry/schedule/store_backend.h"
#include "plugins/postgresql/pg_store_backend.h"

namespace ferry {

PluginInfo StreamPluginInfo();      // plugins/stream
PluginInfo TxtfilePluginInfo();     // plugins/txtfile
PluginInfo SqlitePluginInfo();      // plugins/sqlite
PluginInfo PostgresqlPluginInfo();  // plugins/postgresql
PluginInfo MysqlPluginInfo();       // plugins/mysql

void RegisterBuiltinPlugins(Registry* registry) {
  registry->Add(StreamPluginInfo());
  registry->Add(TxtfilePluginInfo());
  registry->Add(SqlitePluginInfo());
  registry->Add(PostgresqlPluginInfo());
  registry->Add(MysqlPluginInfo());
}

// Scheduler stores on a database server (`ferry server --store ...`); SQLite files need none.
void RegisterBuiltinStoreBackends(std::vector<StoreBackendKind>* kinds) {
  kinds->push_back({{"postgresql://", "postgres://", "datasource:"}, OpenPostgresStore});
}

}  // namespace ferry
