// The sqlite reader's side of `ferry verify`: its row key (the primary key, else the first unique
// index), the key range of a split, and an in-database checksum. The checksum is an aggregate
// function registered on the reader's connection, so rows never become Ferry values: SQLite's
// VM hands each row's values to ferry_verify_sums, which encodes them by storage class (NULL,
// integer, real bits, text bytes, blob bytes: NULL and '' differ, 2 and 2.0 differ), hashes them
// and adds the hash to its bucket. Equal storage classes and bytes on both sides mean equal rows;
// anything else (another declared type, 1.5 stored as text) is left to Ferry's typed comparison.
#include <sqlite3.h>

#include <cstring>

#include "ferry/common/hash128.h"
#include "ferry/common/strings.h"
#include "ferry/plugin/sql/sql_split.h"
#include "plugins/sqlite/sqlite_reader.h"

namespace ferry {
namespace {

// What the aggregate adds into; owned by ChecksumRows for the statements' life.
struct SumState {
  ChecksumTotal total;
  std::string row;
};

void AppendSqliteValue(sqlite3_value* v, std::string* out) {
  int type = sqlite3_value_type(v);
  out->push_back(static_cast<char>('0' + type));
  switch (type) {
    case SQLITE_INTEGER: {
      sqlite3_int64 i = sqlite3_value_int64(v);
      out->append(reinterpret_cast<const char*>(&i), sizeof(i));
      return;
    }
    case SQLITE_FLOAT: {
      double d = sqlite3_value_double(v);
      out->append(reinterpret_cast<const char*>(&d), sizeof(d));
      return;
    }
    case SQLITE_TEXT:
    case SQLITE_BLOB: {
      const void* p = type == SQLITE_TEXT ? static_cast<const void*>(sqlite3_value_text(v))
                                          : sqlite3_value_blob(v);
      uint32_t n = static_cast<uint32_t>(sqlite3_value_bytes(v));
      out->append(reinterpret_cast<const char*>(&n), sizeof(n));
      if (n > 0) out->append(static_cast<const char*>(p), n);
      return;
    }
    default:
      return;
  }
}

void SumStep(sqlite3_context* ctx, int argc, sqlite3_value** argv) {
  SumState* s = static_cast<SumState*>(sqlite3_user_data(ctx));
  s->row.clear();
  for (int i = 0; i < argc; ++i) AppendSqliteValue(argv[i], &s->row);
  Hash128 h = HashBytes128(s->row);
  ++s->total.count;
  s->total.sum_a += h.a;
  s->total.sum_b += h.b;
}

void SumFinal(sqlite3_context* ctx) { sqlite3_result_null(ctx); }

}  // namespace

Result<SourceRowKey> SqliteReader::RowKey() {
  if (options_.query_mode()) return SourceRowKey();
  ASSIGN_OR_RETURN(SqliteTable table, LoadTable(conn_, options_.tables.front()));
  SourceRowKey key{table.PrimaryKey(), "primary key"};
  if (!key.columns.empty()) return key;
  return FirstUniqueIndex(conn_, options_.tables.front());
}

std::optional<SplitKeyRange> SqliteReader::KeyRangeOf(const Split& split) const {
  auto spec = SqliteSplitSpec::FromJson(split.spec);
  if (!spec.ok() || spec->kind != SqliteSplitSpec::Kind::kRange) return std::nullopt;
  return SplitKeyRange{spec->key, spec->lo, spec->hi};
}

Result<std::optional<ChecksumTotal>> SqliteReader::ChecksumRows(const ChecksumRequest& request) {
  using Out = std::optional<ChecksumTotal>;
  if (options_.query_mode() || !projection_ || request.columns.empty()) return Out();
  std::vector<std::string> args;
  for (size_t output : request.columns) {
    int source = output < projection_->size() ? projection_->source_index(output) : -1;
    if (source < 0) return Out();  // a constant or function: computed by Ferry
    args.push_back(QuoteIdentifier(projection_->source_columns()[source]));
  }
  SumState state;
  int rc = sqlite3_create_function_v2(conn_.handle(), "ferry_verify_sums", -1,
                                      SQLITE_UTF8 | SQLITE_DETERMINISTIC, &state, nullptr, SumStep,
                                      SumFinal, nullptr);
  if (rc != SQLITE_OK) return conn_.Error(rc, "registering ferry_verify_sums");
  Status st;
  for (const std::string& table : options_.tables) {
    auto stmt = conn_.Prepare("SELECT ferry_verify_sums(" + Join(args, ", ") + ") FROM " +
                              QuoteIdentifier(table) + WhereClause(options_.where, request.filter));
    st = stmt.ok() ? stmt->Run() : stmt.status();
    if (!st.ok()) break;
  }
  // Unregistered before `state` goes: the connection outlives this call.
  sqlite3_create_function_v2(conn_.handle(), "ferry_verify_sums", -1, SQLITE_UTF8, nullptr, nullptr,
                             nullptr, nullptr, nullptr);
  RETURN_NOT_OK(st);
  return Out(state.total);
}

}  // namespace ferry
