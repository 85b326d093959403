#include "ferry/verify/canonical_row.h"

#include <fmt/format.h>

#include <cstring>

#include "ferry/common/hash128.h"
#include "ferry/types/convert.h"

namespace ferry::verify {
namespace {

void AppendTagged(char tag, std::string_view payload, std::string* out) {
  out->push_back(tag);
  uint32_t n = static_cast<uint32_t>(payload.size());
  for (int i = 0; i < 4; ++i) out->push_back(static_cast<char>((n >> (8 * i)) & 0xff));
  out->append(payload);
}

void AppendTaggedInt(char tag, int64_t v, std::string* out) {
  char buf[8];
  for (int i = 0; i < 8; ++i)
    buf[i] = static_cast<char>((static_cast<uint64_t>(v) >> (8 * i)) & 0xff);
  AppendTagged(tag, std::string_view(buf, 8), out);
}

}  // namespace

std::string NormalizeDecimal(std::string_view text) {
  std::string s(text);
  bool negative = !s.empty() && s[0] == '-';
  if (negative || (!s.empty() && s[0] == '+')) s.erase(0, 1);
  size_t start = 0;
  while (start + 1 < s.size() && s[start] == '0' && s[start + 1] != '.') ++start;
  s.erase(0, start);
  if (s.find('.') != std::string::npos) {
    while (!s.empty() && s.back() == '0') s.pop_back();
    if (!s.empty() && s.back() == '.') s.pop_back();
  }
  if (s.empty() || s == "0") return "0";
  return negative ? "-" + s : s;
}

void AppendCanonical(const Value& v, std::string* out) {
  switch (v.type) {
    case TypeId::kNull:
      AppendTagged('0', {}, out);
      return;
    case TypeId::kBool:
    case TypeId::kInt64:
      AppendTagged('N', std::to_string(v.i), out);
      return;
    case TypeId::kDecimal:
      AppendTagged('N', NormalizeDecimal(v.text()), out);
      return;
    case TypeId::kDouble: {
      int64_t bits;
      std::memcpy(&bits, &v.d, sizeof(bits));
      AppendTaggedInt('F', bits, out);
      return;
    }
    case TypeId::kString:
      AppendTagged('S', v.text(), out);
      return;
    case TypeId::kBytes:
      AppendTagged('X', v.text(), out);
      return;
    case TypeId::kDate:
      AppendTaggedInt('D', v.i, out);
      return;
    case TypeId::kTime:
      AppendTaggedInt('T', v.i, out);
      return;
    case TypeId::kTimestamp:
      AppendTaggedInt('P', v.i, out);
      return;
    case TypeId::kTimestampTz:
      AppendTaggedInt('Z', v.i, out);
      return;
  }
}

RowHash HashBytes(std::string_view bytes) {
  Hash128 h = HashBytes128(bytes);
  return RowHash{h.a, h.b};
}

std::string DisplayValue(const Value& v) {
  switch (v.type) {
    case TypeId::kNull:
      return "NULL";
    case TypeId::kString: {
      std::string out = "'";
      for (char c : v.text()) {
        if (c == '\'')
          out += "''";
        else
          out.push_back(c);
      }
      return out + "'";
    }
    case TypeId::kDouble: {
      uint64_t bits;
      std::memcpy(&bits, &v.d, sizeof(bits));
      return fmt::format("{:.17g} (bits {:016x})", v.d, bits);
    }
    case TypeId::kBytes: {
      std::string out;
      AppendHex(v.text(), &out);
      return out;
    }
    default:
      return ValueText(v);
  }
}

}  // namespace ferry::verify
