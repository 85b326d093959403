// Split planning for the sqlite reader: what one split reads (SqliteSplitSpec, plain JSON so it
// can be saved and resent) and how a splitPk table is cut so that every row is in exactly one
// split, whatever its key holds.
//
// SQLite lets an INTEGER column hold NULL, reals (2.5), text ('abc') and blobs, and orders any two
// values totally: NULL < numbers (by value) < text < blob. With bounds [min, max] taken over the
// numeric keys (reals floored/ceiled) and cut by CutPkRanges, range i reads the keys k with
// lo_i <= k < hi_i + 1 (k <= hi_i for hi_i == INT64_MAX), so reals between two integer ranges
// are not lost; the ranges tile [min, max + 1) without gaps. One more split reads the exact
// complement: k IS NULL OR k < min OR k >= max + 1 (text and blobs compare above every number).
// When the table holds no numeric key at all, the table is one split.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "ferry/common/status.h"
#include "ferry/plugin/sql/pk_ranges.h"

namespace ferry {

struct SqliteSplitSpec {
  enum class Kind {
    kTable,    // {"table": "t"}: every row (under `where`)
    kRange,    // {"table": "t", "splitPk": "id", "lo": 1, "hi": 5000}: keys in [lo, hi + 1)
    kOutside,  // {"table": "t", "splitPk": "id", "outside": [1, 99999]}: the rest, NULLs too
    kQuery,    // {"querySql": "select ..."}: one querySql statement
  };
  Kind kind = Kind::kTable;
  std::string table;
  std::string key;
  std::string query;
  int64_t lo = 0;
  int64_t hi = 0;

  nlohmann::json ToJson() const;
  // InvalidArgument when `spec` is not one of the shapes above.
  static Result<SqliteSplitSpec> FromJson(const nlohmann::json& spec);
};

// The splits of one table: CutPkRanges(bounds, pieces) plus the outside split, or one kTable
// split when `bounds` is empty (no numeric key under `where`).
std::vector<SqliteSplitSpec> PlanKeySplits(const std::string& table, const std::string& key,
                                           std::optional<PkRange> bounds, int64_t pieces);

// The condition selecting a split's rows, with :ferry_lo and :ferry_hi to bind; empty `sql` for
// kTable and kQuery.
struct KeyFilter {
  std::string sql;
  int64_t lo = 0;
  int64_t hi = 0;
};
KeyFilter KeyFilterFor(const SqliteSplitSpec& spec);

}  // namespace ferry
