#include "ferry/plugin/sql/sql_writer_options.h"

#include "ferry/plugin/param_fields.h"

namespace ferry {
namespace {

Result<std::vector<std::string>> WriterColumns(const nlohmann::json& p) {
  ASSIGN_OR_RETURN(std::vector<std::string> columns, StringOrListField(p, "column"));
  if (columns.empty()) {
    return Status::InvalidArgument("column is required (use [\"*\"] for the table's columns)")
        .WithField("column");
  }
  for (size_t i = 0; columns.size() > 1 && i < columns.size(); ++i) {
    if (columns[i] == "*") {
      return Status::InvalidArgument("\"*\" must be the only column")
          .WithField(IndexedField("column", i));
    }
  }
  return columns;
}

}  // namespace

Status SqlWriterCommonOptions::ParseCommon(const nlohmann::json& p, int64_t default_batch_size,
                                           int64_t max_batch_size) {
  ASSIGN_OR_RETURN(columns, WriterColumns(p));
  ASSIGN_OR_RETURN(pre_sql, StringOrListField(p, "preSql", /*skip_empty=*/true));
  ASSIGN_OR_RETURN(post_sql, StringOrListField(p, "postSql", /*skip_empty=*/true));
  ASSIGN_OR_RETURN(batch_size, IntegerField(p, "batchSize", default_batch_size, 1, max_batch_size));
  ASSIGN_OR_RETURN(commit_marker, ParseCommitMarkerOptions(p));
  return Status::OK();
}

}  // namespace ferry
