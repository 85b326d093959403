// The postgresql reader's in-database checksum for `ferry verify`: the server hashes each row of
// the reader's view (md5 of its record text: NULL and '' differ, floats print shortest-exact,
// timestamps to the microsecond in the session's UTC) and sums the two halves of the hashes per
// bucket, so 65,536 rows of figures cross the wire, not the table. Equal record texts on both
// sides mean equal rows; any difference (another numeric scale, another type) is left to Ferry's
// typed comparison, which decides.
#include <libpq-fe.h>

#include <fmt/format.h>

#include "plugins/postgresql/pg_reader.h"
#include "ferry/common/strings.h"
#include "plugins/postgresql/pg_sql.h"

namespace ferry::pg {
namespace {

// A numeric sum's text reduced mod 2^64.
uint64_t Mod64(const char* text) {
  bool negative = *text == '-';
  if (negative) ++text;
  uint64_t v = 0;
  for (; *text >= '0' && *text <= '9'; ++text) v = v * 10 + static_cast<uint64_t>(*text - '0');
  return negative ? ~v + 1 : v;
}

}  // namespace

Result<std::optional<std::vector<ChecksumBucket>>> PgReader::ChecksumBuckets(
    const ChecksumRequest& request) {
  using Out = std::optional<std::vector<ChecksumBucket>>;
  if (options_.query_mode() || !projection_) return Out();
  auto cell = [&](size_t output) -> std::optional<std::string> {
    if (output >= projection_->size()) return std::nullopt;
    int source = projection_->source_index(output);
    if (source < 0) return std::nullopt;  // a constant or function: computed by Ferry
    return QuoteIdentifier(select_columns_[source]);
  };
  std::vector<std::string> row_cells, key_cells;
  for (size_t c : request.columns) {
    auto e = cell(c);
    if (!e) return Out();
    row_cells.push_back(*e);
  }
  for (size_t c : request.key) {
    auto e = cell(c);
    if (!e) return Out();
    key_cells.push_back(*e);
  }
  std::string row = "md5(ROW(" + Join(row_cells, ", ") + ")::text)";
  std::string key = key_cells.empty() ? "" : "md5(ROW(" + Join(key_cells, ", ") + ")::text)";
  std::vector<ChecksumBucket> buckets(kBuckets);
  for (size_t d = 0; d < options_.sources.size(); ++d) {
    for (const std::string& table : options_.sources[d].tables) {
      std::string inner = SelectExprSql(table, {row + " AS rh", (key.empty() ? row : key) + " AS kh"},
                                        options_.where, "");
      std::string sql = fmt::format(
          "SELECT ('x' || substr(kh, 1, 4))::bit(16)::int AS b, count(*), "
          "sum(('x' || substr(rh, 1, 16))::bit(64)::bigint)::text, "
          "sum(('x' || substr(rh, 17, 16))::bit(64)::bigint)::text FROM ({}) s GROUP BY 1",
          inner);
      // Inside a savepoint: a failed checksum query must not abort the transaction that holds
      // the snapshot the reader's tasks import.
      PgConnection& conn = databases_[d].coordinator;
      bool savepoint = conn.Exec("SAVEPOINT ferry_verify").ok();
      auto r = conn.Query(sql);
      if (!r.ok()) {
        if (savepoint) (void)conn.Exec("ROLLBACK TO SAVEPOINT ferry_verify");
        return r.status();
      }
      if (savepoint) (void)conn.Exec("RELEASE SAVEPOINT ferry_verify");
      const PGresult* res = r->get();
      for (int i = 0; i < PQntuples(res); ++i) {
        ChecksumBucket& b = buckets[std::stoi(PQgetvalue(res, i, 0))];
        b.count += std::stoll(PQgetvalue(res, i, 1));
        b.sum_a += Mod64(PQgetvalue(res, i, 2));
        b.sum_b += Mod64(PQgetvalue(res, i, 3));
      }
    }
  }
  return Out(std::move(buckets));
}

}  // namespace ferry::pg
