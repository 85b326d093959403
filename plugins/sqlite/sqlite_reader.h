// SqliteReader: the `sqlite` reader. Reads the listed tables (or querySql statements) of one
// SQLite database file, opened read-only. Prepare checks every table, column, splitPk and where
// against the database without reading a row; PlanSplits cuts one split per table or statement,
// or splitPk ranges (sqlite_split_planner.h); each task opens its own read-only connection, so
// OpenTask may be called from several threads at once. Splits do not share a snapshot: rows
// changed while the job runs may be seen by one split and not another.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "ferry/plugin/column_projection.h"
#include "ferry/plugin/reader.h"
#include "ferry/plugin/sql/pk_ranges.h"
#include "plugins/sqlite/sqlite_catalog.h"
#include "plugins/sqlite/sqlite_connection.h"
#include "plugins/sqlite/sqlite_reader_options.h"
#include "plugins/sqlite/sqlite_reader_task.h"
#include "plugins/sqlite/sqlite_split_planner.h"

namespace ferry {

class SqliteReader : public Reader, public ChecksumSource {
 public:
  Status Prepare(const StepContext& ctx) override;
  std::vector<ColumnInfo> OutputColumns() const override;
  Result<std::vector<Split>> PlanSplits(int concurrent) override;
  Result<std::unique_ptr<ReaderTask>> OpenTask(const Split& split) override;
  // ferry verify (sqlite_checksum.cc).
  Result<SourceRowKey> RowKey() override;
  std::optional<SplitKeyRange> KeyRangeOf(const Split& split) const override;
  ChecksumSource* checksum_source() override { return this; }
  std::string checksum_method() const override { return "sqlite-storage-class-v1"; }
  Result<std::optional<ChecksumTotal>> ChecksumRows(const ChecksumRequest& request) override;

 private:
  Status PrepareQueries();
  Status PrepareTables(int64_t job_start_micros);
  Status CheckColumns(const ColumnProjection& projection,
                      const std::vector<SqliteTable>& tables) const;
  Status CheckSplitPk(const std::vector<SqliteTable>& tables) const;
  Status CheckSelects();
  Result<std::optional<PkRange>> KeyBounds(const std::string& table);
  std::string SqlFor(const SqliteSplitSpec& spec) const;
  SqliteRowLayout LayoutFor(const SqliteSplitSpec& spec) const;

  SqliteReaderOptions options_;
  SqliteConnection conn_;                               // for Prepare and PlanSplits only
  std::shared_ptr<const ColumnProjection> projection_;  // table mode
  std::vector<bool> numeric_sources_;       // per projection_ source column: numeric affinity
  std::vector<std::string> query_columns_;  // query mode: result column names
};

}  // namespace ferry
