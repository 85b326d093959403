#include "plugins/sqlite/sqlite_reader.h"

#include <sqlite3.h>

#include <cmath>
#include <limits>

#include "ferry/plugin/param_fields.h"
#include "plugins/sqlite/sqlite_datasource.h"
#include "plugins/sqlite/sqlite_sql.h"

namespace ferry {
namespace {

constexpr int64_t kInt64Min = std::numeric_limits<int64_t>::min();
constexpr int64_t kInt64Max = std::numeric_limits<int64_t>::max();

// A numeric bound as an integer key: reals are floored (min) or ceiled (max). The query only
// returns numbers within the int64 range, so the conversion cannot overflow.
std::optional<int64_t> KeyValue(sqlite3_stmt* stmt, bool max) {
  switch (sqlite3_column_type(stmt, 0)) {
    case SQLITE_INTEGER:
      return sqlite3_column_int64(stmt, 0);
    case SQLITE_FLOAT: {
      double d = sqlite3_column_double(stmt, 0);
      return static_cast<int64_t>(max ? std::ceil(d) : std::floor(d));
    }
    default:
      return std::nullopt;
  }
}

}  // namespace

Status SqliteReader::Prepare(const StepContext& ctx) {
  ASSIGN_OR_RETURN(nlohmann::json param, ParamWithDatasourcePath(ctx));
  ASSIGN_OR_RETURN(options_, SqliteReaderOptions::Parse(param));
  ASSIGN_OR_RETURN(conn_, SqliteConnection::Open(options_.path, SqliteConnection::Mode::kReadOnly,
                                                 SqliteReaderOptions::kBusyTimeoutMs));
  return options_.query_mode() ? PrepareQueries() : PrepareTables(ctx.job_start_micros);
}

Status SqliteReader::PrepareQueries() {
  query_columns_.clear();
  const size_t n = options_.query_sql.size();
  for (size_t i = 0; i < n; ++i) {
    const std::string field = n == 1 ? "querySql" : IndexedField("querySql", i);
    auto stmt = conn_.Prepare(options_.query_sql[i]);
    if (!stmt.ok()) return Status::InvalidArgument(stmt.status().message()).WithField(field);
    sqlite3_stmt* s = stmt->get();
    if (!sqlite3_stmt_readonly(s) || sqlite3_column_count(s) == 0) {
      return Status::InvalidArgument("querySql must be a query that returns rows (SELECT)")
          .WithField(field);
    }
    const int count = sqlite3_column_count(s);
    if (i == 0) {
      for (int c = 0; c < count; ++c) query_columns_.push_back(sqlite3_column_name(s, c));
    } else if (static_cast<size_t>(count) != query_columns_.size()) {
      return Status::InvalidArgument("returns " + std::to_string(count) + " columns, querySql[0] " +
                                     std::to_string(query_columns_.size()))
          .WithField(field);
    }
  }
  return Status::OK();
}

Status SqliteReader::PrepareTables(int64_t job_start_micros) {
  ASSIGN_OR_RETURN(ColumnProjection projection,
                   ColumnProjection::Parse(options_.column, job_start_micros));
  std::vector<SqliteTable> tables;
  for (const std::string& name : options_.tables) {
    ASSIGN_OR_RETURN(SqliteTable table, LoadTable(conn_, name));
    tables.push_back(std::move(table));
  }
  RETURN_NOT_OK(CheckColumns(projection, tables));
  projection.ExpandStar(tables.front().ReadableColumns());
  for (const std::string& name : projection.source_columns()) {
    const SqliteColumn* c = tables.front().Find(name);
    numeric_sources_.push_back(c != nullptr && HasNumericAffinity(c->declared_type));
  }
  if (!options_.split_pk.empty()) RETURN_NOT_OK(CheckSplitPk(tables));
  projection_ = std::make_shared<const ColumnProjection>(std::move(projection));
  return CheckSelects();
}

Status SqliteReader::CheckColumns(const ColumnProjection& projection,
                                  const std::vector<SqliteTable>& tables) const {
  using Kind = ColumnProjection::Kind;
  for (size_t i = 0; i < projection.size(); ++i) {
    const ColumnProjection::Entry& e = projection.entries()[i];
    const std::string field = "column[" + std::to_string(i) + "]";
    for (const SqliteTable& t : tables) {
      if (e.kind == Kind::kSource && t.Find(e.name) == nullptr) {
        return Status::NotFound("column " + Quoted(e.name) + " does not exist in table " +
                                Quoted(t.name))
            .WithField(field);
      }
      if (e.kind != Kind::kStar) continue;
      for (const std::string& c : tables.front().ReadableColumns()) {
        if (t.Find(c) != nullptr) continue;
        return Status::NotFound("column " + Quoted(c) + " of table " + Quoted(tables.front().name) +
                                " (from \"*\") does not exist in " + "table " + Quoted(t.name))
            .WithField(field);
      }
    }
  }
  return Status::OK();
}

Status SqliteReader::CheckSplitPk(const std::vector<SqliteTable>& tables) const {
  const std::string& key = options_.split_pk;
  for (const SqliteTable& t : tables) {
    const SqliteColumn* c = t.Find(key);
    if (c == nullptr) {
      return Status::NotFound("column " + Quoted(key) + " does not exist in table " +
                              Quoted(t.name))
          .WithField("splitPk");
    }
    if (!HasIntegerAffinity(c->declared_type)) {
      std::string is = c->declared_type.empty() ? "has no declared type" : "is " + c->declared_type;
      return Status::InvalidArgument("column " + Quoted(c->name) + " " + is +
                                     "; splitPk needs an integer column")
          .WithField("splitPk");
    }
  }
  return Status::OK();
}

// Compiles each table's full query (with the key filter when splitting), reading nothing: this
// is where a `where` that SQLite cannot compile is reported.
Status SqliteReader::CheckSelects() {
  for (const std::string& table : options_.tables) {
    SqliteSplitSpec spec{SqliteSplitSpec::Kind::kTable, table, "", "", 0, 0};
    if (!options_.split_pk.empty()) {
      spec = {SqliteSplitSpec::Kind::kRange, table, options_.split_pk, "", 0, 0};
    }
    auto stmt = conn_.Prepare(SqlFor(spec));
    if (stmt.ok()) continue;
    if (options_.where.empty()) return Status(stmt.status()).WithField("table");
    std::string where_on = options_.tables.size() == 1 ? "" : "on table " + Quoted(table) + ": ";
    return Status::InvalidArgument(where_on + stmt.status().message()).WithField("where");
  }
  return Status::OK();
}

std::vector<ColumnInfo> SqliteReader::OutputColumns() const {
  if (options_.query_mode()) {
    std::vector<ColumnInfo> out;
    for (const std::string& name : query_columns_) out.push_back({name, TypeId::kNull});
    return out;
  }
  if (!projection_) return {};
  // SQLite is dynamically typed: each value's type is its storage class, known per value.
  std::vector<ColumnInfo> out = projection_->OutputColumns(
      std::vector<TypeId>(projection_->source_columns().size(), TypeId::kNull));
  for (size_t i = 0; i < out.size(); ++i) {
    int source = projection_->source_index(i);
    out[i].numeric = source >= 0 && static_cast<size_t>(source) < numeric_sources_.size() &&
                     numeric_sources_[source];
  }
  return out;
}

Result<std::optional<PkRange>> SqliteReader::KeyBounds(const std::string& table) {
  std::optional<int64_t> bound[2];
  for (bool max : {false, true}) {
    ASSIGN_OR_RETURN(SqliteStatement stmt,
                     conn_.Prepare(KeyBoundSql(table, options_.split_pk, options_.where, max)));
    stmt.BindInt64(":ferry_lo", kInt64Min);
    stmt.BindInt64(":ferry_hi", kInt64Max);
    ASSIGN_OR_RETURN(bool row, stmt.Step());
    if (row) bound[max] = KeyValue(stmt.get(), max);
  }
  // Both missing: no numeric key. Inconsistent (the table changed between the two queries):
  // one whole-table split is still exact.
  if (!bound[0] || !bound[1] || *bound[0] > *bound[1]) return std::optional<PkRange>();
  return std::optional<PkRange>(PkRange{*bound[0], *bound[1]});
}

Result<std::vector<Split>> SqliteReader::PlanSplits(int concurrent) {
  using Kind = SqliteSplitSpec::Kind;
  std::vector<SqliteSplitSpec> specs;
  if (options_.query_mode()) {
    for (const std::string& q : options_.query_sql)
      specs.push_back({Kind::kQuery, "", "", q, 0, 0});
    return NumberSplits(specs);
  }
  const int64_t pieces = PiecesPerTable(concurrent, options_.split_factor, options_.tables.size());
  for (const std::string& table : options_.tables) {
    if (options_.split_pk.empty()) {
      specs.push_back({Kind::kTable, table, "", "", 0, 0});
      continue;
    }
    ASSIGN_OR_RETURN(std::optional<PkRange> bounds, KeyBounds(table));
    for (SqliteSplitSpec& s : PlanKeySplits(table, options_.split_pk, bounds, pieces)) {
      specs.push_back(std::move(s));
    }
  }
  return NumberSplits(specs);
}

std::string SqliteReader::SqlFor(const SqliteSplitSpec& spec) const {
  if (spec.kind == SqliteSplitSpec::Kind::kQuery) return spec.query;
  return SelectSql(spec.table, projection_->source_columns(), options_.where,
                   KeyFilterFor(spec).sql);
}

SqliteRowLayout SqliteReader::LayoutFor(const SqliteSplitSpec& spec) const {
  SqliteRowLayout layout;
  if (spec.kind == SqliteSplitSpec::Kind::kQuery) {
    for (size_t i = 0; i < query_columns_.size(); ++i) {
      layout.slots.push_back({static_cast<int>(i), static_cast<int>(i)});
    }
    return layout;
  }
  for (size_t i = 0; i < projection_->size(); ++i) {
    int source = projection_->source_index(i);
    if (source >= 0) layout.slots.push_back({static_cast<int>(i), source});
  }
  if (!projection_->all_source()) layout.computed = projection_;
  return layout;
}

Result<std::unique_ptr<ReaderTask>> SqliteReader::OpenTask(const Split& split) {
  ASSIGN_OR_RETURN(SqliteSplitSpec spec, SqliteSplitSpec::FromJson(split.spec));
  if ((spec.kind == SqliteSplitSpec::Kind::kQuery) != options_.query_mode()) {
    return Status::InvalidArgument("split " + split.Describe() + " was not planned by this reader");
  }
  ASSIGN_OR_RETURN(SqliteConnection conn,
                   SqliteConnection::Open(options_.path, SqliteConnection::Mode::kReadOnly,
                                          SqliteReaderOptions::kBusyTimeoutMs));
  ASSIGN_OR_RETURN(SqliteStatement stmt, conn.Prepare(SqlFor(spec)));
  KeyFilter filter = KeyFilterFor(spec);
  stmt.BindInt64(":ferry_lo", filter.lo);
  stmt.BindInt64(":ferry_hi", filter.hi);
  return std::unique_ptr<ReaderTask>(
      std::make_unique<SqliteReaderTask>(std::move(conn), std::move(stmt), LayoutFor(spec)));
}

}  // namespace ferry
