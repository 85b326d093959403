#include "plugins/mysql/mysql_writer_task.h"

#include <mysql.h>

#include <cstdlib>

#include "plugins/mysql/mysql_load_data.h"
#include "plugins/mysql/mysql_status.h"
#include "plugins/mysql/mysql_types.h"

namespace ferry {

namespace {

// The client lost the connection (or the server dropped it) while a statement was in flight: the
// statement may or may not have run.
bool ConnectionLost(unsigned e) {
  switch (e) {
    case 1053:  // ER_SERVER_SHUTDOWN
    case 1927:  // ER_CONNECTION_KILLED
    case 2006:  // CR_SERVER_GONE_ERROR
    case 2013:  // CR_SERVER_LOST
    case 2055:  // CR_SERVER_LOST_EXTENDED
      return true;
    default:
      return false;
  }
}

}  // namespace

Result<std::unique_ptr<MysqlWriterTask>> MysqlWriterTask::Open(
    const SqlSource& source, const MysqlSessionSettings& session,
    std::shared_ptr<const MysqlWriteSettings> settings, const MysqlCommitMarkers* markers,
    const std::string& split_id) {
  ASSIGN_OR_RETURN(
      MysqlConnection conn,
      MysqlConnection::ConnectAny(source.conn, source.fallbacks, !settings->load_data_sql.empty()));
  RETURN_NOT_OK(SetUpSession(conn, session));
  return std::unique_ptr<MysqlWriterTask>(
      new MysqlWriterTask(std::move(conn), std::move(settings), markers, split_id));
}

MysqlWriterTask::~MysqlWriterTask() { Abort(); }

Result<std::optional<SplitFigures>> MysqlWriterTask::Begin() {
  if (in_transaction_) return Status::Internal("mysql writer: Begin inside a transaction");
  RETURN_NOT_OK(conn_.Exec("START TRANSACTION"));
  in_transaction_ = true;
  if (markers_ == nullptr) return SplitOpened();
  auto claimed = markers_->Claim(conn_, split_id_);
  if (!claimed.ok()) {
    Abort();
  } else if (claimed->has_value()) {
    in_transaction_ = false;  // the claim rolled it back
  }
  return claimed;
}

Status MysqlWriterTask::Write(const RecordBatch& batch, size_t begin, size_t end) {
  if (!in_transaction_) return Status::Internal("mysql writer: Write outside Begin/Commit");
  if (batch.num_columns() != settings_->columns.size()) {
    return Status::Internal("mysql writer: batch has " + std::to_string(batch.num_columns()) +
                            " columns, the statement " + std::to_string(settings_->columns.size()));
  }
  RETURN_NOT_OK(conn_.Exec("SAVEPOINT ferry_write"));
  Status s = WriteRows(batch, begin, end);
  if (s.ok()) return conn_.Exec("RELEASE SAVEPOINT ferry_write");
  if (s.code() == StatusCode::kDataError) {
    Status undo = conn_.Exec("ROLLBACK TO SAVEPOINT ferry_write");
    if (!undo.ok()) return undo;
  }
  return s;
}

Status MysqlWriterTask::WriteRows(const RecordBatch& batch, size_t begin, size_t end) {
  if (!settings_->load_data_sql.empty()) return LoadRows(batch, begin, end);
  sql_.clear();
  rows_in_sql_ = 0;
  for (size_t r = begin; r < end; ++r) {
    RETURN_NOT_OK(AppendRow(batch.row(r), batch.num_columns()));
    if (rows_in_sql_ >= settings_->batch_rows || sql_.size() >= settings_->max_statement_bytes) {
      RETURN_NOT_OK(Flush());
    }
  }
  return Flush();
}

// LOCAL makes the server report refused values and duplicate keys as warnings (it cannot stop the
// client's stream), so a data warning is a refusal here too.
Status MysqlWriterTask::LoadRows(const RecordBatch& batch, size_t begin, size_t end) {
  sql_.clear();
  for (size_t r = begin; r < end; ++r) {
    RETURN_NOT_OK(
        AppendLoadDataRow(batch.row(r), batch.num_columns(), settings_->utc_offset_seconds, &sql_));
  }
  Status s = RunLoadData(conn_, settings_->load_data_sql, sql_);
  sql_.clear();
  if (!s.ok() || mysql_warning_count(conn_.get()) == 0) return s;
  return RefusingWarning();
}

Status MysqlWriterTask::AppendRow(const Value* row, size_t num_columns) {
  sql_ += rows_in_sql_ == 0 ? settings_->sql.prefix : std::string_view(", ");
  sql_.push_back('(');
  auto quote = [this](std::string_view text, std::string* out) { conn_.AppendQuoted(text, out); };
  for (size_t c = 0; c < num_columns; ++c) {
    if (c > 0) sql_.push_back(',');
    if (row[c].is_null() && settings_->skip_null) {
      sql_ += "DEFAULT";
      continue;
    }
    Status s = AppendMysqlLiteral(row[c], settings_->utc_offset_seconds, quote, &sql_);
    if (!s.ok()) return std::move(s).WithColumn(settings_->columns[c]);
  }
  sql_.push_back(')');
  ++rows_in_sql_;
  return Status::OK();
}

Status MysqlWriterTask::Flush() {
  if (rows_in_sql_ == 0) return Status::OK();
  sql_ += settings_->sql.suffix;
  Status s = conn_.Exec(sql_);
  sql_.clear();
  rows_in_sql_ = 0;
  if (!s.ok() || mysql_warning_count(conn_.get()) == 0) return s;
  return RefusingWarning();
}

// Strict sql_mode turns truncations into errors, but a few changes stay warnings or notes (a
// decimal rounded to the column's scale is note 1265). Any of them makes the rows dirty rather
// than silently changed.
Status MysqlWriterTask::RefusingWarning() {
  ASSIGN_OR_RETURN(MysqlRows warnings, conn_.Query("SHOW WARNINGS"));
  for (const auto& w : warnings) {
    if (w.size() < 3 || !w[1] || !w[2]) continue;
    const unsigned code = static_cast<unsigned>(std::strtoul(w[1]->c_str(), nullptr, 10));
    if (MysqlStatusCode(code) != StatusCode::kDataError) continue;
    return MysqlStatus(code, *w[2]).WithPrefix("refused (" + w[0].value_or("") + ")");
  }
  return Status::OK();
}

Status MysqlWriterTask::Commit(const SplitFigures& figures) {
  if (!in_transaction_) return Status::Internal("mysql writer: Commit outside Begin");
  if (markers_ != nullptr) RETURN_NOT_OK(markers_->Record(conn_, split_id_, figures));
  Status s = conn_.Exec("COMMIT");
  if (s.ok()) {
    in_transaction_ = false;
    return s;
  }
  // Only COMMIT's reply tells whether it committed: an error reply means it rolled back, no reply
  // means nobody knows yet (the marker decides).
  if (ConnectionLost(mysql_errno(conn_.get()))) {
    in_transaction_ = false;
    return Status::CommitUnknown("COMMIT on " + conn_.describe() +
                                 ": the connection was lost before its reply arrived (" +
                                 s.message() + ")");
  }
  return s.WithPrefix("COMMIT on " + conn_.describe());
}

void MysqlWriterTask::Abort() {
  if (!in_transaction_) return;
  in_transaction_ = false;
  if (conn_.is_open()) (void)conn_.Exec("ROLLBACK");
}

}  // namespace ferry
