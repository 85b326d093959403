// SqliteTable: what a database says about one table or view (PRAGMA table_xinfo): its columns,
// their declared types, its primary key and the unique key an upsert can target. Identifiers
// compare as SQLite compares them: ASCII case-insensitively.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "ferry/common/status.h"
#include "ferry/plugin/split.h"
#include "plugins/sqlite/sqlite_connection.h"

namespace ferry {

struct SqliteColumn {
  std::string name;           // as declared
  std::string declared_type;  // "INTEGER", "varchar(20)", "" when untyped
  int pk = 0;                 // 1-based position in the primary key; 0 when not in it
  int hidden = 0;             // 0 plain, 1 hidden (virtual tables), 2/3 generated

  bool generated() const { return hidden == 2 || hidden == 3; }
};

struct SqliteTable {
  std::string name;
  std::vector<SqliteColumn> columns;

  const SqliteColumn* Find(std::string_view column) const;
  std::vector<std::string> ReadableColumns() const;  // what SELECT * returns, in order
  std::vector<std::string> WritableColumns() const;  // not generated, in order
  std::vector<std::string> PrimaryKey() const;       // declared key order; empty when none
};

// Reads the columns of `table`; NotFound with field "table" when the database has no such table
// or view: `table "x" does not exist in /path/db`.
Result<SqliteTable> LoadTable(SqliteConnection& conn, const std::string& table);

// The columns of the first full unique index of `table` (no expression, no WHERE), with origin
// "unique index NAME"; no columns when there is none.
Result<SourceRowKey> FirstUniqueIndex(SqliteConnection& conn, const std::string& table);

bool SameIdentifier(std::string_view a, std::string_view b);

// SQLite's first affinity rule: a declared type containing "INT" has INTEGER affinity.
bool HasIntegerAffinity(std::string_view declared_type);
// INTEGER, REAL or NUMERIC affinity (SQLite's rules): text that reads as a number is stored as
// one. False for TEXT ("CHAR", "CLOB", "TEXT") and BLOB (no declared type, "BLOB") affinity.
bool HasNumericAffinity(std::string_view declared_type);

}  // namespace ferry
