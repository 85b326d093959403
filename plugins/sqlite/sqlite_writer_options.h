// SqliteWriterOptions: the sqlite writer's `parameter` object, checked for shape without opening
// the database.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "ferry/common/status.h"
#include "ferry/plugin/sql/sql_writer_options.h"
#include "plugins/sqlite/sqlite_sql.h"

namespace ferry {

// batch_size is accepted for DataX jobs; rows are stepped one by one regardless. ["*"] in
// columns means the table's writable columns.
struct SqliteWriterOptions : SqlWriterCommonOptions {
  std::string path;
  std::string table;
  WriteMode mode = WriteMode::kInsert;
  std::vector<std::string> conflict_columns;
  int busy_timeout_ms = 5000;

  // Errors carry their field: "path", "table" (required; a list must hold exactly one table),
  // "column", "writeMode", "batchSize", "busyTimeoutMs".
  static Result<SqliteWriterOptions> Parse(const nlohmann::json& parameter);
};

}  // namespace ferry
