#include "plugins/mysql/mysql_options.h"

#include "ferry/plugin/param_fields.h"

namespace ferry {
namespace {

Result<int> TimeZoneField(const nlohmann::json& p) {
  ASSIGN_OR_RETURN(std::string tz, StringField(p, "timeZone", "+00:00"));
  Result<int> offset = ParseUtcOffset(tz);
  if (!offset.ok()) return Status(offset.status()).WithField("timeZone");
  return offset;
}

Result<ZeroDateMode> ZeroDateField(const nlohmann::json& p) {
  ASSIGN_OR_RETURN(std::string mode, StringField(p, "zeroDateMode", "dirty"));
  if (mode == "dirty") return ZeroDateMode::kDirty;
  if (mode == "null") return ZeroDateMode::kNull;
  return Status::InvalidArgument("expected \"dirty\" or \"null\", got \"" + mode + "\"")
      .WithField("zeroDateMode");
}

Status CheckQueryModeExclusions(const MysqlReaderOptions& o, const nlohmann::json& p) {
  const std::pair<const char*, bool> others[] = {{"splitPk", !o.split_pk.empty()},
                                                 {"where", !o.where.empty()},
                                                 {"column", HasField(p, "column")}};
  for (const auto& [other, set] : others) {
    if (!set) continue;
    return Status::InvalidArgument(std::string("querySql and ") + other +
                                   " cannot both be set: querySql names its own columns and "
                                   "conditions, and each statement is read as one split")
        .WithField("querySql");
  }
  return Status::OK();
}

Result<bool> SkipNullField(const nlohmann::json& p) {
  ASSIGN_OR_RETURN(std::string mode, StringField(p, "nullMode", "writeNull"));
  if (mode == "writeNull") return false;
  if (mode == "skipNull") return true;
  return Status::InvalidArgument("expected writeNull or skipNull, got \"" + mode + "\"")
      .WithField("nullMode");
}

}  // namespace

Result<MysqlReaderOptions> MysqlReaderOptions::Parse(const nlohmann::json& p, bool query_mode) {
  if (!p.is_object()) return Status::InvalidArgument("parameter must be an object");
  MysqlReaderOptions o;
  ASSIGN_OR_RETURN(o.where, StringField(p, "where"));
  ASSIGN_OR_RETURN(o.split_pk, StringField(p, "splitPk"));
  ASSIGN_OR_RETURN(o.split_factor, IntegerField(p, "splitFactor", 5, 1, kMaxSplitFactor));
  RETURN_NOT_OK(IntegerField(p, "fetchSize", 0, INT64_MIN, INT64_MAX));  // accepted, unused
  ASSIGN_OR_RETURN(o.consistent_snapshot, BoolField(p, "consistentSnapshot", false));
  ASSIGN_OR_RETURN(o.utc_offset_seconds, TimeZoneField(p));
  ASSIGN_OR_RETURN(o.zero_dates, ZeroDateField(p));
  ASSIGN_OR_RETURN(o.session, StringOrListField(p, "session", true));
  if (query_mode) {
    RETURN_NOT_OK(CheckQueryModeExclusions(o, p));
    return o;
  }
  if (!HasField(p, "column")) {
    return Status::InvalidArgument("column is required with table (use [\"*\"] for all columns)")
        .WithField("column");
  }
  o.column = p.at("column");
  return o;
}

const char* MysqlWriteModeName(MysqlWriteMode mode) {
  switch (mode) {
    case MysqlWriteMode::kInsert:
      return "insert";
    case MysqlWriteMode::kReplace:
      return "replace";
    case MysqlWriteMode::kUpdate:
      return "update";
    case MysqlWriteMode::kIgnore:
      return "ignore";
  }
  return "?";
}

Result<MysqlWriterOptions> MysqlWriterOptions::Parse(const nlohmann::json& p) {
  if (!p.is_object()) return Status::InvalidArgument("parameter must be an object");
  MysqlWriterOptions o;
  RETURN_NOT_OK(o.ParseCommon(p, kDefaultBatchSize, 1'000'000));
  ASSIGN_OR_RETURN(o.mode, WriteModeField(p,
                                          {MysqlWriteMode::kInsert, MysqlWriteMode::kReplace,
                                           MysqlWriteMode::kUpdate, MysqlWriteMode::kIgnore},
                                          MysqlWriteModeName));
  ASSIGN_OR_RETURN(o.update_columns, StringOrListField(p, "updateColumn"));
  if (!o.update_columns.empty() && o.mode != MysqlWriteMode::kUpdate) {
    return Status::InvalidArgument(std::string("updateColumn applies to writeMode update, not ") +
                                   MysqlWriteModeName(o.mode))
        .WithField("updateColumn");
  }
  ASSIGN_OR_RETURN(o.skip_null, SkipNullField(p));
  ASSIGN_OR_RETURN(o.session, StringOrListField(p, "session", true));
  ASSIGN_OR_RETURN(o.utc_offset_seconds, TimeZoneField(p));
  ASSIGN_OR_RETURN(o.bulk_load, BoolField(p, "bulkLoad", true));
  return o;
}

}  // namespace ferry
