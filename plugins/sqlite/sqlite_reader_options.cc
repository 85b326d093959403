#include "plugins/sqlite/sqlite_reader_options.h"

#include <utility>

#include "ferry/plugin/param_fields.h"

namespace ferry {
namespace {

// Empty values count as absent: DataX templates often carry "where": "" beside querySql.
Status CheckQueryModeExclusions(const SqliteReaderOptions& o) {
  const std::pair<const char*, bool> others[] = {
      {"table", !o.tables.empty()}, {"splitPk", !o.split_pk.empty()}, {"where", !o.where.empty()}};
  for (const auto& [other, set] : others) {
    if (!set) continue;
    return Status::InvalidArgument(std::string("querySql and ") + other +
                                   " cannot both be set: querySql names its own tables and "
                                   "conditions, and each statement is read as one split")
        .WithField("querySql");
  }
  return Status::OK();
}

Status CheckTableMode(const SqliteReaderOptions& o, const nlohmann::json& p) {
  if (o.tables.empty()) {
    return Status::InvalidArgument("table is required (or querySql)").WithField("table");
  }
  if (!HasField(p, "column")) {
    return Status::InvalidArgument("column is required with table (use [\"*\"] for all columns)")
        .WithField("column");
  }
  return Status::OK();
}

}  // namespace

Result<SqliteReaderOptions> SqliteReaderOptions::Parse(const nlohmann::json& p) {
  if (!p.is_object()) return Status::InvalidArgument("parameter must be an object");
  SqliteReaderOptions o;
  ASSIGN_OR_RETURN(o.path, StringField(p, "path"));
  if (o.path.empty())
    return Status::InvalidArgument("path (or datasource) is required").WithField("path");
  ASSIGN_OR_RETURN(o.query_sql, StringOrListField(p, "querySql"));
  ASSIGN_OR_RETURN(o.tables, StringOrListField(p, "table"));
  ASSIGN_OR_RETURN(o.where, StringField(p, "where"));
  ASSIGN_OR_RETURN(o.split_pk, StringField(p, "splitPk"));
  ASSIGN_OR_RETURN(o.split_factor, IntegerField(p, "splitFactor", 5, 1, kMaxSplitFactor));
  RETURN_NOT_OK(IntegerField(p, "fetchSize", 0, INT64_MIN, INT64_MAX));  // accepted, unused
  if (o.query_mode()) {
    RETURN_NOT_OK(CheckQueryModeExclusions(o));
    return o;
  }
  RETURN_NOT_OK(CheckTableMode(o, p));
  o.column = p.at("column");
  return o;
}

}  // namespace ferry
