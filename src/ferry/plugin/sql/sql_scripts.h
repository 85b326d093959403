// preSql / postSql: statements run one by one on one connection; the first failure stops them
// and names its statement ("preSql failed: ...", field "preSql", or "preSql[1]" when there are
// several). Each SQL writer supplies how one statement runs on its connection. `@table` in a
// statement is the writer's table as the job names it (DataX's placeholder, in every one of its
// RDBMS writers: "delete from @table").
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "ferry/common/status.h"

namespace ferry {

Status RunScriptStatements(const std::vector<std::string>& statements, std::string_view name,
                           std::string_view table,
                           const std::function<Status(const std::string&)>& exec);

}  // namespace ferry
