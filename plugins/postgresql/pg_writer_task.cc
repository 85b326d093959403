#include "plugins/postgresql/pg_writer_task.h"

#include <libpq-fe.h>

#include <algorithm>

#include "plugins/postgresql/pg_copy_text.h"
#include "plugins/postgresql/pg_reader.h"
#include "plugins/postgresql/pg_status.h"

namespace ferry::pg {
namespace {

constexpr size_t kFlushBytes = 1 << 16;

}  // namespace

Result<std::unique_ptr<PgWriterTask>> PgWriterTask::Open(const SqlSource& source,
                                                         std::shared_ptr<const PgWritePlan> plan,
                                                         const PgCommitMarkers* markers,
                                                         const std::string& split_id) {
  ASSIGN_OR_RETURN(PgConnection conn, ConnectSource(source, "ferry/write/" + split_id, nullptr));
  conn.set_constraint_columns(&plan->constraint_columns);
  if (!plan->stage_sql.empty()) RETURN_NOT_OK(conn.Exec(plan->stage_sql, "creating the stage"));
  return std::unique_ptr<PgWriterTask>(
      new PgWriterTask(std::move(conn), std::move(plan), markers, split_id));
}

PgWriterTask::~PgWriterTask() { Abort(); }

Result<std::optional<SplitFigures>> PgWriterTask::Begin() {
  savepoint_ = false;
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
  // One round trip opens the savepoint and the first COPY (releasing the previous write's
  // savepoint); further COPYs of this write stay under the same savepoint.
  std::string savepoint = savepoint_ ? "RELEASE SAVEPOINT ferry_write; " : "";
  savepoint += "SAVEPOINT ferry_write; ";
  savepoint_ = false;
  const size_t step = std::max<size_t>(plan_->rows_per_copy, 1);
  for (size_t from = begin; from < end; from += step) {
    const size_t to = std::min(end, from + step);
    const bool encoded = batch.encoding() != nullptr;
    const bool binary = encoded || CanWriteBinary(batch, from, to);
    Status s = conn_.StartCopyIn(savepoint + (binary ? plan_->copy_binary_sql : plan_->copy_sql));
    if (!s.ok()) return savepoint_ ? Refused(std::move(s)) : s;
    savepoint_ = true;
    savepoint.clear();
    s = encoded ? CopyTuples(batch, from, to) : CopyRows(batch, from, to, binary);
    if (s.ok() && !plan_->move_sql.empty()) s = conn_.Exec(plan_->move_sql);
    if (!s.ok()) return Refused(std::move(s));
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

// Sends the buffer once it is large enough (or when `force`), so the server parses the first
// rows while later ones are still being encoded.
Status PgWriterTask::Flush(bool force) {
  if (buffer_.empty() || (!force && buffer_.size() < kFlushBytes)) return Status::OK();
  Status put = conn_.PutCopyData(buffer_);
  buffer_.clear();
  return put;
}

Status PgWriterTask::CopyRows(const RecordBatch& batch, size_t begin, size_t end, bool binary) {
  buffer_.clear();
  const size_t ncols = plan_->columns.size();
  Status put;
  if (binary) AppendBinaryHeader(&buffer_);
  for (size_t r = begin; r < end && put.ok(); ++r) {
    const Value* row = batch.row(r);
    if (binary) {
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
  if (binary && put.ok()) AppendBinaryTrailer(&buffer_);
  if (put.ok()) put = Flush(true);
  Status ended = conn_.EndCopyIn();
  return put.ok() ? ended : put;
}

// The reader's tuples as they came, between this COPY's header and trailer, in pieces of
// kFlushBytes so the server parses the first ones while later ones are on their way.
Status PgWriterTask::CopyTuples(const RecordBatch& batch, size_t begin, size_t end) {
  buffer_.clear();
  AppendBinaryHeader(&buffer_);
  Status put = conn_.PutCopyData(buffer_);
  std::string_view tuples = batch.encoded_rows(begin, end);
  while (put.ok() && !tuples.empty()) {
    const size_t n = std::min(tuples.size(), kFlushBytes);
    put = conn_.PutCopyData(tuples.substr(0, n));
    tuples.remove_prefix(n);
  }
  buffer_.clear();
  AppendBinaryTrailer(&buffer_);
  if (put.ok()) put = conn_.PutCopyData(buffer_);
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

// The marker's UPDATE and COMMIT go in one round trip. Once they may have reached the server,
// only COMMIT's reply tells whether the split committed: an error reply means it rolled back, no
// reply (the connection lost) means nobody knows yet, and the marker decides.
Status PgWriterTask::Commit(const SplitFigures& figures) {
  savepoint_ = false;
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
  if (conn_.alive() && conn_.in_transaction()) (void)conn_.Exec("ROLLBACK");
}

}  // namespace ferry::pg
