#include "plugins/postgresql/pg_copy_binary.h"

#include <cmath>
#include <cstring>
#include <limits>
#include <vector>

#include "ferry/common/strings.h"

namespace ferry::pg {
namespace {

// PostgreSQL's epoch (2000-01-01) after the Unix epoch.
constexpr int64_t kPgEpochDays = 10957;
constexpr int64_t kPgEpochMicros = kPgEpochDays * 86400LL * 1000000LL;
// 0001-01-01, the first day Ferry's ISO text forms can hold (BC has no Ferry value).
constexpr int64_t kFirstDay = -719162;
constexpr int64_t kFirstMicros = kFirstDay * 86400LL * 1000000LL;

void Put16(uint16_t v, std::string* out) {
  char b[2] = {static_cast<char>(v >> 8), static_cast<char>(v)};
  out->append(b, 2);
}

void Put32(uint32_t v, std::string* out) {
  char b[4] = {static_cast<char>(v >> 24), static_cast<char>(v >> 16), static_cast<char>(v >> 8),
               static_cast<char>(v)};
  out->append(b, 4);
}

void Put64(uint64_t v, std::string* out) {
  Put32(static_cast<uint32_t>(v >> 32), out);
  Put32(static_cast<uint32_t>(v), out);
}

uint16_t Get16(const char* p) {
  return static_cast<uint16_t>((static_cast<uint8_t>(p[0]) << 8) | static_cast<uint8_t>(p[1]));
}

uint32_t Get32(const char* p) { return (uint32_t{Get16(p)} << 16) | Get16(p + 2); }

uint64_t Get64(const char* p) { return (uint64_t{Get32(p)} << 32) | Get32(p + 4); }

Status BadField(const char* what, size_t size) {
  return Status::DataError(std::string("PostgreSQL sent a ") + std::to_string(size) + "-byte " +
                           what + " field");
}

bool FitsInt32(int64_t v) {
  return v >= std::numeric_limits<int32_t>::min() && v <= std::numeric_limits<int32_t>::max();
}

// jsonb's binary form starts with its format version; 1 is the only one there is.
constexpr char kJsonbVersion = 1;

// A uuid in the form PostgreSQL prints (8-4-4-4-12 hex digits, either case) as its 16 bytes;
// false for anything else. The other spellings uuid_in accepts (braces, no hyphens) are left to
// the server: such a value goes as COPY text.
bool ParseCanonicalUuid(std::string_view text, uint8_t bytes[16]) {
  if (text.size() != 36) return false;
  size_t b = 0;
  for (size_t i = 0; i < 36;) {
    if (i == 8 || i == 13 || i == 18 || i == 23) {
      if (text[i] != '-') return false;
      ++i;
      continue;
    }
    const int hi = HexDigitValue(text[i]), lo = HexDigitValue(text[i + 1]);
    if (hi < 0 || lo < 0) return false;
    bytes[b++] = static_cast<uint8_t>(hi << 4 | lo);
    i += 2;
  }
  return true;
}

// The 16 bytes of a uuid as PostgreSQL prints them: lower-case 8-4-4-4-12 hex digits.
void FormatUuid(const char* p, char text[36]) {
  static constexpr char kHex[] = "0123456789abcdef";
  size_t t = 0;
  for (int i = 0; i < 16; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) text[t++] = '-';
    const auto byte = static_cast<uint8_t>(p[i]);
    text[t++] = kHex[byte >> 4];
    text[t++] = kHex[byte & 15];
  }
}

}  // namespace

BinaryKind BinaryKindForOid(uint32_t oid) {
  switch (oid) {
    case 21:
      return BinaryKind::kInt2;
    case 23:
      return BinaryKind::kInt4;
    case 20:
      return BinaryKind::kInt8;
    case 700:
      return BinaryKind::kFloat4;
    case 701:
      return BinaryKind::kFloat8;
    case 1700:
      return BinaryKind::kNumeric;
    case 25:
    case 1043:
    case 1042:
      return BinaryKind::kText;
    case 17:
      return BinaryKind::kBytea;
    case 16:
      return BinaryKind::kBool;
    case 1082:
      return BinaryKind::kDate;
    case 1083:
      return BinaryKind::kTime;
    case 1114:
      return BinaryKind::kTimestamp;
    case 1184:
      return BinaryKind::kTimestampTz;
    case 2950:
      return BinaryKind::kUuid;
    case 114:
      return BinaryKind::kJson;
    case 3802:
      return BinaryKind::kJsonb;
    default:
      return BinaryKind::kNone;
  }
}

