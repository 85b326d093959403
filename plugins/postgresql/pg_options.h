// The postgresql reader's and writer's `parameter` objects, checked for shape and for parameters
// that exclude each other, before any connection is made. Where the rows live (datasource,
// connection, jdbcUrl, table ranges) is resolved by the shared ResolveSqlSources.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "ferry/common/status.h"
#include "ferry/plugin/sql/sql_sources.h"
#include "ferry/plugin/sql/sql_writer_options.h"
#include "ferry/plugin/step_context.h"

namespace ferry::pg {

struct PgReaderOptions {
  static constexpr int64_t kMaxSplitFactor = 1000;

  std::vector<SqlSource> sources;  // each with its expanded tables, or its querySql statements
  nlohmann::json column;           // table mode: parsed by ColumnProjection
  std::string where;
  std::string split_pk;  // empty: one split per table
  int64_t split_factor = 5;
  int64_t fetch_size = 0;  // accepted; COPY streams rows regardless

  bool query_mode() const;

  // Errors carry their field: querySql together with table/column/where/splitPk, "column"
  // missing in table mode, "splitFactor" out of [1, 1000].
  static Result<PgReaderOptions> Parse(const StepContext& ctx);
};

enum class PgWriteMode { kCopy, kInsert, kUpdate, kIgnore };
const char* PgWriteModeName(PgWriteMode mode);

struct PgWriterOptions : SqlWriterCommonOptions {
  // Rows per COPY; 32768 measured faster than 4096 on bench/pg.sh (README "batchSize").
  static constexpr int64_t kDefaultBatchSize = 32768;

  SqlSource source;  // exactly one database and one table
  std::string table;
  PgWriteMode mode = PgWriteMode::kCopy;
  std::vector<std::string> conflict_columns;
  bool passthrough = true;  // take a postgresql reader's binary COPY tuples unchanged

  // Errors carry their field: "table" (exactly one), "column", "writeMode", "conflictColumns"
  // (only with update/ignore), "batchSize".
  static Result<PgWriterOptions> Parse(const StepContext& ctx);
};

}  // namespace ferry::pg
