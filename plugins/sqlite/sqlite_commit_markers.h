// SqliteCommitMarkers: the sqlite writer's commit markers (ferry/plugin/sql/commit_marker.h) in
// a table of the destination file, written in each split's own transaction. Every call takes the
// connection to run on; Claim and Record must run inside the split's transaction.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "ferry/plugin/sql/commit_marker.h"
#include "ferry/plugin/writer.h"
#include "plugins/sqlite/sqlite_connection.h"

namespace ferry {

class SqliteCommitMarkers {
 public:
  // `table`: the marker table's name as the job gives it; `run_id` names this run's rows;
  // `target`: the table the splits write (kept with each marker).
  SqliteCommitMarkers(const std::string& table, std::string run_id, std::string target);

  Status CreateTable(SqliteConnection& conn) const;
  // Claims `split_id` for this attempt; its recorded figures when it committed before.
  Result<std::optional<SplitFigures>> Claim(SqliteConnection& conn,
                                            const std::string& split_id) const;
  Status Record(SqliteConnection& conn, const std::string& split_id,
                const SplitFigures& figures) const;
  // This run's committed splits; none when the table does not exist (yet).
  Result<std::map<std::string, SplitFigures>> Committed(SqliteConnection& conn) const;
  Status DeleteRun(SqliteConnection& conn) const;
  Result<std::vector<MarkerRun>> ListRuns(SqliteConnection& conn) const;
  Result<int64_t> Remove(SqliteConnection& conn, const std::string& run_id,
                         const std::string& before) const;

 private:
  Result<bool> TableExists(SqliteConnection& conn) const;

  std::string name_;
  CommitMarkerSql sql_;
  std::string run_id_;
  std::string target_;
};

}  // namespace ferry