bool BinaryEncodable(const Value& v, BinaryKind k) {
  if (v.is_null()) return true;
  switch (k) {
    case BinaryKind::kNone:
      return false;
    case BinaryKind::kInt2:
      return v.type == TypeId::kInt64 && v.i >= -32768 && v.i <= 32767;
    case BinaryKind::kInt4:
      return v.type == TypeId::kInt64 && FitsInt32(v.i);
    case BinaryKind::kInt8:
      return v.type == TypeId::kInt64;
    case BinaryKind::kFloat4:
      return v.type == TypeId::kDouble &&
             (std::isnan(v.d) || static_cast<double>(static_cast<float>(v.d)) == v.d);
    case BinaryKind::kFloat8:
      return v.type == TypeId::kDouble;
    case BinaryKind::kNumeric:
      return v.type == TypeId::kDecimal;
    case BinaryKind::kText:
    case BinaryKind::kJson:
    case BinaryKind::kJsonb:
      return v.type == TypeId::kString;
    case BinaryKind::kBytea:
      return v.type == TypeId::kBytes || v.type == TypeId::kString;
    case BinaryKind::kBool:
      return v.type == TypeId::kBool;
    case BinaryKind::kDate:
      return v.type == TypeId::kDate && FitsInt32(v.i - kPgEpochDays);
    case BinaryKind::kTime:
      return v.type == TypeId::kTime;
    case BinaryKind::kTimestamp:
      return v.type == TypeId::kTimestamp;
    case BinaryKind::kTimestampTz:
      return v.type == TypeId::kTimestampTz;
    case BinaryKind::kUuid: {
      uint8_t bytes[16];
      return v.type == TypeId::kString && ParseCanonicalUuid(v.text(), bytes);
    }
  }
  return false;
}

void AppendNumericBinary(std::string_view text, std::string* out) {
  bool negative = !text.empty() && text[0] == '-';
  if (negative || (!text.empty() && text[0] == '+')) text.remove_prefix(1);
  size_t dot = text.find('.');
  std::string_view whole = text.substr(0, dot);
  std::string_view frac = dot == std::string_view::npos ? std::string_view() : text.substr(dot + 1);
  // Base-10000 groups aligned on the decimal point: pad the whole part on the left and the
  // fraction on the right to multiples of four digits.
  std::string digits(static_cast<size_t>((4 - whole.size() % 4) % 4), '0');
  digits.append(whole);
  const int whole_groups = static_cast<int>(digits.size() / 4);
  digits.append(frac);
  digits.append((4 - frac.size() % 4) % 4, '0');
  std::vector<uint16_t> groups;
  for (size_t i = 0; i < digits.size(); i += 4) {
    groups.push_back(static_cast<uint16_t>((digits[i] - '0') * 1000 + (digits[i + 1] - '0') * 100 +
                                           (digits[i + 2] - '0') * 10 + (digits[i + 3] - '0')));
  }
  int weight = whole_groups - 1;
  size_t first = 0;
  while (first < groups.size() && groups[first] == 0) {
    ++first;
    --weight;
  }
  size_t last = groups.size();
  while (last > first && groups[last - 1] == 0) --last;
  const uint16_t ndigits = static_cast<uint16_t>(last - first);
  if (ndigits == 0) {
    weight = 0;
    negative = false;  // numeric has no negative zero
  }
  Put32(8 + 2u * ndigits, out);
  Put16(ndigits, out);
  Put16(static_cast<uint16_t>(static_cast<int16_t>(weight)), out);
  Put16(negative ? 0x4000 : 0x0000, out);
  Put16(static_cast<uint16_t>(frac.size()), out);
  for (size_t i = first; i < last; ++i) Put16(groups[i], out);
}

