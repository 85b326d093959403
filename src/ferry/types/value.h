// Value: one cell of a record, 16 bytes, no ownership. Strings, bytes and decimals point into the
// arena of the RecordBatch that holds them, so a Value is valid only while its batch is.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

namespace ferry {

enum class TypeId : uint8_t {
  kNull = 0,
  kBool,
  kInt64,
  kDouble,
  kDecimal,  // exact: canonical decimal text ("-123.4500"), digits and scale kept
  kString,   // UTF-8
  kBytes,
  kDate,         // days since 1970-01-01
  kTime,         // microseconds since midnight
  kTimestamp,    // microseconds since 1970-01-01 00:00:00, no time zone
  kTimestampTz,  // microseconds since the epoch, UTC
};

const char* TypeName(TypeId type);
// "long"/"int"/"bigint" -> kInt64, "string"/"text" -> kString, "date", "timestamp", ...
bool ParseTypeName(std::string_view name, TypeId* out);

struct Value {
  union {
    int64_t i;
    double d;
    const char* p;
  };
  uint32_t len = 0;
  TypeId type = TypeId::kNull;

  Value() : i(0) {}
  static Value Null() { return Value(); }
  static Value Bool(bool b) { return Make(TypeId::kBool, b ? 1 : 0); }
  static Value Int64(int64_t v) { return Make(TypeId::kInt64, v); }
  static Value Double(double v) {
    Value x;
    x.type = TypeId::kDouble;
    x.d = v;
    return x;
  }
  static Value Date(int64_t days) { return Make(TypeId::kDate, days); }
  static Value Time(int64_t micros) { return Make(TypeId::kTime, micros); }
  static Value Timestamp(int64_t micros) { return Make(TypeId::kTimestamp, micros); }
  static Value TimestampTz(int64_t micros) { return Make(TypeId::kTimestampTz, micros); }
  // The text must outlive the Value (use RecordBatch::Set* to copy into the batch arena).
  static Value View(TypeId type, std::string_view text) {
    Value x;
    x.type = type;
    x.p = text.data();
    x.len = static_cast<uint32_t>(text.size());
    return x;
  }

  bool is_null() const { return type == TypeId::kNull; }
  bool has_text() const {
    return type == TypeId::kString || type == TypeId::kBytes || type == TypeId::kDecimal;
  }
  std::string_view text() const { return {p, len}; }
  // Bytes this value counts for in throttling and MB/s figures.
  size_t ByteSize() const { return has_text() ? len : (type == TypeId::kNull ? 0 : 8); }

 private:
  static Value Make(TypeId type, int64_t v) {
    Value x;
    x.type = type;
    x.i = v;
    return x;
  }
};
static_assert(sizeof(Value) == 16);

}  // namespace ferry
