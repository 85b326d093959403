// SqlSource: one database a SQL reader reads (or a SQL writer writes), with the tables or queries
// it holds, resolved from any of the shapes a job may use:
//   "datasource": "NAME", "table": [...]                         (named data source)
//   "connection": {"host": ..., "database": ...}, "table": [...]   (inline object)
//   "connection": [{"jdbcUrl": [...], "table": [...]}, ...],       (DataX: one entry per database;
//   "username": "u", "password": "p"                                jdbcUrl alternatives in order)
//   "connection": [{"datasource": "NAME", "table": [...]}, ...]    (sharding over named sources)
//   "jdbcUrl": "...", "table": [...]                               (flat DataX writer style)
// Table ranges ("orders_[0-15]") are expanded here.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "ferry/common/status.h"
#include "ferry/plugin/connection.h"
#include "ferry/plugin/param_def.h"
#include "ferry/plugin/step_context.h"

namespace ferry {

struct SqlSource {
  ConnectionSpec conn;                    // the first address to try
  std::vector<ConnectionSpec> fallbacks;  // further jdbcUrl entries, tried in order
  std::vector<std::string> tables;        // expanded; empty in querySql mode
  std::vector<std::string> query_sql;     // this database's querySql statements
  std::string field;                      // where it came from: "connection[1]"
};

// Every source of a step, in job order. `type` is the plugin's ("postgresql"); a named source of
// another type is an error. Errors carry their field ("connection[0].jdbcUrl[1]", "datasource").
// A step must name at least one source and, unless it uses querySql, at least one table.
Result<std::vector<SqlSource>> ResolveSqlSources(const StepContext& ctx, std::string_view type);

// The ParamDefs of these shapes (datasource, connection, jdbcUrl, username, password), shared by
// every SQL plugin's reader and writer lists; `table` and `querySql` each plugin declares itself.
std::vector<ParamDef> SqlSourceParams(std::string_view type);

}  // namespace ferry