void AppendBinaryField(const Value& v, BinaryKind k, std::string* out) {
  if (v.is_null()) {
    Put32(0xFFFFFFFFu, out);
    return;
  }
  switch (k) {
    case BinaryKind::kInt2:
      Put32(2, out);
      Put16(static_cast<uint16_t>(static_cast<int16_t>(v.i)), out);
      return;
    case BinaryKind::kInt4:
    case BinaryKind::kDate: {
      int64_t n = k == BinaryKind::kDate ? v.i - kPgEpochDays : v.i;
      Put32(4, out);
      Put32(static_cast<uint32_t>(static_cast<int32_t>(n)), out);
      return;
    }
    case BinaryKind::kInt8:
    case BinaryKind::kTime:
      Put32(8, out);
      Put64(static_cast<uint64_t>(v.i), out);
      return;
    case BinaryKind::kTimestamp:
    case BinaryKind::kTimestampTz:
      Put32(8, out);
      Put64(static_cast<uint64_t>(v.i - kPgEpochMicros), out);
      return;
    case BinaryKind::kFloat4: {
      float f = static_cast<float>(v.d);
      uint32_t bits;
      std::memcpy(&bits, &f, 4);
      Put32(4, out);
      Put32(bits, out);
      return;
    }
    case BinaryKind::kFloat8: {
      uint64_t bits;
      std::memcpy(&bits, &v.d, 8);
      Put32(8, out);
      Put64(bits, out);
      return;
    }
    case BinaryKind::kNumeric:
      AppendNumericBinary(v.text(), out);
      return;
    case BinaryKind::kText:
    case BinaryKind::kBytea:
    case BinaryKind::kJson:
      Put32(v.len, out);
      out->append(v.len == 0 ? "" : v.p, v.len);
      return;
    case BinaryKind::kBool:
      Put32(1, out);
      out->push_back(v.i ? 1 : 0);
      return;
    case BinaryKind::kUuid: {
      uint8_t bytes[16];
      ParseCanonicalUuid(v.text(), bytes);
      Put32(16, out);
      out->append(reinterpret_cast<const char*>(bytes), 16);
      return;
    }
    case BinaryKind::kJsonb:
      Put32(v.len + 1, out);
      out->push_back(kJsonbVersion);
      out->append(v.len == 0 ? "" : v.p, v.len);
      return;
    case BinaryKind::kNone:
      return;
  }
}

Status NumericText(std::string_view data, std::string* out) {
  if (data.size() < 8) return BadField("numeric", data.size());
  const uint16_t ndigits = Get16(data.data());
  const int weight = static_cast<int16_t>(Get16(data.data() + 2));
  const uint16_t sign = Get16(data.data() + 4);
  const int dscale = Get16(data.data() + 6);
  if (sign == 0xC000 || sign == 0xD000 || sign == 0xF000) {
    return Status::DataError(std::string("PostgreSQL numeric ") +
                             (sign == 0xC000   ? "NaN"
                              : sign == 0xD000 ? "Infinity"
                                               : "-Infinity") +
                             " has no exact Ferry decimal");
  }
  if (data.size() != 8 + 2u * ndigits) return BadField("numeric", data.size());
  auto digit = [&](int i) -> int {
    return i >= 0 && i < ndigits ? Get16(data.data() + 8 + 2 * i) : 0;
  };
  auto four = [&](int d) {
    char g[4] = {static_cast<char>('0' + d / 1000), static_cast<char>('0' + d / 100 % 10),
                 static_cast<char>('0' + d / 10 % 10), static_cast<char>('0' + d % 10)};
    out->append(g, 4);
  };
  out->clear();
  if (sign == 0x4000 && ndigits > 0) out->push_back('-');
  if (weight < 0) {
    out->push_back('0');
  } else {
    const int first = digit(0);  // its leading zeros are not written
    const int width = first >= 1000 ? 4 : first >= 100 ? 3 : first >= 10 ? 2 : 1;
    char g[4] = {static_cast<char>('0' + first / 1000), static_cast<char>('0' + first / 100 % 10),
                 static_cast<char>('0' + first / 10 % 10), static_cast<char>('0' + first % 10)};
    out->append(g + 4 - width, width);
    for (int i = 1; i <= weight; ++i) four(digit(i));
  }
  if (dscale > 0) {
    out->push_back('.');
    const size_t frac_start = out->size();
    for (int i = weight + 1; static_cast<int>(out->size() - frac_start) < dscale; ++i) {
      four(digit(i));
    }
    out->resize(frac_start + dscale);
  }
  return Status::OK();
}

