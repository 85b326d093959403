// What the mysql plugin asks a server about its tables and queries without reading rows: the
// result columns of a SELECT (from a prepared statement's metadata; nothing is executed) and
// the bounds of a splitPk.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "ferry/common/status.h"
#include "ferry/plugin/sql/pk_ranges.h"
#include "plugins/mysql/mysql_connection.h"
#include "plugins/mysql/mysql_types.h"

namespace ferry {

struct MysqlField {
  std::string name;
  MysqlColumnKind kind = MysqlColumnKind::kText;
  bool integer = false;  // tinyint..bigint (splitPk candidates)
  bool not_null = false;
};

// The result columns of `select_sql`, which is prepared and never executed.
Result<std::vector<MysqlField>> ResultFields(MysqlConnection& conn, const std::string& select_sql);

// The field named `name` (case-insensitive, as MySQL compares column names); null when none.
const MysqlField* FindField(const std::vector<MysqlField>& fields, std::string_view name);

// MIN and MAX of integer column `key` of `table` under `where`. nullopt when no row has a key, or
// when the maximum is above int64 (a bigint unsigned): then the table is read as one split.
Result<std::optional<PkRange>> KeyBounds(MysqlConnection& conn, const std::string& table,
                                         const std::string& key, const std::string& where);

}  // namespace ferry
