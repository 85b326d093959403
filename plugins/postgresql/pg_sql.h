// Every SQL text the plugin sends, built in one place: the SELECT (and COPY) of a split, the key
// bounds of splitPk, the writer's COPY and its staging statements per writeMode. Table names are
// SQL text as the user wrote them; column names are quoted.
#pragma once

#include <string>
#include <vector>

#include "plugins/postgresql/pg_options.h"

namespace ferry::pg {

// "SELECT "a", "b" FROM t WHERE (<where>) AND <key condition>". The user's `where` is closed by
// a newline, so a trailing "-- comment" in it cannot swallow what follows.
std::string SelectSql(const std::string& table, const std::vector<std::string>& columns,
                      const std::string& where, const std::string& key_condition);
// SELECT of SQL expressions (already quoted), e.g. "\"id\"", "\"tags\"::text".
std::string SelectExprSql(const std::string& table, const std::vector<std::string>& exprs,
                          const std::string& where, const std::string& key_condition);
std::string CopyOutSql(const std::string& select, bool binary = false);
// min and max of the key (as bigint) over the rows matching `where`.
std::string KeyBoundsSql(const std::string& table, const std::string& quoted_key,
                         const std::string& where);

// "COPY t ("a", "b") FROM STDIN".
std::string CopyInSql(const std::string& table, const std::vector<std::string>& columns);

// The staging table of insert/update/ignore: same columns and types as the destination's, no
// constraints, emptied after each write.
extern const char* const kStageTable;
std::string CreateStageSql(const std::string& table, const std::vector<std::string>& columns);
// INSERT INTO t (cols) SELECT cols FROM stage [ON CONFLICT ...]; `key` empty with ignore: any
// conflict; with update it must name the conflict target.
std::string InsertFromStageSql(const std::string& table, const std::vector<std::string>& columns,
                               PgWriteMode mode, const std::vector<std::string>& key);

}  // namespace ferry::pg
