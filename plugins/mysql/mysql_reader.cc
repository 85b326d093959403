#include "plugins/mysql/mysql_reader.h"

#include "ferry/plugin/param_fields.h"
#include "plugins/mysql/mysql_session.h"

namespace ferry {
namespace {

std::string LimitZero(const std::string& select) { return select + " LIMIT 0"; }

}  // namespace

bool MysqlReader::query_mode() const {
  for (const SqlSource& s : sources_) {
    if (!s.query_sql.empty()) return true;
  }
  return false;
}

Status MysqlReader::Prepare(const StepContext& ctx) {
  ASSIGN_OR_RETURN(sources_, ResolveSqlSources(ctx, "mysql"));
  ASSIGN_OR_RETURN(options_, MysqlReaderOptions::Parse(ctx.param(), query_mode()));
  session_ = {options_.utc_offset_seconds, false, options_.session};
  return query_mode() ? PrepareQueries() : PrepareTables(ctx.job_start_micros);
}

Result<MysqlConnection> MysqlReader::Connect(size_t source) const {
  const SqlSource& s = sources_[source];
  ASSIGN_OR_RETURN(MysqlConnection conn, MysqlConnection::ConnectAny(s.conn, s.fallbacks));
  RETURN_NOT_OK(SetUpSession(conn, session_));
  return conn;
}

Status MysqlReader::PrepareQueries() {
  output_.clear();
  for (size_t s = 0; s < sources_.size(); ++s) {
    ASSIGN_OR_RETURN(MysqlConnection conn, Connect(s));
    const std::vector<std::string>& queries = sources_[s].query_sql;
    for (size_t q = 0; q < queries.size(); ++q) {
      const std::string field = IndexedField(sources_[s].field + ".querySql", q);
      auto fields = ResultFields(conn, queries[q]);
      if (!fields.ok()) {
        if (fields.status().IsTransient()) return fields.status();
        return Status::InvalidArgument(fields.status().message()).WithField(field);
      }
      if (output_.empty()) {
        for (const MysqlField& f : *fields) output_.push_back({f.name, DeclaredType(f.kind)});
      } else if (fields->size() != output_.size()) {
        return Status::InvalidArgument("returns " + std::to_string(fields->size()) +
                                       " columns, the first querySql " +
                                       std::to_string(output_.size()))
            .WithField(field);
      }
    }
  }
  return Status::OK();
}

Status MysqlReader::PrepareTables(int64_t job_start_micros) {
  ASSIGN_OR_RETURN(ColumnProjection projection,
                   ColumnProjection::Parse(options_.column, job_start_micros));
  std::vector<MysqlField> first_fields;
  for (size_t s = 0; s < sources_.size(); ++s) {
    ASSIGN_OR_RETURN(MysqlConnection conn, Connect(s));
    if (s == 0) server_version_ = conn.server_version();
    for (const std::string& table : sources_[s].tables) {
      RETURN_NOT_OK(CheckTable(conn, sources_[s], table, projection, &first_fields));
    }
  }
  std::vector<std::string> all;
  for (const MysqlField& f : first_fields) all.push_back(f.name);
  projection.ExpandStar(all);
  std::vector<TypeId> types;
  source_columns_.clear();
  for (const std::string& name : projection.source_columns()) {
    const MysqlField* f = FindField(first_fields, name);
    types.push_back(f != nullptr ? DeclaredType(f->kind) : TypeId::kNull);
    source_columns_.push_back(MysqlIdentifier(f != nullptr ? f->name : name));
  }
  output_ = projection.OutputColumns(types);
  projection_ = std::make_shared<const ColumnProjection>(std::move(projection));
  return Status::OK();
}

Status MysqlReader::CheckTable(MysqlConnection& conn, const SqlSource& source,
                               const std::string& table, const ColumnProjection& projection,
                               std::vector<MysqlField>* first_fields) {
  auto fields = ResultFields(conn, LimitZero("SELECT * FROM " + MysqlQualifiedName(table)));
  if (!fields.ok()) {
    if (fields.status().IsTransient()) return fields.status();
    return Status(fields.status().code(), "table " + Quoted(table) + " in " + conn.describe() +
                                              ": " + fields.status().message())
        .WithField(source.field.empty() ? "table" : source.field);
  }
  if (first_fields->empty()) *first_fields = *fields;
  for (size_t i = 0; i < projection.size(); ++i) {
    const ColumnProjection::Entry& e = projection.entries()[i];
    std::vector<std::string> needed;
    if (e.kind == ColumnProjection::Kind::kSource) needed.push_back(e.name);
    if (e.kind == ColumnProjection::Kind::kStar) {
      for (const MysqlField& f : *first_fields) needed.push_back(f.name);
    }
    for (const std::string& name : needed) {
      if (FindField(*fields, name) != nullptr) continue;
      return Status::NotFound("column " + Quoted(name) + " does not exist in table " +
                              Quoted(table) + " (" + conn.describe() + ")")
          .WithField(IndexedField("column", i));
    }
  }
  if (!options_.split_pk.empty()) RETURN_NOT_OK(CheckSplitPk(*fields, table));
  if (options_.where.empty()) return Status::OK();
  const std::string sql =
      "SELECT * FROM " + MysqlQualifiedName(table) + WhereClause(options_.where, "");
  auto where = ResultFields(conn, LimitZero(sql));
  if (where.ok() || where.status().IsTransient()) return where.status();
  return Status::InvalidArgument("on table " + Quoted(table) + ": " + where.status().message())
      .WithField("where");
}

Status MysqlReader::CheckSplitPk(const std::vector<MysqlField>& fields,
                                 const std::string& table) const {
  const MysqlField* f = FindField(fields, options_.split_pk);
  if (f == nullptr) {
    return Status::NotFound("column " + Quoted(options_.split_pk) + " does not exist in table " +
                            Quoted(table))
        .WithField("splitPk");
  }
  if (!f->integer) {
    return Status::InvalidArgument("column " + Quoted(f->name) + " of table " + Quoted(table) +
                                   " is not an integer; splitPk needs an integer column")
        .WithField("splitPk");
  }
  return Status::OK();
}

std::vector<ColumnInfo> MysqlReader::OutputColumns() const { return output_; }

Status MysqlReader::OpenSnapshots(int concurrent) {
  snapshots_.clear();
  for (const SqlSource& s : sources_) {
    ASSIGN_OR_RETURN(
        auto pool, MysqlSnapshotPool::Open(s.conn, s.fallbacks, session_, std::max(concurrent, 1)));
    snapshots_.push_back(std::move(pool));
  }
  return Status::OK();
}

Result<std::vector<SqlSplitSpec>> MysqlReader::PlanSource(size_t source, int64_t pieces) {
  std::vector<SqlSplitSpec> specs;
  const SqlSource& s = sources_[source];
  const int index = static_cast<int>(source);
  for (const std::string& q : s.query_sql) {
    SqlSplitSpec spec;
    spec.kind = SqlSplitSpec::Kind::kQuery;
    spec.source = index;
    spec.query = q;
    specs.push_back(std::move(spec));
  }
  if (s.tables.empty()) return specs;
  // Bounds are read inside the snapshot when there is one, so the ranges match what is read.
  MysqlConnection owned;
  MysqlConnection* conn = &owned;
  if (!snapshots_.empty()) {
    ASSIGN_OR_RETURN(owned, snapshots_[source]->Borrow());
  } else if (!options_.split_pk.empty()) {
    ASSIGN_OR_RETURN(owned, Connect(source));
  }
  for (const std::string& table : s.tables) {
    std::optional<PkRange> bounds;
    if (!options_.split_pk.empty()) {
      ASSIGN_OR_RETURN(bounds, KeyBounds(*conn, table, options_.split_pk, options_.where));
    }
    for (SqlSplitSpec& spec : PlanTableSplits(index, table, options_.split_pk, bounds, pieces)) {
      specs.push_back(std::move(spec));
    }
  }
  if (!snapshots_.empty()) snapshots_[source]->Return(std::move(owned), true);
  return specs;
}

namespace {

// UNLOCK TABLES on each source when the run's hosts have their snapshots.
class MysqlReadBarrier : public ReadBarrier {
 public:
  explicit MysqlReadBarrier(std::vector<MysqlConnection> lockers) : lockers_(std::move(lockers)) {}
  ~MysqlReadBarrier() override {
    for (MysqlConnection& c : lockers_) (void)c.Exec("UNLOCK TABLES");
  }

