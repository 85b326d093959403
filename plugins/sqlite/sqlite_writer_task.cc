#include "plugins/sqlite/sqlite_writer_task.h"

#include <sqlite3.h>

#include <cmath>

#include "ferry/types/convert.h"
#include "plugins/sqlite/sqlite_status.h"

namespace ferry {

Result<std::unique_ptr<SqliteWriterTask>> SqliteWriterTask::Open(
    const std::string& path, int busy_timeout_ms, const std::string& insert_sql,
    std::vector<std::string> columns, std::shared_ptr<SqliteWriteGate> gate,
    const SqliteCommitMarkers* markers, std::string split_id) {
  ASSIGN_OR_RETURN(
      SqliteConnection conn,
      SqliteConnection::Open(path, SqliteConnection::Mode::kReadWrite, busy_timeout_ms));
  std::unique_ptr<SqliteWriterTask> task(
      new SqliteWriterTask(std::move(conn), std::move(columns), std::move(gate)));
  task->markers_ = markers;
  task->split_id_ = std::move(split_id);
  ASSIGN_OR_RETURN(task->insert_, task->conn_.Prepare(insert_sql));
  ASSIGN_OR_RETURN(task->savepoint_, task->conn_.Prepare("SAVEPOINT ferry_write"));
  ASSIGN_OR_RETURN(task->release_, task->conn_.Prepare("RELEASE ferry_write"));
  ASSIGN_OR_RETURN(task->rollback_to_, task->conn_.Prepare("ROLLBACK TO ferry_write"));
  return task;
}

SqliteWriterTask::SqliteWriterTask(SqliteConnection conn, std::vector<std::string> columns,
                                   std::shared_ptr<SqliteWriteGate> gate)
    : conn_(std::move(conn)),
      columns_(std::move(columns)),
      scratch_(columns_.size()),
      gate_(std::move(gate)) {}

SqliteWriterTask::~SqliteWriterTask() { Abort(); }

Result<std::optional<SplitFigures>> SqliteWriterTask::Begin() {
  if (conn_.in_transaction()) return Status::Internal("sqlite writer: Begin inside a transaction");
  if (!holds_gate_) {
    gate_->Acquire();
    holds_gate_ = true;
  }
  Status s = conn_.Exec("BEGIN IMMEDIATE");
  if (!s.ok()) {
    ReleaseGate();
    return s.WithPrefix("BEGIN IMMEDIATE on " + conn_.path());
  }
  if (markers_ == nullptr) return SplitOpened();
  auto claimed = markers_->Claim(conn_, split_id_);
  // Committed before, or not claimable: nothing of this attempt stays open.
  if (!claimed.ok() || claimed->has_value()) Abort();
  return claimed;
}

Status SqliteWriterTask::Write(const RecordBatch& batch, size_t begin, size_t end) {
  if (!conn_.in_transaction()) return Status::Internal("sqlite writer: Write outside Begin/Commit");
  if (batch.num_columns() != columns_.size()) {
    return Status::Internal("sqlite writer: batch has " + std::to_string(batch.num_columns()) +
                            " columns, the statement " + std::to_string(columns_.size()));
  }
  RETURN_NOT_OK(savepoint_.Run());
  for (size_t r = begin; r < end; ++r) {
    Status s = WriteRow(batch.row(r));
    if (!s.ok()) {
      UndoSavepoint();
      return s;
    }
  }
  return release_.Run();
}

Status SqliteWriterTask::WriteRow(const Value* row) {
  sqlite3_stmt* stmt = insert_.get();
  for (size_t c = 0; c < columns_.size(); ++c) {
    RETURN_NOT_OK(Bind(static_cast<int>(c), row[c]));
  }
  int rc = sqlite3_step(stmt);
  if (rc == SQLITE_DONE) {
    sqlite3_reset(stmt);
    return Status::OK();
  }
  Status error = conn_.Error(rc);
  sqlite3_reset(stmt);
  if (error.code() != StatusCode::kDataError) return error;
  std::string column = ColumnNamedInError(error.message(), columns_);
  return std::move(error).WithColumn(std::move(column));
}

// Values SQLite has a storage class for are bound as such; dates and times as their ISO text.
// Text and blob pointers stay valid until the row is stepped (SQLITE_STATIC).
Status SqliteWriterTask::Bind(int c, const Value& v) {
  sqlite3_stmt* stmt = insert_.get();
  const int index = c + 1;
  int rc = SQLITE_OK;
  switch (v.type) {
    case TypeId::kNull:
      rc = sqlite3_bind_null(stmt, index);
      break;
    case TypeId::kBool:
    case TypeId::kInt64:
      rc = sqlite3_bind_int64(stmt, index, v.i);
      break;
    case TypeId::kDouble:
      if (std::isnan(v.d)) {
        return Status::DataError("NaN cannot be stored in SQLite (it would become NULL)")
            .WithColumn(columns_[c]);
      }
      rc = sqlite3_bind_double(stmt, index, v.d);
      break;
    case TypeId::kString:
    case TypeId::kDecimal:
      rc = sqlite3_bind_text64(stmt, index, v.len == 0 ? "" : v.p, v.len, SQLITE_STATIC,
                               SQLITE_UTF8);
      break;
    case TypeId::kBytes:
      rc = v.len == 0 ? sqlite3_bind_zeroblob(stmt, index, 0)
                      : sqlite3_bind_blob64(stmt, index, v.p, v.len, SQLITE_STATIC);
      break;
    case TypeId::kDate:
    case TypeId::kTime:
    case TypeId::kTimestamp:
    case TypeId::kTimestampTz:
      scratch_[c].clear();
      AppendValueText(v, &scratch_[c]);
      rc = sqlite3_bind_text64(stmt, index, scratch_[c].data(), scratch_[c].size(), SQLITE_STATIC,
                               SQLITE_UTF8);
      break;
  }
  if (rc == SQLITE_OK) return Status::OK();
  return conn_.Error(rc).WithColumn(columns_[c]);
}

void SqliteWriterTask::UndoSavepoint() {
  // Errors such as SQLITE_FULL roll the whole transaction back, savepoint included: nothing to do.
  if (!conn_.in_transaction()) return;
  (void)rollback_to_.Run();
  (void)release_.Run();
}

Status SqliteWriterTask::Commit(const SplitFigures& figures) {
  if (!conn_.in_transaction()) return Status::Internal("sqlite writer: Commit outside Begin");
  if (markers_ != nullptr) RETURN_NOT_OK(markers_->Record(conn_, split_id_, figures));
  Status s = conn_.Exec("COMMIT");
  // A failed COMMIT (busy) leaves the transaction open; Abort rolls it back and frees the gate.
  if (!s.ok()) return s.WithPrefix("COMMIT on " + conn_.path());
  ReleaseGate();
  return Status::OK();
}

void SqliteWriterTask::Abort() {
  if (conn_.in_transaction()) (void)conn_.Exec("ROLLBACK");
  ReleaseGate();
}

void SqliteWriterTask::ReleaseGate() {
  if (!holds_gate_) return;
  holds_gate_ = false;
  gate_->Release();
}

}  // namespace ferry
