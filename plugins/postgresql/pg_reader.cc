#include "plugins/postgresql/pg_reader.h"

#include <libpq-fe.h>

#include <algorithm>

#include "ferry/common/log.h"
#include "ferry/common/numbers.h"
#include "ferry/plugin/param_fields.h"
#include "plugins/postgresql/pg_catalog.h"
#include "plugins/postgresql/pg_sql.h"

namespace ferry::pg {
namespace {

bool IsIntegerOid(uint32_t oid) { return oid == 20 || oid == 21 || oid == 23; }

}  // namespace

Status PgReader::Prepare(const StepContext& ctx) {
  ASSIGN_OR_RETURN(options_, PgReaderOptions::Parse(ctx));
  offered_rows_.reset();
  encode_rows_ = false;
  RETURN_NOT_OK(OpenDatabases());
  pool_ = std::make_shared<PgConnectionPool>(static_cast<size_t>(std::max(ctx.concurrent, 1)));
  RETURN_NOT_OK(options_.query_mode() ? PrepareQueries() : PrepareTables(ctx.job_start_micros));
  offered_rows_ = RowsToOffer();
  return Status::OK();
}

std::shared_ptr<const PgBinaryRows> PgReader::RowsToOffer() const {
  if (options_.query_mode() || !projection_ || !projection_->all_source() ||
      projection_->size() != select_columns_.size()) {
    return nullptr;
  }
  std::vector<uint32_t> oids;
  std::vector<BinaryKind> kinds;
  for (size_t e = 0; e < projection_->size(); ++e) {
    if (projection_->source_index(e) != static_cast<int>(e)) return nullptr;
    const uint32_t oid = source_types_[e].oid;
    const BinaryKind kind = BinaryKindForOid(oid);
    // Else read as text (a cast in the SELECT).
    if (kind == BinaryKind::kNone && !ForwardedUndecoded(oid)) return nullptr;
    oids.push_back(oid);
    kinds.push_back(kind);
  }
  return std::make_shared<const PgBinaryRows>(std::move(oids), std::move(kinds));
}

// The coordinating transaction of each database: it holds the exported snapshot open until the
// reader is destroyed, after the last task.
Status PgReader::OpenDatabases() {
  databases_.clear();
  for (const SqlSource& source : options_.sources) {
    Database db;
    ASSIGN_OR_RETURN(db.coordinator, ConnectSource(source, "ferry/snapshot", &db.conn));
    RETURN_NOT_OK(db.coordinator.Exec("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY",
                                      "starting the snapshot transaction"));
    auto snap = db.coordinator.Query("SELECT pg_export_snapshot()");
    if (snap.ok()) {
      db.snapshot = PQgetvalue(snap->get(), 0, 0);
    } else {
      LogWarn("{}: no shared snapshot ({}); each split reads its own", db.coordinator.server(),
              snap.status().message());
      RETURN_NOT_OK(
          db.coordinator.Exec("ROLLBACK; BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"));
    }
    databases_.push_back(std::move(db));
  }
  return Status::OK();
}

Result<std::vector<std::string>> PgReader::DescribeColumns(PgConnection& conn,
                                                           const std::string& sql,
                                                           std::vector<PgColumnType>* types,
                                                           const std::string& field) {
  auto described = conn.Describe(sql);
  if (!described.ok()) return Status(described.status()).WithField(field);
  pg_result* r = described->get();
  std::vector<std::string> names;
  std::vector<int> typmods;
  types->clear();
  for (int i = 0; i < PQnfields(r); ++i) {
    names.push_back(PQfname(r, i));
    PgColumnType t;
    t.oid = PQftype(r, i);
    types->push_back(t);
    typmods.push_back(PQfmod(r, i));
  }
  RETURN_NOT_OK(ResolveColumnTypes(conn, types, typmods));
  return names;
}

nlohmann::json PgReader::SharedReadState() const {
  nlohmann::json snapshots = nlohmann::json::array();
  for (const Database& db : databases_) snapshots.push_back(db.snapshot);
  return {{"snapshots", snapshots}};
}

Status PgReader::AdoptSharedReadState(const nlohmann::json& state) {
  if (!state.is_object() || !state.contains("snapshots")) return Status::OK();
  const nlohmann::json& snapshots = state["snapshots"];
  if (!snapshots.is_array() || snapshots.size() != databases_.size()) {
    return Status::Internal("the coordinator's snapshots do not match this host's databases");
  }
  for (size_t d = 0; d < databases_.size(); ++d) {
    const std::string theirs = snapshots[d].is_string() ? snapshots[d].get<std::string>() : "";
    if (theirs.empty()) continue;
    // This host's own snapshot is not needed: its transaction ends, the coordinator's holds.
    RETURN_NOT_OK(databases_[d].coordinator.Exec(
        "ROLLBACK; BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY; SET TRANSACTION SNAPSHOT '" +
            theirs + "'",
        "importing the coordinator's snapshot"));
    databases_[d].snapshot = theirs;
  }
  return Status::OK();
}

Status PgReader::PrepareQueries() {
  query_columns_.clear();
  size_t total = 0;
  for (const SqlSource& s : options_.sources) total += s.query_sql.size();
  size_t n = 0;
  for (size_t d = 0; d < options_.sources.size(); ++d) {
    for (const std::string& q : options_.sources[d].query_sql) {
      const std::string field = total == 1 ? "querySql" : IndexedField("querySql", n);
      ++n;
      std::vector<PgColumnType> types;
      ASSIGN_OR_RETURN(std::vector<std::string> names,
                       DescribeColumns(databases_[d].coordinator, q, &types, field));
      if (names.empty()) {
        return Status::InvalidArgument("querySql must be a query that returns rows (SELECT)")
            .WithField(field);
      }
      if (query_columns_.empty()) {
        query_columns_ = names;
        source_types_ = types;
        WarnTextTypes(field, names);
      } else if (names.size() != query_columns_.size()) {
        return Status::InvalidArgument("returns " + std::to_string(names.size()) +
                                       " columns, the first querySql " +
                                       std::to_string(query_columns_.size()))
            .WithField(field);
      }
    }
  }
  return Status::OK();
}

Status PgReader::PrepareTables(int64_t job_start_micros) {
  ASSIGN_OR_RETURN(ColumnProjection projection,
                   ColumnProjection::Parse(options_.column, job_start_micros));
  const std::string& first = options_.sources[0].tables[0];
  std::vector<PgColumnType> all_types;
  ASSIGN_OR_RETURN(
      std::vector<std::string> all,
      DescribeColumns(databases_[0].coordinator, "SELECT * FROM " + first, &all_types, "table"));
  projection.ExpandStar(all);
  select_columns_.clear();
  for (size_t i = 0; i < projection.source_columns().size(); ++i) {
    const std::string& name = projection.source_columns()[i];
    int at = FindName(all, name);
    if (at < 0) {
      size_t entry = 0;
      while (entry < projection.size() && projection.source_index(entry) != static_cast<int>(i)) {
        ++entry;
      }
      return Status::NotFound("column \"" + name + "\" does not exist in table " + first)
          .WithField(IndexedField("column", entry));
    }
    select_columns_.push_back(all[at]);
  }
  projection_ = std::make_shared<const ColumnProjection>(std::move(projection));
  if (!options_.split_pk.empty()) RETURN_NOT_OK(CheckSplitPk());
  return CheckTables();
}

Status PgReader::CheckSplitPk() {
  const std::string& first = options_.sources[0].tables[0];
  std::vector<PgColumnType> types;
  ASSIGN_OR_RETURN(
      std::vector<std::string> all,
      DescribeColumns(databases_[0].coordinator, "SELECT * FROM " + first, &types, "table"));
  int at = FindName(all, options_.split_pk);
  if (at < 0) {
    return Status::NotFound("column \"" + options_.split_pk + "\" does not exist in table " + first)
        .WithField("splitPk");
  }
  if (!IsIntegerOid(types[at].oid)) {
    return Status::InvalidArgument("column \"" + all[at] + "\" is " + types[at].name +
                                   "; splitPk needs an integer column")
        .WithField("splitPk");
  }
  split_key_ = all[at];
  return Status::OK();
}

// Describes every table's full query (with the key condition when splitting): a missing table
// or column, a splitPk of another type in a later table, or a `where` the server cannot compile is
// reported here, before any row is read.
Status PgReader::CheckTables() {
  SqlSplitSpec probe;
  probe.kind = split_key_.empty() ? SqlSplitSpec::Kind::kTable : SqlSplitSpec::Kind::kRange;
  std::string cond = probe.KeyCondition(QuoteIdentifier(split_key_));
  for (size_t d = 0; d < options_.sources.size(); ++d) {
    for (const std::string& table : options_.sources[d].tables) {
      std::vector<PgColumnType> types;
      std::string sql = SelectSql(table, select_columns_, options_.where, cond);
      auto names = DescribeColumns(databases_[d].coordinator, sql, &types, "table");
      if (!names.ok()) {
        const Status& s = names.status();
        bool about_where = !options_.where.empty() && s.code() == StatusCode::kInvalidArgument &&
                           s.message().find("relation") == std::string::npos;
        return Status(s.code(), "table " + table + ": " + s.message())
            .WithField(about_where ? "where" : "table");
      }
      if (d == 0 && table == options_.sources[0].tables[0]) {
        source_types_ = types;
        WarnTextTypes("table " + table, *names);
      }
    }
  }
  return Status::OK();
}

// A warning, not an error: the column is read as PostgreSQL's own text for it (a cast to text in
// the SELECT), which loses nothing and loads back into a column of the same type.
void PgReader::WarnTextTypes(const std::string& where,
                             const std::vector<std::string>& names) const {
  for (size_t i = 0; i < source_types_.size(); ++i) {
    if (source_types_[i].text_on_purpose) continue;
    LogWarn("{}: column \"{}\" has type {}, which Ferry does not map; it is read as its text",
            where, names[i], source_types_[i].name);
  }
}

std::vector<ColumnInfo> PgReader::OutputColumns() const {
  std::vector<TypeId> types;
  for (const PgColumnType& t : source_types_) types.push_back(t.value_type);
  if (options_.query_mode()) {
    std::vector<ColumnInfo> out;
    for (size_t i = 0; i < query_columns_.size(); ++i) {
      out.push_back({query_columns_[i], i < types.size() ? types[i] : TypeId::kString});
    }
    return out;
  }
  if (!projection_) return {};
  return projection_->OutputColumns(types);
}

Result<std::optional<PkRange>> PgReader::KeyBounds(Database& db, const std::string& table) {
  ASSIGN_OR_RETURN(PgResult r, db.coordinator.Query(
                                   KeyBoundsSql(table, QuoteIdentifier(split_key_), options_.where),
                                   {}, "reading the splitPk bounds of " + table));
  if (PQgetisnull(r.get(), 0, 0) || PQgetisnull(r.get(), 0, 1)) return std::optional<PkRange>();
  const std::string what = "the splitPk bounds of " + table;
  Result<int64_t> lo = ParseInt64(PQgetvalue(r.get(), 0, 0), what);
  Result<int64_t> hi = ParseInt64(PQgetvalue(r.get(), 0, 1), what);
  if (!lo.ok()) return Status::FailedPrecondition("reading " + lo.status().message());
  if (!hi.ok()) return Status::FailedPrecondition("reading " + hi.status().message());
  return std::optional<PkRange>(PkRange{*lo, *hi});
}

Result<std::vector<Split>> PgReader::PlanSplits(int concurrent) {
  std::vector<SqlSplitSpec> specs;
  for (size_t d = 0; d < options_.sources.size(); ++d) {
    for (const std::string& q : options_.sources[d].query_sql) {
      SqlSplitSpec s;
      s.kind = SqlSplitSpec::Kind::kQuery;
      s.source = static_cast<int>(d);
      s.query = q;
      specs.push_back(std::move(s));
    }
  }
  if (options_.query_mode()) return NumberSplits(specs);
  size_t tables = 0;
  for (const SqlSource& s : options_.sources) tables += s.tables.size();
  const int64_t pieces = PiecesPerTable(concurrent, options_.split_factor, tables);
  for (size_t d = 0; d < options_.sources.size(); ++d) {
    for (const std::string& table : options_.sources[d].tables) {
      std::optional<PkRange> bounds;
      if (!split_key_.empty()) {
        ASSIGN_OR_RETURN(bounds, KeyBounds(databases_[d], table));
      }
      for (SqlSplitSpec& s :
           PlanTableSplits(static_cast<int>(d), table, split_key_, bounds, pieces)) {
        specs.push_back(std::move(s));
      }
    }
  }
  return NumberSplits(specs);
}

// Tables are read as binary COPY: columns of a type without a binary decoder are cast to text
// in the SELECT, so they arrive as the same text a text COPY would carry — unless the writer
// takes the tuples unchanged (ForwardedUndecoded types: their own bytes).
std::string PgReader::CopySqlFor(const SqlSplitSpec& spec) const {
  if (spec.kind == SqlSplitSpec::Kind::kQuery) return CopyOutSql(spec.query);
  std::vector<std::string> exprs;
  for (size_t i = 0; i < select_columns_.size(); ++i) {
    std::string e = QuoteIdentifier(select_columns_[i]);
    if (BinaryKindForOid(source_types_[i].oid) == BinaryKind::kNone && !encode_rows_) e += "::text";
    exprs.push_back(std::move(e));
  }
  std::string cond = spec.KeyCondition(QuoteIdentifier(spec.split_pk));
  return CopyOutSql(SelectExprSql(spec.table, exprs, options_.where, cond), /*binary=*/true);
}

PgRowLayout PgReader::Layout() const {
  PgRowLayout layout;
  for (const ColumnInfo& c : OutputColumns()) layout.output_names.push_back(c.name);
  layout.num_fields = options_.query_mode() ? query_columns_.size() : select_columns_.size();
  if (options_.query_mode()) {
    for (size_t i = 0; i < source_types_.size(); ++i) {
      layout.slots.push_back({static_cast<int>(i), static_cast<int>(i), source_types_[i].value_type,
                              BinaryKind::kText});
    }
    return layout;
  }
  layout.binary = true;
  for (size_t e = 0; e < projection_->size(); ++e) {
    int source = projection_->source_index(e);
    if (source < 0) continue;
    BinaryKind kind = BinaryKindForOid(source_types_[source].oid);
    layout.slots.push_back({static_cast<int>(e), source, source_types_[source].value_type,
                            kind == BinaryKind::kNone ? BinaryKind::kText : kind});
  }
  if (!projection_->all_source()) layout.computed = projection_;
  if (encode_rows_) layout.encoding = offered_rows_;
  return layout;
}

Result<std::unique_ptr<ReaderTask>> PgReader::OpenTask(const Split& split) {
  ASSIGN_OR_RETURN(SqlSplitSpec spec, SqlSplitSpec::FromJson(split.spec));
  if (spec.source < 0 || static_cast<size_t>(spec.source) >= databases_.size() ||
      (spec.kind == SqlSplitSpec::Kind::kQuery) != options_.query_mode()) {
    return Status::InvalidArgument("split " + split.Describe() + " was not planned by this reader");
  }
  const Database& db = databases_[spec.source];
  SqlSource source;
  source.conn = db.conn;
  const size_t key = static_cast<size_t>(spec.source);
  ASSIGN_OR_RETURN(PgConnectionPool::Lease lease,
                   pool_->Connect(key, source, "ferry/read/" + split.id));
  PgConnection conn = std::move(lease.conn);
  std::string begin = "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY";
  if (!db.snapshot.empty()) begin += "; SET TRANSACTION SNAPSHOT '" + db.snapshot + "'";
  Status begun = conn.Exec(begin, "starting the read transaction");
  if (begun.code() == StatusCode::kDataError) {
    // SET TRANSACTION SNAPSHOT refuses an identifier whose exporting transaction has ended.
    return Status::FailedPrecondition(begun.message() +
                                      " (the transaction holding the job's snapshot is gone)");
  }
  RETURN_NOT_OK(begun);
  RETURN_NOT_OK(conn.StartCopyOut(CopySqlFor(spec)));
  return std::unique_ptr<ReaderTask>(
      std::make_unique<PgReaderTask>(std::move(conn), Layout(), PgReaderTask::Home{pool_, key}));
}

}  // namespace ferry::pg
