// MysqlReaderTask: reads one split by streaming one SELECT with mysql_use_result: rows come off
// the socket as the batches are filled, so memory stays at one batch whatever the table size.
// Each result column's kind is taken from the result's own metadata (mysql_types.h). A cell that
// cannot be converted (a zero date in zeroDateMode dirty) makes its record dirty. A lost
// connection is Aborted (the split is retried). The task owns its connection, or borrows it from
// a MysqlSnapshotPool and gives it back when destroyed.
#pragma once

#include <memory>
#include <vector>

#include "ferry/plugin/column_projection.h"
#include "ferry/plugin/reader.h"
#include "plugins/mysql/mysql_connection.h"
#include "plugins/mysql/mysql_snapshot.h"
#include "plugins/mysql/mysql_types.h"

struct st_mysql_res;

namespace ferry {

// Where each result column goes in the output row, and what else fills it.
struct MysqlRowLayout {
  struct Slot {
    int output = 0;  // index in the output row
    int column = 0;  // index in the result's columns
  };
  std::vector<Slot> slots;
  size_t num_columns = 0;  // columns the result must have
  // Constants and functions of the `column` list; null when every output column is read.
  std::shared_ptr<const ColumnProjection> computed;
};

class MysqlReaderTask : public ReaderTask {
 public:
  // Runs `sql` on `conn` and starts streaming. `pool`: where `conn` goes back (may be null).
  static Result<std::unique_ptr<MysqlReaderTask>> Start(MysqlConnection conn,
                                                        std::shared_ptr<MysqlSnapshotPool> pool,
                                                        const std::string& sql,
                                                        MysqlRowLayout layout,
                                                        MysqlCellContext cells);
  ~MysqlReaderTask() override;

  Result<bool> Next(RecordBatch* batch, size_t max_rows, TaskContext& ctx) override;

 private:
  MysqlReaderTask(MysqlConnection conn, std::shared_ptr<MysqlSnapshotPool> pool,
                  MysqlRowLayout layout, MysqlCellContext cells);
  Status ReadRow(char** row, unsigned long* lengths, RecordBatch* batch, TaskContext& ctx);

  MysqlConnection conn_;
  std::shared_ptr<MysqlSnapshotPool> pool_;
  MysqlRowLayout layout_;
  MysqlCellContext cells_;
  st_mysql_res* result_ = nullptr;
  std::vector<MysqlColumnKind> kinds_;
  bool done_ = false;
  bool failed_ = false;
};

}  // namespace ferry
