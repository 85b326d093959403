// The mysql plugin's entry in the registry: its parameters, declared once (validation, JSON
// Schema and `ferry template` come from these lists; where rows come from is the shared
// SqlSourceParams), its reader and writer factories, and `ferry datasource test`.
#include <chrono>

#include "ferry/plugin/registry.h"
#include "ferry/plugin/sql/commit_marker.h"
#include "ferry/plugin/sql/sql_params.h"
#include "ferry/plugin/sql/sql_sources.h"
#include "plugins/mysql/mysql_reader.h"
#include "plugins/mysql/mysql_writer.h"

namespace ferry {
namespace {

using nlohmann::json;

// The shared source parameters first; ours are added unless the shared list already has them.
std::vector<ParamDef> WithSourceParams(std::vector<ParamDef> own) {
  std::vector<ParamDef> out = SqlSourceParams("mysql");
  for (ParamDef& p : own) {
    if (FindParam(out, p.name) == nullptr) out.push_back(std::move(p));
  }
  return out;
}

ParamDef TimeZoneParam() {
  return Default(Param("timeZone", ParamType::kString,
                       "session time zone as a UTC offset (\"+08:00\", \"UTC\"): TIMESTAMP values "
                       "are converted through it, never shifted silently"),
                 "+00:00");
}

ParamDef SessionParam() {
  return Param("session", ParamType::kStringOrList,
               "SQL statements run on every connection after Ferry's own session settings",
               json::array());
}

std::vector<ParamDef> ReaderParams() {
  return WithSourceParams({
      Param("table", ParamType::kStringOrList,
            "tables to read; ranges such as \"orders_[00-15]\" expand; all merge into one stream",
            json::array({"orders"})),
      SqlReaderColumnParam(),
      SqlWhereParam(),
      Param("splitPk", ParamType::kString,
            "integer column that cuts each table into key ranges, plus one split for NULL keys",
            ""),
      SqlSplitFactorParam(),
      Param("querySql", ParamType::kStringOrList,
            "SELECT statements read instead of table/column (one split each)"),
      Param("fetchSize", ParamType::kInteger,
            "accepted for DataX jobs; rows are always streamed (mysql_use_result)"),
      Default(Param("consistentSnapshot", ParamType::kBool,
                    "every channel reads one point in time: START TRANSACTION WITH CONSISTENT "
                    "SNAPSHOT under a brief FLUSH TABLES WITH READ LOCK (needs RELOAD)"),
              false),
      Allowed(Default(Param("zeroDateMode", ParamType::kString,
                            "zero dates such as 0000-00-00: dirty (the record is refused) or "
                            "null (read as NULL)"),
                      "dirty"),
              {"dirty", "null"}),
      TimeZoneParam(),
      SessionParam(),
  });
}

std::vector<ParamDef> WriterParams() {
  std::vector<ParamDef> params = WithSourceParams({
      Param("table", ParamType::kStringOrList, "existing table to write", "orders"),
      Default(SqlWriterColumnParam(), json::array({"*"})),
      Allowed(Default(Param("writeMode", ParamType::kString,
                            "insert (INSERT), replace (REPLACE), update (INSERT ... ON DUPLICATE "
                            "KEY UPDATE), ignore (rows whose key exists are skipped; other "
                            "refusals stay dirty)"),
                      "insert"),
              {"insert", "replace", "update", "ignore"}),
      Param("updateColumn", ParamType::kStringList,
            "writeMode update: the columns updated when the key exists (default: all written)"),
      Default(Param("batchSize", ParamType::kInteger,
                    "rows per INSERT statement (statements also stay below max_allowed_packet)"),
              1024),
      Allowed(Default(Param("nullMode", ParamType::kString,
                            "writeNull writes NULL; skipNull writes the column's DEFAULT instead"),
                      "writeNull"),
              {"writeNull", "skipNull"}),
      PreSqlParam(),
      PostSqlParam(),
      SessionParam(),
      TimeZoneParam(),
      Default(Param("bulkLoad", ParamType::kBool,
                    "write through LOAD DATA LOCAL INFILE (streamed from memory) where it applies: "
                    "writeMode insert/replace, nullMode writeNull, server local_infile ON; "
                    "otherwise, or when false, multi-row INSERT"),
              true),
  });
  for (ParamDef& p : CommitMarkerParams()) params.push_back(std::move(p));
  return params;
}

Result<ConnectionProbe> TestConnection(const ConnectionSpec& spec) {
  ASSIGN_OR_RETURN(MysqlConnection conn, MysqlConnection::Connect(spec));
  const auto start = std::chrono::steady_clock::now();
  Status s = conn.Exec("SELECT 1");
  if (!s.ok()) return s.WithPrefix("connect");
  ConnectionProbe probe;
  probe.round_trip_ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  const std::string version = conn.server_version();
  const bool mariadb = version.find("MariaDB") != std::string::npos;
  probe.server_version = (mariadb ? "MariaDB " : "MySQL ") + version.substr(0, version.find('-'));
  return probe;
}

}  // namespace

PluginInfo MysqlPluginInfo() {
  PluginInfo info;
  info.name = "mysql";
  info.description =
      "MySQL / MariaDB: sharded tables or queries with splitPk, streamed; transactional "
      "multi-row writes";
  info.make_reader = [] { return std::make_unique<MysqlReader>(); };
  info.reader_params = ReaderParams();
  info.split_pk = true;
  info.make_writer = [] { return std::make_unique<MysqlWriter>(); };
  info.writer_params = WriterParams();
  info.write_modes = {"insert", "replace", "update", "ignore"};
  info.transactional = true;
  info.test_connection = TestConnection;
  return info;
}

}  // namespace ferry
