// PostgreSQL's COPY binary format, both ways. The reader decodes each field of a binary COPY row
// straight into its Ferry value (columns of other types are cast to text in the SELECT, so they
// arrive as text). The writer puts each value in the destination column's
// own binary representation (int2/int4/int8, float4/float8, numeric, text, bytea, bool, date,
// time, timestamp, timestamptz, uuid, json, jsonb), which the server reads without parsing text —
// about twice as fast to load as COPY text. Only exact encodings are used: a value whose Ferry type
// does not map exactly onto the column type (a string into an integer column, an int64 beyond int4)
// is not encodable, and the writer sends that batch as COPY text instead, where the server parses
// it and refuses it with its own message.
#pragma once

#include <cstdint>
#include <string>

#include "ferry/common/status.h"
#include "ferry/types/record_batch.h"
#include "ferry/types/value.h"

namespace ferry::pg {

enum class BinaryKind : uint8_t {
  kNone,  // no binary encoding here: the table is written as COPY text
  kInt2,
  kInt4,
  kInt8,
  kFloat4,
  kFloat8,
  kNumeric,
  kText,  // text, varchar, char: the UTF-8 bytes (the server checks encoding and length)
  kBytea,
  kBool,
  kDate,
  kTime,
  kTimestamp,
  kTimestampTz,
  kUuid,   // 16 bytes; a Ferry string in the canonical 8-4-4-4-12 hex form
  kJson,   // the JSON text (the server checks it)
  kJsonb,  // a version byte (1), then the JSON text
};

BinaryKind BinaryKindForOid(uint32_t oid);

// Whether `v` has an exact binary encoding for a column of kind `k`.
bool BinaryEncodable(const Value& v, BinaryKind k);

// Appends one field (length word and bytes; NULL as length -1). Requires BinaryEncodable.
void AppendBinaryField(const Value& v, BinaryKind k, std::string* out);
// The 19-byte file header, a row's field count, and the end-of-data marker.
void AppendBinaryHeader(std::string* out);
void AppendBinaryRowStart(uint16_t fields, std::string* out);
void AppendBinaryTrailer(std::string* out);

// Decodes one non-NULL field of kind `k` (not kNone). DataError for values without a Ferry
// counterpart: numeric NaN/Infinity, infinite dates and timestamps.
Result<Value> DecodeBinaryField(BinaryKind k, std::string_view data, RecordBatch* batch);

// Numeric's binary form (without its length word) as PostgreSQL prints it: "-123.4500".
Result<std::string> NumericBinaryText(std::string_view data);

// Numeric's binary form for canonical decimal text ("-123.4500"): ndigits, weight, sign, dscale
// and base-10000 digits. Exposed for tests.
void AppendNumericBinary(std::string_view decimal, std::string* out);

}  // namespace ferry::pg
