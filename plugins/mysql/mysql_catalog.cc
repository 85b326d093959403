#include "plugins/mysql/mysql_catalog.h"

#include <mysql.h>

#include <charconv>

#include "ferry/common/strings.h"
#include "ferry/plugin/sql/sql_split.h"
#include "plugins/mysql/mysql_status.h"

namespace ferry {
namespace {

bool IsIntegerType(enum_field_types t) {
  return t == MYSQL_TYPE_TINY || t == MYSQL_TYPE_SHORT || t == MYSQL_TYPE_INT24 ||
         t == MYSQL_TYPE_LONG || t == MYSQL_TYPE_LONGLONG;
}

std::optional<int64_t> ToInt64(const std::optional<std::string>& text) {
  if (!text) return std::nullopt;
  int64_t v = 0;
  auto r = std::from_chars(text->data(), text->data() + text->size(), v);
  if (r.ec != std::errc() || r.ptr != text->data() + text->size()) return std::nullopt;
  return v;
}

}  // namespace

Result<std::vector<MysqlField>> ResultFields(MysqlConnection& conn, const std::string& select_sql) {
  MYSQL_STMT* stmt = mysql_stmt_init(conn.get());
  if (stmt == nullptr) return conn.LastError("preparing a statement");
  std::unique_ptr<MYSQL_STMT, decltype(&mysql_stmt_close)> guard(stmt, &mysql_stmt_close);
  if (mysql_stmt_prepare(stmt, select_sql.data(), select_sql.size()) != 0) {
    return MysqlStatus(mysql_stmt_errno(stmt), mysql_stmt_error(stmt));
  }
  MYSQL_RES* meta = mysql_stmt_result_metadata(stmt);
  if (meta == nullptr) {
    return Status::InvalidArgument("the statement returns no rows (expected a SELECT)");
  }
  std::vector<MysqlField> out;
  const unsigned n = mysql_num_fields(meta);
  MYSQL_FIELD* fields = mysql_fetch_fields(meta);
  for (unsigned i = 0; i < n; ++i) {
    out.push_back({fields[i].name, ColumnKindOf(fields[i]), IsIntegerType(fields[i].type),
                   (fields[i].flags & NOT_NULL_FLAG) != 0});
  }
  mysql_free_result(meta);
  return out;
}

const MysqlField* FindField(const std::vector<MysqlField>& fields, std::string_view name) {
  const std::string lower = ToLower(name);
  for (const MysqlField& f : fields) {
    if (ToLower(f.name) == lower) return &f;
  }
  return nullptr;
}

Result<std::optional<PkRange>> KeyBounds(MysqlConnection& conn, const std::string& table,
                                         const std::string& key, const std::string& where) {
  const std::string k = MysqlIdentifier(key);
  const std::string sql = "SELECT MIN(" + k + "), MAX(" + k + ") FROM " +
                          MysqlQualifiedName(table) + WhereClause(where, "");
  ASSIGN_OR_RETURN(MysqlRows rows, conn.Query(sql));
  if (rows.empty() || rows[0].size() != 2) return std::optional<PkRange>();
  std::optional<int64_t> lo = ToInt64(rows[0][0]), hi = ToInt64(rows[0][1]);
  if (!lo || !hi || *lo > *hi) return std::optional<PkRange>();
  return std::optional<PkRange>(PkRange{*lo, *hi});
}

}  // namespace ferry
