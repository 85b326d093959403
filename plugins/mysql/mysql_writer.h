// MysqlWriter: the `mysql` writer. Writes rows into one existing table with INSERT, REPLACE,
// INSERT ... ON DUPLICATE KEY UPDATE (update, limited to `updateColumn`) or a duplicate-skipping
// insert (ignore; see mysql_insert_sql.h). Prepare connects, checks the table, the columns and the
// reader's column count and reads max_allowed_packet; it changes nothing. Start creates the commit
// marker table (mysql_commit_markers.h) when missing and runs preSql (not when resuming);
// Finalize(true) runs postSql, then removes this run's markers. Each split is one transaction of
// its own task (mysql_writer_task.h); every connection runs the strict session of
// mysql_session.h first.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "ferry/plugin/sql/sql_sources.h"
#include "ferry/plugin/writer.h"
#include "plugins/mysql/mysql_catalog.h"
#include "plugins/mysql/mysql_commit_markers.h"
#include "plugins/mysql/mysql_options.h"
#include "plugins/mysql/mysql_session.h"
#include "plugins/mysql/mysql_writer_task.h"

namespace ferry {

class MysqlWriter : public Writer {
 public:
  Status Prepare(const StepContext& ctx, const std::vector<ColumnInfo>& input) override;
  Status Start(bool resuming) override;
  Result<std::unique_ptr<WriterTask>> OpenTask(const Split& split) override;
  Status Finalize(bool succeeded, const std::vector<std::string>& committed) override;
  bool keeps_commit_markers() const override { return markers_ && !run_id_.empty(); }
  Result<std::map<std::string, SplitFigures>> CommittedSplits() override;
  Result<std::vector<MarkerRun>> ListCommitMarkers() override;
  Result<int64_t> RemoveCommitMarkers(const std::string& run_id,
                                      const std::string& before) override;

 private:
  Result<std::vector<std::string>> ResolveColumns(const std::vector<MysqlField>& fields) const;
  Result<std::vector<std::string>> ResolveUpdateColumns(
      const std::vector<std::string>& columns) const;
  Result<size_t> MaxStatementBytes(MysqlConnection& conn) const;
  Result<bool> ServerAllowsLocalInfile(MysqlConnection& conn) const;
  Status RunScript(const std::vector<std::string>& statements, const char* name) const;
  // A connection with the writer's session, for the setup and the markers.
  Result<MysqlConnection> Connect() const;

  MysqlWriterOptions options_;
  SqlSource source_;
  std::string table_;
  MysqlSessionSettings session_;
  std::shared_ptr<const MysqlWriteSettings> settings_;
  // Resolved whenever commitMarker is true; kept by a run only (run_id_ not empty).
  std::optional<MysqlCommitMarkers> markers_;
  std::string run_id_;
};

}  // namespace ferry
