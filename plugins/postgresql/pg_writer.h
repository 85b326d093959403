// PgWriter: the `postgresql` writer. Writes rows into one existing table with COPY (writeMode
// copy, the default), or through a temp stage table with INSERT (insert), an upsert on
// conflictColumns or the primary key (update) or ON CONFLICT DO NOTHING (ignore). Prepare
// connects, checks the table, the columns, the reader's column count and the conflict key, and
// prepares the statements against a temp stage (which vanishes with the session); it changes
// nothing. Start creates the commit marker table (pg_commit_markers.h) when missing and runs
// preSql (not when resuming); Finalize(true) runs postSql, then removes this run's markers. Each
// split is one transaction of its own task (pg_writer_task.h). From a postgresql reader whose
// column types match, rows arrive as binary COPY tuples and go into the table unchanged.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "ferry/plugin/writer.h"
#include "plugins/postgresql/pg_catalog.h"
#include "plugins/postgresql/pg_commit_markers.h"
#include "plugins/postgresql/pg_options.h"
#include "plugins/postgresql/pg_writer_task.h"

namespace ferry::pg {

class PgWriter : public Writer {
 public:
  Status Prepare(const StepContext& ctx, const std::vector<ColumnInfo>& input) override;
  Status Start(bool resuming) override;
  Result<std::unique_ptr<WriterTask>> OpenTask(const Split& split) override;
  // writeMode copy: the split as one COPY (pg_writer_task.h); the other modes are checked.
  Result<std::unique_ptr<WriterTask>> OpenStreamingTask(const Split& split) override;
  Status Finalize(bool succeeded, const std::vector<std::string>& committed) override;
  bool keeps_commit_markers() const override { return markers_ && !run_id_.empty(); }
  Result<std::map<std::string, SplitFigures>> CommittedSplits() override;
  Result<std::vector<MarkerRun>> ListCommitMarkers() override;
  Result<int64_t> RemoveCommitMarkers(const std::string& run_id,
                                      const std::string& before) override;
  // The reader's binary COPY tuples (pg_binary_rows.h) when passthrough is on and each column
  // reads its source column's binary form (SameBinaryForm).
  bool AcceptsRowEncoding(const RowEncoding& encoding) const override;
  // batchSize: the engine's batches; a checked task sends each as one COPY.
  size_t batch_rows() const override { return static_cast<size_t>(options_.batch_size); }

 private:
  Result<std::vector<std::string>> ResolveColumns(const PgTable& table) const;
  Result<std::vector<std::string>> ConflictKey(const PgTable& table) const;
  Status CheckStatements(PgConnection& conn, const std::string& insert_sql) const;
  Status RunScript(const std::vector<std::string>& statements, const char* name) const;
  Result<PgConnection> Connect(const char* purpose) const;
  template <typename Fn>
  auto OnKeptConnection(Fn fn) -> decltype(fn(std::declval<PgConnection&>()));
  Result<std::unique_ptr<WriterTask>> OpenWriterTask(const Split& split, bool stream);

  PgWriterOptions options_;
  std::shared_ptr<PgWritePlan> plan_;
  // Resolved whenever commitMarker is true; kept by a run only (run_id_ not empty).
  std::optional<PgCommitMarkers> markers_;
  std::string run_id_;
  // Prepare's connection, kept for the writer's own statements on the main thread (the marker
  // table, the markers' reading and removal), so a run does not connect again for each.
  PgConnection kept_;
  std::chrono::steady_clock::time_point kept_used_;  // last used (or opened)
  std::shared_ptr<PgConnectionPool> pool_;           // the tasks' connections, between splits
};

}  // namespace ferry::pg
