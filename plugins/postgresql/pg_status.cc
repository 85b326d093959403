#include "plugins/postgresql/pg_status.h"

#include <libpq-fe.h>

#include "ferry/common/strings.h"

namespace ferry::pg {
namespace {

std::string Field(const pg_result* result, int code) {
  const char* v = result == nullptr ? nullptr : PQresultErrorField(result, code);
  return v == nullptr ? "" : v;
}

}  // namespace

StatusCode PgStatusCode(std::string_view sqlstate) {
  if (sqlstate.size() != 5) return StatusCode::kFailedPrecondition;
  std::string_view cls = sqlstate.substr(0, 2);
  if (cls == "22" || cls == "23" || sqlstate == "21000") return StatusCode::kDataError;
  if (sqlstate == "40001" || sqlstate == "40P01") return StatusCode::kAborted;
  if (cls == "08" || sqlstate == "57P01" || sqlstate == "57P02" || sqlstate == "57P03") {
    return StatusCode::kAborted;
  }
  if (cls == "53") return StatusCode::kUnavailable;
  if (cls == "42") return StatusCode::kInvalidArgument;
  return StatusCode::kFailedPrecondition;
}

std::string ColumnFromCopyContext(std::string_view context) {
  static constexpr std::string_view kMark = ", column ";
  size_t at = context.find(kMark);
  if (at == std::string_view::npos || !context.starts_with("COPY ")) return "";
  std::string_view rest = context.substr(at + kMark.size());
  size_t end = rest.find(':');
  if (end == std::string_view::npos) end = rest.find('\n');
  return std::string(rest.substr(0, end));
}

Status PgError(pg_conn* conn, const pg_result* result, std::string_view context,
               const ConstraintColumns* constraints) {
  std::string prefix = context.empty() ? "" : std::string(context) + ": ";
  if (conn == nullptr || PQstatus(conn) == CONNECTION_BAD) {
    std::string why = TrimRight(conn == nullptr ? "no connection" : PQerrorMessage(conn), "\n ");
    if (result != nullptr && !Field(result, PG_DIAG_MESSAGE_PRIMARY).empty()) {
      why = Field(result, PG_DIAG_MESSAGE_PRIMARY);
    }
    return Status::Aborted(prefix + "connection to PostgreSQL lost: " + why);
  }
  std::string sqlstate = Field(result, PG_DIAG_SQLSTATE);
  std::string primary = Field(result, PG_DIAG_MESSAGE_PRIMARY);
  if (primary.empty()) {
    primary = TrimRight(result != nullptr ? PQresultErrorMessage(result) : "", "\n ");
    if (primary.empty()) primary = TrimRight(PQerrorMessage(conn), "\n ");
  }
  StatusCode code = PgStatusCode(sqlstate);
  if (code == StatusCode::kDataError) {
    std::string column = Field(result, PG_DIAG_COLUMN_NAME);
    if (column.empty()) column = ColumnFromCopyContext(Field(result, PG_DIAG_CONTEXT));
    if (column.empty() && constraints != nullptr) {
      auto it = constraints->find(Field(result, PG_DIAG_CONSTRAINT_NAME));
      if (it != constraints->end()) column = it->second;
    }
    return Status(code, prefix + primary).WithColumn(std::move(column));
  }
  std::string detail = Field(result, PG_DIAG_MESSAGE_DETAIL);
  std::string hint = Field(result, PG_DIAG_MESSAGE_HINT);
  std::string message = prefix + primary;
  if (!detail.empty()) message += " (" + detail + ")";
  if (!hint.empty()) message += " hint: " + hint;
  if (!sqlstate.empty()) message += " [SQLSTATE " + sqlstate + "]";
  return Status(code, std::move(message));
}

}  // namespace ferry::pg
