#include "plugins/sqlite/sqlite_sql.h"

#include "ferry/plugin/column_projection.h"
#include "ferry/plugin/sql/sql_split.h"
#include "plugins/sqlite/sqlite_catalog.h"

namespace ferry {
namespace {

bool IsKey(const std::string& column, const std::vector<std::string>& keys) {
  for (const std::string& k : keys) {
    if (SameIdentifier(k, column)) return true;
  }
  return false;
}

std::string ConflictClause(const std::vector<std::string>& columns, WriteMode mode,
                           const std::vector<std::string>& keys) {
  std::string target = keys.empty() ? "" : " (" + QuotedList(keys) + ")";
  if (mode == WriteMode::kIgnore) return " ON CONFLICT" + target + " DO NOTHING";
  std::string set;
  for (const std::string& c : columns) {
    if (IsKey(c, keys)) continue;
    if (!set.empty()) set += ", ";
    set += QuoteIdentifier(c) + " = excluded." + QuoteIdentifier(c);
  }
  if (set.empty()) return " ON CONFLICT" + target + " DO NOTHING";
  return " ON CONFLICT" + target + " DO UPDATE SET " + set;
}

}  // namespace

std::string SelectSql(const std::string& table, const std::vector<std::string>& columns,
                      const std::string& where, const std::string& filter) {
  std::string list = columns.empty() ? "1" : QuotedList(columns);
  return "SELECT " + list + " FROM " + QuoteIdentifier(table) + WhereClause(where, filter);
}

std::string KeyBoundSql(const std::string& table, const std::string& key, const std::string& where,
                        bool max) {
  std::string k = QuoteIdentifier(key);
  return std::string("SELECT ") + (max ? "max(" : "min(") + k + ") FROM " + QuoteIdentifier(table) +
         WhereClause(where, k + " >= :ferry_lo AND " + k + " <= :ferry_hi");
}

const char* WriteModeName(WriteMode mode) {
  switch (mode) {
    case WriteMode::kInsert:
      return "insert";
    case WriteMode::kReplace:
      return "replace";
    case WriteMode::kUpdate:
      return "update";
    case WriteMode::kIgnore:
      return "ignore";
  }
  return "insert";
}

std::string InsertSql(const std::string& table, const std::vector<std::string>& columns,
                      WriteMode mode, const std::vector<std::string>& keys) {
  std::string sql = mode == WriteMode::kReplace ? "INSERT OR REPLACE INTO " : "INSERT INTO ";
  sql += QuoteIdentifier(table) + " (" + QuotedList(columns) + ") VALUES (";
  for (size_t i = 0; i < columns.size(); ++i) sql += i == 0 ? "?" : ", ?";
  sql += ")";
  if (mode == WriteMode::kIgnore || mode == WriteMode::kUpdate) {
    sql += ConflictClause(columns, mode, keys);
  }
  return sql;
}

}  // namespace ferry
