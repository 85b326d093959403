#include "ferry/plugin/sql/sql_split.h"

namespace ferry {
namespace {

Status BadSpec(const nlohmann::json& spec) {
  return Status::InvalidArgument("not a SQL split: " + spec.dump());
}

}  // namespace

nlohmann::json SqlSplitSpec::ToJson() const {
  switch (kind) {
    case Kind::kTable:
      return {{"source", source}, {"table", table}};
    case Kind::kRange:
      return {{"source", source}, {"table", table}, {"splitPk", split_pk}, {"lo", lo}, {"hi", hi}};
    case Kind::kNullKey:
      return {{"source", source}, {"table", table}, {"splitPk", split_pk}, {"null", true}};
    case Kind::kQuery:
      return {{"source", source}, {"querySql", query}};
  }
  return nullptr;
}

Result<SqlSplitSpec> SqlSplitSpec::FromJson(const nlohmann::json& spec) {
  SqlSplitSpec s;
  try {
    s.source = spec.value("source", 0);
    if (spec.contains("querySql")) {
      s.kind = Kind::kQuery;
      s.query = spec.at("querySql").get<std::string>();
      return s;
    }
    s.table = spec.at("table").get<std::string>();
    if (!spec.contains("splitPk")) return s;
    s.split_pk = spec.at("splitPk").get<std::string>();
    if (spec.value("null", false)) {
      s.kind = Kind::kNullKey;
      return s;
    }
    s.kind = Kind::kRange;
    s.lo = spec.at("lo").get<int64_t>();
    s.hi = spec.at("hi").get<int64_t>();
  } catch (const nlohmann::json::exception&) {
    return BadSpec(spec);
  }
  if (s.lo > s.hi || s.source < 0) return BadSpec(spec);
  return s;
}

std::string SqlSplitSpec::KeyCondition(const std::string& quoted_key) const {
  switch (kind) {
    case Kind::kRange:
      if (lo == hi) return quoted_key + " = " + std::to_string(lo);
      return quoted_key + " >= " + std::to_string(lo) + " AND " + quoted_key +
             " <= " + std::to_string(hi);
    case Kind::kNullKey:
      return quoted_key + " IS NULL";
    case Kind::kTable:
    case Kind::kQuery:
      return "";
  }
  return "";
}

std::optional<SplitKeyRange> SqlSplitKeyRange(const Split& split) {
  auto spec = SqlSplitSpec::FromJson(split.spec);
  if (!spec.ok() || spec->kind != SqlSplitSpec::Kind::kRange) return std::nullopt;
  return SplitKeyRange{spec->split_pk, spec->lo, spec->hi};
}

std::vector<SqlSplitSpec> PlanTableSplits(int source, const std::string& table,
                                          const std::string& split_pk,
                                          std::optional<PkRange> bounds, int64_t pieces) {
  using Kind = SqlSplitSpec::Kind;
  std::vector<SqlSplitSpec> out;
  if (!bounds) {
    SqlSplitSpec whole;
    whole.source = source;
    whole.table = table;
    out.push_back(std::move(whole));
    return out;
  }
  for (const PkRange& r : CutPkRanges(bounds->lo, bounds->hi, pieces)) {
    SqlSplitSpec s;
    s.kind = Kind::kRange;
    s.source = source;
    s.table = table;
    s.split_pk = split_pk;
    s.lo = r.lo;
    s.hi = r.hi;
    out.push_back(std::move(s));
  }
  SqlSplitSpec nulls;
  nulls.kind = Kind::kNullKey;
  nulls.source = source;
  nulls.table = table;
  nulls.split_pk = split_pk;
  out.push_back(std::move(nulls));
  return out;
}

std::string WhereClause(const std::string& where, const std::string& key_condition) {
  if (where.empty() && key_condition.empty()) return "";
  if (where.empty()) return " WHERE " + key_condition;
  std::string out = " WHERE (" + where + "\n)";
  if (!key_condition.empty()) out += " AND (" + key_condition + ")";
  return out;
}

}  // namespace ferry
