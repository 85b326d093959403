// The postgresql plugin's entry in the registry: its parameters, declared once (validation, JSON
// Schema and `ferry template` come from these lists), its reader and writer factories, and the
// connection test behind `ferry datasource test`.
#include <libpq-fe.h>

#include <chrono>

#include "ferry/plugin/registry.h"
#include "ferry/plugin/sql/commit_marker.h"
#include "ferry/plugin/sql/sql_params.h"
#include "ferry/plugin/sql/sql_sources.h"
#include "plugins/postgresql/pg_connection.h"
#include "plugins/postgresql/pg_reader.h"
#include "plugins/postgresql/pg_writer.h"

namespace ferry::pg {
namespace {

using nlohmann::json;

std::vector<ParamDef> ReaderParams() {
  std::vector<ParamDef> out = SqlSourceParams("postgresql");
  std::vector<ParamDef> own = {
      Param("table", ParamType::kStringOrList,
            "tables to read, as SQL names (schema.t, \"Quoted\"); ranges such as "
            "public.orders_[0-15] expand",
            json::array({"public.orders"})),
      SqlReaderColumnParam(),
      SqlWhereParam(),
      Param("splitPk", ParamType::kString,
            "integer column (smallint, integer, bigint) that cuts each table into key ranges, "
            "plus one split for NULL keys",
            ""),
      SqlSplitFactorParam(),
      Param("querySql", ParamType::kStringOrList,
            "SELECT statements read instead of table/column (one split each); cannot be combined "
            "with column, where or splitPk"),
      Param("fetchSize", ParamType::kInteger,
            "accepted for DataX jobs; rows stream through COPY, so it has no effect"),
  };
  out.insert(out.end(), own.begin(), own.end());
  return out;
}

std::vector<ParamDef> WriterParams() {
  std::vector<ParamDef> out = SqlSourceParams("postgresql");
  std::vector<ParamDef> own = {
      Param("table", ParamType::kStringOrList,
            "existing table to write, as an SQL name (schema.t, \"Quoted\")", "public.orders"),
      SqlWriterColumnParam(),
      Allowed(Default(Param("writeMode", ParamType::kString,
                            "copy (COPY FROM STDIN, fastest), insert (INSERT), update (INSERT ... "
                            "ON CONFLICT (key) DO UPDATE), ignore (ON CONFLICT DO NOTHING)"),
                      "copy"),
              {"copy", "insert", "update", "ignore"}),
      Param("conflictColumns", ParamType::kStringList,
            "conflict target for update (default: the primary key) and ignore"),
      PreSqlParam(),
      PostSqlParam(),
      Default(Param("batchSize", ParamType::kInteger,
                    "rows per COPY (and, in insert/update/ignore, per INSERT from the stage); "
                    "the engine's batches are this size, each inside one savepoint"),
              PgWriterOptions::kDefaultBatchSize),
      Default(Param("passthrough", ParamType::kBool,
                    "from a postgresql reader whose column types match: COPY its binary rows "
                    "into the table unchanged, decoding none (false: decode and encode each "
                    "value)"),
              true),
  };
  out.insert(out.end(), own.begin(), own.end());
  for (ParamDef& p : CommitMarkerParams()) out.push_back(std::move(p));
  return out;
}

Result<ConnectionProbe> TestConnection(const ConnectionSpec& spec) {
  ASSIGN_OR_RETURN(PgConnection conn, PgConnection::Connect(spec, "ferry/test"));
  auto t0 = std::chrono::steady_clock::now();
  RETURN_NOT_OK(conn.Exec("SELECT 1", "database"));
  double ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  // "15.18 (Debian 15.18-0+deb12u1)": the number is what a user compares.
  std::string version = PQparameterStatus(conn.get(), "server_version") ?: "?";
  return ConnectionProbe{"PostgreSQL " + version.substr(0, version.find(' ')), ms};
}

}  // namespace
}  // namespace ferry::pg

namespace ferry {

PluginInfo PostgresqlPluginInfo() {
  using namespace pg;
  PluginInfo info;
  info.name = "postgresql";
  info.description =
      "PostgreSQL: COPY reads with splitPk over one shared snapshot; COPY/insert/upsert writes, "
      "one transaction per split";
  info.make_reader = [] { return std::make_unique<PgReader>(); };
  info.reader_params = ReaderParams();
  info.split_pk = true;
  info.make_writer = [] { return std::make_unique<PgWriter>(); };
  info.writer_params = WriterParams();
  info.write_modes = {"copy", "insert", "update", "ignore"};
  info.transactional = true;
  info.test_connection = TestConnection;
  return info;
}

}  // namespace ferry
