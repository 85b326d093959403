// MysqlCommitMarkers: the mysql writer's commit markers (ferry/plugin/sql/commit_marker.h), in an
// InnoDB table of the destination server. A marker table named without a database lives beside
// the destination table, in its database. Claim and Record run inside the split's transaction on
// the task's connection; everything else on a connection of its own. String literals are escaped
// by the connection they are sent on (its charset, NO_BACKSLASH_ESCAPES).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "ferry/plugin/sql/commit_marker.h"
#include "ferry/plugin/writer.h"
#include "plugins/mysql/mysql_connection.h"

namespace ferry {

// The parts of a MySQL name as a job writes it: "db.t" -> {db, t}; "`my.db`.`t``x`" ->
// {my.db, t`x}. Empty when a part is empty or a quote is not closed.
std::vector<std::string> MysqlNameParts(std::string_view name);

class MysqlCommitMarkers {
 public:
  // `name`: commitMarkerTable as the job gives it (`ferry_split_commits`, `ops.marks`); without a
  // database it takes that of `destination` (the table as the job gives it), else the
  // connection's. InvalidArgument on commitMarkerTable when it is not [database.]table. `run_id`
  // names this run's markers (empty outside a run).
  static Result<MysqlCommitMarkers> Resolve(const std::string& name, const std::string& destination,
                                            std::string run_id);

  // Quoted: `db`.`ferry_split_commits`.
  const std::string& table() const { return table_; }

  // Creates the table when it is missing (so CREATE on the database is needed only once).
  Status CreateTable(MysqlConnection& conn) const;
  // Claims `split_id` inside the transaction just started on `conn`. When an earlier attempt
  // committed the split, the transaction is rolled back and that commit's figures returned. A
  // claim waits for another transaction holding the marker (a COMMIT in flight) at most
  // innodb_lock_wait_timeout; then it is Aborted.
  Result<std::optional<SplitFigures>> Claim(MysqlConnection& conn,
                                            const std::string& split_id) const;
  // Records `figures` in the split's claimed marker, just before COMMIT.
  Status Record(MysqlConnection& conn, const std::string& split_id,
                const SplitFigures& figures) const;

  // This run's committed splits; none when the table does not exist (yet).
  Result<std::map<std::string, SplitFigures>> Committed(MysqlConnection& conn) const;
  Status DeleteRun(MysqlConnection& conn) const;
  Result<std::vector<MarkerRun>> ListRuns(MysqlConnection& conn) const;
  // The markers of `run_id`, else of every run whose last commit is before `before` (UTC).
  Result<int64_t> Remove(MysqlConnection& conn, const std::string& run_id,
                         const std::string& before) const;

 private:
  MysqlCommitMarkers(std::string table, std::string run_id, std::string target)
      : table_(std::move(table)), run_id_(std::move(run_id)), target_(std::move(target)) {}
  CommitMarkerSql Sql(const MysqlConnection& conn) const;
  Result<bool> Exists(MysqlConnection& conn) const;
  Status MarkerError(const Status& st) const;

  std::string table_;
  std::string run_id_;
  std::string target_;
};

}  // namespace ferry
