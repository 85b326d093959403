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

}  // namespace

Result<SqliteWriterOptions> SqliteWriterOptions::Parse(const nlohmann::json& p) {
  if (!p.is_object()) return Status::InvalidArgument("parameter must be an object");
  SqliteWriterOptions o;
  ASSIGN_OR_RETURN(o.path, StringField(p, "path"));
  if (o.path.empty())
    return Status::InvalidArgument("path (or datasource) is required").WithField("path");
  ASSIGN_OR_RETURN(o.table, OneTable(p));
  RETURN_NOT_OK(o.ParseCommon(p, /*default_batch_size=*/1024, /*max_batch_size=*/1'000'000));
  ASSIGN_OR_RETURN(o.mode, WriteModeField(p,
                                          {WriteMode::kInsert, WriteMode::kReplace,
                                           WriteMode::kUpdate, WriteMode::kIgnore},
                                          WriteModeName));
  ASSIGN_OR_RETURN(o.conflict_columns, StringOrListField(p, "conflictColumns"));
  ASSIGN_OR_RETURN(int64_t timeout, IntegerField(p, "busyTimeoutMs", 5000, 0, 86'400'000));
  o.busy_timeout_ms = static_cast<int>(timeout);
  return o;
}

}  // namespace ferry
