// The text around the rows of a multi-row INSERT for each writeMode:
//   insert  INSERT INTO t (a, b) VALUES (...), (...)
//   replace REPLACE INTO t (a, b) VALUES ...
//   update  INSERT INTO t (a, b) VALUES ... ON DUPLICATE KEY UPDATE a = VALUES(a), b = VALUES(b)
//   ignore  INSERT INTO t (a, b) VALUES ... ON DUPLICATE KEY UPDATE a = a
// `ignore` is not INSERT IGNORE on purpose: INSERT IGNORE also turns refused values (too long,
// out of range, NULL into NOT NULL) into silent truncations; the no-op update skips only rows
// whose key already exists, and every other refusal still makes the record dirty.
#pragma once

#include <string>
#include <vector>

#include "plugins/mysql/mysql_options.h"

namespace ferry {

struct MysqlInsertSql {
  std::string prefix;  // up to and including "VALUES "
  std::string suffix;  // after the last row; may be empty
};

// `columns` and `update_columns` as the table spells them; update_columns empty: every column.
MysqlInsertSql BuildInsertSql(const std::string& table, const std::vector<std::string>& columns,
                              MysqlWriteMode mode, const std::vector<std::string>& update_columns);

}  // namespace ferry