Result<std::string> NumericBinaryText(std::string_view data) {
  std::string out;
  RETURN_NOT_OK(NumericText(data, &out));
  return out;
}

Result<Value> DecodeBinaryField(BinaryKind k, std::string_view data, RecordBatch* batch) {
  const char* p = data.data();
  const size_t n = data.size();
  switch (k) {
    case BinaryKind::kInt2:
      if (n != 2) return BadField("smallint", n);
      return Value::Int64(static_cast<int16_t>(Get16(p)));
    case BinaryKind::kInt4:
      if (n != 4) return BadField("integer", n);
      return Value::Int64(static_cast<int32_t>(Get32(p)));
    case BinaryKind::kInt8:
      if (n != 8) return BadField("bigint", n);
      return Value::Int64(static_cast<int64_t>(Get64(p)));
    case BinaryKind::kFloat4: {
      if (n != 4) return BadField("real", n);
      uint32_t bits = Get32(p);
      float f;
      std::memcpy(&f, &bits, 4);
      return Value::Double(f);
    }
    case BinaryKind::kFloat8: {
      if (n != 8) return BadField("double", n);
      uint64_t bits = Get64(p);
      double d;
      std::memcpy(&d, &bits, 8);
      return Value::Double(d);
    }
    case BinaryKind::kNumeric: {
      thread_local std::string text;
      RETURN_NOT_OK(NumericText(data, &text));
      return batch->CopyText(TypeId::kDecimal, text);
    }
    case BinaryKind::kText:
    case BinaryKind::kJson:
      return batch->CopyText(TypeId::kString, data);
    case BinaryKind::kBytea:
      return batch->CopyText(TypeId::kBytes, data);
    case BinaryKind::kBool:
      if (n != 1) return BadField("boolean", n);
      return Value::Bool(p[0] != 0);
    case BinaryKind::kDate: {
      if (n != 4) return BadField("date", n);
      int32_t days = static_cast<int32_t>(Get32(p));
      if (days == std::numeric_limits<int32_t>::min() ||
          days == std::numeric_limits<int32_t>::max()) {
        return Status::DataError("PostgreSQL date infinity has no Ferry value");
      }
      if (days + kPgEpochDays < kFirstDay) {
        return Status::DataError("PostgreSQL BC date has no Ferry value");
      }
      return Value::Date(days + kPgEpochDays);
    }
    case BinaryKind::kTime:
      if (n != 8) return BadField("time", n);
      return Value::Time(static_cast<int64_t>(Get64(p)));
    case BinaryKind::kTimestamp:
    case BinaryKind::kTimestampTz: {
      if (n != 8) return BadField("timestamp", n);
      int64_t micros = static_cast<int64_t>(Get64(p));
      if (micros == std::numeric_limits<int64_t>::min() ||
          micros == std::numeric_limits<int64_t>::max()) {
        return Status::DataError("PostgreSQL timestamp infinity has no Ferry value");
      }
      micros += kPgEpochMicros;
      if (micros < kFirstMicros) {
        return Status::DataError("PostgreSQL BC timestamp has no Ferry value");
      }
      return k == BinaryKind::kTimestamp ? Value::Timestamp(micros) : Value::TimestampTz(micros);
    }
    case BinaryKind::kUuid: {
      if (n != 16) return BadField("uuid", n);
      char text[36];
      FormatUuid(p, text);
      return batch->CopyText(TypeId::kString, std::string_view(text, 36));
    }
    case BinaryKind::kJsonb:
      if (n < 1 || p[0] != kJsonbVersion) {
        return Status::DataError("PostgreSQL sent a jsonb field of an unknown format version");
      }
      return batch->CopyText(TypeId::kString, data.substr(1));
    case BinaryKind::kNone:
      break;
  }
  return Status::Internal("no binary decoding for this column");
}

void AppendBinaryHeader(std::string* out) {
  static constexpr char kSignature[] = "PGCOPY\n\377\r\n";
  out->append(kSignature, 11);
  Put32(0, out);  // flags
  Put32(0, out);  // header extension length
}

void AppendBinaryRowStart(uint16_t fields, std::string* out) { Put16(fields, out); }

void AppendBinaryTrailer(std::string* out) { Put16(0xFFFF, out); }

}  // namespace ferry::pg
