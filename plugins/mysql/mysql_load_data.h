// The bulk path of the mysql writer (`bulkLoad`): rows as LOAD DATA LOCAL INFILE text, streamed
// from memory through libmariadb's local-infile handler — no file is written. With LOCAL the
// server turns refused values and duplicate keys into warnings instead of errors, so the writer
// treats any data warning as a refusal (mysql_writer_task.cc), which keeps dirty rows exact.
// Used only for writeMode insert/replace with nullMode writeNull (LOAD DATA has no upsert and no
// DEFAULT per field).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "ferry/common/status.h"
#include "ferry/types/value.h"
#include "plugins/mysql/mysql_connection.h"
#include "plugins/mysql/mysql_options.h"

namespace ferry {

// "LOAD DATA LOCAL INFILE 'ferry' [REPLACE] INTO TABLE t CHARACTER SET binary FIELDS ... (cols)".
// LOAD DATA reads a BIT field as a bit string of its characters, so the columns flagged in
// `is_bit` go through a variable: (..., @ferry_b2, ...) SET `b` = CAST(@ferry_b2 AS UNSIGNED).
std::string LoadDataSql(const std::string& table, const std::vector<std::string>& columns,
                        const std::vector<bool>& is_bit, MysqlWriteMode mode);

// Appends one row: tab-separated fields, \N for NULL, backslash escapes, newline at the end.
Status AppendLoadDataRow(const Value* row, size_t num_columns, int utc_offset_seconds,
                         std::string* out);

// Runs `sql` on `conn`, serving `data` as the local file.
Status RunLoadData(MysqlConnection& conn, const std::string& sql, std::string_view data);

}  // namespace ferry
