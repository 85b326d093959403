// The SQL text the sqlite plugin sends, built in one place: the SELECT of a reader split, the key
// bounds query of splitPk planning and the INSERT of each writeMode. Identifiers are always
// quoted (ferry::QuoteIdentifier) and values always bound, never spliced into the text.
#pragma once

#include <string>
#include <vector>

#include "ferry/common/status.h"

namespace ferry {

// SELECT <columns> FROM <table> [WHERE (<where>) AND (<filter>)]; either condition may be empty.
// With no columns (only computed ones are wanted) it selects the constant 1 per row.
// The user's `where` is closed by a newline, so a trailing "-- comment" cannot swallow the rest.
std::string SelectSql(const std::string& table, const std::vector<std::string>& columns,
                      const std::string& where, const std::string& filter);

// SELECT min(key) (or max) over the rows of `table` matching `where` whose key is a number in the
// int64 range (:ferry_lo/:ferry_hi bound to INT64_MIN/INT64_MAX): text, blobs and NULLs stay out,
// and SQLite answers from an index on the key when there is one.
std::string KeyBoundSql(const std::string& table, const std::string& key, const std::string& where,
                        bool max);

enum class WriteMode { kInsert, kReplace, kUpdate, kIgnore };

const char* WriteModeName(WriteMode mode);  // as a job spells it: "insert", "replace"...

// One-row statement with one `?` per column, in order:
//   insert  INSERT INTO t (a, b) VALUES (?, ?)
//   replace INSERT OR REPLACE INTO t ...
//   ignore  INSERT INTO t ... ON CONFLICT [(keys)] DO NOTHING
//   update  INSERT INTO t ... ON CONFLICT (keys) DO UPDATE SET b = excluded.b
//           (DO NOTHING when every column is a key). `keys` must not be empty for update.
std::string InsertSql(const std::string& table, const std::vector<std::string>& columns,
                      WriteMode mode, const std::vector<std::string>& keys);

}  // namespace ferry
