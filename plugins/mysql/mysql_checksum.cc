// The mysql reader's side of `ferry verify`: its row key (PRIMARY, else the first unique index),
// the key range of a split, and an in-database checksum. The server hashes each row of the
// reader's view as MD5 over its columns' QUOTE()d texts (NULL is the bare word NULL, '' is '',
// quotes escaped, so the joined text is unambiguous; floats go through DOUBLE, printed
// shortest-exact; DATETIME(6) to the microsecond) and sums the two 64-bit halves of the digests
// in exact DECIMAL arithmetic. One row of three numbers crosses the wire. The method names the
// server version, since another version may print a value otherwise. Equal sums mean equal rows;
// any difference is left to Ferry's typed comparison, which decides.
#include "ferry/common/numbers.h"
#include "ferry/common/strings.h"
#include "plugins/mysql/mysql_reader.h"

namespace ferry {
namespace {

// "t" or "db.t" as the two string literals of an information_schema lookup.
std::string SchemaAndTable(const MysqlConnection& conn, const std::string& table) {
  std::string name = table;
  std::string out;
  size_t dot = name.find('.');
  if (dot != std::string::npos && name.find('`') == std::string::npos) {
    conn.AppendQuoted(name.substr(0, dot), &out);
    name = name.substr(dot + 1);
  } else {
    out = "DATABASE()";
  }
  if (name.size() >= 2 && name.front() == '`' && name.back() == '`') {
    name = name.substr(1, name.size() - 2);
  }
  out += " AND TABLE_NAME = ";
  conn.AppendQuoted(name, &out);
  return out;
}

}  // namespace

std::string MysqlReader::checksum_method() const {
  return "mysql-quote-md5-v1 (" + server_version_ + ")";
}

Result<SourceRowKey> MysqlReader::RowKey() {
  if (query_mode() || sources_.empty() || sources_[0].tables.empty()) return SourceRowKey();
  ASSIGN_OR_RETURN(MysqlConnection conn, Connect(0));
  ASSIGN_OR_RETURN(MysqlRows rows,
                   conn.Query("SELECT INDEX_NAME, COLUMN_NAME FROM information_schema.STATISTICS "
                              "WHERE TABLE_SCHEMA = " +
                              SchemaAndTable(conn, sources_[0].tables[0]) +
                              " AND NON_UNIQUE = 0 ORDER BY INDEX_NAME <> 'PRIMARY', INDEX_NAME, "
                              "SEQ_IN_INDEX"));
  SourceRowKey key;
  for (const auto& row : rows) {
    if (!row[0] || !row[1]) return SourceRowKey();  // an expression: no key
    if (!key.columns.empty() && row[0] != rows.front()[0]) break;
    key.columns.push_back(*row[1]);
  }
  if (!key.columns.empty()) {
    key.origin = *rows.front()[0] == "PRIMARY" ? "primary key" : "unique index " + *rows.front()[0];
  }
  return key;
}

std::optional<SplitKeyRange> MysqlReader::KeyRangeOf(const Split& split) const {
  return SqlSplitKeyRange(split);
}

Result<std::optional<ChecksumTotal>> MysqlReader::ChecksumRows(const ChecksumRequest& request) {
  using Out = std::optional<ChecksumTotal>;
  if (query_mode() || !projection_ || request.columns.empty()) return Out();
  std::vector<std::string> cells;
  for (size_t output : request.columns) {
    int source = output < projection_->size() ? projection_->source_index(output) : -1;
    if (source < 0) return Out();  // a constant or function: computed by Ferry
    const std::string& c = source_columns_[source];
    cells.push_back(output_[output].type == TypeId::kDouble ? "QUOTE(CAST(" + c + " AS DOUBLE))"
                                                            : "QUOTE(" + c + ")");
  }
  const std::string hash = "MD5(CONCAT_WS(',', " + Join(cells, ", ") + "))";
  ChecksumTotal total;
  for (size_t s = 0; s < sources_.size(); ++s) {
    ASSIGN_OR_RETURN(MysqlConnection conn, Connect(s));
    if (conn.server_version() != server_version_) return Out();
    for (const std::string& table : sources_[s].tables) {
      ASSIGN_OR_RETURN(
          MysqlRows rows,
          conn.Query("SELECT COUNT(*), SUM(CAST(CONV(SUBSTR(h, 1, 16), 16, 10) AS UNSIGNED)), "
                     "SUM(CAST(CONV(SUBSTR(h, 17, 16), 16, 10) AS UNSIGNED)) FROM (SELECT " +
                     hash + " AS h FROM " + MysqlQualifiedName(table) +
                     WhereClause(options_.where, request.filter) + ") s"));
      if (rows.size() != 1 || !rows[0][0]) return Status::Internal("checksum: no result row");
      ASSIGN_OR_RETURN(int64_t count, ParseInt64(*rows[0][0], "checksum count of " + table));
      total.count += count;
      if (!rows[0][1]) continue;  // no rows
      total.sum_a += SumTextMod64(rows[0][1]->c_str());
      total.sum_b += SumTextMod64(rows[0][2]->c_str());
    }
  }
  return Out(total);
}

}  // namespace ferry
