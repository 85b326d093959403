#include "plugins/postgresql/pg_options.h"

#include "ferry/plugin/param_fields.h"

namespace ferry::pg {

bool PgReaderOptions::query_mode() const {
  for (const SqlSource& s : sources) {
    if (!s.query_sql.empty()) return true;
  }
  return false;
}

Result<PgReaderOptions> PgReaderOptions::Parse(const StepContext& ctx) {
  const nlohmann::json& p = ctx.param();
  PgReaderOptions o;
  ASSIGN_OR_RETURN(o.where, StringField(p, "where"));
  ASSIGN_OR_RETURN(o.split_pk, StringField(p, "splitPk"));
  ASSIGN_OR_RETURN(o.split_factor, IntegerField(p, "splitFactor", 5, 1, kMaxSplitFactor));
  ASSIGN_OR_RETURN(o.fetch_size, IntegerField(p, "fetchSize", 0, 0, INT32_MAX));
  ASSIGN_OR_RETURN(o.sources, ResolveSqlSources(ctx, "postgresql"));
  if (o.query_mode()) {
    for (const SqlSource& s : o.sources) {
      if (!s.tables.empty()) {
        return Status::InvalidArgument("querySql reads instead of table; set one of them")
            .WithField("querySql");
      }
    }
    for (const char* key : {"where", "splitPk", "column"}) {
      if (HasField(p, key)) {
        return Status::InvalidArgument(std::string("querySql cannot be combined with ") + key +
                                       "; put it into the query")
            .WithField(key);
      }
    }
    return o;
  }
  if (!HasField(p, "column")) {
    return Status::InvalidArgument("expected the columns to read, e.g. [\"*\"]")
        .WithField("column");
  }
  o.column = p.at("column");
  return o;
}

const char* PgWriteModeName(PgWriteMode mode) {
  switch (mode) {
    case PgWriteMode::kCopy:
      return "copy";
    case PgWriteMode::kInsert:
      return "insert";
    case PgWriteMode::kUpdate:
      return "update";
    case PgWriteMode::kIgnore:
      return "ignore";
  }
  return "?";
}

Result<PgWriterOptions> PgWriterOptions::Parse(const StepContext& ctx) {
  const nlohmann::json& p = ctx.param();
  PgWriterOptions o;
  ASSIGN_OR_RETURN(std::vector<SqlSource> sources, ResolveSqlSources(ctx, "postgresql"));
  if (sources.size() != 1 || sources[0].tables.size() != 1 || !sources[0].query_sql.empty()) {
    return Status::InvalidArgument("the writer writes exactly one table of one database")
        .WithField("table");
  }
  o.source = std::move(sources[0]);
  o.table = o.source.tables[0];
  RETURN_NOT_OK(o.ParseCommon(p, kDefaultBatchSize, /*max_batch_size=*/1 << 20));
  ASSIGN_OR_RETURN(o.mode, WriteModeField(p,
                                          {PgWriteMode::kCopy, PgWriteMode::kInsert,
                                           PgWriteMode::kUpdate, PgWriteMode::kIgnore},
                                          PgWriteModeName));
  ASSIGN_OR_RETURN(o.conflict_columns, StringOrListField(p, "conflictColumns"));
  ASSIGN_OR_RETURN(o.passthrough, BoolField(p, "passthrough", true));
  if (!o.conflict_columns.empty() && o.mode != PgWriteMode::kUpdate &&
      o.mode != PgWriteMode::kIgnore) {
    return Status::InvalidArgument(std::string("conflictColumns applies to writeMode update or "
                                               "ignore, not ") +
                                   PgWriteModeName(o.mode))
        .WithField("conflictColumns");
  }
  return o;
}

}  // namespace ferry::pg
