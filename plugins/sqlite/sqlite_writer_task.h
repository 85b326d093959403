// SqliteWriterTask: writes one split in one transaction on its own read-write connection:
// BEGIN IMMEDIATE at Begin (waiting for the job's SqliteWriteGate, then busy_timeout for other
// processes), COMMIT at Commit, ROLLBACK at Abort. Write steps one prepared single-row statement
// per row inside a savepoint, so rows [begin, end) are written all or none: a refused row
// (constraint, type mismatch, too big, NaN) rolls the savepoint back and returns DataError with
// SQLite's message and, when it names one, the column. Busy/locked after the timeout is
// Unavailable. With `markers`, Begin claims the split's commit marker and Commit records it, in
// the same transaction. Used by one thread at a time; `gate` is shared by every task of one
// Writer; `markers` (may be null) must outlive the task.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "ferry/plugin/writer.h"
#include "plugins/sqlite/sqlite_commit_markers.h"
#include "plugins/sqlite/sqlite_connection.h"
#include "plugins/sqlite/sqlite_write_gate.h"

namespace ferry {

class SqliteWriterTask : public WriterTask {
 public:
  // `columns` are the destination columns bound by `insert_sql`, in order.
  static Result<std::unique_ptr<SqliteWriterTask>> Open(
      const std::string& path, int busy_timeout_ms, const std::string& insert_sql,
      std::vector<std::string> columns, std::shared_ptr<SqliteWriteGate> gate,
      const SqliteCommitMarkers* markers, std::string split_id);
  ~SqliteWriterTask() override;

  Result<std::optional<SplitFigures>> Begin() override;
  Status Write(const RecordBatch& batch, size_t begin, size_t end) override;
  Status Commit(const SplitFigures& figures) override;
  void Abort() override;

 private:
  SqliteWriterTask(SqliteConnection conn, std::vector<std::string> columns,
                   std::shared_ptr<SqliteWriteGate> gate);
  Status WriteRow(const Value* row);
  Status Bind(int index, const Value& v);
  void UndoSavepoint();
  void ReleaseGate();

  SqliteConnection conn_;
  SqliteStatement insert_;
  SqliteStatement savepoint_;
  SqliteStatement release_;
  SqliteStatement rollback_to_;
  std::vector<std::string> columns_;
  std::vector<std::string> scratch_;  // per column: text of dates and times while bound
  std::shared_ptr<SqliteWriteGate> gate_;
  bool holds_gate_ = false;
  const SqliteCommitMarkers* markers_ = nullptr;
  std::string split_id_;
};

}  // namespace ferry
