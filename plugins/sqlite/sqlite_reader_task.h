// SqliteReaderTask: reads one split by stepping one prepared SELECT, writing each cell straight
// from sqlite3_column_* into the batch. A value's type is its SQLite storage class: INTEGER ->
// int64, REAL -> double, TEXT -> string, BLOB -> bytes, NULL -> null (copied into the batch arena).
// The task owns its connection; `layout.computed` must outlive every batch the task filled.
#pragma once

#include <memory>
#include <utility>
#include <vector>

#include "ferry/plugin/column_projection.h"
#include "ferry/plugin/reader.h"
#include "plugins/sqlite/sqlite_connection.h"

namespace ferry {

// Where each statement column goes in the output row, and what else fills it.
struct SqliteRowLayout {
  struct Slot {
    int output = 0;     // index in the output row
    int statement = 0;  // index in the statement's result columns
  };
  std::vector<Slot> slots;
  // Constants and functions of the `column` list; null when every output column is read.
  std::shared_ptr<const ColumnProjection> computed;
};

class SqliteReaderTask : public ReaderTask {
 public:
  SqliteReaderTask(SqliteConnection conn, SqliteStatement stmt, SqliteRowLayout layout)
      : conn_(std::move(conn)), stmt_(std::move(stmt)), layout_(std::move(layout)) {}

  Result<bool> Next(RecordBatch* batch, size_t max_rows, TaskContext& ctx) override;

 private:
  void ReadRow(Value* row, RecordBatch* batch) const;

  SqliteConnection conn_;
  SqliteStatement stmt_;  // declared after conn_: finalized first
  SqliteRowLayout layout_;
  bool done_ = false;
};

}  // namespace ferry
