#include "plugins/postgresql/pg_writer.h"

#include <algorithm>

#include "ferry/common/log.h"
#include "ferry/plugin/param_fields.h"
#include "ferry/plugin/sql/sql_scripts.h"
#include "plugins/postgresql/pg_binary_rows.h"
#include "plugins/postgresql/pg_connection_pool.h"
#include "plugins/postgresql/pg_sql.h"

namespace ferry::pg {

Status PgWriter::Prepare(const StepContext& ctx, const std::vector<ColumnInfo>& input) {
  ASSIGN_OR_RETURN(options_, PgWriterOptions::Parse(ctx));
  ConnectionSpec used;
  ASSIGN_OR_RETURN(PgConnection conn, ConnectSource(options_.source, "ferry/prepare", &used));
  options_.source.conn = used;
  options_.source.fallbacks.clear();
  pool_ = std::make_shared<PgConnectionPool>(static_cast<size_t>(std::max(ctx.concurrent, 1)));
  ASSIGN_OR_RETURN(PgTable table, LoadTable(conn, options_.table));
  run_id_ = ctx.run_id;
  markers_.reset();
  if (options_.commit_marker.enabled) {
    ASSIGN_OR_RETURN(markers_, PgCommitMarkers::Resolve(conn, options_.commit_marker.table,
                                                        options_.table, ctx.run_id));
  } else {
    LogWarn("{}: {}", ctx.step_name, CommitMarkerOffWarning(options_.commit_marker));
  }
  plan_ = std::make_shared<PgWritePlan>();
  plan_->rows_per_copy = static_cast<size_t>(options_.batch_size);
  ASSIGN_OR_RETURN(plan_->columns, ResolveColumns(table));
  if (plan_->columns.size() != input.size()) {
    return Status::InvalidArgument("writer has " + std::to_string(plan_->columns.size()) +
                                   " columns, reader produces " + std::to_string(input.size()))
        .WithField("column");
  }
  for (const std::string& c : plan_->columns) {
    plan_->bytea.push_back(table.Find(c)->type.is_bytea());
    plan_->oids.push_back(table.Find(c)->type.oid);
  }
  plan_->constraint_columns = table.constraint_columns;
  for (const std::string& c : plan_->columns) {
    BinaryKind kind = BinaryKindForOid(table.Find(c)->type.oid);
    if (kind == BinaryKind::kNone) {
      plan_->binary.clear();
      break;
    }
    plan_->binary.push_back(kind);
  }
  ASSIGN_OR_RETURN(std::vector<std::string> key, ConflictKey(table));
  std::string insert_sql;
  if (options_.mode == PgWriteMode::kCopy) {
    plan_->copy_sql = CopyInSql(options_.table, plan_->columns);
    plan_->copy_binary_sql = plan_->copy_sql + " (FORMAT binary)";
  } else {
    plan_->stage_sql = CreateStageSql(options_.table, plan_->columns);
    plan_->copy_sql = CopyInSql(kStageTable, plan_->columns);
    plan_->copy_binary_sql = plan_->copy_sql + " (FORMAT binary)";
    insert_sql = InsertFromStageSql(options_.table, plan_->columns, options_.mode, key);
    plan_->move_sql = insert_sql + "; TRUNCATE " + kStageTable;
  }
  RETURN_NOT_OK(CheckStatements(conn, insert_sql));
  kept_ = std::move(conn);
  kept_used_ = std::chrono::steady_clock::now();
  return Status::OK();
}

bool PgWriter::AcceptsRowEncoding(const RowEncoding& encoding) const {
  const auto* tuples = dynamic_cast<const PgBinaryRows*>(&encoding);
  if (tuples == nullptr || !options_.passthrough || !plan_) return false;
  if (tuples->oids().size() != plan_->oids.size()) return false;
  for (size_t c = 0; c < plan_->oids.size(); ++c) {
    if (!SameBinaryForm(tuples->oids()[c], plan_->oids[c])) return false;
  }
  return true;
}

Result<std::vector<std::string>> PgWriter::ResolveColumns(const PgTable& table) const {
  if (options_.star()) return table.WritableColumns();
  std::vector<std::string> out;
  for (size_t i = 0; i < options_.columns.size(); ++i) {
    std::string name = options_.columns[i];
    if (name.size() >= 2 && name.front() == '"' && name.back() == '"') {
      name = name.substr(1, name.size() - 2);
    }
    const PgTableColumn* c = table.Find(name);
    if (c == nullptr) {
      return Status::NotFound("column " + Quoted(name) + " does not exist in table " + table.name)
          .WithField(IndexedField("column", i));
    }
    if (c->generated) {
      return Status::InvalidArgument("column " + Quoted(c->name) +
                                     " is generated; it cannot be written")
          .WithField(IndexedField("column", i));
    }
    for (const std::string& seen : out) {
      if (seen == c->name) {
        return Status::InvalidArgument("column " + Quoted(c->name) + " is listed twice")
            .WithField(IndexedField("column", i));
      }
    }
    out.push_back(c->name);
  }
  return out;
}

// update: conflictColumns, else the primary key. ignore: conflictColumns, else any conflict.
Result<std::vector<std::string>> PgWriter::ConflictKey(const PgTable& table) const {
  std::vector<std::string> key;
  const std::vector<std::string>& given = options_.conflict_columns;
  for (size_t i = 0; i < given.size(); ++i) {
    const PgTableColumn* c = table.Find(given[i]);
    if (c == nullptr) {
      return Status::NotFound("column " + Quoted(given[i]) + " does not exist in table " +
                              table.name)
          .WithField(IndexedField("conflictColumns", i));
    }
    key.push_back(c->name);
  }
  if (!key.empty() || options_.mode != PgWriteMode::kUpdate) return key;
  if (!table.primary_key.empty()) return table.primary_key;
  return Status::InvalidArgument("writeMode \"update\" needs a primary key on table " + table.name +
                                 ", or conflictColumns")
      .WithField("writeMode");
}

// Preparing the statements (against a temp stage, which is dropped with this session) catches
// what the catalog does not show: a view, a conflict target no unique index matches.
Status PgWriter::CheckStatements(PgConnection& conn, const std::string& insert_sql) const {
  if (plan_->stage_sql.empty()) return Status::OK();  // COPY cannot be prepared; the table exists
  RETURN_NOT_OK(conn.Exec(plan_->stage_sql, "creating the stage table"));
  auto described = conn.Describe(insert_sql);
  if (described.ok()) return Status::OK();
  const char* field = options_.conflict_columns.empty()
                          ? (options_.mode == PgWriteMode::kUpdate ? "writeMode" : "table")
                          : "conflictColumns";
  return Status(described.status()).WithField(field);
}

Result<PgConnection> PgWriter::Connect(const char* purpose) const {
  return ConnectSource(options_.source, purpose, nullptr);
}

// Runs `fn` on the kept connection, connecting when there is none. A connection the server
// closed while the run went on (idle_session_timeout, a restart) is replaced once; every `fn`
// here may run twice (it creates if missing, reads, or deletes).
// A connection idle for longer than kKeptIdle is not trusted (a firewall may have dropped it
// silently, and the first statement would wait for TCP to give up): a new one is opened.
template <typename Fn>
auto PgWriter::OnKeptConnection(Fn fn) -> decltype(fn(std::declval<PgConnection&>())) {
  constexpr std::chrono::seconds kKeptIdle{60};
  const auto now = std::chrono::steady_clock::now();
  const bool fresh = now - kept_used_ < kKeptIdle;
  kept_used_ = now;
  if (!kept_.alive() || !fresh) {
    ASSIGN_OR_RETURN(kept_, Connect("ferry/markers"));
    return fn(kept_);
  }
  auto result = fn(kept_);
  if (result.ok() || kept_.alive()) return result;
  ASSIGN_OR_RETURN(kept_, Connect("ferry/markers"));
  return fn(kept_);
}

Status PgWriter::Start(bool resuming) {
  if (keeps_commit_markers()) {
    RETURN_NOT_OK(OnKeptConnection([this](PgConnection& c) { return markers_->CreateTable(c); }));
  }
  if (resuming) return Status::OK();
  return RunScript(options_.pre_sql, "preSql");
}

Result<std::unique_ptr<WriterTask>> PgWriter::OpenTask(const Split& split) {
  return OpenWriterTask(split, /*stream=*/false);
}

Result<std::unique_ptr<WriterTask>> PgWriter::OpenStreamingTask(const Split& split) {
  return OpenWriterTask(split, /*stream=*/true);
}

Result<std::unique_ptr<WriterTask>> PgWriter::OpenWriterTask(const Split& split, bool stream) {
  const PgCommitMarkers* markers = keeps_commit_markers() ? &*markers_ : nullptr;
  ASSIGN_OR_RETURN(std::unique_ptr<PgWriterTask> task,
                   PgWriterTask::Open(pool_, options_.source, plan_, markers, split.id, stream));
  return std::unique_ptr<WriterTask>(std::move(task));
}

Result<std::map<std::string, SplitFigures>> PgWriter::CommittedSplits() {
  if (!keeps_commit_markers()) return std::map<std::string, SplitFigures>{};
  return OnKeptConnection([this](PgConnection& c) { return markers_->Committed(c); });
}

Result<std::vector<MarkerRun>> PgWriter::ListCommitMarkers() {
  if (!markers_) return Status::FailedPrecondition("commitMarker is false");
  return OnKeptConnection([this](PgConnection& c) { return markers_->ListRuns(c); });
}

Result<int64_t> PgWriter::RemoveCommitMarkers(const std::string& run_id,
                                              const std::string& before) {
  if (!markers_) return Status::FailedPrecondition("commitMarker is false");
  return OnKeptConnection([&](PgConnection& c) { return markers_->Remove(c, run_id, before); });
}

Status PgWriter::Finalize(bool succeeded, const std::vector<std::string>& committed) {
  if (!succeeded) return Status::OK();
  RETURN_NOT_OK(RunScript(options_.post_sql, "postSql"));
  if (!keeps_commit_markers()) return Status::OK();
  return OnKeptConnection([this](PgConnection& c) { return markers_->DeleteRun(c); });
}

Status PgWriter::RunScript(const std::vector<std::string>& statements, const char* name) const {
  if (statements.empty()) return Status::OK();
  ASSIGN_OR_RETURN(PgConnection conn, ConnectSource(options_.source, "ferry/script", nullptr));
  return RunScriptStatements(statements, name, options_.table,
                             [&conn](const std::string& sql) { return conn.Exec(sql); });
}

}  // namespace ferry::pg
