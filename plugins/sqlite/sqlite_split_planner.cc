#include "plugins/sqlite/sqlite_split_planner.h"

#include <limits>

#include "ferry/plugin/column_projection.h"

namespace ferry {
namespace {

constexpr int64_t kInt64Max = std::numeric_limits<int64_t>::max();

Status BadSpec(const nlohmann::json& spec) {
  return Status::InvalidArgument("not a sqlite split: " + spec.dump());
}

// Upper side of [lo, hi + 1): "k < :ferry_hi" bound to hi + 1, or "k <= :ferry_hi" at INT64_MAX.
struct Upper {
  const char* below;  // k is below the upper end
  const char* at_or_above;
  int64_t bound;
};
Upper UpperEnd(int64_t hi) {
  if (hi == kInt64Max) return {" <= :ferry_hi", " > :ferry_hi", hi};
  return {" < :ferry_hi", " >= :ferry_hi", hi + 1};
}

}  // namespace

nlohmann::json SqliteSplitSpec::ToJson() const {
  switch (kind) {
    case Kind::kTable:
      return {{"table", table}};
    case Kind::kRange:
      return {{"table", table}, {"splitPk", key}, {"lo", lo}, {"hi", hi}};
    case Kind::kOutside:
      return {{"table", table}, {"splitPk", key}, {"outside", nlohmann::json::array({lo, hi})}};
    case Kind::kQuery:
      return {{"querySql", query}};
  }
  return nullptr;
}

Result<SqliteSplitSpec> SqliteSplitSpec::FromJson(const nlohmann::json& spec) {
  SqliteSplitSpec s;
  try {
    if (spec.contains("querySql")) {
      s.kind = Kind::kQuery;
      s.query = spec.at("querySql").get<std::string>();
      return s;
    }
    s.table = spec.at("table").get<std::string>();
    if (!spec.contains("splitPk")) return s;
    s.key = spec.at("splitPk").get<std::string>();
    if (spec.contains("outside")) {
      s.kind = Kind::kOutside;
      s.lo = spec.at("outside").at(0).get<int64_t>();
      s.hi = spec.at("outside").at(1).get<int64_t>();
    } else {
      s.kind = Kind::kRange;
      s.lo = spec.at("lo").get<int64_t>();
      s.hi = spec.at("hi").get<int64_t>();
    }
  } catch (const nlohmann::json::exception&) {
    return BadSpec(spec);
  }
  if (s.lo > s.hi) return BadSpec(spec);
  return s;
}

std::vector<SqliteSplitSpec> PlanKeySplits(const std::string& table, const std::string& key,
                                           std::optional<PkRange> bounds, int64_t pieces) {
  using Kind = SqliteSplitSpec::Kind;
  if (!bounds) return {{Kind::kTable, table, "", "", 0, 0}};
  std::vector<SqliteSplitSpec> out;
  for (const PkRange& r : CutPkRanges(bounds->lo, bounds->hi, pieces)) {
    out.push_back({Kind::kRange, table, key, "", r.lo, r.hi});
  }
  out.push_back({Kind::kOutside, table, key, "", bounds->lo, bounds->hi});
  return out;
}

KeyFilter KeyFilterFor(const SqliteSplitSpec& spec) {
  using Kind = SqliteSplitSpec::Kind;
  if (spec.kind != Kind::kRange && spec.kind != Kind::kOutside) return {};
  const std::string k = QuoteIdentifier(spec.key);
  const Upper upper = UpperEnd(spec.hi);
  if (spec.kind == Kind::kRange) {
    return {k + " >= :ferry_lo AND " + k + upper.below, spec.lo, upper.bound};
  }
  return {k + " IS NULL OR " + k + " < :ferry_lo OR " + k + upper.at_or_above, spec.lo,
          upper.bound};
}

}  // namespace ferry
