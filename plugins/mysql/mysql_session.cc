#include "plugins/mysql/mysql_session.h"

#include "ferry/plugin/param_fields.h"
#include "plugins/mysql/mysql_types.h"

namespace ferry {

Status SetUpSession(MysqlConnection& conn, const MysqlSessionSettings& settings) {
  std::string set = "SET time_zone = '" + FormatUtcOffset(settings.utc_offset_seconds) + "'";
  if (settings.writer) {
// A GCC 12 false positive inside libstdc++'s inlined string move constructor (GCC PR 109299).
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Warray-bounds"
#pragma GCC diagnostic ignored "-Wstringop-overflow"
    set += std::string(", sql_mode = '") + kMysqlStrictSqlMode + "'";
#pragma GCC diagnostic pop
  } else {
    set += ", net_write_timeout = 86400";
  }
  Status s = conn.Exec(set);
  if (!s.ok()) return s.WithPrefix("setting up the session on " + conn.describe());
  for (size_t i = 0; i < settings.statements.size(); ++i) {
    s = conn.Exec(settings.statements[i]);
    if (!s.ok()) {
      std::string field = IndexedField("session", i);
      Status bad(s.IsTransient() ? s.code() : StatusCode::kInvalidArgument, s.message());
      return std::move(bad).WithField(field).WithPrefix(field);
    }
  }
  return Status::OK();
}

}  // namespace ferry
