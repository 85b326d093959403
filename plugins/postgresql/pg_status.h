// Maps PostgreSQL errors onto Ferry's Status codes, so a caller knows whether to retry the split
// (connection lost, serialization failure, deadlock), make the record dirty (data exceptions,
// constraint violations, encoding errors) or fail the job (auth, SQL errors, missing objects).
#pragma once

#include <map>
#include <string>
#include <string_view>

#include "ferry/common/status.h"

struct pg_conn;
struct pg_result;

namespace ferry::pg {

// The Status code for a five-character SQLSTATE ("23505"). Class 22 (data exception), 23
// (integrity constraint) and 21000 (a row affected twice by one upsert) are DataError; 40001
// and 40P01 Aborted; class 08, 57P01-57P03 (connection gone, server shutting down) Aborted;
// 53 (insufficient resources) Unavailable; 28 (auth) and 3D000 (no database) FailedPrecondition;
// 42 (syntax, undefined objects) InvalidArgument; anything else FailedPrecondition.
StatusCode PgStatusCode(std::string_view sqlstate);

// Constraint name -> its one column, for the constraints of a written table that cover exactly
// one column (PostgreSQL names the constraint of a CHECK or UNIQUE violation, not the column).
using ConstraintColumns = std::map<std::string, std::string>;

// A Status for a failed result (or, when `result` is null, the connection's last error),
// with PostgreSQL's primary message, its detail when there is one, and `context` in front.
// A DataError carries the column the server names (a NOT NULL violation's column, or the
// "column x" of a COPY error's context), else the one column of the violated constraint when
// `constraints` knows it. A connection that is gone is always Aborted.
Status PgError(pg_conn* conn, const pg_result* result, std::string_view context = {},
               const ConstraintColumns* constraints = nullptr);

// The column a COPY error's context names: "COPY t, line 1, column amount: \"x\"" -> "amount".
std::string ColumnFromCopyContext(std::string_view context);

}  // namespace ferry::pg
