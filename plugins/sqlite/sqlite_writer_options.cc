#include "plugins/sqlite/sqlite_writer_options.h"

#include "ferry/plugin/param_fields.h"

namespace ferry {
namespace {

Result<std::string> OneTable(const nlohmann::json& p) {
  ASSIGN_OR_RETURN(std::vector<std::string> tables, StringOrListField(p, "table"));
  if (tables.empty()) return Status::InvalidArgument("table is required").WithField("table");
  if (tables.size() > 1) {
    return Status::InvalidArgument("the sqlite writer writes one table; got " +
                                   std::to_string(tables.size()))
        .WithField("table");
  }
  return tables[0];
}

Result<std::vector<std::string>> Columns(const nlohmann::json& p) {
  ASSIGN_OR_RETURN(std::vector<std::string> columns, StringOrListField(p, "column"));
  if (columns.empty()) {
    return Status::InvalidArgument("column is required (use [\"*\"] for the table's columns)")
        .WithField("column");
  }
  for (size_t i = 0; columns.size() > 1 && i < columns.size(); ++i) {
    if (columns[i] == "*") {
      return Status::InvalidArgument("\"*\" must be the only column")
          .WithField("column[" + std::to_string(i) + "]");
    }
  }
  return columns;
}

}  // namespace

Result<SqliteWriterOptions> SqliteWriterOptions::Parse(const nlohmann::json& p) {
  if (!p.is_object()) return Status::InvalidArgument("parameter must be an object");
  SqliteWriterOptions o;
  ASSIGN_OR_RETURN(o.path, StringField(p, "path"));
  if (o.path.empty()) return Status::InvalidArgument("path (or datasource) is required").WithField("path");
  ASSIGN_OR_RETURN(o.table, OneTable(p));
  ASSIGN_OR_RETURN(o.columns, Columns(p));
  ASSIGN_OR_RETURN(std::string mode, StringField(p, "writeMode", "insert"));
  ASSIGN_OR_RETURN(o.mode, ParseWriteMode(mode));
  ASSIGN_OR_RETURN(o.conflict_columns, StringOrListField(p, "conflictColumns"));
  ASSIGN_OR_RETURN(o.pre_sql, StringOrListField(p, "preSql", true));
  ASSIGN_OR_RETURN(o.post_sql, StringOrListField(p, "postSql", true));
  ASSIGN_OR_RETURN(o.batch_size, IntegerField(p, "batchSize", 1024, 1, 1'000'000));
  ASSIGN_OR_RETURN(int64_t timeout, IntegerField(p, "busyTimeoutMs", 5000, 0, 86'400'000));
  o.busy_timeout_ms = static_cast<int>(timeout);
  return o;
}

}  // namespace ferry
