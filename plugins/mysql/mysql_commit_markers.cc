#include "plugins/mysql/mysql_commit_markers.h"

#include <mysql.h>

namespace ferry {
namespace {

constexpr size_t kMaxKeyBytes = 190;  // VARCHAR(190) of run_id and split_id (commit_marker.cc)
constexpr unsigned kLockWaitTimeout = 1205;

}  // namespace

std::vector<std::string> MysqlNameParts(std::string_view name) {
  std::vector<std::string> parts(1);
  for (size_t i = 0; i < name.size(); ++i) {
    const char c = name[i];
    if (c == '`') {
      for (++i;; ++i) {
        if (i >= name.size()) return {};
        if (name[i] == '`') {
          if (i + 1 < name.size() && name[i + 1] == '`') {
            parts.back().push_back('`');
            ++i;
            continue;
          }
          break;
        }
        parts.back().push_back(name[i]);
      }
    } else if (c == '.') {
      parts.emplace_back();
    } else {
      parts.back().push_back(c);
    }
  }
  for (const std::string& p : parts) {
    if (p.empty()) return {};
  }
  return parts;
}

Result<MysqlCommitMarkers> MysqlCommitMarkers::Resolve(const std::string& name,
                                                       const std::string& destination,
                                                       std::string run_id) {
  std::vector<std::string> parts = MysqlNameParts(name);
  if (parts.empty() || parts.size() > 2) {
    return Status::InvalidArgument("commitMarkerTable " + name +
                                   " is not a table name ([database.]table)")
        .WithField("commitMarkerTable");
  }
  if (parts.size() == 1) {
    std::vector<std::string> dest = MysqlNameParts(destination);
    if (dest.size() == 2) parts.insert(parts.begin(), dest[0]);
  }
  std::string table;
  for (const std::string& p : parts) table += (table.empty() ? "" : ".") + MysqlIdentifier(p);
  return MysqlCommitMarkers(std::move(table), std::move(run_id), destination);
}

CommitMarkerSql MysqlCommitMarkers::Sql(const MysqlConnection& conn) const {
  return CommitMarkerSql(MarkerDialect::kMysql, table_, [&conn](std::string_view text) {
    std::string out;
    conn.AppendQuoted(text, &out);
    return out;
  });
}

Status MysqlCommitMarkers::MarkerError(const Status& st) const {
  return st.WithPrefix("commit marker table " + table_);
}

Result<bool> MysqlCommitMarkers::Exists(MysqlConnection& conn) const {
  auto probe = conn.Query("SELECT 1 FROM " + table_ + " LIMIT 0");
  if (probe.ok()) return true;
  if (probe.status().code() == StatusCode::kNotFound) return false;  // no such table (or database)
  return MarkerError(probe.status());
}

Status MysqlCommitMarkers::CreateTable(MysqlConnection& conn) const {
  ASSIGN_OR_RETURN(bool exists, Exists(conn));
  if (exists) return Status::OK();
  Status created = conn.Exec(Sql(conn).CreateTable());
  return created.ok() ? created : created.WithPrefix("creating commit marker table " + table_);
}

Result<std::optional<SplitFigures>> MysqlCommitMarkers::Claim(MysqlConnection& conn,
                                                              const std::string& split_id) const {
  if (run_id_.size() > kMaxKeyBytes || split_id.size() > kMaxKeyBytes) {
    return Status::FailedPrecondition("run id " + run_id_ + " or split id " + split_id +
                                      " is longer than commit marker table " + table_ +
                                      " keeps (190 bytes)");
  }
  const CommitMarkerSql sql = Sql(conn);
  Status claimed = conn.Exec(sql.Claim(run_id_, split_id, target_));
  if (!claimed.ok()) {
    if (mysql_errno(conn.get()) == kLockWaitTimeout) {
      return Status::Aborted("split " + split_id + ": its commit marker in " + table_ +
                             " stayed locked by another transaction past innodb_lock_wait_timeout "
                             "(an earlier attempt whose COMMIT is still in flight on the server?)");
    }
    return MarkerError(claimed).WithPrefix("claiming split " + split_id);
  }
  if (mysql_affected_rows(conn.get()) == 1) return std::optional<SplitFigures>();
  // An earlier attempt committed the split: nothing of this one stays open, and the figures are
  // read outside the transaction, where that commit is surely visible.
  RETURN_NOT_OK(conn.Exec("ROLLBACK"));
  ASSIGN_OR_RETURN(MysqlRows rows, conn.Query(sql.SelectSplit(run_id_, split_id)));
  SplitFigures figures;
  if (rows.size() != 1 || !MarkerRowFigures(rows[0], &figures)) {
    return Status::Internal("commit marker of split " + split_id + " in " + table_ +
                            " is neither new nor readable");
  }
  return std::optional<SplitFigures>(figures);
}

Status MysqlCommitMarkers::Record(MysqlConnection& conn, const std::string& split_id,
                                  const SplitFigures& figures) const {
  Status st = conn.Exec(Sql(conn).Record(run_id_, split_id, figures));
  if (!st.ok()) return MarkerError(st);
  if (mysql_affected_rows(conn.get()) != 1) {
    return Status::Internal("commit marker of split " + split_id + " was not claimed in " + table_);
  }
  return Status::OK();
}

Result<std::map<std::string, SplitFigures>> MysqlCommitMarkers::Committed(
    MysqlConnection& conn) const {
  std::map<std::string, SplitFigures> out;
  ASSIGN_OR_RETURN(bool exists, Exists(conn));
  if (!exists) return out;
  auto rows = conn.Query(Sql(conn).SelectRun(run_id_));
  if (!rows.ok()) return MarkerError(rows.status());
  for (const auto& row : *rows) {
    SplitFigures figures;
    if (!row[0] || !MarkerRowFigures(row, &figures)) {
      return Status::FailedPrecondition("commit marker table " + table_ + " holds a damaged row");
    }
    out[*row[0]] = figures;
  }
  return out;
}

Status MysqlCommitMarkers::DeleteRun(MysqlConnection& conn) const {
  ASSIGN_OR_RETURN(bool exists, Exists(conn));
  if (!exists) return Status::OK();
  Status st = conn.Exec(Sql(conn).DeleteRun(run_id_));
  return st.ok() ? st : MarkerError(st);
}

Result<std::vector<MarkerRun>> MysqlCommitMarkers::ListRuns(MysqlConnection& conn) const {
  std::vector<MarkerRun> runs;
  ASSIGN_OR_RETURN(bool exists, Exists(conn));
  if (!exists) return runs;
  auto rows = conn.Query(Sql(conn).ListRuns());
  if (!rows.ok()) return MarkerError(rows.status());
  for (const auto& row : *rows) {
    MarkerRun run;
    if (MarkerRowRun(row, &run)) runs.push_back(std::move(run));
  }
  return runs;
}

Result<int64_t> MysqlCommitMarkers::Remove(MysqlConnection& conn, const std::string& run_id,
                                           const std::string& before) const {
  ASSIGN_OR_RETURN(bool exists, Exists(conn));
  if (!exists) return int64_t{0};
  const CommitMarkerSql sql = Sql(conn);
  Status st =
      conn.Exec(run_id.empty() ? sql.DeleteRunsCommittedBefore(before) : sql.DeleteRun(run_id));
  if (!st.ok()) return MarkerError(st);
  return static_cast<int64_t>(mysql_affected_rows(conn.get()));
}

}  // namespace ferry
