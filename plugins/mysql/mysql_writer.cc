#include "plugins/mysql/mysql_writer.h"

#include <algorithm>
#include <charconv>

#include "ferry/common/log.h"
#include "ferry/common/strings.h"
#include "ferry/plugin/param_fields.h"
#include "ferry/plugin/sql/sql_scripts.h"
#include "plugins/mysql/mysql_load_data.h"

namespace ferry {
namespace {

constexpr size_t kStatementCap = 8 << 20;     // larger statements gain nothing
constexpr size_t kPacketHeadroom = 64 << 10;  // one row may pass the cap before the flush

Result<SqlSource> OneTable(std::vector<SqlSource> sources) {
  size_t tables = 0;
  for (const SqlSource& s : sources) tables += s.tables.size();
  if (sources.size() != 1 || tables != 1) {
    return Status::InvalidArgument("the mysql writer writes one table of one database; got " +
                                   std::to_string(tables) + " tables in " +
                                   std::to_string(sources.size()) + " databases")
        .WithField("table");
  }
  if (!sources[0].query_sql.empty()) {
    return Status::InvalidArgument("querySql is a reader parameter").WithField("querySql");
  }
  return std::move(sources[0]);
}

}  // namespace

Status MysqlWriter::Prepare(const StepContext& ctx, const std::vector<ColumnInfo>& input) {
  ASSIGN_OR_RETURN(std::vector<SqlSource> sources, ResolveSqlSources(ctx, "mysql"));
  ASSIGN_OR_RETURN(source_, OneTable(std::move(sources)));
  table_ = source_.tables[0];
  ASSIGN_OR_RETURN(options_, MysqlWriterOptions::Parse(ctx.param()));
  session_ = {options_.utc_offset_seconds, true, options_.session};
  run_id_ = ctx.run_id;
  markers_.reset();
  if (options_.commit_marker.enabled) {
    ASSIGN_OR_RETURN(markers_,
                     MysqlCommitMarkers::Resolve(options_.commit_marker.table, table_, ctx.run_id));
  } else {
    LogWarn("{}: {}", ctx.step_name, CommitMarkerOffWarning(options_.commit_marker));
  }
  ASSIGN_OR_RETURN(MysqlConnection conn,
                   MysqlConnection::ConnectAny(source_.conn, source_.fallbacks));
  RETURN_NOT_OK(SetUpSession(conn, session_));
  auto fields = ResultFields(conn, "SELECT * FROM " + MysqlQualifiedName(table_) + " LIMIT 0");
  if (!fields.ok()) {
    if (fields.status().IsTransient()) return fields.status();
    return Status(fields.status().code(), "table " + Quoted(table_) + " in " + conn.describe() +
                                              ": " + fields.status().message())
        .WithField("table");
  }
  ASSIGN_OR_RETURN(std::vector<std::string> columns, ResolveColumns(*fields));
  if (columns.size() != input.size()) {
    return Status::InvalidArgument("writer has " + std::to_string(columns.size()) +
                                   " columns, reader produces " + std::to_string(input.size()))
        .WithField("column");
  }
  ASSIGN_OR_RETURN(std::vector<std::string> update, ResolveUpdateColumns(columns));
  auto settings = std::make_shared<MysqlWriteSettings>();
  settings->sql = BuildInsertSql(table_, columns, options_.mode, update);
  ASSIGN_OR_RETURN(bool local_infile, ServerAllowsLocalInfile(conn));
  if (options_.can_bulk_load() && local_infile) {
    std::vector<bool> is_bit;
    for (const std::string& c : columns) {
      is_bit.push_back(FindField(*fields, c)->kind == MysqlColumnKind::kBit);
    }
    settings->load_data_sql = LoadDataSql(table_, columns, is_bit, options_.mode);
  }
  settings->columns = std::move(columns);
  settings->batch_rows = static_cast<size_t>(options_.batch_size);
  ASSIGN_OR_RETURN(settings->max_statement_bytes, MaxStatementBytes(conn));
  settings->skip_null = options_.skip_null;
  settings->utc_offset_seconds = options_.utc_offset_seconds;
  settings_ = std::move(settings);
  return Status::OK();
}

Result<std::vector<std::string>> MysqlWriter::ResolveColumns(
    const std::vector<MysqlField>& fields) const {
  std::vector<std::string> out;
  if (options_.star()) {
    for (const MysqlField& f : fields) out.push_back(f.name);
    return out;
  }
  for (size_t i = 0; i < options_.columns.size(); ++i) {
    std::string name = options_.columns[i];
    if (name.size() >= 2 && name.front() == '`' && name.back() == '`') {
      name = name.substr(1, name.size() - 2);
    }
    const MysqlField* f = FindField(fields, name);
    if (f == nullptr) {
      return Status::NotFound("column " + Quoted(name) + " does not exist in table " +
                              Quoted(table_))
          .WithField(IndexedField("column", i));
    }
    for (const std::string& seen : out) {
      if (seen == f->name) {
        return Status::InvalidArgument("column " + Quoted(f->name) + " is listed twice")
            .WithField(IndexedField("column", i));
      }
    }
    out.push_back(f->name);
  }
  return out;
}

Result<std::vector<std::string>> MysqlWriter::ResolveUpdateColumns(
    const std::vector<std::string>& columns) const {
  std::vector<std::string> out;
  for (size_t i = 0; i < options_.update_columns.size(); ++i) {
    const std::string& name = options_.update_columns[i];
    auto it = std::find_if(columns.begin(), columns.end(),
                           [&](const std::string& c) { return ToLower(c) == ToLower(name); });
    if (it == columns.end()) {
      return Status::InvalidArgument("updateColumn " + Quoted(name) +
                                     " is not one of the written columns")
          .WithField(IndexedField("updateColumn", i));
    }
    out.push_back(*it);
  }
  return out;
}

// MySQL 8 ships with local_infile OFF; then the writer uses multi-row INSERT.
Result<bool> MysqlWriter::ServerAllowsLocalInfile(MysqlConnection& conn) const {
  ASSIGN_OR_RETURN(MysqlRows rows, conn.Query("SELECT @@local_infile"));
  return !rows.empty() && rows[0][0] && (*rows[0][0] == "1" || ToLower(*rows[0][0]) == "on");
}

// Statements stay below the server's max_allowed_packet, and below 8 MiB.
Result<size_t> MysqlWriter::MaxStatementBytes(MysqlConnection& conn) const {
  ASSIGN_OR_RETURN(MysqlRows rows, conn.Query("SELECT @@max_allowed_packet"));
  size_t packet = 4 << 20;
  if (!rows.empty() && rows[0][0]) {
    const std::string& text = *rows[0][0];
    std::from_chars(text.data(), text.data() + text.size(), packet);
  }
  size_t limit = packet > 2 * kPacketHeadroom ? packet - kPacketHeadroom : packet / 2;
  return std::min(limit, kStatementCap);
}

Result<MysqlConnection> MysqlWriter::Connect() const {
  ASSIGN_OR_RETURN(MysqlConnection conn,
                   MysqlConnection::ConnectAny(source_.conn, source_.fallbacks));
  RETURN_NOT_OK(SetUpSession(conn, session_));
  return conn;
}

Status MysqlWriter::Start(bool resuming) {
  if (keeps_commit_markers()) {
    ASSIGN_OR_RETURN(MysqlConnection conn, Connect());
    RETURN_NOT_OK(markers_->CreateTable(conn));
  }
  if (resuming) return Status::OK();
  return RunScript(options_.pre_sql, "preSql");
}

Result<std::unique_ptr<WriterTask>> MysqlWriter::OpenTask(const Split& split) {
  const MysqlCommitMarkers* markers = keeps_commit_markers() ? &*markers_ : nullptr;
  ASSIGN_OR_RETURN(std::unique_ptr<MysqlWriterTask> task,
                   MysqlWriterTask::Open(source_, session_, settings_, markers, split.id));
  return std::unique_ptr<WriterTask>(std::move(task));
}

Result<std::map<std::string, SplitFigures>> MysqlWriter::CommittedSplits() {
  if (!keeps_commit_markers()) return std::map<std::string, SplitFigures>{};
  ASSIGN_OR_RETURN(MysqlConnection conn, Connect());
  return markers_->Committed(conn);
}

Result<std::vector<MarkerRun>> MysqlWriter::ListCommitMarkers() {
  if (!markers_) return Status::FailedPrecondition("commitMarker is false");
  ASSIGN_OR_RETURN(MysqlConnection conn, Connect());
  return markers_->ListRuns(conn);
}

Result<int64_t> MysqlWriter::RemoveCommitMarkers(const std::string& run_id,
                                                 const std::string& before) {
  if (!markers_) return Status::FailedPrecondition("commitMarker is false");
  ASSIGN_OR_RETURN(MysqlConnection conn, Connect());
  return markers_->Remove(conn, run_id, before);
}

Status MysqlWriter::Finalize(bool succeeded, const std::vector<std::string>& committed) {
  if (!succeeded) return Status::OK();
  RETURN_NOT_OK(RunScript(options_.post_sql, "postSql"));
  if (!keeps_commit_markers()) return Status::OK();
  ASSIGN_OR_RETURN(MysqlConnection conn, Connect());
  return markers_->DeleteRun(conn);
}

Status MysqlWriter::RunScript(const std::vector<std::string>& statements, const char* name) const {
  if (statements.empty()) return Status::OK();
  ASSIGN_OR_RETURN(MysqlConnection conn, Connect());
  return RunScriptStatements(statements, name, table_,
                             [&conn](const std::string& sql) { return conn.Exec(sql); });
}

}  // namespace ferry
