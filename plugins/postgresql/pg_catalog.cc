#include "plugins/postgresql/pg_catalog.h"

#include <libpq-fe.h>

#include "ferry/common/numbers.h"
#include "ferry/common/strings.h"
#include "plugins/postgresql/pg_connection.h"

namespace ferry::pg {

int FindName(const std::vector<std::string>& names, const std::string& name) {
  for (size_t i = 0; i < names.size(); ++i) {
    if (names[i] == name) return static_cast<int>(i);
  }
  const std::string folded = ToLower(name);
  for (size_t i = 0; i < names.size(); ++i) {
    if (names[i] == folded) return static_cast<int>(i);
  }
  return -1;
}

const PgTableColumn* PgTable::Find(const std::string& name) const {
  std::vector<std::string> names;
  for (const PgTableColumn& c : columns) names.push_back(c.name);
  int i = FindName(names, name);
  return i < 0 ? nullptr : &columns[i];
}

std::vector<std::string> PgTable::WritableColumns() const {
  std::vector<std::string> out;
  for (const PgTableColumn& c : columns) {
    if (!c.generated) out.push_back(c.name);
  }
  return out;
}

// A number pg_attribute returned; one that does not parse is the server's fault, not the job's.
template <typename T>
Result<T> ColumnsOf(const std::string& table, Result<T> parsed) {
  if (!parsed.ok()) {
    return Status::Internal("reading the columns of " + table + ": " + parsed.status().message());
  }
  return parsed;
}

Result<PgTable> LoadTable(PgConnection& conn, const std::string& name) {
  ASSIGN_OR_RETURN(PgResult rel,
                   conn.Query("SELECT to_regclass($1)::oid", {name}, "looking up table " + name));
  if (PQgetisnull(rel.get(), 0, 0)) {
    return Status::NotFound("table " + name + " does not exist in " + conn.server())
        .WithField("table");
  }
  const std::string oid = PQgetvalue(rel.get(), 0, 0);
  ASSIGN_OR_RETURN(PgResult cols,
                   conn.Query("SELECT attname, atttypid, atttypmod, attgenerated <> '' "
                              "FROM pg_attribute WHERE attrelid = $1 AND attnum > 0 AND "
                              "NOT attisdropped ORDER BY attnum",
                              {oid}, "reading the columns of " + name));
  PgTable table;
  table.name = name;
  std::vector<int> typmods;
  std::vector<PgColumnType> types;
  for (int r = 0; r < PQntuples(cols.get()); ++r) {
    PgTableColumn c;
    c.name = PQgetvalue(cols.get(), r, 0);
    ASSIGN_OR_RETURN(c.type.oid,
                     ColumnsOf(name, ParseUint32(PQgetvalue(cols.get(), r, 1), "atttypid")));
    c.generated = PQgetvalue(cols.get(), r, 3)[0] == 't';
    ASSIGN_OR_RETURN(const int32_t typmod,
                     ColumnsOf(name, ParseInt32(PQgetvalue(cols.get(), r, 2), "atttypmod")));
    typmods.push_back(typmod);
    types.push_back(c.type);
    table.columns.push_back(std::move(c));
  }
  RETURN_NOT_OK(ResolveColumnTypes(conn, &types, typmods));
  for (size_t i = 0; i < types.size(); ++i) table.columns[i].type = types[i];
  ASSIGN_OR_RETURN(PgResult pk,
                   conn.Query("SELECT a.attname FROM pg_index i CROSS JOIN LATERAL "
                              "unnest(i.indkey) WITH ORDINALITY AS k(attnum, n) JOIN pg_attribute "
                              "a ON a.attrelid = i.indrelid AND a.attnum = k.attnum "
                              "WHERE i.indrelid = $1 AND i.indisprimary ORDER BY k.n",
                              {oid}, "reading the primary key of " + name));
  for (int r = 0; r < PQntuples(pk.get()); ++r)
    table.primary_key.push_back(PQgetvalue(pk.get(), r, 0));
  ASSIGN_OR_RETURN(PgResult cons,
                   conn.Query("SELECT c.conname, a.attname FROM pg_constraint c JOIN pg_attribute "
                              "a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1] "
                              "WHERE c.conrelid = $1 AND cardinality(c.conkey) = 1",
                              {oid}, "reading the constraints of " + name));
  for (int r = 0; r < PQntuples(cons.get()); ++r) {
    table.constraint_columns[PQgetvalue(cons.get(), r, 0)] = PQgetvalue(cons.get(), r, 1);
  }
  return table;
}

Result<SourceRowKey> LoadRowKey(PgConnection& conn, const std::string& name) {
  ASSIGN_OR_RETURN(
      PgResult key,
      conn.Query("SELECT a.attname, x.indisprimary, ic.relname FROM (SELECT "
                 "i.indrelid, i.indkey, i.indisprimary, i.indexrelid FROM pg_index i "
                 "WHERE i.indrelid = to_regclass($1) AND i.indisunique AND i.indpred IS NULL AND "
                 "i.indexprs IS NULL ORDER BY i.indisprimary DESC, i.indnatts, i.indexrelid "
                 "LIMIT 1) x CROSS JOIN LATERAL unnest(x.indkey) WITH ORDINALITY AS k(attnum, n) "
                 "JOIN pg_attribute a ON a.attrelid = x.indrelid AND a.attnum = k.attnum "
                 "JOIN pg_class ic ON ic.oid = x.indexrelid ORDER BY k.n",
                 {name}, "reading the key of " + name));
  SourceRowKey out;
  for (int r = 0; r < PQntuples(key.get()); ++r) out.columns.push_back(PQgetvalue(key.get(), r, 0));
  if (!out.columns.empty()) {
    out.origin = PQgetvalue(key.get(), 0, 1)[0] == 't'
                     ? "primary key"
                     : "unique index " + std::string(PQgetvalue(key.get(), 0, 2));
  }
  return out;
}

}  // namespace ferry::pg
