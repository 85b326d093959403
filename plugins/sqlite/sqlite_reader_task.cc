#include "plugins/sqlite/sqlite_reader_task.h"

#include <sqlite3.h>

#include <string_view>

namespace ferry {
namespace {

Value ReadCell(sqlite3_stmt* stmt, int i, RecordBatch* batch) {
  switch (sqlite3_column_type(stmt, i)) {
    case SQLITE_INTEGER:
      return Value::Int64(sqlite3_column_int64(stmt, i));
    case SQLITE_FLOAT:
      return Value::Double(sqlite3_column_double(stmt, i));
    case SQLITE_TEXT: {
      const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(stmt, i));
      return batch->CopyText(TypeId::kString,
                             std::string_view(text, sqlite3_column_bytes(stmt, i)));
    }
    case SQLITE_BLOB: {
      const auto* blob = static_cast<const char*>(sqlite3_column_blob(stmt, i));
      size_t size = sqlite3_column_bytes(stmt, i);
      return batch->CopyText(TypeId::kBytes,
                             size == 0 ? std::string_view() : std::string_view(blob, size));
    }
    default:
      return Value::Null();
  }
}

}  // namespace

void SqliteReaderTask::ReadRow(Value* row, RecordBatch* batch) const {
  sqlite3_stmt* stmt = stmt_.get();
  for (const SqliteRowLayout::Slot& slot : layout_.slots) {
    row[slot.output] = ReadCell(stmt, slot.statement, batch);
  }
  if (layout_.computed) layout_.computed->FillComputed(row, batch);
}

Result<bool> SqliteReaderTask::Next(RecordBatch* batch, size_t max_rows, TaskContext& ctx) {
  if (done_) return false;
  if (ctx.stop.stop_requested()) return Status::Cancelled("sqlite reader stopped");
  for (size_t n = 0; n < max_rows; ++n) {
    int rc = sqlite3_step(stmt_.get());
    if (rc == SQLITE_DONE) {
      done_ = true;
      return false;
    }
    if (rc != SQLITE_ROW) return conn_.Error(rc, "reading " + conn_.path());
    ReadRow(batch->AppendRow(), batch);
  }
  return true;
}

}  // namespace ferry
