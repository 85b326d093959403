// PgReaderTask: reads one split with `COPY (SELECT ...) TO STDOUT` (binary format for tables,
// text for querySql) on its own connection, inside a REPEATABLE READ transaction that imported
// the job's exported snapshot, decoding each field straight into the batch (pg_copy_binary.h,
// pg_copy_text.h). A field with no Ferry value (numeric NaN, a BC date) makes its record dirty. A
// lost connection is Aborted, so the engine retries the split. Once the split is read and its
// transaction committed, the connection goes back to the reader's pool for a later task. With
// `layout.encoding` the task decodes nothing: each binary COPY tuple goes into the batch as it
// came (pg_binary_rows.h). `layout.computed` and `layout.encoding` must outlive every batch the
// task filled.
#pragma once

#include <memory>
#include <vector>

#include "ferry/plugin/column_projection.h"
#include "ferry/plugin/reader.h"
#include "plugins/postgresql/pg_binary_rows.h"
#include "plugins/postgresql/pg_connection.h"
#include "plugins/postgresql/pg_connection_pool.h"
#include "plugins/postgresql/pg_copy_binary.h"
#include "plugins/postgresql/pg_copy_text.h"

namespace ferry::pg {

// Which COPY field fills each read output column, with its value type.
struct PgRowLayout {
  struct Slot {
    int output = 0;  // index in the output row
    int field = 0;   // index in the COPY row
    TypeId type = TypeId::kString;
    BinaryKind kind = BinaryKind::kText;  // binary COPY: how the field is encoded
  };
  std::vector<Slot> slots;
  size_t num_fields = 0;  // fields per COPY row
  bool binary = false;    // COPY (FORMAT binary): table reads; querySql reads are text
  std::shared_ptr<const ColumnProjection> computed;  // null when every column is read
  std::vector<std::string> output_names;             // for the column of a dirty record
  std::shared_ptr<const PgBinaryRows> encoding;      // set: tuples pass through undecoded
};

class PgReaderTask : public ReaderTask {
 public:
  // Where the connection goes once the split is read and its transaction ended: `pool` (null:
  // closed), as a connection to its database `key`.
  struct Home {
    std::shared_ptr<PgConnectionPool> pool;
    size_t key;
  };
  // `conn` is inside its transaction, with `copy_sql` started (StartCopyOut succeeded).
  PgReaderTask(PgConnection conn, PgRowLayout layout, Home home)
      : conn_(std::move(conn)), layout_(std::move(layout)), home_(std::move(home)) {}
  ~PgReaderTask() override;

  Result<bool> Next(RecordBatch* batch, size_t max_rows, TaskContext& ctx) override;

 private:
  Status DecodeRow(std::string_view line, RecordBatch* batch, TaskContext& ctx);
  Status AppendTuple(std::string_view message, RecordBatch* batch);
  // Removes the file header from the first binary message.
  Status SkipHeader(std::string_view* message);
  // Splits one binary COPY message into fields_; false for the end-of-data marker.
  Result<bool> SplitBinaryRow(std::string_view message);
  Status Finish();
  Status ReadError();

  PgConnection conn_;
  PgRowLayout layout_;
  Home home_;
  CopyFields fields_;
  bool done_ = false;
  bool header_seen_ = false;
};

}  // namespace ferry::pg
