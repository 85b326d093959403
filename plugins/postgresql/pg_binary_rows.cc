#include "plugins/postgresql/pg_binary_rows.h"

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

bool SameBinaryForm(uint32_t source_oid, uint32_t dest_oid) {
  if (BinaryKindForOid(source_oid) == BinaryKind::kNone) return false;
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
