// ParamDefs that the SQL plugins (sqlite, postgresql, mysql) declare in the same words. What
// differs between them (table, splitPk, querySql, writeMode, batchSize) each plugin declares.
#pragma once

#include "ferry/plugin/param_def.h"

namespace ferry {

ParamDef SqlReaderColumnParam();  // names, "*", constants and functions
ParamDef SqlWhereParam();
ParamDef SqlSplitFactorParam();   // default 5, 1 to 1000
ParamDef SqlWriterColumnParam();  // names in the reader's order, or ["*"]
ParamDef PreSqlParam();
ParamDef PostSqlParam();

}  // namespace ferry
