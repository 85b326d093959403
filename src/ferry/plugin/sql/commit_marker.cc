#include "ferry/plugin/sql/commit_marker.h"

#include <fmt/format.h>

#include <charconv>

#include "ferry/plugin/param_fields.h"

namespace ferry {

std::vector<ParamDef> CommitMarkerParams() {
  return {
      Default(Param("commitMarker", ParamType::kBool,
                    "record each split's commit in a marker table of the destination, in the "
                    "split's own transaction, so that a resume or a lost COMMIT never writes a "
                    "split twice; false: no marker table (a warning names the risk)"),
              true),
      Default(Param("commitMarkerTable", ParamType::kString,
                    "the marker table, created on first use ([schema.]name)"),
              kDefaultCommitMarkerTable),
  };
}

Result<CommitMarkerOptions> ParseCommitMarkerOptions(const nlohmann::json& p) {
  CommitMarkerOptions o;
  ASSIGN_OR_RETURN(o.enabled, BoolField(p, "commitMarker", true));
  ASSIGN_OR_RETURN(o.table, StringField(p, "commitMarkerTable", kDefaultCommitMarkerTable));
  if (o.table.empty()) {
    return Status::InvalidArgument("expected a table name").WithField("commitMarkerTable");
  }
  return o;
}

std::string CommitMarkerOffWarning(const CommitMarkerOptions& options) {
  if (options.enabled) return {};
  return "commitMarker is false: whether a split committed is known only to the run directory, "
         "so a run killed between a split's COMMIT and its record in committed.log writes that "
         "split again on --resume, and a split whose COMMIT outcome is unknown (connection lost) "
         "fails the job instead of being settled";
}

std::string SqlStringLiteral(std::string_view text) {
  std::string out = "'";
  for (char c : text) {
    if (c == '\'') out.push_back('\'');
    out.push_back(c);
  }
  out.push_back('\'');
  return out;
}

CommitMarkerSql::CommitMarkerSql(MarkerDialect dialect, std::string table,
                                 std::function<std::string(std::string_view)> literal)
    : dialect_(dialect), table_(std::move(table)), literal_(std::move(literal)) {}

std::string CommitMarkerSql::CreateTable() const {
  // Key columns short enough for any engine's index limit, compared byte for byte; counts as
  // 64-bit integers. MySQL's committed_at holds UTC (Record writes UTC_TIMESTAMP).
  switch (dialect_) {
    case MarkerDialect::kSqlite:
      return fmt::format(
          "CREATE TABLE IF NOT EXISTS {} (run_id TEXT NOT NULL, split_id TEXT NOT NULL, "
          "target TEXT NOT NULL, attempt INTEGER NOT NULL, records_read INTEGER NOT NULL, "
          "bytes_read INTEGER NOT NULL, records_written INTEGER NOT NULL, "
          "dirty_records INTEGER NOT NULL, committed_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP, "
          "PRIMARY KEY (run_id, split_id))",
          table_);
    case MarkerDialect::kPostgresql:
      return fmt::format(
          "CREATE TABLE IF NOT EXISTS {} (run_id text NOT NULL, split_id text NOT NULL, "
          "target text NOT NULL, attempt bigint NOT NULL, records_read bigint NOT NULL, "
          "bytes_read bigint NOT NULL, records_written bigint NOT NULL, "
          "dirty_records bigint NOT NULL, committed_at timestamptz NOT NULL DEFAULT now(), "
          "PRIMARY KEY (run_id, split_id))",
          table_);
    case MarkerDialect::kMysql:
      return fmt::format(
          "CREATE TABLE IF NOT EXISTS {} (run_id VARCHAR(190) NOT NULL, "
          "split_id VARCHAR(190) NOT NULL, target VARCHAR(500) NOT NULL, attempt BIGINT NOT NULL, "
          "records_read BIGINT NOT NULL, bytes_read BIGINT NOT NULL, "
          "records_written BIGINT NOT NULL, dirty_records BIGINT NOT NULL, "
          "committed_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6), "
          "PRIMARY KEY (run_id, split_id)) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 "
          "COLLATE=utf8mb4_bin",
          table_);
  }
  return {};
}

std::string CommitMarkerSql::Claim(std::string_view run_id, std::string_view split_id,
                                   std::string_view target) const {
  std::string values = fmt::format("({}, {}, {}, 0, 0, 0, 0, 0)", literal_(run_id),
                                   literal_(split_id), literal_(target));
  const char* columns =
      "(run_id, split_id, target, attempt, records_read, bytes_read, records_written, "
      "dirty_records)";
  switch (dialect_) {
    case MarkerDialect::kSqlite:
      return fmt::format("INSERT OR IGNORE INTO {} {} VALUES {}", table_, columns, values);
    case MarkerDialect::kPostgresql:
      return fmt::format("INSERT INTO {} {} VALUES {} ON CONFLICT DO NOTHING", table_, columns,
                         values);
    case MarkerDialect::kMysql:
      return fmt::format("INSERT IGNORE INTO {} {} VALUES {}", table_, columns, values);
  }
  return {};
}

std::string CommitMarkerSql::Where(std::string_view run_id, std::string_view split_id) const {
  return fmt::format("run_id = {} AND split_id = {}", literal_(run_id), literal_(split_id));
}

std::string CommitMarkerSql::Record(std::string_view run_id, std::string_view split_id,
                                    const SplitFigures& f) const {
  // The time of the record (not of the transaction's start), in UTC where the type has no zone.
  const char* now = dialect_ == MarkerDialect::kSqlite       ? "CURRENT_TIMESTAMP"
                    : dialect_ == MarkerDialect::kPostgresql ? "clock_timestamp()"
                                                             : "UTC_TIMESTAMP(6)";
  return fmt::format(
      "UPDATE {} SET attempt = {}, records_read = {}, bytes_read = {}, records_written = {}, "
      "dirty_records = {}, committed_at = {} WHERE {}",
      table_, f.attempt, f.records_read, f.bytes_read, f.records_written, f.dirty_records, now,
      Where(run_id, split_id));
}

std::string CommitMarkerSql::SelectRun(std::string_view run_id) const {
  return fmt::format(
      "SELECT split_id, attempt, records_read, bytes_read, records_written, dirty_records "
      "FROM {} WHERE run_id = {}",
      table_, literal_(run_id));
}

std::string CommitMarkerSql::SelectSplit(std::string_view run_id, std::string_view split_id) const {
  return fmt::format(
      "SELECT split_id, attempt, records_read, bytes_read, records_written, dirty_records "
      "FROM {} WHERE {}",
      table_, Where(run_id, split_id));
}

std::string CommitMarkerSql::DeleteRun(std::string_view run_id) const {
  return fmt::format("DELETE FROM {} WHERE run_id = {}", table_, literal_(run_id));
}

std::string CommitMarkerSql::ListRuns() const {
  const char* as_text = dialect_ == MarkerDialect::kPostgresql
                            ? "to_char({} AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS')"
                        : dialect_ == MarkerDialect::kMysql ? "DATE_FORMAT({}, '%Y-%m-%d %H:%i:%s')"
                                                            : "{}";
  return fmt::format(
      "SELECT run_id, MIN(target), COUNT(*), {}, {} FROM {} GROUP BY run_id ORDER BY MAX("
      "committed_at) DESC",
      fmt::format(fmt::runtime(as_text), "MIN(committed_at)"),
      fmt::format(fmt::runtime(as_text), "MAX(committed_at)"), table_);
}

std::string CommitMarkerSql::DeleteRunsCommittedBefore(std::string_view before) const {
  std::string cutoff = literal_(before);
  if (dialect_ == MarkerDialect::kPostgresql) {
    cutoff = "(" + cutoff + "::timestamp AT TIME ZONE 'UTC')";
  }
  // The derived table lets MySQL read the table it deletes from.
  return fmt::format(
      "DELETE FROM {0} WHERE run_id IN (SELECT run_id FROM (SELECT run_id FROM {0} GROUP BY "
      "run_id HAVING MAX(committed_at) < {1}) AS old_runs)",
      table_, cutoff);
}

namespace {

bool ParseInt(const std::optional<std::string>& text, int64_t* out) {
  if (!text) {
    *out = 0;
    return true;
  }
  const char* end = text->data() + text->size();
  return std::from_chars(text->data(), end, *out).ptr == end;
}

}  // namespace

bool MarkerRowFigures(const std::vector<std::optional<std::string>>& row, SplitFigures* out) {
  return row.size() >= 6 && ParseInt(row[1], &out->attempt) &&
         ParseInt(row[2], &out->records_read) && ParseInt(row[3], &out->bytes_read) &&
         ParseInt(row[4], &out->records_written) && ParseInt(row[5], &out->dirty_records);
}

bool MarkerRowRun(const std::vector<std::optional<std::string>>& row, MarkerRun* out) {
  if (row.size() < 5 || !row[0]) return false;
  out->run_id = *row[0];
  out->target = row[1].value_or("");
  out->first_commit = row[3].value_or("");
  out->last_commit = row[4].value_or("");
  return ParseInt(row[2], &out->splits);
}

}  // namespace ferry
