#include "plugins/sqlite/sqlite_writer.h"

#include "ferry/common/log.h"
#include "ferry/plugin/param_fields.h"
#include "ferry/plugin/sql/sql_scripts.h"
#include "plugins/sqlite/sqlite_datasource.h"
#include "plugins/sqlite/sqlite_sql.h"
#include "plugins/sqlite/sqlite_writer_task.h"

namespace ferry {

Status SqliteWriter::Prepare(const StepContext& ctx, const std::vector<ColumnInfo>& input) {
  ASSIGN_OR_RETURN(nlohmann::json param, ParamWithDatasourcePath(ctx));
  ASSIGN_OR_RETURN(options_, SqliteWriterOptions::Parse(param));
  ASSIGN_OR_RETURN(SqliteConnection conn,
                   SqliteConnection::Open(options_.path, SqliteConnection::Mode::kReadWrite,
                                          options_.busy_timeout_ms));
  ASSIGN_OR_RETURN(SqliteTable table, LoadTable(conn, options_.table));
  ASSIGN_OR_RETURN(columns_, ResolveColumns(table));
  if (columns_.size() != input.size()) {
    return Status::InvalidArgument("writer has " + std::to_string(columns_.size()) +
                                   " columns, reader produces " + std::to_string(input.size()))
        .WithField("column");
  }
  ASSIGN_OR_RETURN(std::vector<std::string> key, ConflictKey(conn, table));
  insert_sql_ = InsertSql(table.name, columns_, options_.mode, key);
  // Markers name a run: a writer prepared outside one (ferry check) has none to keep.
  if (options_.commit_marker.enabled && !ctx.run_id.empty()) {
    markers_ =
        std::make_unique<SqliteCommitMarkers>(options_.commit_marker.table, ctx.run_id, table.name);
  } else if (!options_.commit_marker.enabled) {
    LogWarn("{}: {}", ctx.step_name, CommitMarkerOffWarning(options_.commit_marker));
  }
  return CheckStatement(conn);
}

Result<std::vector<std::string>> SqliteWriter::ResolveColumns(const SqliteTable& table) const {
  if (options_.star()) return table.WritableColumns();
  std::vector<std::string> out;
  for (size_t i = 0; i < options_.columns.size(); ++i) {
    const std::string& name = options_.columns[i];
    const SqliteColumn* c = table.Find(name);
    if (c == nullptr) {
      return Status::NotFound("column " + Quoted(name) + " does not exist in table " +
                              Quoted(table.name))
          .WithField(IndexedField("column", i));
    }
    if (c->hidden != 0) {
      return Status::InvalidArgument("column " + Quoted(c->name) +
                                     " is generated; it cannot be written")
          .WithField(IndexedField("column", i));
    }
    for (const std::string& seen : out) {
      if (SameIdentifier(seen, c->name)) {
        return Status::InvalidArgument("column " + Quoted(c->name) + " is listed twice")
            .WithField(IndexedField("column", i));
      }
    }
    out.push_back(c->name);
  }
  return out;
}

// update: conflictColumns, else the primary key, else the first unique index.
// ignore: conflictColumns, else any uniqueness constraint (ON CONFLICT DO NOTHING).
Result<std::vector<std::string>> SqliteWriter::ConflictKey(SqliteConnection& conn,
                                                           const SqliteTable& table) const {
  const WriteMode mode = options_.mode;
  const std::vector<std::string>& given = options_.conflict_columns;
  if (!given.empty() && mode != WriteMode::kUpdate && mode != WriteMode::kIgnore) {
    return Status::InvalidArgument(std::string("conflictColumns applies to writeMode update or "
                                               "ignore, not ") +
                                   WriteModeName(mode))
        .WithField("conflictColumns");
  }
  std::vector<std::string> key;
  for (size_t i = 0; i < given.size(); ++i) {
    const SqliteColumn* c = table.Find(given[i]);
    if (c == nullptr) {
      return Status::NotFound("column " + Quoted(given[i]) + " does not exist in table " +
                              Quoted(table.name))
          .WithField(IndexedField("conflictColumns", i));
    }
    key.push_back(c->name);
  }
  if (!key.empty() || mode != WriteMode::kUpdate) return key;
  key = table.PrimaryKey();
  if (!key.empty()) return key;
  ASSIGN_OR_RETURN(SourceRowKey unique, FirstUniqueIndex(conn, table.name));
  if (!unique.columns.empty()) return unique.columns;
  return Status::InvalidArgument(
             "writeMode \"update\" needs a primary key or unique index on "
             "table " +
             Quoted(table.name) + ", or conflictColumns")
      .WithField("writeMode");
}

// Compiling the statement catches what the catalog does not show: a view, a conflict target
// that matches no unique index.
Status SqliteWriter::CheckStatement(SqliteConnection& conn) const {
  auto stmt = conn.Prepare(insert_sql_);
  if (stmt.ok()) return Status::OK();
  const char* field = "table";
  if (!options_.conflict_columns.empty()) {
    field = "conflictColumns";
  } else if (options_.mode == WriteMode::kUpdate) {
    field = "writeMode";
  }
  return Status::InvalidArgument(stmt.status().message()).WithField(field);
}

Status SqliteWriter::Start(bool resuming) {
  if (markers_ != nullptr) {
    ASSIGN_OR_RETURN(SqliteConnection conn, OpenReadWrite());
    RETURN_NOT_OK(markers_->CreateTable(conn));
  }
  if (resuming) return Status::OK();
  return RunScript(options_.pre_sql, "preSql");
}

Result<SqliteConnection> SqliteWriter::OpenReadWrite() const {
  return SqliteConnection::Open(options_.path, SqliteConnection::Mode::kReadWrite,
                                options_.busy_timeout_ms);
}

Result<std::map<std::string, SplitFigures>> SqliteWriter::CommittedSplits() {
  if (markers_ == nullptr) return std::map<std::string, SplitFigures>{};
  ASSIGN_OR_RETURN(SqliteConnection conn, OpenReadWrite());
  return markers_->Committed(conn);
}

Result<std::vector<MarkerRun>> SqliteWriter::ListCommitMarkers() {
  if (markers_ == nullptr) return Status::FailedPrecondition("commitMarker is false");
  ASSIGN_OR_RETURN(SqliteConnection conn, OpenReadWrite());
  return markers_->ListRuns(conn);
}

Result<int64_t> SqliteWriter::RemoveCommitMarkers(const std::string& run_id,
                                                  const std::string& before) {
  if (markers_ == nullptr) return Status::FailedPrecondition("commitMarker is false");
  ASSIGN_OR_RETURN(SqliteConnection conn, OpenReadWrite());
  return markers_->Remove(conn, run_id, before);
}

Result<std::unique_ptr<WriterTask>> SqliteWriter::OpenTask(const Split& split) {
  ASSIGN_OR_RETURN(std::unique_ptr<SqliteWriterTask> task,
                   SqliteWriterTask::Open(options_.path, options_.busy_timeout_ms, insert_sql_,
                                          columns_, gate_, markers_.get(), split.id));
  return std::unique_ptr<WriterTask>(std::move(task));
}

Status SqliteWriter::Finalize(bool succeeded, const std::vector<std::string>& committed) {
  if (!succeeded) return Status::OK();
  RETURN_NOT_OK(RunScript(options_.post_sql, "postSql"));
  if (markers_ == nullptr) return Status::OK();
  ASSIGN_OR_RETURN(SqliteConnection conn, OpenReadWrite());
  return markers_->DeleteRun(conn);
}

Status SqliteWriter::RunScript(const std::vector<std::string>& statements, const char* name) const {
  if (statements.empty()) return Status::OK();
  ASSIGN_OR_RETURN(SqliteConnection conn,
                   SqliteConnection::Open(options_.path, SqliteConnection::Mode::kReadWrite,
                                          options_.busy_timeout_ms));
  return RunScriptStatements(statements, name, options_.table,
                             [&conn](const std::string& sql) { return conn.Exec(sql); });
}

}  // namespace ferry
