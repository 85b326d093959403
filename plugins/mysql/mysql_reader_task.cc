#include "plugins/mysql/mysql_reader_task.h"

#include <mysql.h>

namespace ferry {

MysqlReaderTask::MysqlReaderTask(MysqlConnection conn, std::shared_ptr<MysqlSnapshotPool> pool,
                                 MysqlRowLayout layout, MysqlCellContext cells)
    : conn_(std::move(conn)), pool_(std::move(pool)), layout_(std::move(layout)), cells_(cells) {}

Result<std::unique_ptr<MysqlReaderTask>> MysqlReaderTask::Start(
    MysqlConnection conn, std::shared_ptr<MysqlSnapshotPool> pool, const std::string& sql,
    MysqlRowLayout layout, MysqlCellContext cells) {
  std::unique_ptr<MysqlReaderTask> task(
      new MysqlReaderTask(std::move(conn), std::move(pool), std::move(layout), cells));
  MYSQL* m = task->conn_.get();
  if (mysql_real_query(m, sql.data(), sql.size()) != 0 ||
      (task->result_ = mysql_use_result(m)) == nullptr) {
    task->failed_ = true;
    return task->conn_.LastError("reading from " + task->conn_.describe());
  }
  const unsigned n = mysql_num_fields(task->result_);
  if (n != task->layout_.num_columns) {
    task->failed_ = true;
    return Status::FailedPrecondition("the query returned " + std::to_string(n) +
                                      " columns; the reader planned " +
                                      std::to_string(task->layout_.num_columns));
  }
  MYSQL_FIELD* fields = mysql_fetch_fields(task->result_);
  for (unsigned i = 0; i < n; ++i) task->kinds_.push_back(ColumnKindOf(fields[i]));
  return task;
}

MysqlReaderTask::~MysqlReaderTask() {
  // A pooled connection must be idle to be reused: mysql_free_result reads an unfinished stream
  // to its end. An owned connection (or a failed one) is closed instead, which spares reading the
  // rest; the result is detached from it first so freeing it touches no connection.
  const bool reuse = pool_ != nullptr && !failed_ && conn_.is_open();
  if (result_ != nullptr && !reuse) result_->handle = nullptr;
  if (result_ != nullptr) mysql_free_result(result_);
  if (!reuse) return;
  const bool healthy = mysql_errno(conn_.get()) == 0;
  pool_->Return(std::move(conn_), healthy);
}

Status MysqlReaderTask::ReadRow(char** row, unsigned long* lengths, RecordBatch* batch,
                                TaskContext& ctx) {
  Value* out = batch->AppendRow();
  Status bad;
  for (const MysqlRowLayout::Slot& slot : layout_.slots) {
    const int c = slot.column;
    Value& cell = out[slot.output];
    if (row[c] == nullptr) continue;  // AppendRow made it NULL
    std::string_view text(row[c], lengths[c]);
    Result<Value> v = ReadMysqlCell(kinds_[c], text, batch, cells_);
    if (v.ok()) {
      cell = *v;
    } else {
      cell = batch->CopyText(TypeId::kString, text);
      if (bad.ok()) bad = Status(v.status()).WithColumn(mysql_fetch_fields(result_)[c].name);
    }
  }
  if (layout_.computed) layout_.computed->FillComputed(out, batch);
  if (bad.ok()) return Status::OK();
  Status added = ctx.dirty->AddRecord(ctx.split->id, bad, out, batch->num_columns());
  batch->PopRow();
  return added;
}

Result<bool> MysqlReaderTask::Next(RecordBatch* batch, size_t max_rows, TaskContext& ctx) {
  if (done_) return false;
  if (ctx.stop.stop_requested()) return Status::Cancelled("mysql reader stopped");
  for (size_t n = 0; n < max_rows; ++n) {
    MYSQL_ROW row = mysql_fetch_row(result_);
    if (row == nullptr) {
      if (mysql_errno(conn_.get()) != 0) {
        failed_ = true;
        return conn_.LastError("reading from " + conn_.describe());
      }
      done_ = true;
      return false;
    }
    RETURN_NOT_OK(ReadRow(row, mysql_fetch_lengths(result_), batch, ctx));
  }
  return true;
}

}  // namespace ferry
