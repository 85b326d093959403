#include "plugins/mysql/mysql_insert_sql.h"

#include "plugins/mysql/mysql_connection.h"

namespace ferry {

MysqlInsertSql BuildInsertSql(const std::string& table, const std::vector<std::string>& columns,
                              MysqlWriteMode mode, const std::vector<std::string>& update_columns) {
  MysqlInsertSql sql;
  sql.prefix = mode == MysqlWriteMode::kReplace ? "REPLACE INTO " : "INSERT INTO ";
  sql.prefix += MysqlQualifiedName(table) + " (";
  for (size_t i = 0; i < columns.size(); ++i) {
    if (i > 0) sql.prefix += ", ";
    sql.prefix += MysqlIdentifier(columns[i]);
  }
  sql.prefix += ") VALUES ";
  if (mode == MysqlWriteMode::kIgnore) {
    const std::string first = MysqlIdentifier(columns.front());
    sql.suffix = " ON DUPLICATE KEY UPDATE " + first + " = " + first;
  } else if (mode == MysqlWriteMode::kUpdate) {
    const std::vector<std::string>& set = update_columns.empty() ? columns : update_columns;
    sql.suffix = " ON DUPLICATE KEY UPDATE ";
    for (size_t i = 0; i < set.size(); ++i) {
      const std::string c = MysqlIdentifier(set[i]);
      if (i > 0) sql.suffix += ", ";
      sql.suffix += c + " = VALUES(" + c + ")";
    }
  }
  return sql;
}

}  // namespace ferry
