#include "plugins/sqlite/sqlite_catalog.h"

#include <sqlite3.h>

#include <algorithm>
#include <cctype>

namespace ferry {
namespace {

std::string ColumnText(sqlite3_stmt* stmt, int i) {
  const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(stmt, i));
  return text == nullptr ? std::string() : std::string(text, sqlite3_column_bytes(stmt, i));
}

Result<SqliteStatement> PrepareWithText(SqliteConnection& conn, const char* sql,
                                        const std::string& arg) {
  ASSIGN_OR_RETURN(SqliteStatement stmt, conn.Prepare(sql));
  sqlite3_bind_text(stmt.get(), 1, arg.data(), static_cast<int>(arg.size()), SQLITE_TRANSIENT);
  return stmt;
}

}  // namespace

bool SameIdentifier(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

bool HasIntegerAffinity(std::string_view declared_type) {
  for (size_t i = 0; i + 3 <= declared_type.size(); ++i) {
    if (SameIdentifier(declared_type.substr(i, 3), "int")) return true;
  }
  return false;
}

bool HasNumericAffinity(std::string_view declared_type) {
  auto contains = [&](std::string_view word) {
    for (size_t i = 0; i + word.size() <= declared_type.size(); ++i) {
      if (SameIdentifier(declared_type.substr(i, word.size()), word)) return true;
    }
    return false;
  };
  if (HasIntegerAffinity(declared_type)) return true;
  if (contains("char") || contains("clob") || contains("text")) return false;
  return !declared_type.empty() && !contains("blob");
}

const SqliteColumn* SqliteTable::Find(std::string_view column) const {
  for (const SqliteColumn& c : columns) {
    if (SameIdentifier(c.name, column)) return &c;
  }
  return nullptr;
}

std::vector<std::string> SqliteTable::ReadableColumns() const {
  std::vector<std::string> out;
  for (const SqliteColumn& c : columns) {
    if (c.hidden != 1) out.push_back(c.name);
  }
  return out;
}

std::vector<std::string> SqliteTable::WritableColumns() const {
  std::vector<std::string> out;
  for (const SqliteColumn& c : columns) {
    if (c.hidden == 0) out.push_back(c.name);
  }
  return out;
}

std::vector<std::string> SqliteTable::PrimaryKey() const {
  std::vector<const SqliteColumn*> key;
  for (const SqliteColumn& c : columns) {
    if (c.pk > 0) key.push_back(&c);
  }
  std::sort(key.begin(), key.end(), [](auto* a, auto* b) { return a->pk < b->pk; });
  std::vector<std::string> out;
  for (const SqliteColumn* c : key) out.push_back(c->name);
  return out;
}

Result<SqliteTable> LoadTable(SqliteConnection& conn, const std::string& table) {
  ASSIGN_OR_RETURN(
      SqliteStatement stmt,
      PrepareWithText(conn, "SELECT name, type, pk, hidden FROM pragma_table_xinfo(?1)", table));
  SqliteTable out{table, {}};
  for (;;) {
    ASSIGN_OR_RETURN(bool row, stmt.Step());
    if (!row) break;
    SqliteColumn c;
    c.name = ColumnText(stmt.get(), 0);
    c.declared_type = ColumnText(stmt.get(), 1);
    c.pk = sqlite3_column_int(stmt.get(), 2);
    c.hidden = sqlite3_column_int(stmt.get(), 3);
    out.columns.push_back(std::move(c));
  }
  if (out.columns.empty()) {
    return Status::NotFound("table \"" + table + "\" does not exist in " + conn.path())
        .WithField("table");
  }
  return out;
}

Result<SourceRowKey> FirstUniqueIndex(SqliteConnection& conn, const std::string& table) {
  ASSIGN_OR_RETURN(SqliteStatement indexes,
                   PrepareWithText(conn,
                                   "SELECT name FROM pragma_index_list(?1) "
                                   "WHERE \"unique\" = 1 AND partial = 0 ORDER BY seq",
                                   table));
  for (;;) {
    ASSIGN_OR_RETURN(bool row, indexes.Step());
    if (!row) break;
    ASSIGN_OR_RETURN(SqliteStatement info,
                     PrepareWithText(conn, "SELECT name FROM pragma_index_info(?1) ORDER BY seqno",
                                     ColumnText(indexes.get(), 0)));
    std::vector<std::string> columns;
    bool has_expression = false;
    for (;;) {
      ASSIGN_OR_RETURN(bool column_row, info.Step());
      if (!column_row) break;
      has_expression |= sqlite3_column_type(info.get(), 0) == SQLITE_NULL;
      columns.push_back(ColumnText(info.get(), 0));
    }
    if (!has_expression && !columns.empty()) {
      return SourceRowKey{std::move(columns), "unique index " + ColumnText(indexes.get(), 0)};
    }
  }
  return SourceRowKey{};
}

}  // namespace ferry
