#include "plugins/postgresql/pg_types.h"

#include <libpq-fe.h>

#include "plugins/postgresql/pg_connection.h"

namespace ferry::pg {

TypeId ValueTypeForOid(uint32_t oid) {
  switch (oid) {
    case 16:
      return TypeId::kBool;
    case 17:
      return TypeId::kBytes;
    case 20:
    case 21:
    case 23:
    case 26:
      return TypeId::kInt64;  // int8, int2, int4, oid
    case 700:
    case 701:
      return TypeId::kDouble;
    case 1700:
      return TypeId::kDecimal;
    case 1082:
      return TypeId::kDate;
    case 1083:
      return TypeId::kTime;
    case 1114:
      return TypeId::kTimestamp;
    case 1184:
      return TypeId::kTimestampTz;
    // Ferry strings: character types, name, uuid, json, jsonb (their text).
    case 18:
    case 19:
    case 25:
    case 1042:
    case 1043:
    case 2950:
    case 114:
    case 3802:
      return TypeId::kString;
    default:
      return TypeId::kNull;
  }
}

Status ResolveColumnTypes(PgConnection& conn, std::vector<PgColumnType>* columns,
                          const std::vector<int>& typmods) {
  if (columns->empty()) return Status::OK();
  std::string oids = "{", mods = "{";
  for (size_t i = 0; i < columns->size(); ++i) {
    oids += (i ? "," : "") + std::to_string((*columns)[i].oid);
    mods += (i ? "," : "") + std::to_string(i < typmods.size() ? typmods[i] : -1);
  }
  oids += "}";
  mods += "}";
  ASSIGN_OR_RETURN(
      PgResult r,
      conn.Query("SELECT format_type(t.oid, m.mod), t.typcategory FROM unnest($1::oid[], "
                 "$2::int[]) WITH ORDINALITY AS m(oid, mod, n) JOIN pg_type t ON t.oid = m.oid "
                 "ORDER BY m.n",
                 {oids, mods}, "reading column types"));
  if (PQntuples(r.get()) != static_cast<int>(columns->size())) {
    return Status::Internal("pg_type lookup returned " + std::to_string(PQntuples(r.get())) +
                            " rows for " + std::to_string(columns->size()) + " columns");
  }
  for (size_t i = 0; i < columns->size(); ++i) {
    PgColumnType& c = (*columns)[i];
    c.name = PQgetvalue(r.get(), static_cast<int>(i), 0);
    c.category = PQgetvalue(r.get(), static_cast<int>(i), 1)[0];
    TypeId t = ValueTypeForOid(c.oid);
    c.value_type = t == TypeId::kNull ? TypeId::kString : t;
    c.text_on_purpose =
        t != TypeId::kNull || c.category == 'A' || c.category == 'E' || c.category == 'S';
  }
  return Status::OK();
}

}  // namespace ferry::pg
