// SqliteWriter: the `sqlite` writer. Writes rows into one existing table of an existing SQLite
// database file with INSERT, INSERT OR REPLACE, an upsert (update) or ON CONFLICT DO NOTHING
// (ignore). Prepare opens the file read-only and checks the table, the columns, the reader's
// column count and the conflict key, and compiles the statement; it changes nothing. Start
// creates the commit marker table (sqlite_commit_markers.h) and runs preSql (not when
// resuming); Finalize(true) runs postSql and removes the run's markers. Each split is one
// transaction of its own task (sqlite_writer_task.h). The user's journal mode is left as it is.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "ferry/plugin/writer.h"
#include "plugins/sqlite/sqlite_catalog.h"
#include "plugins/sqlite/sqlite_commit_markers.h"
#include "plugins/sqlite/sqlite_write_gate.h"
#include "plugins/sqlite/sqlite_writer_options.h"

namespace ferry {

class SqliteWriter : public Writer {
 public:
  Status Prepare(const StepContext& ctx, const std::vector<ColumnInfo>& input) override;
  Status Start(bool resuming) override;
  Result<std::unique_ptr<WriterTask>> OpenTask(const Split& split) override;
  Status Finalize(bool succeeded, const std::vector<std::string>& committed) override;
  bool keeps_commit_markers() const override { return markers_ != nullptr; }
  Result<std::map<std::string, SplitFigures>> CommittedSplits() override;
  Result<std::vector<MarkerRun>> ListCommitMarkers() override;
  Result<int64_t> RemoveCommitMarkers(const std::string& run_id,
                                      const std::string& before) override;

 private:
  Result<SqliteConnection> OpenReadWrite() const;
  Result<std::vector<std::string>> ResolveColumns(const SqliteTable& table) const;
  Result<std::vector<std::string>> ConflictKey(SqliteConnection& conn,
                                               const SqliteTable& table) const;
  Status CheckStatement(SqliteConnection& conn) const;
  Status RunScript(const std::vector<std::string>& statements, const char* name) const;

  SqliteWriterOptions options_;
  std::vector<std::string> columns_;  // destination columns, as the table declares them
  std::string insert_sql_;
  std::shared_ptr<SqliteWriteGate> gate_ = std::make_shared<SqliteWriteGate>();
  std::unique_ptr<SqliteCommitMarkers> markers_;  // null: commitMarker false
};

}  // namespace ferry
