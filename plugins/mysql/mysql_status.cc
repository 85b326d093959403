#include "plugins/mysql/mysql_status.h"

namespace ferry {
namespace {

// Values the destination refuses for one record (strict sql_mode turns truncations into these).
bool IsDataError(unsigned e) {
  switch (e) {
    case 1048:  // ER_BAD_NULL_ERROR
    case 1062:  // ER_DUP_ENTRY
    case 1263:  // ER_WARN_NULL_TO_NOTNULL
    case 1264:  // ER_WARN_DATA_OUT_OF_RANGE
    case 1265:  // WARN_DATA_TRUNCATED
    case 1292:  // ER_TRUNCATED_WRONG_VALUE
    case 1300:  // ER_INVALID_CHARACTER_STRING
    case 1364:  // ER_NO_DEFAULT_FOR_FIELD
    case 1365:  // ER_DIVISION_BY_ZERO
    case 1366:  // ER_TRUNCATED_WRONG_VALUE_FOR_FIELD
    case 1367:  // ER_ILLEGAL_VALUE_FOR_TYPE
    case 1406:  // ER_DATA_TOO_LONG
    case 1411:  // ER_WRONG_VALUE_FOR_TYPE
    case 1451:  // ER_ROW_IS_REFERENCED_2
    case 1452:  // ER_NO_REFERENCED_ROW_2
    case 1586:  // ER_DUP_ENTRY_WITH_KEY_NAME
    case 1690:  // ER_DATA_OUT_OF_RANGE
    case 3140:  // ER_INVALID_JSON_TEXT (MySQL)
    case 3819:  // ER_CHECK_CONSTRAINT_VIOLATED (MySQL)
    case 4025:  // ER_CONSTRAINT_FAILED (MariaDB CHECK)
      return true;
    default:
      return false;
  }
}

// The split must start again: the connection or the transaction is gone.
bool IsTransient(unsigned e) {
  switch (e) {
    case 1053:  // ER_SERVER_SHUTDOWN
    case 1205:  // ER_LOCK_WAIT_TIMEOUT
    case 1213:  // ER_LOCK_DEADLOCK
    case 1927:  // ER_CONNECTION_KILLED
    case 2002:  // CR_CONNECTION_ERROR
    case 2003:  // CR_CONN_HOST_ERROR
    case 2006:  // CR_SERVER_GONE_ERROR
    case 2013:  // CR_SERVER_LOST
    case 2055:  // CR_SERVER_LOST_EXTENDED
    case 4031:  // ER_CLIENT_INTERACTION_TIMEOUT
      return true;
    default:
      return false;
  }
}

}  // namespace

StatusCode MysqlStatusCode(unsigned e) {
  if (IsDataError(e)) return StatusCode::kDataError;
  if (IsTransient(e)) return StatusCode::kAborted;
  switch (e) {
    case 1044:  // ER_DBACCESS_DENIED_ERROR
    case 1045:  // ER_ACCESS_DENIED_ERROR
    case 1142:  // ER_TABLEACCESS_DENIED_ERROR
    case 1143:  // ER_COLUMNACCESS_DENIED_ERROR
    case 1227:  // ER_SPECIFIC_ACCESS_DENIED_ERROR
    case 1290:  // ER_OPTION_PREVENTS_STATEMENT (read-only server)
      return StatusCode::kFailedPrecondition;
    case 1049:  // ER_BAD_DB_ERROR
    case 1146:  // ER_NO_SUCH_TABLE
    case 1054:  // ER_BAD_FIELD_ERROR
      return StatusCode::kNotFound;
    case 1064:  // ER_PARSE_ERROR
    case 1149:  // ER_SYNTAX_ERROR
      return StatusCode::kInvalidArgument;
    default:
      return StatusCode::kFailedPrecondition;
  }
}

Status MysqlStatus(unsigned errnum, std::string_view message, std::string_view context) {
  std::string text = "[" + std::to_string(errnum) + "] " + std::string(message);
  if (!context.empty()) text = std::string(context) + ": " + text;
  Status s(MysqlStatusCode(errnum), std::move(text));
  if (s.code() != StatusCode::kDataError) return s;
  return std::move(s).WithColumn(ColumnNamedInMysqlError(message));
}

// "for column 's' at row 1", "Column 'nn' cannot be null", "for column `db`.`t`.`day` at row 1":
// the last part of the quoted (possibly qualified) name after "column".
std::string ColumnNamedInMysqlError(std::string_view message) {
  for (std::string_view marker : {"column ", "Column "}) {
    size_t at = message.find(marker);
    if (at == std::string_view::npos) continue;
    at += marker.size();
    std::string name;
    while (at < message.size() && (message[at] == '\'' || message[at] == '`')) {
      const char quote = message[at];
      size_t end = message.find(quote, at + 1);
      if (end == std::string_view::npos) return "";
      name = std::string(message.substr(at + 1, end - at - 1));
      at = end + 1;
      if (at >= message.size() || message[at] != '.') break;
      ++at;
    }
    if (!name.empty()) return name;
  }
  return "";
}

}  // namespace ferry
