// Commit markers (DESIGN 6): one row per committed split of a run, in a table of the
// destination, written inside the split's own transaction, so that whether a split committed
// is a fact of the destination. The SQL writers share the table's layout and statements here;
// each supplies its dialect (types, quoting) and runs them on its own connection.
//
// Protocol, for every attempt at a split:
//   Begin:  INSERT the claim row (run_id, split_id) unless one exists; the key makes a second
//           attempt wait while an earlier one still holds it (a COMMIT in flight), then either
//           insert (the earlier one rolled back) or find it committed (read its figures).
//   Commit: UPDATE the claim row with the attempt's figures, then COMMIT.
// A marker row is visible to others only once its split committed, figures and all.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ferry/common/status.h"
#include "ferry/plugin/param_def.h"
#include "ferry/plugin/split.h"
#include "ferry/plugin/writer.h"

namespace ferry {

inline constexpr const char* kDefaultCommitMarkerTable = "ferry_split_commits";

// commitMarker (default true) and commitMarkerTable, as every transactional SQL writer declares.
std::vector<ParamDef> CommitMarkerParams();

struct CommitMarkerOptions {
  bool enabled = true;
  std::string table;  // as the user wrote it; empty: kDefaultCommitMarkerTable
};
// Reads commitMarker / commitMarkerTable (errors carry their field).
Result<CommitMarkerOptions> ParseCommitMarkerOptions(const nlohmann::json& p);
// The ferry check warning for commitMarker: false ("" when markers are on).
std::string CommitMarkerOffWarning(const CommitMarkerOptions& options);

// 'text' with each quote doubled: a string literal for SQLite, and for PostgreSQL with
// standard_conforming_strings (on by default). MySQL escapes backslashes too: it brings its own.
std::string SqlStringLiteral(std::string_view text);

enum class MarkerDialect { kSqlite, kPostgresql, kMysql };

class CommitMarkerSql {
 public:
  // `table`: the marker table, already quoted (and schema-qualified) in the dialect's way.
  // `literal`: the dialect's string literal of any text.
  CommitMarkerSql(MarkerDialect dialect, std::string table,
                  std::function<std::string(std::string_view)> literal);

  const std::string& table() const { return table_; }
  std::string CreateTable() const;
  // Affects one row when the split is this attempt's to write, none when it committed before.
  std::string Claim(std::string_view run_id, std::string_view split_id,
                    std::string_view target) const;
  std::string Record(std::string_view run_id, std::string_view split_id,
                     const SplitFigures& figures) const;
  // Columns: split_id, attempt, records_read, bytes_read, records_written, dirty_records.
  std::string SelectRun(std::string_view run_id) const;
  std::string SelectSplit(std::string_view run_id, std::string_view split_id) const;
  std::string DeleteRun(std::string_view run_id) const;
  // Columns: run_id, target, splits, first commit, last commit (UTC text); newest first.
  std::string ListRuns() const;
  // Removes the markers of every run whose last commit is before `before` ("YYYY-MM-DD
  // HH:MM:SS" UTC); a run still going keeps all of its markers.
  std::string DeleteRunsCommittedBefore(std::string_view before) const;

 private:
  std::string Where(std::string_view run_id, std::string_view split_id) const;

  MarkerDialect dialect_;
  std::string table_;
  std::function<std::string(std::string_view)> literal_;
};

// A row of SelectRun / SelectSplit as figures (NULL reads as 0). False when the row is short
// or a number does not parse.
bool MarkerRowFigures(const std::vector<std::optional<std::string>>& row, SplitFigures* out);

bool MarkerRowRun(const std::vector<std::optional<std::string>>& row, MarkerRun* out);

}  // namespace ferry
