// The sqlite plugin's entry in the registry: its parameters, declared once (validation, JSON
// Schema and `ferry template` come from these lists), and its reader and writer factories.
#include "ferry/plugin/registry.h"
#include "ferry/plugin/sql/commit_marker.h"
#include "ferry/plugin/sql/sql_params.h"
#include "plugins/sqlite/sqlite_datasource.h"
#include "plugins/sqlite/sqlite_reader.h"
#include "plugins/sqlite/sqlite_writer.h"

namespace ferry {
namespace {

using nlohmann::json;

std::vector<ParamDef> ReaderParams() {
  return {
      Param("path", ParamType::kString,
            "SQLite database file to read (or datasource); opened read-only, never created",
            "/data/shop.db"),
      Param("datasource", ParamType::kString,
            "a sqlite data source (`ferry datasource add NAME --type sqlite --database FILE`) "
            "instead of path"),
      Param("table", ParamType::kStringOrList,
            "table or list of tables to read; every table must have the listed columns",
            json::array({"orders"})),
      SqlReaderColumnParam(),
      SqlWhereParam(),
      Param("splitPk", ParamType::kString,
            "integer column that cuts each table into key ranges, plus one split for NULL and "
            "non-integer keys",
            ""),
      SqlSplitFactorParam(),
      Param("querySql", ParamType::kStringOrList,
            "SELECT statements read instead of table/column (one split each); cannot be combined "
            "with table, where or splitPk"),
      Param("fetchSize", ParamType::kInteger,
            "accepted for DataX jobs; SQLite steps rows one at a time, so it has no effect"),
  };
}

std::vector<ParamDef> WriterParams() {
  std::vector<ParamDef> params = {
      Param("path", ParamType::kString, "existing SQLite database file to write (or datasource)",
            "/data/warehouse.db"),
      Param("datasource", ParamType::kString,
            "a sqlite data source (`ferry datasource add NAME --type sqlite --database FILE`) "
            "instead of path"),
      Required(Param("table", ParamType::kStringOrList, "existing table to write", "orders")),
      Required(SqlWriterColumnParam()),
      Allowed(Default(Param("writeMode", ParamType::kString,
                            "insert (INSERT), replace (INSERT OR REPLACE), update (upsert on the "
                            "primary key, a unique index or conflictColumns), ignore (ON CONFLICT "
                            "DO NOTHING)"),
                      "insert"),
              {"insert", "replace", "update", "ignore"}),
      Param("conflictColumns", ParamType::kStringList,
            "conflict target for update and ignore; must match a primary key or unique index"),
      PreSqlParam(),
      PostSqlParam(),
      Default(Param("batchSize", ParamType::kInteger,
                    "accepted for DataX jobs; rows are stepped one at a time inside one "
                    "transaction per split"),
              1024),
      Default(Param("busyTimeoutMs", ParamType::kInteger,
                    "how long to wait for another process's lock before the split is retried"),
              5000),
  };
  for (ParamDef& p : CommitMarkerParams()) params.push_back(std::move(p));
  return params;
}

}  // namespace

PluginInfo SqlitePluginInfo() {
  PluginInfo info;
  info.name = "sqlite";
  info.description = "SQLite database file: tables or queries with splitPk; transactional writes";
  info.make_reader = [] { return std::make_unique<SqliteReader>(); };
  info.reader_params = ReaderParams();
  info.split_pk = true;
  info.make_writer = [] { return std::make_unique<SqliteWriter>(); };
  info.writer_params = WriterParams();
  info.write_modes = {"insert", "replace", "update", "ignore"};
  info.transactional = true;
  info.test_connection = TestSqliteConnection;
  return info;
}

}  // namespace ferry
