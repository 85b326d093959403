#include "ferry/plugin/sql/sql_params.h"

namespace ferry {

using nlohmann::json;

ParamDef SqlReaderColumnParam() {
  return Param("column", ParamType::kStringList,
               "columns to read: names, \"*\", constants ('text', 123, null) or now(), "
               "current_date(), uuid(); required with table",
               json::array({"*"}));
}

ParamDef SqlWhereParam() {
  return Param("where", ParamType::kString,
               "SQL condition applied to every table and to the splitPk bounds", "");
}

ParamDef SqlSplitFactorParam() {
  return Default(Param("splitFactor", ParamType::kInteger,
                       "ranges per channel when splitPk is set (1 to 1000)"),
                 5);
}

ParamDef SqlWriterColumnParam() {
  return Param("column", ParamType::kStringList,
               "destination columns in the reader's order, or [\"*\"] for the table's columns",
               json::array({"*"}));
}

ParamDef PreSqlParam() {
  return Param("preSql", ParamType::kStringOrList,
               "SQL run once before any row is written (not again on --resume)", json::array());
}

ParamDef PostSqlParam() {
  return Param("postSql", ParamType::kStringOrList, "SQL run once after every split committed",
               json::array());
}

}  // namespace ferry
