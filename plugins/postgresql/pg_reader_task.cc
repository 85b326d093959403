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
  for (size_t n = 0; n < max_rows; ++n) {
    CopyBuffer buf;
    int len = PQgetCopyData(conn_.get(), &buf.data, 0);
    if (len == -1) {
      done_ = true;
      RETURN_NOT_OK(Finish());
      return false;
    }
    if (len < 0) return ReadError();
    RETURN_NOT_OK(DecodeRow(std::string_view(buf.data, len), batch, ctx));
  }
  return true;
}

Status PgReaderTask::DecodeRow(std::string_view line, RecordBatch* batch, TaskContext& ctx) {
  RETURN_NOT_OK(SplitCopyLine(line, layout_.num_fields, &fields_));
  Value* row = batch->AppendRow();
  Status bad;
  for (const PgRowLayout::Slot& slot : layout_.slots) {
    const size_t i = slot.field;
    if (fields_.null[i]) continue;  // AppendRow filled nulls
    Result<Value> v = DecodeCopyField(slot.type, fields_.text[i], batch);
    if (v.ok()) {
      row[slot.output] = *v;
      continue;
    }
    // Keep the text so the dirty record shows what was read.
    row[slot.output] = batch->CopyText(TypeId::kString, fields_.text[i]);
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

}  // namespace ferry::pg
