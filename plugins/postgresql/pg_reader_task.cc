#include "plugins/postgresql/pg_reader_task.h"

#include <libpq-fe.h>

#include "plugins/postgresql/pg_status.h"

namespace ferry::pg {
namespace {

struct CopyBuffer {
  char* data = nullptr;
  ~CopyBuffer() {
    if (data != nullptr) PQfreemem(data);
  }
};

}  // namespace

Result<bool> PgReaderTask::Next(RecordBatch* batch, size_t max_rows, TaskContext& ctx) {
  if (done_) return false;
  if (ctx.stop.stop_requested()) return Status::Cancelled("postgresql reader stopped");
  if (layout_.encoding) batch->SetEncoding(layout_.encoding.get());
  for (size_t n = 0; n < max_rows; ++n) {
    CopyBuffer buf;
    int len = PQgetCopyData(conn_.get(), &buf.data, 0);
    if (len == -1) {
      done_ = true;
      RETURN_NOT_OK(Finish());
      return false;
    }
    if (len < 0) return ReadError();
    const std::string_view message(buf.data, len);
    RETURN_NOT_OK(layout_.encoding ? AppendTuple(message, batch) : DecodeRow(message, batch, ctx));
  }
  return true;
}

Status PgReaderTask::SkipHeader(std::string_view* message) {
  if (header_seen_) return Status::OK();
  RETURN_NOT_OK(StripBinaryHeader(message));
  header_seen_ = true;
  return Status::OK();
}

// The tuple goes on as it came; only its field lengths are checked (and summed for the figures).
Status PgReaderTask::AppendTuple(std::string_view message, RecordBatch* batch) {
  RETURN_NOT_OK(SkipHeader(&message));
  if (IsBinaryTrailer(message)) return Status::OK();
  ASSIGN_OR_RETURN(size_t bytes, BinaryTupleDataBytes(message, layout_.num_fields));
  batch->AppendEncodedRow(message, bytes);
  return Status::OK();
}

Result<bool> PgReaderTask::SplitBinaryRow(std::string_view m) {
  RETURN_NOT_OK(SkipHeader(&m));
  if (IsBinaryTrailer(m)) return false;
  RETURN_NOT_OK(SplitBinaryTuple(m, layout_.num_fields, &fields_));
  return true;
}

Status PgReaderTask::DecodeRow(std::string_view line, RecordBatch* batch, TaskContext& ctx) {
  if (layout_.binary) {
    ASSIGN_OR_RETURN(bool row, SplitBinaryRow(line));
    if (!row) return Status::OK();
  } else {
    RETURN_NOT_OK(SplitCopyLine(line, layout_.num_fields, &fields_));
  }
  Value* row = batch->AppendRow();
  Status bad;
  for (const PgRowLayout::Slot& slot : layout_.slots) {
    const size_t i = slot.field;
    if (fields_.null[i]) continue;  // AppendRow filled nulls
    Result<Value> v = layout_.binary ? DecodeBinaryField(slot.kind, fields_.text[i], batch)
                                     : DecodeCopyField(slot.type, fields_.text[i], batch);
    if (v.ok()) {
      row[slot.output] = *v;
      continue;
    }
    // Keep what was read so the dirty record shows it (binary fields as bytes).
    row[slot.output] =
        batch->CopyText(layout_.binary ? TypeId::kBytes : TypeId::kString, fields_.text[i]);
    if (bad.ok()) bad = Status(v.status()).WithColumn(layout_.output_names[slot.output]);
  }
  if (layout_.computed) layout_.computed->FillComputed(row, batch);
  if (bad.ok()) return Status::OK();
  Status added = ctx.dirty->AddRecord(ctx.split->id, bad, row, batch->num_columns());
  batch->PopRow();
  return added;
}

// A failed COPY: its statement's error, where a data exception (a division by zero in a
// querySql) fails the split rather than one record.
Status PgReaderTask::ReadError() {
  Status s = conn_.FinishCopyOut();
  if (s.ok()) s = PgError(conn_.get(), nullptr, "COPY TO STDOUT");
  if (s.code() == StatusCode::kDataError) return Status::FailedPrecondition(s.message());
  return s;
}

Status PgReaderTask::Finish() {
  Status s = conn_.FinishCopyOut();
  if (s.code() == StatusCode::kDataError) return Status::FailedPrecondition(s.message());
  RETURN_NOT_OK(s);
  return conn_.Exec("COMMIT", "COMMIT of the read transaction");
}

// Return keeps the connection only when its read transaction ended: a task left mid-COPY (or
// inside its transaction) closes it.
PgReaderTask::~PgReaderTask() {
  if (home_.pool != nullptr) home_.pool->Return(home_.key, std::move(conn_));
}

}  // namespace ferry::pg
