// MysqlWriterTask: writes one split in one transaction on its own connection (START TRANSACTION
// at Begin, COMMIT at Commit, ROLLBACK at Abort; InnoDB makes the split atomic). Write sends rows
// [begin, end) as multi-row INSERT statements of at most `batch_rows` rows and
// `max_statement_bytes` bytes inside SAVEPOINT ferry_write, so they are written all or none: when
// the server refuses a value (strict sql_mode: too long, out of range, NULL into NOT NULL, bad
// date, duplicate key in insert mode) — or accepts it with a data warning, such as a decimal
// rounded to the column's scale — the savepoint is rolled back and DataError carries the server's
// message; the engine then bisects. A lost connection, a deadlock or a lock wait timeout is
// Aborted. With commit markers (mysql_commit_markers.h) Begin claims the split's marker right after
// START TRANSACTION and Commit records the figures in it before COMMIT. A COMMIT the server
// answered with an error rolled back; a connection lost before COMMIT's reply is CommitUnknown.
// Used by one thread at a time.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "ferry/plugin/sql/sql_sources.h"
#include "ferry/plugin/writer.h"
#include "plugins/mysql/mysql_commit_markers.h"
#include "plugins/mysql/mysql_connection.h"
#include "plugins/mysql/mysql_insert_sql.h"
#include "plugins/mysql/mysql_session.h"

namespace ferry {

struct MysqlWriteSettings {
  MysqlInsertSql sql;
  std::vector<std::string> columns;  // for messages
  size_t batch_rows = 1024;
  size_t max_statement_bytes = 4 << 20;
  bool skip_null = false;  // NULL is written as DEFAULT
  int utc_offset_seconds = 0;
  std::string load_data_sql;  // not empty: bulkLoad, rows go through LOAD DATA LOCAL INFILE
};

class MysqlWriterTask : public WriterTask {
 public:
  // `markers`: null without commit markers; else it must outlive the task.
  static Result<std::unique_ptr<MysqlWriterTask>> Open(
      const SqlSource& source, const MysqlSessionSettings& session,
      std::shared_ptr<const MysqlWriteSettings> settings, const MysqlCommitMarkers* markers,
      const std::string& split_id);
  ~MysqlWriterTask() override;

  Result<std::optional<SplitFigures>> Begin() override;
  Status Write(const RecordBatch& batch, size_t begin, size_t end) override;
  Status Commit(const SplitFigures& figures) override;
  void Abort() override;

 private:
  MysqlWriterTask(MysqlConnection conn, std::shared_ptr<const MysqlWriteSettings> settings,
                  const MysqlCommitMarkers* markers, std::string split_id)
      : conn_(std::move(conn)),
        settings_(std::move(settings)),
        markers_(markers),
        split_id_(std::move(split_id)) {}
  Status WriteRows(const RecordBatch& batch, size_t begin, size_t end);
  Status LoadRows(const RecordBatch& batch, size_t begin, size_t end);
  Status AppendRow(const Value* row, size_t num_columns);
  Status Flush();
  Status RefusingWarning();

  MysqlConnection conn_;
  std::shared_ptr<const MysqlWriteSettings> settings_;
  const MysqlCommitMarkers* markers_;
  std::string split_id_;
  std::string sql_;  // the statement being built
  size_t rows_in_sql_ = 0;
  bool in_transaction_ = false;
};

}  // namespace ferry
