#include "plugins/postgresql/pg_writer_task.h"

#include <libpq-fe.h>

#include <algorithm>

#include "plugins/postgresql/pg_copy_text.h"
#include "plugins/postgresql/pg_status.h"

namespace ferry::pg {
namespace {

constexpr size_t kFlushBytes = 1 << 16;

}  // namespace

Result<std::unique_ptr<PgWriterTask>> PgWriterTask::Open(std::shared_ptr<PgConnectionPool> pool,
                                                         const SqlSource& source,
                                                         std::shared_ptr<const PgWritePlan> plan,
                                                         const PgCommitMarkers* markers,
                                                         const std::string& split_id, bool stream) {
  ASSIGN_OR_RETURN(PgConnectionPool::Lease lease,
                   pool->Connect(0, source, "ferry/write/" + split_id));
  PgConnection conn = std::move(lease.conn);
  conn.set_constraint_columns(&plan->constraint_columns);
  // The stage is a temp table: a connection of an earlier task of this writer has it already.
  if (!plan->stage_sql.empty() && !lease.reused) {
    RETURN_NOT_OK(conn.Exec(plan->stage_sql, "creating the stage"));
  }
  stream = stream && plan->move_sql.empty();
  return std::unique_ptr<PgWriterTask>(new PgWriterTask(
      std::move(pool), std::move(conn), std::move(plan), markers, split_id, stream));
}

// A connection whose transaction ended, committed or rolled back, serves a later task; Return
// closes one left in any other state (a lost connection, a COMMIT whose outcome is unknown).
PgWriterTask::~PgWriterTask() {
  Abort();
  if (pool_ != nullptr) pool_->Return(0, std::move(conn_));
}

Result<std::optional<SplitFigures>> PgWriterTask::Begin() {
  savepoint_ = false;
  timeout_lifted_ = false;
  if (markers_ == nullptr) {
    RETURN_NOT_OK(conn_.Exec("BEGIN", "BEGIN"));
    return SplitOpened();
  }
  auto claimed = markers_->BeginAndClaim(conn_, split_id_);
  if (!claimed.ok()) Abort();
  return claimed;
}

Status PgWriterTask::Write(const RecordBatch& batch, size_t begin, size_t end) {
  if (batch.num_columns() != plan_->columns.size()) {
    return Status::Internal("postgresql writer: batch has " + std::to_string(batch.num_columns()) +
                            " columns, the table " + std::to_string(plan_->columns.size()));
  }
  return stream_ ? WriteStreamed(batch, begin, end) : WriteChecked(batch, begin, end);
}

Status PgWriterTask::WriteChecked(const RecordBatch& batch, size_t begin, size_t end) {
  // One round trip opens the savepoint and the first COPY (releasing the previous write's
  // savepoint); further COPYs of this write stay under the same savepoint.
  std::string savepoint = savepoint_ ? "RELEASE SAVEPOINT ferry_write; " : "";
  savepoint += "SAVEPOINT ferry_write; ";
  savepoint_ = false;
  const size_t step = std::max<size_t>(plan_->rows_per_copy, 1);
  for (size_t from = begin; from < end; from += step) {
    const size_t to = std::min(end, from + step);
    const bool encoded = batch.encoding() != nullptr;
    Status s = OpenCopy(savepoint, encoded || CanWriteBinary(batch, from, to));
    if (!s.ok()) return savepoint_ ? Refused(std::move(s)) : s;
    savepoint_ = true;
    savepoint.clear();
    s = encoded ? PutTuples(batch, from, to) : PutRows(batch, from, to);
    if (s.ok()) s = CloseCopy();
    if (s.ok() && !plan_->move_sql.empty()) s = conn_.Exec(plan_->move_sql);
    if (!s.ok()) return Refused(std::move(s));
  }
  return Status::OK();
}

// Adds the rows to the split's open COPY; ends it first where the format changes. What the server
// refused is only known when a COPY ends, or earlier if it has already answered.
Status PgWriterTask::WriteStreamed(const RecordBatch& batch, size_t begin, size_t end) {
  const bool encoded = batch.encoding() != nullptr;
  const bool binary = encoded || CanWriteBinary(batch, begin, end);
  if (copy_open_ && copy_binary_ != binary) RETURN_NOT_OK(StreamFailed(CloseCopy()));
  if (!copy_open_) {
    // The COPY stays open while the reader fetches the next rows, which a server's
    // statement_timeout would count against it; lifted for this transaction only, as pg_dump
    // and pg_restore lift it for their sessions.
    RETURN_NOT_OK(
        StreamFailed(OpenCopy(timeout_lifted_ ? "" : "SET LOCAL statement_timeout = 0; ", binary)));
    timeout_lifted_ = true;
  }
  RETURN_NOT_OK(StreamFailed(encoded ? PutTuples(batch, begin, end) : PutRows(batch, begin, end)));
  if (copy_bytes_ + buffer_.size() >= plan_->stream_copy_bytes || conn_.ServerSpokeDuringCopy()) {
    RETURN_NOT_OK(StreamFailed(CloseCopy()));
  }
  return Status::OK();
}

bool PgWriterTask::CanWriteBinary(const RecordBatch& batch, size_t begin, size_t end) const {
  const std::vector<BinaryKind>& kinds = plan_->binary;
  if (kinds.empty()) return false;
  for (size_t r = begin; r < end; ++r) {
    const Value* row = batch.row(r);
    for (size_t c = 0; c < kinds.size(); ++c) {
      if (!BinaryEncodable(row[c], kinds[c])) return false;
    }
  }
  return true;
}

Status PgWriterTask::OpenCopy(const std::string& prefix, bool binary) {
  buffer_.clear();
  RETURN_NOT_OK(conn_.StartCopyIn(prefix + (binary ? plan_->copy_binary_sql : plan_->copy_sql)));
  copy_open_ = true;
  copy_binary_ = binary;
  copy_bytes_ = 0;
  if (binary) AppendBinaryHeader(&buffer_);
  return Status::OK();
}

// Sends the buffer once it is large enough (or when `force`), so the server parses the first
// rows while later ones are still being encoded.
Status PgWriterTask::Flush(bool force) {
  if (buffer_.empty() || (!force && buffer_.size() < kFlushBytes)) return Status::OK();
  copy_bytes_ += buffer_.size();
  Status put = conn_.PutCopyData(buffer_);
  buffer_.clear();
  return put;
}

Status PgWriterTask::PutRows(const RecordBatch& batch, size_t begin, size_t end) {
  const size_t ncols = plan_->columns.size();
  Status put;
  for (size_t r = begin; r < end && put.ok(); ++r) {
    const Value* row = batch.row(r);
    if (copy_binary_) {
      AppendBinaryRowStart(static_cast<uint16_t>(ncols), &buffer_);
      for (size_t c = 0; c < ncols; ++c) AppendBinaryField(row[c], plan_->binary[c], &buffer_);
    } else {
      for (size_t c = 0; c < ncols; ++c) {
        if (c > 0) buffer_.push_back('\t');
        AppendCopyField(row[c], plan_->bytea[c], &buffer_);
      }
      buffer_.push_back('\n');
    }
    put = Flush(false);
  }
  return put;
}

// The reader's tuples as they came, in pieces of kFlushBytes so the server parses the first
// ones while later ones are on their way.
Status PgWriterTask::PutTuples(const RecordBatch& batch, size_t begin, size_t end) {
  Status put = Flush(true);
  std::string_view tuples = batch.encoded_rows(begin, end);
  copy_bytes_ += tuples.size();
  while (put.ok() && !tuples.empty()) {
    const size_t n = std::min(tuples.size(), kFlushBytes);
    put = conn_.PutCopyData(tuples.substr(0, n));
    tuples.remove_prefix(n);
  }
  return put;
}

Status PgWriterTask::CloseCopy() {
  copy_open_ = false;
  if (copy_binary_) AppendBinaryTrailer(&buffer_);
  Status put = Flush(true);
  Status ended = conn_.EndCopyIn();
  return put.ok() ? ended : put;
}

// Undoes the write back to its savepoint. Data errors keep the split going (the engine bisects);
// anything else ends the split, and a lost connection is Aborted by PgError already.
Status PgWriterTask::Refused(Status error) {
  if (!conn_.alive()) return Status::Aborted(error.message());
  Status undone = conn_.Exec("ROLLBACK TO SAVEPOINT ferry_write");
  if (!undone.ok()) return undone;
  return error;
}

// A streamed split has no savepoint: any failure ends the attempt (Abort rolls it back). A
// DataError tells the engine the stream was refused.
Status PgWriterTask::StreamFailed(Status error) {
  if (error.ok() || conn_.alive()) return error;
  return Status::Aborted(error.message());
}

// The marker's UPDATE and COMMIT go in one round trip. Once they may have reached the server,
// only COMMIT's reply tells whether the split committed: an error reply means it rolled back, no
// reply (the connection lost) means nobody knows yet, and the marker decides.
Status PgWriterTask::Commit(const SplitFigures& figures) {
  savepoint_ = false;
  if (copy_open_) RETURN_NOT_OK(StreamFailed(CloseCopy()));
  if (!conn_.alive()) return conn_.LastError("COMMIT");  // never sent: the server rolls back
  if (PQtransactionStatus(conn_.get()) == PQTRANS_INERROR) {
    return Status::Aborted("COMMIT: the split's transaction had failed; it is rolled back");
  }
  std::vector<PgResult> results =
      conn_.ExecAll(markers_ != nullptr ? markers_->RecordSql(split_id_, figures) + "; COMMIT"
                                        : std::string("COMMIT"));
  for (const PgResult& r : results) {
    if (PQresultStatus(r.get()) != PGRES_COMMAND_OK) continue;
    if (std::string_view(PQcmdStatus(r.get())) != "COMMIT") continue;
    if (markers_ != nullptr && std::string_view(PQcmdTuples(results[0].get())) != "1") {
      return Status::Internal("split " + split_id_ + " committed, but its commit marker in " +
                              markers_->table() + " was not claimed");
    }
    return Status::OK();
  }
  if (!conn_.alive()) {
    std::string why = PQerrorMessage(conn_.get());
    why = why.substr(0, why.find('\n'));
    return Status::CommitUnknown("COMMIT on " + conn_.server() +
                                 ": the connection was lost before its reply arrived (" + why +
                                 ")");
  }
  for (const PgResult& r : results) {
    if (PQresultStatus(r.get()) == PGRES_COMMAND_OK) continue;
    Status s = conn_.Error(r.get(), "COMMIT");
    // A deferred constraint refused at COMMIT fails the split, not one record.
    if (s.code() == StatusCode::kDataError) return Status::FailedPrecondition(s.message());
    return s;
  }
  // A transaction that had failed answers COMMIT with ROLLBACK.
  if (!results.empty()) {
    return Status::Aborted("COMMIT was answered with " +
                           std::string(PQcmdStatus(results.back().get())));
  }
  return conn_.LastError("COMMIT");
}

void PgWriterTask::Abort() {
  savepoint_ = false;
  if (copy_open_) {
    copy_open_ = false;
    conn_.AbortCopyIn("ferry: the split's attempt was abandoned");
  }
  if (conn_.alive() && conn_.in_transaction()) (void)conn_.Exec("ROLLBACK");
}

}  // namespace ferry::pg
