// PgReader: the `postgresql` reader. Reads tables (lists and `t_[0-15]` ranges, over one or
// several databases) or querySql statements. Prepare connects to each database, opens the
// coordinating transaction (REPEATABLE READ, pg_export_snapshot()) that stays open for the whole
// read, and checks every table, column, splitPk and where by describing the split's query, reading
// no row. PlanSplits reads the splitPk bounds inside that snapshot and cuts splits with the shared
// sql_split planner. Each task imports the snapshot (SET TRANSACTION SNAPSHOT), so all channels
// read one consistent state of the database; a task's connection serves a later task after its
// read transaction ended (pg_connection_pool.h). OpenTask may be called from several threads at
// once. A resumed run is a new process: its tasks share a new snapshot, not the first run's.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "ferry/plugin/column_projection.h"
#include "ferry/plugin/reader.h"
#include "ferry/plugin/sql/sql_split.h"
#include "plugins/postgresql/pg_connection.h"
#include "plugins/postgresql/pg_connection_pool.h"
#include "plugins/postgresql/pg_options.h"
#include "plugins/postgresql/pg_reader_task.h"
#include "plugins/postgresql/pg_types.h"

namespace ferry::pg {

class PgReader : public Reader, public ChecksumSource {
 public:
  Status Prepare(const StepContext& ctx) override;
  std::vector<ColumnInfo> OutputColumns() const override;
  Result<std::vector<Split>> PlanSplits(int concurrent) override;
  Result<std::unique_ptr<ReaderTask>> OpenTask(const Split& split) override;
  // {"snapshots": [...]}: each database's exported snapshot, so that every host of a
  // distributed run reads the coordinator's.
  nlohmann::json SharedReadState() const override;
  Status AdoptSharedReadState(const nlohmann::json& state) override;
  // ferry verify (pg_checksum.cc): the row key, split ranges, and each row hashed in the server.
  Result<SourceRowKey> RowKey() override;
  std::optional<SplitKeyRange> KeyRangeOf(const Split& split) const override;
  ChecksumSource* checksum_source() override { return this; }
  // Binary COPY tuples (pg_binary_rows.h) when the table's columns are read as they are: no
  // querySql, no constant or function column, each column once and in the table's binary form.
  std::shared_ptr<const RowEncoding> OfferedRowEncoding() const override { return offered_rows_; }
  void UseRowEncoding() override { encode_rows_ = offered_rows_ != nullptr; }
  std::string checksum_method() const override;
  Result<std::optional<ChecksumTotal>> ChecksumRows(const ChecksumRequest& request) override;

 private:
  // One database: the address that connected and its snapshot-holding connection.
  struct Database {
    ConnectionSpec conn;
    PgConnection coordinator;
    std::string snapshot;  // empty: the server could not export one (a standby)
  };

  Status OpenDatabases();
  Status PrepareQueries();
  Status PrepareTables(int64_t job_start_micros);
  Result<std::vector<std::string>> DescribeColumns(PgConnection& conn, const std::string& sql,
                                                   std::vector<PgColumnType>* types,
                                                   const std::string& field);
  Status CheckSplitPk();
  Status CheckTables();
  Result<std::optional<PkRange>> KeyBounds(Database& db, const std::string& table);
  std::string CopySqlFor(const SqlSplitSpec& spec) const;
  PgRowLayout Layout() const;
  std::shared_ptr<const PgBinaryRows> RowsToOffer() const;
  // Names each column of a type Ferry does not map (`where`: "table t", "querySql[1]").
  void WarnTextTypes(const std::string& where, const std::vector<std::string>& names) const;

  PgReaderOptions options_;
  std::vector<Database> databases_;                     // one per source, same order
  std::shared_ptr<const ColumnProjection> projection_;  // table mode
  std::vector<std::string> select_columns_;             // table mode: resolved source column names
  std::string split_key_;                               // resolved splitPk column name
  std::vector<std::string> query_columns_;              // query mode
  std::vector<PgColumnType> source_types_;              // per select column (or query column)
  std::shared_ptr<const PgBinaryRows> offered_rows_;    // null: the rows must be decoded
  bool encode_rows_ = false;                            // the writer takes offered_rows_
  std::shared_ptr<PgConnectionPool> pool_;              // the tasks' connections, between splits
};

}  // namespace ferry::pg