 private:
  std::vector<MysqlConnection> lockers_;
};

}  // namespace

Result<std::unique_ptr<ReadBarrier>> MysqlReader::HoldStill() {
  if (!options_.consistent_snapshot) return std::unique_ptr<ReadBarrier>();
  std::vector<MysqlConnection> lockers;
  for (const SqlSource& s : sources_) {
    ASSIGN_OR_RETURN(MysqlConnection locker, MysqlSnapshotPool::Lock(s.conn, s.fallbacks));
    lockers.push_back(std::move(locker));
  }
  return std::unique_ptr<ReadBarrier>(new MysqlReadBarrier(std::move(lockers)));
}

Status MysqlReader::OpenSharedView(int channels) {
  if (!options_.consistent_snapshot) return Status::OK();
  snapshots_.clear();
  for (const SqlSource& s : sources_) {
    ASSIGN_OR_RETURN(auto pool, MysqlSnapshotPool::OpenUnderHeldLock(s.conn, s.fallbacks, session_,
                                                                     std::max(channels, 1)));
    snapshots_.push_back(std::move(pool));
  }
  return Status::OK();
}

Result<std::vector<Split>> MysqlReader::PlanSplits(int concurrent) {
  if (options_.consistent_snapshot) RETURN_NOT_OK(OpenSnapshots(concurrent));
  size_t num_tables = 0;
  for (const SqlSource& s : sources_) num_tables += s.tables.size();
  const int64_t pieces =
      PiecesPerTable(concurrent, options_.split_factor, std::max<size_t>(num_tables, 1));
  std::vector<SqlSplitSpec> specs;
  for (size_t s = 0; s < sources_.size(); ++s) {
    ASSIGN_OR_RETURN(std::vector<SqlSplitSpec> part, PlanSource(s, pieces));
    for (SqlSplitSpec& spec : part) specs.push_back(std::move(spec));
  }
  return NumberSplits(specs);
}

std::string MysqlReader::SqlFor(const SqlSplitSpec& spec, const std::string& split_id) const {
  // The comment marks the statement in SHOW PROCESSLIST: which split a connection reads.
  const std::string marker = "/* ferry split " + split_id + " */ ";
  if (spec.kind == SqlSplitSpec::Kind::kQuery) return marker + spec.query;
  std::string sql = "SELECT " + marker;
  for (size_t i = 0; i < source_columns_.size(); ++i) {
    if (i > 0) sql += ", ";
    sql += source_columns_[i];
  }
  if (source_columns_.empty()) sql += "1";
  sql += " FROM " + MysqlQualifiedName(spec.table);
  return sql + WhereClause(options_.where, spec.KeyCondition(MysqlIdentifier(spec.split_pk)));
}

MysqlRowLayout MysqlReader::Layout(const SqlSplitSpec& spec) const {
  MysqlRowLayout layout;
  if (spec.kind == SqlSplitSpec::Kind::kQuery) {
    layout.num_columns = output_.size();
    for (size_t i = 0; i < output_.size(); ++i) {
      layout.slots.push_back({static_cast<int>(i), static_cast<int>(i)});
    }
    return layout;
  }
  layout.num_columns = source_columns_.empty() ? 1 : source_columns_.size();
  for (size_t i = 0; i < projection_->size(); ++i) {
    int source = projection_->source_index(i);
    if (source >= 0) layout.slots.push_back({static_cast<int>(i), source});
  }
  if (!projection_->all_source()) layout.computed = projection_;
  return layout;
}

Result<std::unique_ptr<ReaderTask>> MysqlReader::OpenTask(const Split& split) {
  ASSIGN_OR_RETURN(SqlSplitSpec spec, SqlSplitSpec::FromJson(split.spec));
  if (spec.source < 0 || static_cast<size_t>(spec.source) >= sources_.size() ||
      (spec.kind == SqlSplitSpec::Kind::kQuery) != query_mode()) {
    return Status::InvalidArgument("split " + split.Describe() + " was not planned by this reader");
  }
  std::shared_ptr<MysqlSnapshotPool> pool;
  MysqlConnection conn;
  if (!snapshots_.empty()) {
    pool = snapshots_[spec.source];
    ASSIGN_OR_RETURN(conn, pool->Borrow());
  } else {
    ASSIGN_OR_RETURN(conn, Connect(spec.source));
  }
  MysqlCellContext cells{options_.utc_offset_seconds, options_.zero_dates};
  ASSIGN_OR_RETURN(std::unique_ptr<MysqlReaderTask> task,
                   MysqlReaderTask::Start(std::move(conn), std::move(pool), SqlFor(spec, split.id),
                                          Layout(spec), cells));
  return std::unique_ptr<ReaderTask>(std::move(task));
}

}  // namespace ferry
