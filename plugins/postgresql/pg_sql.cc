#include "plugins/postgresql/pg_sql.h"

#include <algorithm>

#include "ferry/plugin/column_projection.h"
#include "ferry/plugin/sql/sql_split.h"

namespace ferry::pg {

const char* const kStageTable = "ferry_stage";

std::string SelectSql(const std::string& table, const std::vector<std::string>& columns,
                      const std::string& where, const std::string& key_condition) {
  std::string cols = columns.empty() ? "NULL" : QuotedList(columns);
  return "SELECT " + cols + " FROM " + table + WhereClause(where, key_condition);
}

std::string SelectExprSql(const std::string& table, const std::vector<std::string>& exprs,
                          const std::string& where, const std::string& key_condition) {
  std::string list;
  for (size_t i = 0; i < exprs.size(); ++i) list += (i > 0 ? ", " : "") + exprs[i];
  return "SELECT " + (list.empty() ? std::string("NULL") : list) + " FROM " + table +
         WhereClause(where, key_condition);
}

std::string CopyOutSql(const std::string& select, bool binary) {
  return "COPY (" + select + "\n) TO STDOUT" + (binary ? " (FORMAT binary)" : "");
}

std::string KeyBoundsSql(const std::string& table, const std::string& quoted_key,
                         const std::string& where) {
  return "SELECT min(" + quoted_key + ")::int8, max(" + quoted_key + ")::int8 FROM " + table +
         WhereClause(where, "");
}

std::string CopyInSql(const std::string& table, const std::vector<std::string>& columns) {
  return "COPY " + table + " (" + QuotedList(columns) + ") FROM STDIN";
}

std::string CreateStageSql(const std::string& table, const std::vector<std::string>& columns) {
  std::string sql = "CREATE TEMP TABLE ";
  sql += kStageTable;
  sql += " AS SELECT " + QuotedList(columns) + " FROM " + table + " WITH NO DATA";
  return sql;
}

std::string InsertFromStageSql(const std::string& table, const std::vector<std::string>& columns,
                               PgWriteMode mode, const std::vector<std::string>& key) {
  std::string cols = QuotedList(columns);
  std::string sql =
      "INSERT INTO " + table + " (" + cols + ") SELECT " + cols + " FROM " + kStageTable;
  if (mode == PgWriteMode::kIgnore) {
    sql += " ON CONFLICT";
    if (!key.empty()) sql += " (" + QuotedList(key) + ")";
    return sql + " DO NOTHING";
  }
  if (mode != PgWriteMode::kUpdate) return sql;
  std::string set;
  for (const std::string& c : columns) {
    if (std::find(key.begin(), key.end(), c) != key.end()) continue;
    if (!set.empty()) set += ", ";
    set += QuoteIdentifier(c) + " = EXCLUDED." + QuoteIdentifier(c);
  }
  sql += " ON CONFLICT (" + QuotedList(key) + ")";
  return sql + (set.empty() ? " DO NOTHING" : " DO UPDATE SET " + set);
}

}  // namespace ferry::pg
