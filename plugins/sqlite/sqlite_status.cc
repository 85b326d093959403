#include "plugins/sqlite/sqlite_status.h"

#include <sqlite3.h>

#include "plugins/sqlite/sqlite_catalog.h"

namespace ferry {

StatusCode SqliteStatusCode(int rc) {
  switch (rc & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return StatusCode::kUnavailable;
    case SQLITE_SCHEMA:
      return StatusCode::kAborted;
    case SQLITE_CONSTRAINT:
    case SQLITE_MISMATCH:
    case SQLITE_TOOBIG:
      return StatusCode::kDataError;
    case SQLITE_INTERRUPT:
      return StatusCode::kCancelled;
    case SQLITE_CANTOPEN:
    case SQLITE_IOERR:
    case SQLITE_FULL:
    case SQLITE_PROTOCOL:
      return StatusCode::kIOError;
    case SQLITE_ERROR:
    case SQLITE_PERM:
    case SQLITE_AUTH:
    case SQLITE_READONLY:
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
    case SQLITE_NOLFS:
      return StatusCode::kFailedPrecondition;
    default:
      return StatusCode::kInternal;
  }
}

Status SqliteError(sqlite3* db, int rc, std::string_view context) {
  std::string message = db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
  if (!context.empty()) message = std::string(context) + ": " + message;
  return Status(SqliteStatusCode(rc), std::move(message));
}

namespace {

// "t.id" -> "id"; "id" -> "id".
std::string_view WithoutTable(std::string_view qualified) {
  size_t dot = qualified.rfind('.');
  return dot == std::string_view::npos ? qualified : qualified.substr(dot + 1);
}

// The "tbl.col[, tbl.col]" part of a message SQLite builds about columns, or "".
std::string_view NamedColumnsPart(std::string_view message) {
  // "UNIQUE constraint failed: t.a, t.b", "NOT NULL constraint failed: t.a"
  for (std::string_view lead : {"UNIQUE constraint failed: ", "NOT NULL constraint failed: ",
                                "PRIMARY KEY constraint failed: "}) {
    if (message.starts_with(lead)) return message.substr(lead.size());
  }
  // STRICT tables: "cannot store TEXT value in INTEGER column t.a"
  if (message.starts_with("cannot store ")) {
    size_t at = message.rfind(" column ");
    if (at != std::string_view::npos) return message.substr(at + 8);
  }
  return {};
}

}  // namespace

std::string ColumnNamedInError(std::string_view message, const std::vector<std::string>& columns) {
  std::string_view named = NamedColumnsPart(message);
  if (named.empty() || named.find(',') != std::string_view::npos) return "";
  std::string_view column = WithoutTable(named);
  for (const std::string& c : columns) {
    if (SameIdentifier(c, column)) return c;
  }
  return "";
}

}  // namespace ferry
