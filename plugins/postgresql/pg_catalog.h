// What the plugin asks PostgreSQL's catalog about a table it writes: its columns (name, type,
// generated or not) and its primary key. A table name is SQL text as the user wrote it
// (`orders`, `sales.orders`, `"Sales"."Order Lines"`) and is resolved the way the server
// resolves it in a query (to_regclass: search_path, case folding of unquoted names).
#pragma once

#include <string>
#include <vector>

#include "ferry/common/status.h"
#include "ferry/plugin/split.h"
#include "plugins/postgresql/pg_status.h"
#include "plugins/postgresql/pg_types.h"

namespace ferry::pg {

class PgConnection;

struct PgTableColumn {
  std::string name;  // as stored (case preserved)
  PgColumnType type;
  bool generated = false;  // GENERATED ALWAYS AS (...) STORED: cannot be written
};

struct PgTable {
  std::string name;  // as written in the job
  std::vector<PgTableColumn> columns;
  std::vector<std::string> primary_key;
  ConstraintColumns constraint_columns;  // constraints over exactly one column

  // The column called `name`: the exact name first, then the name folded to lower case (an
  // unquoted identifier in SQL). Null when there is none.
  const PgTableColumn* Find(const std::string& name) const;
  std::vector<std::string> WritableColumns() const;
};

// NotFound naming the table when it does not exist (or is not visible to the user).
Result<PgTable> LoadTable(PgConnection& conn, const std::string& name);

// The columns of `name`'s primary key, else of its first unique index without expressions or a
// predicate (fewest columns first); no columns when it has neither.
Result<SourceRowKey> LoadRowKey(PgConnection& conn, const std::string& name);

// Name lookup shared with the reader: exact first, then lower-case folded; -1 when missing.
int FindName(const std::vector<std::string>& names, const std::string& name);

}  // namespace ferry::pg
