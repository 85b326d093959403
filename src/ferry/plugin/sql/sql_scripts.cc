#include "ferry/plugin/sql/sql_scripts.h"

#include "ferry/common/strings.h"
#include "ferry/plugin/param_fields.h"

namespace ferry {

Status RunScriptStatements(const std::vector<std::string>& statements, std::string_view name,
                           std::string_view table,
                           const std::function<Status(const std::string&)>& exec) {
  for (size_t i = 0; i < statements.size(); ++i) {
    const std::string field = statements.size() == 1 ? std::string(name) : IndexedField(name, i);
    Status s = exec(ReplaceAll(statements[i], "@table", table));
    if (!s.ok()) return s.WithPrefix(field + " failed").WithField(field);
  }
  return Status::OK();
}

}  // namespace ferry
