// The mysql reader's and writer's `parameter` objects, checked for shape and for parameters that
// exclude each other, without connecting. Where rows come from or go to (datasource, connection,
// jdbcUrl, table) is resolved separately by the shared ResolveSqlSources.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "ferry/common/status.h"
#include "ferry/plugin/sql/sql_writer_options.h"
#include "plugins/mysql/mysql_types.h"

namespace ferry {

struct MysqlReaderOptions {
  static constexpr int64_t kMaxSplitFactor = 1000;

  nlohmann::json column;  // table mode: parsed by ColumnProjection
  std::string where;
  std::string split_pk;  // empty: one split per table
  int64_t split_factor = 5;
  bool consistent_snapshot = false;
  int utc_offset_seconds = 0;  // timeZone
  ZeroDateMode zero_dates = ZeroDateMode::kDirty;
  std::vector<std::string> session;  // statements run on each connection

  // `query_mode`: the sources carry querySql (then column/where/splitPk must be absent).
  static Result<MysqlReaderOptions> Parse(const nlohmann::json& parameter, bool query_mode);
};

enum class MysqlWriteMode : uint8_t { kInsert, kReplace, kUpdate, kIgnore };
const char* MysqlWriteModeName(MysqlWriteMode mode);

// batch_size: rows per INSERT statement (also capped by bytes).
struct MysqlWriterOptions : SqlWriterCommonOptions {
  static constexpr int64_t kDefaultBatchSize = 1024;

  MysqlWriteMode mode = MysqlWriteMode::kInsert;
  std::vector<std::string> update_columns;  // update: the columns ON DUPLICATE KEY UPDATE sets
  bool skip_null = false;                   // nullMode skipNull: NULL is written as DEFAULT
  std::vector<std::string> session;
  int utc_offset_seconds = 0;
  bool bulk_load = true;  // LOAD DATA LOCAL INFILE where it applies (can_bulk_load)

  // LOAD DATA has no upsert and no per-field DEFAULT: insert and replace with writeNull only.
  bool can_bulk_load() const {
    return bulk_load && (mode == MysqlWriteMode::kInsert || mode == MysqlWriteMode::kReplace) &&
           !skip_null;
  }
  static Result<MysqlWriterOptions> Parse(const nlohmann::json& parameter);
};

}  // namespace ferry
