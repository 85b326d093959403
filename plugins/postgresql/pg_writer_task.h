// PgWriterTask: writes one split in one transaction on its own connection (application_name
// "ferry/write/<split>"): BEGIN at Begin, COMMIT at Commit, ROLLBACK at Abort. With commit
// markers (pg_commit_markers.h) Begin claims the split's marker right after BEGIN and Commit
// records the figures in it, in the same round trip as COMMIT. A COMMIT the server answered with
// an error rolled back; a connection lost before COMMIT's reply is CommitUnknown.
//
// Streaming (writeMode copy, PgWriter::OpenStreamingTask): the split's rows go as one
// COPY ... FROM STDIN that stays open across Writes and ends at Commit (a new COPY only where
// the batches change between binary and text, and after stream_copy_bytes). One COPY per split, not
// one per batch, because every COPY statement takes a fresh 16 MB bulk-write ring of shared
// buffers: a backend running dozens of COPYs touches all of shared_buffers for the first time, page
// by page, which measured +10-25 % on a 2M-row load. The split's transaction sets
// statement_timeout to 0 locally (the COPY stays open while the reader works). The server answers
// a COPY only at its end, unless it refused a row; a refusal is a DataError that fails the whole
// attempt (the engine writes the split again, checked). It is seen at a later Write when the
// server's answer is on the socket by then (best effort: libpq may have read it into its own
// buffer, which has no public view), else when the COPY ends: at the next rotation or at Commit.
//
// Checked (every other task): each Write runs inside SAVEPOINT ferry_write and is all or none:
// writeMode copy streams the rows with COPY ... FROM STDIN into the table, one COPY per
// batchSize rows; insert/update/ignore COPY them into a session temp table and move each COPY's
// rows with one INSERT ... SELECT [ON CONFLICT ...]. A refused row (data exception, constraint,
// encoding: SQLSTATE classes 22 and 23) rolls back to the savepoint and is a DataError with
// PostgreSQL's message and column; a lost connection, a serialization failure or a deadlock is
// Aborted (the split is retried).
//
// A batch goes as COPY binary when every value has an exact binary form for its column
// (pg_copy_binary.h), else as COPY text; an encoded batch (pg_binary_rows.h, when PgWriter
// accepted the reader's tuples) goes as COPY binary with its tuples sent unchanged.
// Used by one thread at a time.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "ferry/plugin/sql/sql_sources.h"
#include "ferry/plugin/writer.h"
#include "plugins/postgresql/pg_commit_markers.h"
#include "plugins/postgresql/pg_connection.h"
#include "plugins/postgresql/pg_connection_pool.h"
#include "plugins/postgresql/pg_copy_binary.h"

namespace ferry::pg {

// What every task of one writer shares, fixed at Prepare.
struct PgWritePlan {
  std::string copy_sql;            // COPY target (cols) FROM STDIN: the table, or the stage
  std::string copy_binary_sql;     // the same with (FORMAT binary)
  std::vector<BinaryKind> binary;  // per column; empty: some column has no binary form
  std::vector<uint32_t> oids;      // per column: its type OID
  std::string stage_sql;           // CREATE TEMP TABLE of the stage; empty in copy mode
  std::string move_sql;            // INSERT ... SELECT from the stage; empty in copy mode
  std::vector<bool> bytea;         // per written column: its input function is bytea's
  std::vector<std::string> columns;
  ConstraintColumns constraint_columns;  // of the destination table
  size_t rows_per_copy = 0;              // batchSize: a longer Write sends several COPYs
  // A streamed split's COPY ends, and the next batch opens another, once it has carried this
  // much: so that no statement outlives a server's statement_timeout on a long split, and
  // the server's answer (a refused row) comes at least this often. A new COPY every 256 MiB
  // costs nothing measurable; the ring effect above needs dozens per few hundred MiB.
  size_t stream_copy_bytes = size_t{256} << 20;
};

class PgWriterTask : public WriterTask {
 public:
  // The connection comes from `pool` (an earlier task's, or a new one to `source`) and goes back
  // to it after the task when its transaction ended. `markers`: null without commit markers;
  // else it must outlive the task. `stream`: one COPY for the split (writeMode copy only).
  static Result<std::unique_ptr<PgWriterTask>> Open(std::shared_ptr<PgConnectionPool> pool,
                                                    const SqlSource& source,
                                                    std::shared_ptr<const PgWritePlan> plan,
                                                    const PgCommitMarkers* markers,
                                                    const std::string& split_id, bool stream);
  ~PgWriterTask() override;

  Result<std::optional<SplitFigures>> Begin() override;
  Status Write(const RecordBatch& batch, size_t begin, size_t end) override;
  bool streams_writes() const override { return stream_; }
  Status Commit(const SplitFigures& figures) override;
  void Abort() override;

 private:
  PgWriterTask(std::shared_ptr<PgConnectionPool> pool, PgConnection conn,
               std::shared_ptr<const PgWritePlan> plan, const PgCommitMarkers* markers,
               std::string split_id, bool stream)
      : pool_(std::move(pool)),
        conn_(std::move(conn)),
        plan_(std::move(plan)),
        markers_(markers),
        split_id_(std::move(split_id)),
        stream_(stream) {}
  Status WriteChecked(const RecordBatch& batch, size_t begin, size_t end);
  Status WriteStreamed(const RecordBatch& batch, size_t begin, size_t end);
  bool CanWriteBinary(const RecordBatch& batch, size_t begin, size_t end) const;
  // One COPY: Open (after `prefix`, statements sent in the same round trip), Put rows or the
  // reader's tuples any number of times, Close.
  Status OpenCopy(const std::string& prefix, bool binary);
  Status PutRows(const RecordBatch& batch, size_t begin, size_t end);
  Status PutTuples(const RecordBatch& batch, size_t begin, size_t end);
  Status CloseCopy();
  Status Flush(bool force);
  Status Refused(Status error);
  Status StreamFailed(Status error);

  std::shared_ptr<PgConnectionPool> pool_;  // where conn_ goes after the task
  PgConnection conn_;
  std::shared_ptr<const PgWritePlan> plan_;
  const PgCommitMarkers* markers_;
  std::string split_id_;
  const bool stream_;
  std::string buffer_;           // COPY data not sent yet
  bool copy_open_ = false;       // a COPY FROM STDIN is in progress
  bool copy_binary_ = false;     // ... in binary format
  size_t copy_bytes_ = 0;        // ... which has sent this much
  bool timeout_lifted_ = false;  // SET LOCAL statement_timeout = 0 sent in this transaction
  bool savepoint_ = false;  // SAVEPOINT ferry_write is open (released lazily by the next Write)
};

}  // namespace ferry::pg
