#include "plugins/postgresql/pg_commit_markers.h"

#include <fmt/format.h>
#include <libpq-fe.h>

#include <charconv>

namespace ferry::pg {
namespace {

using Row = std::vector<std::optional<std::string>>;

std::vector<Row> Rows(const PgResult& r) {
  std::vector<Row> rows;
  for (int i = 0; i < PQntuples(r.get()); ++i) {
    Row& row = rows.emplace_back();
    for (int c = 0; c < PQnfields(r.get()); ++c) {
      if (PQgetisnull(r.get(), i, c)) {
        row.emplace_back();
      } else {
        row.emplace_back(std::string(PQgetvalue(r.get(), i, c), PQgetlength(r.get(), i, c)));
      }
    }
  }
  return rows;
}

std::string Sqlstate(const pg_result* r) {
  const char* s = PQresultErrorField(r, PG_DIAG_SQLSTATE);
  return s == nullptr ? "" : s;
}

// The quoted, qualified marker table: the parts of `name` as the server parses an identifier,
// preceded by the schema of the destination table when `name` has none.
constexpr const char* kResolveSql =
    "SELECT CASE WHEN cardinality(p) = 1 THEN quote_ident(n.nspname) || '.' || quote_ident(p[1]) "
    "ELSE array_to_string(ARRAY(SELECT quote_ident(x) FROM unnest(p) WITH ORDINALITY AS u(x, i) "
    "ORDER BY i), '.') END "
    "FROM parse_ident($1) AS p, pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
    "WHERE c.oid = to_regclass($2)";

}  // namespace

std::string PgLiteral(std::string_view text) {
  const bool backslash = text.find('\\') != std::string_view::npos;
  std::string out = backslash ? "E'" : "'";
  for (char c : text) {
    if (c == '\'' || (backslash && c == '\\')) out.push_back(c);
    out.push_back(c);
  }
  out.push_back('\'');
  return out;
}

PgCommitMarkers::PgCommitMarkers(std::string table, std::string run_id, std::string target)
    : sql_(MarkerDialect::kPostgresql, std::move(table), PgLiteral),
      run_id_(std::move(run_id)),
      target_(std::move(target)) {}

Result<PgCommitMarkers> PgCommitMarkers::Resolve(PgConnection& conn, const std::string& name,
                                                 const std::string& destination,
                                                 std::string run_id) {
  auto resolved = conn.Query(kResolveSql, {name, destination}, "commitMarkerTable " + name);
  if (!resolved.ok()) {
    const Status& st = resolved.status();
    if (st.code() != StatusCode::kDataError) return st;
    return Status::InvalidArgument(st.message()).WithField("commitMarkerTable");
  }
  if (PQntuples(resolved->get()) != 1) {
    return Status::NotFound("table " + destination + " does not exist in " + conn.server())
        .WithField("table");
  }
  return PgCommitMarkers(PQgetvalue(resolved->get(), 0, 0), std::move(run_id), destination);
}

Result<bool> PgCommitMarkers::Exists(PgConnection& conn) const {
  ASSIGN_OR_RETURN(PgResult r, conn.Query("SELECT to_regclass($1) IS NOT NULL", {table()},
                                          "looking up commit marker table " + table()));
  return PQgetvalue(r.get(), 0, 0)[0] == 't';
}

Status PgCommitMarkers::CreateTable(PgConnection& conn) const {
  ASSIGN_OR_RETURN(bool exists, Exists(conn));
  if (exists) return Status::OK();
  Status created = conn.Exec(sql_.CreateTable(), "creating commit marker table " + table());
  if (created.ok()) return created;
  // Another job may have created it at the same moment.
  auto again = Exists(conn);
  if (again.ok() && *again) return Status::OK();
  return created;
}

Result<std::optional<SplitFigures>> PgCommitMarkers::BeginAndClaim(
    PgConnection& conn, const std::string& split_id) const {
  // The wait is bounded for the claim alone; the split's own statements keep the session's.
  std::vector<PgResult> results = conn.ExecAll(
      fmt::format("BEGIN; SET LOCAL lock_timeout = '{}s'; {}; SET LOCAL lock_timeout TO DEFAULT",
                  kClaimWaitSeconds, sql_.Claim(run_id_, split_id, target_)));
  const std::string context = "claiming split " + split_id + " in commit marker table " + table();
  for (const PgResult& r : results) {
    if (PQresultStatus(r.get()) == PGRES_COMMAND_OK) continue;
    if (conn.alive() && Sqlstate(r.get()) == "55P03") {
      return Status::Aborted(fmt::format(
          "split {}: its commit marker in {} stayed locked by another transaction for {} s (an "
          "earlier attempt whose COMMIT is still in flight on the server?)",
          split_id, table(), kClaimWaitSeconds));
    }
    return conn.Error(r.get(), context);
  }
  if (results.size() != 4) return conn.LastError(context);
  if (std::string_view(PQcmdTuples(results[2].get())) == "1") return std::optional<SplitFigures>();
  // An earlier attempt committed the split: nothing of this one stays open, and the figures are
  // read outside the transaction, where that commit is surely visible.
  RETURN_NOT_OK(conn.Exec("ROLLBACK", context));
  ASSIGN_OR_RETURN(PgResult r, conn.Query(sql_.SelectSplit(run_id_, split_id), {}, context));
  std::vector<Row> rows = Rows(r);
  SplitFigures figures;
  if (rows.size() != 1 || !MarkerRowFigures(rows[0], &figures)) {
    return Status::Internal("commit marker of split " + split_id + " in " + table() +
                            " is neither new nor readable");
  }
  return std::optional<SplitFigures>(figures);
}

std::string PgCommitMarkers::RecordSql(const std::string& split_id,
                                       const SplitFigures& figures) const {
  return sql_.Record(run_id_, split_id, figures);
}

Result<std::map<std::string, SplitFigures>> PgCommitMarkers::Committed(PgConnection& conn) const {
  std::map<std::string, SplitFigures> out;
  ASSIGN_OR_RETURN(bool exists, Exists(conn));
  if (!exists) return out;
  ASSIGN_OR_RETURN(PgResult r, conn.Query(sql_.SelectRun(run_id_), {},
                                          "reading commit marker table " + table()));
  for (const Row& row : Rows(r)) {
    SplitFigures figures;
    if (!row[0] || !MarkerRowFigures(row, &figures)) {
      return Status::FailedPrecondition("commit marker table " + table() + " holds a damaged row");
    }
    out[*row[0]] = figures;
  }
  return out;
}

Result<int64_t> PgCommitMarkers::ExecCount(PgConnection& conn, const std::string& sql) const {
  std::vector<PgResult> results = conn.ExecAll(sql);
  const std::string context = "commit marker table " + table();
  if (results.empty()) return conn.LastError(context);
  pg_result* r = results.back().get();
  if (PQresultStatus(r) != PGRES_COMMAND_OK) return conn.Error(r, context);
  std::string_view text = PQcmdTuples(r);
  int64_t n = 0;
  std::from_chars(text.data(), text.data() + text.size(), n);
  return n;
}

Status PgCommitMarkers::DeleteRun(PgConnection& conn) const {
  ASSIGN_OR_RETURN(bool exists, Exists(conn));
  if (!exists) return Status::OK();
  return ExecCount(conn, sql_.DeleteRun(run_id_)).status();
}

Result<std::vector<MarkerRun>> PgCommitMarkers::ListRuns(PgConnection& conn) const {
  std::vector<MarkerRun> runs;
  ASSIGN_OR_RETURN(bool exists, Exists(conn));
  if (!exists) return runs;
  ASSIGN_OR_RETURN(PgResult r,
                   conn.Query(sql_.ListRuns(), {}, "reading commit marker table " + table()));
  for (const Row& row : Rows(r)) {
    MarkerRun run;
    if (MarkerRowRun(row, &run)) runs.push_back(std::move(run));
  }
  return runs;
}

Result<int64_t> PgCommitMarkers::Remove(PgConnection& conn, const std::string& run_id,
                                        const std::string& before) const {
  ASSIGN_OR_RETURN(bool exists, Exists(conn));
  if (!exists) return int64_t{0};
  return ExecCount(
      conn, run_id.empty() ? sql_.DeleteRunsCommittedBefore(before) : sql_.DeleteRun(run_id));
}

}  // namespace ferry::pg
