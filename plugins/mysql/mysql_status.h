// Maps MariaDB/MySQL error numbers onto Ferry's Status codes, so a caller knows whether to make
// the record dirty (the server refused a value), retry the split (connection lost, deadlock,
// lock wait timeout) or fail the job (access denied, unknown table, syntax).
#pragma once

#include <string>
#include <string_view>

#include "ferry/common/status.h"

namespace ferry {

// The code for server or client error `errnum`.
StatusCode MysqlStatusCode(unsigned errnum);

// A Status for `errnum` with the server's `message` ("[1406] Data too long for column 's' at
// row 1"), prefixed by `context` when that is not empty. The message never holds a password:
// the server does not echo one, and callers never pass one as context.
Status MysqlStatus(unsigned errnum, std::string_view message, std::string_view context = {});

// The column a refusal message names ("... for column 's' at row 3" -> "s"); "" when none.
std::string ColumnNamedInMysqlError(std::string_view message);

}  // namespace ferry
