// How PostgreSQL column types map onto Ferry values, by type OID: integers -> int64, numeric ->
// decimal (exact), real/double -> double, boolean, bytea -> bytes, date, time, timestamp,
// timestamptz (UTC). Character types, uuid, json/jsonb, arrays and enums are read as their text
// (kString, on purpose); any other type is read as its text too, and `ferry check` names it
// (Exactness says which).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "ferry/common/status.h"
#include "ferry/types/value.h"

namespace ferry::pg {

class PgConnection;

// One result or table column as the server describes it.
struct PgColumnType {
  uint32_t oid = 0;
  std::string name;     // format_type(): "numeric(12,2)", "character varying(32)"
  char category = 'U';  // pg_type.typcategory: 'A' array, 'E' enum, 'S' string...
  TypeId value_type = TypeId::kString;
  bool text_on_purpose = true;  // false: an unknown type read as text (named by ferry check)
  bool is_bytea() const { return oid == 17; }
};

// The Ferry value type for a built-in type OID; kNull when the OID is not one of them.
TypeId ValueTypeForOid(uint32_t oid);

// Fills name, category and value_type of every entry from pg_type (one query for all OIDs);
// `typmods` are the columns' type modifiers (-1: none), in the same order.
Status ResolveColumnTypes(PgConnection& conn, std::vector<PgColumnType>* columns,
                          const std::vector<int>& typmods);

}  // namespace ferry::pg
