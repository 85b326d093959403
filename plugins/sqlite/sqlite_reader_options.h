// SqliteReaderOptions: the sqlite reader's `parameter` object, checked for shape and for
// parameters that exclude each other, without opening the database.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "ferry/common/status.h"

namespace ferry {

struct SqliteReaderOptions {
  static constexpr int kBusyTimeoutMs = 5000;
  static constexpr int64_t kMaxSplitFactor = 1000;

  std::string path;
  std::vector<std::string> tables;  // table mode: each is read
  nlohmann::json column;            // table mode: parsed by ColumnProjection
  std::string where;
  std::string split_pk;  // empty: one split per table
  int64_t split_factor = 5;
  std::vector<std::string> query_sql;  // query mode: each statement is one split

  bool query_mode() const { return !query_sql.empty(); }

  // Errors carry their field: "path" missing, "querySql" together with table/where/splitPk,
  // "table"/"column" missing in table mode, "splitFactor" out of [1, 1000].
  static Result<SqliteReaderOptions> Parse(const nlohmann::json& parameter);
};

}  // namespace ferry
