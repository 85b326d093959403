// Maps SQLite result codes onto Ferry's Status codes, so callers know whether to retry the call
// (busy/locked), make the record dirty (constraint, type mismatch, too big) or fail the job.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "ferry/common/status.h"

struct sqlite3;

namespace ferry {

// The Status code for an SQLite (extended) result code other than OK/ROW/DONE. DataError for
// the codes that refuse one record: SQLITE_CONSTRAINT*, SQLITE_MISMATCH, SQLITE_TOOBIG.
StatusCode SqliteStatusCode(int rc);

// A Status for `rc` carrying SQLite's own message (sqlite3_errmsg of `db`, or sqlite3_errstr
// when `db` is null), prefixed by `context` when that is not empty.
Status SqliteError(sqlite3* db, int rc, std::string_view context = {});

// The one column of `columns` that a constraint or type-mismatch message names
// ("UNIQUE constraint failed: t.id" -> "id"), compared ASCII case-insensitively; "" when the
// message names no column, several columns, or a column not in `columns`.
std::string ColumnNamedInError(std::string_view message, const std::vector<std::string>& columns);

}  // namespace ferry
