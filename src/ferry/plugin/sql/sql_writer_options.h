// SqlWriterCommonOptions: the writer parameters the SQL plugins read alike: column, preSql,
// postSql and batchSize. A plugin's writer options derive from it and add their own; the
// plugin keeps its own writeMode names (WriteModeField) and what each means in SQL.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "ferry/common/status.h"
#include "ferry/common/strings.h"
#include "ferry/plugin/sql/commit_marker.h"

namespace ferry {

struct SqlWriterCommonOptions {
  std::vector<std::string> columns;  // as written; ["*"]: the table's columns
  std::vector<std::string> pre_sql;  // DataX's empty entries ([""]) dropped
  std::vector<std::string> post_sql;
  int64_t batch_size = 0;
  CommitMarkerOptions commit_marker;

  bool star() const { return columns.size() == 1 && columns[0] == "*"; }

  // Reads them into this object. Errors carry their field: "column" (required; "*" only
  // alone), "preSql"/"postSql", "batchSize" (default `default_batch_size`, 1 to `max_batch_size`),
  // "commitMarker", "commitMarkerTable".
  Status ParseCommon(const nlohmann::json& p, int64_t default_batch_size, int64_t max_batch_size);
};

// writeMode as one of `modes`, compared without case; the first of them when absent. `name`
// spells each mode as the job does. InvalidArgument with field "writeMode" otherwise.
template <typename Mode>
Result<Mode> WriteModeField(const nlohmann::json& p, std::initializer_list<Mode> modes,
                            const char* (*name)(Mode)) {
  auto it = p.find("writeMode");
  if (it == p.end() || it->is_null()) return *modes.begin();
  if (!it->is_string()) return Status::InvalidArgument("expected a string").WithField("writeMode");
  const std::string text = it->get<std::string>();
  std::vector<std::string> names;
  for (Mode m : modes) {
    if (EqualsIgnoreCase(text, name(m))) return m;
    names.push_back(name(m));
  }
  return Status::InvalidArgument("expected one of " + Join(names, ", ") + ", got \"" + text + "\"")
      .WithField("writeMode");
}

}  // namespace ferry
