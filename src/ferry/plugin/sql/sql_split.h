// SqlSplitSpec: what one split of a SQL reader reads — a whole table, an inclusive integer key
// range of it, its NULL-key rows, or one querySql statement — as plain JSON so it can be saved in
// the run directory and resent. PlanTableSplits cuts a table the way DESIGN 5 says: even ranges
// over [min, max] of the integer key plus one split for NULL keys, so every row is in exactly one
// split for negative, sparse and skewed keys alike.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "ferry/common/status.h"
#include "ferry/plugin/split.h"
#include "ferry/plugin/sql/pk_ranges.h"

namespace ferry {

struct SqlSplitSpec {
  enum class Kind {
    kTable,    // {"source": 0, "table": "t"}: every row (under `where`)
    kRange,    // {"source": 0, "table": "t", "splitPk": "id", "lo": 1, "hi": 5000}
    kNullKey,  // {"source": 0, "table": "t", "splitPk": "id", "null": true}
    kQuery,    // {"source": 0, "querySql": "select ..."}
  };
  Kind kind = Kind::kTable;
  int source = 0;  // index into the step's SqlSource list
  std::string table;
  std::string split_pk;
  std::string query;
  int64_t lo = 0;  // kRange: lo <= key <= hi
  int64_t hi = 0;

  nlohmann::json ToJson() const;
  // InvalidArgument when `spec` is not one of the shapes above.
  static Result<SqlSplitSpec> FromJson(const nlohmann::json& spec);

  // The key condition of kRange / kNullKey ("k >= 1 AND k <= 5000", "k IS NULL") with
  // `quoted_key` as the key's SQL spelling; empty for kTable and kQuery. Integer literals, so it
  // can go where bind parameters cannot (COPY (SELECT ...)).
  std::string KeyCondition(const std::string& quoted_key) const;
};

// The key range a kRange split reads (Reader::KeyRangeOf); nullopt for any other split.
std::optional<SplitKeyRange> SqlSplitKeyRange(const Split& split);

// The splits of one table. `bounds`: min and max of the key under `where`, nullopt when no row
// has a non-NULL key (then one kTable split reads the table). Otherwise
// CutPkRanges(bounds, pieces) ranges and one kNullKey split.
std::vector<SqlSplitSpec> PlanTableSplits(int source, const std::string& table,
                                          const std::string& split_pk,
                                          std::optional<PkRange> bounds, int64_t pieces);

// " WHERE (<where>\n) AND (<key condition>)", " WHERE (<where>\n)", " WHERE <key condition>" or
// "". The user's `where` is closed by a newline before anything follows it, so a `where` that
// ends in a "-- comment" cannot swallow the parenthesis, the key condition or a LIMIT.
std::string WhereClause(const std::string& where, const std::string& key_condition);

}  // namespace ferry
