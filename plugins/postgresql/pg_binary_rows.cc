#include "plugins/postgresql/pg_binary_rows.h"

#include <unordered_set>

#include "ferry/types/record_batch.h"

namespace ferry::pg {
namespace {

uint32_t Get32(const char* p) {
  return (uint32_t{static_cast<uint8_t>(p[0])} << 24) |
         (uint32_t{static_cast<uint8_t>(p[1])} << 16) |
         (uint32_t{static_cast<uint8_t>(p[2])} << 8) | static_cast<uint8_t>(p[3]);
}

uint16_t Get16(const char* p) {
  return static_cast<uint16_t>((static_cast<uint8_t>(p[0]) << 8) | static_cast<uint8_t>(p[1]));
}

constexpr uint32_t kNullLength = 0xFFFFFFFFu;

bool IsTextLike(uint32_t oid) { return oid == 25 || oid == 1043 || oid == 1042; }

// Walks the fields of `tuple`, calling on_field(index, bytes or null) for each.
template <typename OnField>
Status WalkTuple(std::string_view tuple, size_t expected, OnField&& on_field) {
  if (tuple.size() < 2) return Status::Internal("binary COPY row too short");
  const uint16_t count = Get16(tuple.data());
  if (count != expected) {
    return Status::Internal("binary COPY row has " + std::to_string(count) + " fields, expected " +
                            std::to_string(expected));
  }
  size_t at = 2;
  for (uint16_t i = 0; i < count; ++i) {
    if (at + 4 > tuple.size()) return Status::Internal("binary COPY row truncated");
    const uint32_t len = Get32(tuple.data() + at);
    at += 4;
    if (len == kNullLength) {
      on_field(i, nullptr, 0);
      continue;
    }
    if (len > tuple.size() - at) return Status::Internal("binary COPY field truncated");
    on_field(i, tuple.data() + at, len);
    at += len;
  }
  if (at != tuple.size()) return Status::Internal("binary COPY row longer than its fields");
  return Status::OK();
}

}  // namespace

bool ForwardedUndecoded(uint32_t oid) {
  // Listed, not derived from the catalog: each entry is a type whose send and receive functions
  // exist and whose bytes carry no server setting or catalog OID (element OIDs inside arrays are
  // built-in ones, and array_recv checks them).
  static const std::unordered_set<uint32_t> kTypes = {
      18, 19, 26, 28, 29,                  // "char", name, oid, xid, cid
      1186, 1266,                          // interval, timetz
      869, 650, 829, 774,                  // inet, cidr, macaddr, macaddr8
      1560, 1562,                          // bit, varbit
      600, 601, 602, 603, 604, 628, 718,   // point, lseg, path, box, polygon, line, circle
      3614, 3615, 3220, 4072,              // tsvector, tsquery, pg_lsn, jsonpath
      3904, 3906, 3908, 3910, 3912, 3926,  // int4/num/ts/tstz/date/int8 ranges
      // Arrays of the types above and of those Ferry decodes.
      1000, 1001, 1002, 1003, 1005, 1007, 1009, 1014, 1015, 1016, 1021, 1022, 1028, 1115, 1182,
      1183, 1185, 1187, 1231, 1270, 199, 3807, 2951,  // bool ... timestamptz, interval, numeric,
                                                      // timetz, json, jsonb, uuid
      1041, 651, 1040, 775, 1561, 1563,               // inet ... varbit
      1017, 1018, 1019, 1020, 629, 719,               // point ... circle
      3643, 3645, 3221, 4073,                         // tsvector, tsquery, pg_lsn, jsonpath
      3905, 3907, 3909, 3911, 3913, 3927,             // the ranges
      1011, 1012,                                     // xid, cid
  };
  return kTypes.count(oid) != 0;
}

bool SameBinaryForm(uint32_t source_oid, uint32_t dest_oid) {
  if (BinaryKindForOid(source_oid) == BinaryKind::kNone) {
    return source_oid == dest_oid && ForwardedUndecoded(source_oid);
  }
  return source_oid == dest_oid || (IsTextLike(source_oid) && IsTextLike(dest_oid));
}

Status SplitBinaryTuple(std::string_view tuple, size_t expected, CopyFields* out) {
  out->text.clear();
  out->null.clear();
  return WalkTuple(tuple, expected, [out](size_t, const char* p, uint32_t len) {
    out->text.emplace_back(p == nullptr ? std::string_view() : std::string_view(p, len));
    out->null.push_back(p == nullptr);
  });
}

Result<size_t> BinaryTupleDataBytes(std::string_view tuple, size_t expected) {
  size_t bytes = 0;
  RETURN_NOT_OK(
      WalkTuple(tuple, expected, [&bytes](size_t, const char*, uint32_t len) { bytes += len; }));
  return bytes;
}

Status StripBinaryHeader(std::string_view* message) {
  // 11-byte signature, flags, header extension length and extension.
  std::string_view m = *message;
  if (m.size() < 19 || m.substr(0, 11) != std::string_view("PGCOPY\n\377\r\n\0", 11)) {
    return Status::Internal("binary COPY without its header");
  }
  const uint32_t ext = Get32(m.data() + 15);
  if (ext > m.size() - 19) return Status::Internal("binary COPY header truncated");
  message->remove_prefix(19 + ext);
  return Status::OK();
}

Status PgBinaryRows::Decode(std::string_view tuple, Value* row, RecordBatch* arena) const {
  return WalkTuple(tuple, kinds_.size(), [&](size_t i, const char* p, uint32_t len) {
    if (p == nullptr) return;
    const std::string_view bytes(p, len);
    Result<Value> v = DecodeBinaryField(kinds_[i], bytes, arena);
    row[i] = v.ok() ? *v : arena->CopyText(TypeId::kBytes, bytes);
  });
}

}  // namespace ferry::pg
