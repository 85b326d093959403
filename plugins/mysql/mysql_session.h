// What every connection of a mysql step sets before its first statement: the session time zone
// (always explicit, from `timeZone`, so TIMESTAMP values never shift silently), the writer's strict
// sql_mode (nothing silently truncated or zero-dated), the reader's long net_write_timeout (a
// streaming read may wait on a slow writer), then the user's `session` statements in order.
#pragma once

#include <string>
#include <vector>

#include "ferry/common/status.h"
#include "plugins/mysql/mysql_connection.h"

namespace ferry {

// sql_mode of writer sessions.
inline constexpr const char* kMysqlStrictSqlMode =
    "STRICT_ALL_TABLES,NO_ZERO_DATE,NO_ZERO_IN_DATE,ERROR_FOR_DIVISION_BY_ZERO,"
    "NO_ENGINE_SUBSTITUTION,NO_AUTO_VALUE_ON_ZERO";

struct MysqlSessionSettings {
  int utc_offset_seconds = 0;
  bool writer = false;
  std::vector<std::string> statements;  // the user's `session` list
};

// Runs the settings on `conn`; an error names the statement ("session[1]: ...").
Status SetUpSession(MysqlConnection& conn, const MysqlSessionSettings& settings);

}  // namespace ferry
