// SqliteWriterOptions: the sqlite writer's `parameter` object, checked for shape without opening
// the database.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "ferry/common/status.h"
#include "plugins/sqlite/sqlite_sql.h"

namespace ferry {

struct SqliteWriterOptions {
  std::string path;
  std::string table;
  std::vector<std::string> columns;  // as written; ["*"] means the table's writable columns
  WriteMode mode = WriteMode::kInsert;
  std::vector<std::string> conflict_columns;
  std::vector<std::string> pre_sql;
  std::vector<std::string> post_sql;
  int64_t batch_size = 1024;  // accepted for DataX jobs; rows are stepped one by one regardless
  int busy_timeout_ms = 5000;

  bool star() const { return columns.size() == 1 && columns[0] == "*"; }

  // Errors carry their field: "path", "table" (required; a list must hold exactly one table),
  // "column", "writeMode", "batchSize", "busyTimeoutMs".
  static Result<SqliteWriterOptions> Parse(const nlohmann::json& parameter);
};

}  // namespace ferry
