// The postgresql reader's side of `ferry verify`: its row key (primary key, else the first
// unique index), the key range of a split, and an in-database checksum. The server hashes each
// row of the reader's view with hash_record_extended — each column by its type's own hash
// (numeric by value, so 1.50 = 1.5000 as in Ferry; text by its bytes), except that 64-bit
// integers, timestamps, times and floats are hashed by their binary send form (exact bits: the
// built-in hashes fold 64-bit values to 32 bits and treat -0.0 as 0.0) and types without a hash
// by their text — then hashes that number's text once more (the record hash combines columns
// linearly, so values swapped between two rows would cancel in a plain sum) and sums both per
// query (of the rows `request.filter` picks, beside the reader's where: verify asks per key
// range). One row of three numbers crosses the wire; with no GROUP BY the server can run it with
// parallel workers, inside the reader's snapshot. Equal sums mean equal rows; any difference
// (another numeric type, another server) is left to Ferry's typed comparison, which decides.
#include <fmt/format.h>
#include <libpq-fe.h>

#include "ferry/common/numbers.h"
#include "ferry/common/strings.h"
#include "plugins/postgresql/pg_catalog.h"
#include "plugins/postgresql/pg_reader.h"
#include "plugins/postgresql/pg_sql.h"

namespace ferry::pg {
namespace {

// How one column enters the record hash (see the file comment).
std::string HashedColumn(const std::string& quoted, const PgColumnType& type) {
  switch (type.oid) {
    case 20:  // int8
      return "int8send(" + quoted + ")";
    case 700:  // float4
      return "float4send(" + quoted + ")";
    case 701:  // float8
      return "float8send(" + quoted + ")";
    case 1083:  // time
      return "time_send(" + quoted + ")";
    case 1114:  // timestamp
      return "timestamp_send(" + quoted + ")";
    case 1184:  // timestamptz
      return "timestamptz_send(" + quoted + ")";
    case 16:
    case 17:
    case 21:
    case 23:
    case 25:
    case 1042:
    case 1043:
    case 1082:
    case 1700:
    case 2950:  // bool bytea int2 int4 text bpchar varchar date numeric uuid: their own hash
      return quoted;
    default:
      return quoted + "::text";
  }
}

// A server's version as the checksum method names it: "15".
std::string MajorVersion(const PgConnection& conn) {
  return std::to_string(PQserverVersion(conn.get()) / 10000);
}

}  // namespace

std::string PgReader::checksum_method() const {
  return "postgresql-" +
         (databases_.empty() ? std::string("?") : MajorVersion(databases_[0].coordinator)) +
         "-hashrecord-v2";
}

Result<SourceRowKey> PgReader::RowKey() {
  if (options_.query_mode() || databases_.empty()) return SourceRowKey();
  return LoadRowKey(databases_[0].coordinator, options_.sources[0].tables[0]);
}

std::optional<SplitKeyRange> PgReader::KeyRangeOf(const Split& split) const {
  return SqlSplitKeyRange(split);
}

Result<std::optional<ChecksumTotal>> PgReader::ChecksumRows(const ChecksumRequest& request) {
  using Out = std::optional<ChecksumTotal>;
  if (options_.query_mode() || !projection_ || request.columns.empty()) return Out();
  std::vector<std::string> cells;
  for (size_t output : request.columns) {
    int source = output < projection_->size() ? projection_->source_index(output) : -1;
    if (source < 0) return Out();  // a constant or function: computed by Ferry
    cells.push_back(HashedColumn(QuoteIdentifier(select_columns_[source]), source_types_[source]));
  }
  std::string row = "hash_record_extended(ROW(" + Join(cells, ", ") + "), 0)";
  for (Database& db : databases_) {
    if (MajorVersion(db.coordinator) != MajorVersion(databases_[0].coordinator)) return Out();
  }
  ChecksumTotal total;
  for (size_t d = 0; d < options_.sources.size(); ++d) {
    for (const std::string& table : options_.sources[d].tables) {
      std::string sql = fmt::format(
          "SELECT count(*), sum(hashtextextended(h::text, 0))::text, sum(h)::text "
          "FROM ({}) s",
          SelectExprSql(table, {row + " AS h"}, options_.where, request.filter));
      // Inside a savepoint: a failed checksum query must not abort the transaction that holds
      // the snapshot the reader's tasks import.
      PgConnection& conn = databases_[d].coordinator;
      bool savepoint = conn.Exec("SAVEPOINT ferry_verify").ok();
      auto r = conn.Query(sql, {}, "checksumming " + table);
      if (!r.ok()) {
        if (savepoint) (void)conn.Exec("ROLLBACK TO SAVEPOINT ferry_verify");
        return r.status();
      }
      if (savepoint) (void)conn.Exec("RELEASE SAVEPOINT ferry_verify");
      const PGresult* res = r->get();
      ASSIGN_OR_RETURN(int64_t count,
                       ParseInt64(PQgetvalue(res, 0, 0), "checksum count of " + table));
      total.count += count;
      if (PQgetisnull(res, 0, 1)) continue;  // no rows
      total.sum_a += SumTextMod64(PQgetvalue(res, 0, 1));
      total.sum_b += SumTextMod64(PQgetvalue(res, 0, 2));
    }
  }
  return Out(total);
}

}  // namespace ferry::pg
