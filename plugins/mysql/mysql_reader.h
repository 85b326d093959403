// MysqlReader: the `mysql` reader. Reads tables (sharded over several databases and table ranges,
// all merged into one stream) or querySql statements of MySQL/MariaDB servers. Prepare connects to
// every source and checks each table, column, splitPk and where from prepared-statement metadata,
// reading no row; PlanSplits cuts one split per table or statement, or splitPk ranges plus a
// NULL-key split per table (the shared sql_split); with consistentSnapshot it first opens the
// snapshot connections (mysql_snapshot.h). OpenTask may be called from several threads at once;
// each task streams its split on its own (or a borrowed snapshot) connection.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "ferry/plugin/column_projection.h"
#include "ferry/plugin/reader.h"
#include "ferry/plugin/sql/sql_sources.h"
#include "ferry/plugin/sql/sql_split.h"
#include "plugins/mysql/mysql_catalog.h"
#include "plugins/mysql/mysql_options.h"
#include "plugins/mysql/mysql_reader_task.h"
#include "plugins/mysql/mysql_snapshot.h"

namespace ferry {

class MysqlReader : public Reader, public ChecksumSource {
 public:
  Status Prepare(const StepContext& ctx) override;
  std::vector<ColumnInfo> OutputColumns() const override;
  Result<std::vector<Split>> PlanSplits(int concurrent) override;
  Result<std::unique_ptr<ReaderTask>> OpenTask(const Split& split) override;
  // consistentSnapshot in a distributed run: the coordinator holds FLUSH TABLES WITH READ LOCK
  // while every host starts its snapshot transactions, one per channel.
  Result<std::unique_ptr<ReadBarrier>> HoldStill() override;
  Status OpenSharedView(int channels) override;
  // ferry verify (mysql_checksum.cc): the row key, split ranges, each row hashed in the server.
  Result<SourceRowKey> RowKey() override;
  std::optional<SplitKeyRange> KeyRangeOf(const Split& split) const override;
  ChecksumSource* checksum_source() override { return this; }
  std::string checksum_method() const override;
  Result<std::optional<ChecksumTotal>> ChecksumRows(const ChecksumRequest& request) override;

 private:
  bool query_mode() const;
  Status PrepareQueries();
  Status PrepareTables(int64_t job_start_micros);
  Status CheckTable(MysqlConnection& conn, const SqlSource& source, const std::string& table,
                    const ColumnProjection& projection, std::vector<MysqlField>* first_fields);
  Status CheckSplitPk(const std::vector<MysqlField>& fields, const std::string& table) const;
  Result<MysqlConnection> Connect(size_t source) const;
  Status OpenSnapshots(int concurrent);
  Result<std::vector<SqlSplitSpec>> PlanSource(size_t source, int64_t pieces);
  std::string SqlFor(const SqlSplitSpec& spec, const std::string& split_id) const;
  MysqlRowLayout Layout(const SqlSplitSpec& spec) const;

  MysqlReaderOptions options_;
  std::vector<SqlSource> sources_;
  MysqlSessionSettings session_;
  std::shared_ptr<const ColumnProjection> projection_;  // table mode
  std::vector<std::string> source_columns_;             // table mode: quoted for SELECT
  std::vector<ColumnInfo> output_;
  std::string server_version_;  // of the first source, as Prepare found it
  std::vector<std::shared_ptr<MysqlSnapshotPool>> snapshots_;  // per source; empty: none
};

}  // namespace ferry
