#include "plugins/sqlite/sqlite_commit_markers.h"

#include <sqlite3.h>

#include "ferry/plugin/column_projection.h"

namespace ferry {
namespace {

using Row = std::vector<std::optional<std::string>>;

Result<std::vector<Row>> QueryRows(SqliteConnection& conn, const std::string& sql) {
  ASSIGN_OR_RETURN(SqliteStatement stmt, conn.Prepare(sql));
  std::vector<Row> rows;
  for (;;) {
    ASSIGN_OR_RETURN(bool more, stmt.Step());
    if (!more) return rows;
    Row& row = rows.emplace_back();
    for (int c = 0; c < sqlite3_column_count(stmt.get()); ++c) {
      const unsigned char* text = sqlite3_column_text(stmt.get(), c);
      if (text == nullptr) {
        row.emplace_back();
      } else {
        row.emplace_back(
            std::string(reinterpret_cast<const char*>(text), sqlite3_column_bytes(stmt.get(), c)));
      }
    }
  }
}

Status MarkerError(const Status& st, const std::string& table) {
  return st.WithPrefix("commit marker table " + table);
}

}  // namespace

SqliteCommitMarkers::SqliteCommitMarkers(const std::string& table, std::string run_id,
                                         std::string target)
    : name_(table),
      sql_(MarkerDialect::kSqlite, QuoteIdentifier(table), SqlStringLiteral),
      run_id_(std::move(run_id)),
      target_(std::move(target)) {}

Status SqliteCommitMarkers::CreateTable(SqliteConnection& conn) const {
  Status st = conn.Exec(sql_.CreateTable());
  return st.ok() ? st : MarkerError(st, name_);
}

Result<std::optional<SplitFigures>> SqliteCommitMarkers::Claim(SqliteConnection& conn,
                                                               const std::string& split_id) const {
  Status st = conn.Exec(sql_.Claim(run_id_, split_id, target_));
  if (!st.ok()) return MarkerError(st, name_);
  if (sqlite3_changes(conn.handle()) == 1) return std::optional<SplitFigures>();
  ASSIGN_OR_RETURN(std::vector<Row> rows, QueryRows(conn, sql_.SelectSplit(run_id_, split_id)));
  SplitFigures figures;
  if (rows.size() != 1 || !MarkerRowFigures(rows[0], &figures)) {
    return Status::Internal("commit marker of split " + split_id + " in " + name_ +
                            " is neither new nor readable");
  }
  return std::optional<SplitFigures>(figures);
}

Status SqliteCommitMarkers::Record(SqliteConnection& conn, const std::string& split_id,
                                   const SplitFigures& figures) const {
  Status st = conn.Exec(sql_.Record(run_id_, split_id, figures));
  if (!st.ok()) return MarkerError(st, name_);
  if (sqlite3_changes(conn.handle()) != 1) {
    return Status::Internal("commit marker of split " + split_id + " was not claimed in " + name_);
  }
  return Status::OK();
}

Result<bool> SqliteCommitMarkers::TableExists(SqliteConnection& conn) const {
  ASSIGN_OR_RETURN(std::vector<Row> rows,
                   QueryRows(conn, "SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = " +
                                       SqlStringLiteral(name_)));
  return !rows.empty();
}

Result<std::map<std::string, SplitFigures>> SqliteCommitMarkers::Committed(
    SqliteConnection& conn) const {
  std::map<std::string, SplitFigures> out;
  ASSIGN_OR_RETURN(bool exists, TableExists(conn));
  if (!exists) return out;
  ASSIGN_OR_RETURN(std::vector<Row> rows, QueryRows(conn, sql_.SelectRun(run_id_)));
  for (const Row& row : rows) {
    SplitFigures figures;
    if (!row[0] || !MarkerRowFigures(row, &figures)) {
      return Status::FailedPrecondition("commit marker table " + name_ + " holds a damaged row");
    }
    out[*row[0]] = figures;
  }
  return out;
}

Status SqliteCommitMarkers::DeleteRun(SqliteConnection& conn) const {
  Status st = conn.Exec(sql_.DeleteRun(run_id_));
  return st.ok() ? st : MarkerError(st, name_);
}

Result<std::vector<MarkerRun>> SqliteCommitMarkers::ListRuns(SqliteConnection& conn) const {
  std::vector<MarkerRun> runs;
  ASSIGN_OR_RETURN(bool exists, TableExists(conn));
  if (!exists) return runs;
  ASSIGN_OR_RETURN(std::vector<Row> rows, QueryRows(conn, sql_.ListRuns()));
  for (const Row& row : rows) {
    MarkerRun run;
    if (MarkerRowRun(row, &run)) runs.push_back(std::move(run));
  }
  return runs;
}

Result<int64_t> SqliteCommitMarkers::Remove(SqliteConnection& conn, const std::string& run_id,
                                            const std::string& before) const {
  ASSIGN_OR_RETURN(bool exists, TableExists(conn));
  if (!exists) return int64_t{0};
  Status st =
      conn.Exec(run_id.empty() ? sql_.DeleteRunsCommittedBefore(before) : sql_.DeleteRun(run_id));
  if (!st.ok()) return MarkerError(st, name_);
  return int64_t{sqlite3_changes(conn.handle())};
}

}  // namespace ferry
