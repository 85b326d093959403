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

Result<bool> PgReaderTask::SplitBinaryRow(std::string_view m) {
  if (!header_seen_) {
    // 11-byte signature, flags, header extension length and extension.
    if (m.size() < 19 || m.substr(0, 11) != std::string_view("PGCOPY\n\377\r\n\0", 11)) {
      return Status::Internal("binary COPY without its header");
    }
    uint32_t ext = (uint32_t(uint8_t(m[15])) << 24) | (uint32_t(uint8_t(m[16])) << 16) |
                   (uint32_t(uint8_t(m[17])) << 8) | uint8_t(m[18]);
    m.remove_prefix(19 + ext);
    header_seen_ = true;
  }
  auto get16 = [&](size_t at) { return uint16_t((uint8_t(m[at]) << 8) | uint8_t(m[at + 1])); };
  if (m.size() < 2) return Status::Internal("binary COPY row too short");
  const uint16_t count = get16(0);
  if (count == 0xFFFF) return false;
  if (count != layout_.num_fields) {
    return Status::Internal("binary COPY row has " + std::to_string(count) + " fields, expected " +
                            std::to_string(layout_.num_fields));
  }
  fields_.text.clear();
  fields_.null.clear();
  size_t at = 2;
  for (uint16_t i = 0; i < count; ++i) {
    if (at + 4 > m.size()) return Status::Internal("binary COPY row truncated");
    const uint32_t len = (uint32_t{get16(at)} << 16) | get16(at + 2);
    at += 4;
    if (len == 0xFFFFFFFFu) {
      fields_.text.emplace_back();
      fields_.null.push_back(true);
      continue;
    }
    if (at + len > m.size()) return Status::Internal("binary COPY field truncated");
    fields_.text.push_back(m.substr(at, len));
    fields_.null.push_back(false);
    at += len;
  }
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

}  // namespace ferry::pg
