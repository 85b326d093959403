// PgCommitMarkers: the postgresql writer's commit markers (ferry/plugin/sql/commit_marker.h), in
// a table of the destination database. A marker table named without a schema lives beside the
// destination table, in its schema. The claim and the record run inside the split's transaction
// on the task's connection; everything else on a connection of its own.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "ferry/plugin/sql/commit_marker.h"
#include "ferry/plugin/writer.h"
#include "plugins/postgresql/pg_connection.h"

namespace ferry::pg {

// 'text' as a PostgreSQL string literal whatever standard_conforming_strings says (E'...' with
// doubled backslashes when the text holds one).
std::string PgLiteral(std::string_view text);

class PgCommitMarkers {
 public:
  // How long a claim waits for another transaction that holds the same marker (an earlier
  // attempt's COMMIT still in flight) before the attempt fails as Aborted.
  static constexpr int kClaimWaitSeconds = 60;

  // Resolves `name` (commitMarkerTable, SQL text such as `ferry_split_commits`, `ops.marks`,
  // `"Ops"."Marks"`); without a schema it takes the schema of `destination`, which must exist.
  // A name that does not parse is InvalidArgument on commitMarkerTable. `run_id` names this run's
  // markers (empty outside a run).
  static Result<PgCommitMarkers> Resolve(PgConnection& conn, const std::string& name,
                                         const std::string& destination, std::string run_id);

  // Quoted and schema-qualified: "s"."ferry_split_commits".
  const std::string& table() const { return sql_.table(); }

  // Creates the table when it is missing (so CREATE on the schema is needed only once).
  Status CreateTable(PgConnection& conn) const;
  // BEGIN and the claim of `split_id`, in one round trip: the transaction stays open when the
  // split is this attempt's to write; when an earlier attempt committed it, the transaction is
  // rolled back and that commit's figures are returned. Aborted when another transaction holds
  // the marker longer than kClaimWaitSeconds.
  Result<std::optional<SplitFigures>> BeginAndClaim(PgConnection& conn,
                                                    const std::string& split_id) const;
  // The UPDATE recording `figures` in the split's marker, to send with COMMIT; it affects one row.
  std::string RecordSql(const std::string& split_id, const SplitFigures& figures) const;

  // This run's committed splits; none when the table does not exist (yet).
  Result<std::map<std::string, SplitFigures>> Committed(PgConnection& conn) const;
  Status DeleteRun(PgConnection& conn) const;
  Result<std::vector<MarkerRun>> ListRuns(PgConnection& conn) const;
  // The markers of `run_id`, else of every run whose last commit is before `before` (UTC).
  Result<int64_t> Remove(PgConnection& conn, const std::string& run_id,
                         const std::string& before) const;

 private:
  PgCommitMarkers(std::string table, std::string run_id, std::string target);
  Result<bool> Exists(PgConnection& conn) const;
  Result<int64_t> ExecCount(PgConnection& conn, const std::string& sql) const;

  CommitMarkerSql sql_;
  std::string run_id_;
  std::string target_;
};

}  // namespace ferry::pg
