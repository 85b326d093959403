#include "ferry/verify/canonical_row.h"

#include <cstring>

#include <fmt/format.h>

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
  for (int i = 0; i < 8; ++i) buf[i] = static_cast<char>((static_cast<uint64_t>(v) >> (8 * i)) & 0xff);
  AppendTagged(tag, std::string_view(buf, 8), out);
}

uint64_t Mix(uint64_t x) {
  x ^= x >> 30;
  x *= 0xbf58476d1ce4e5b9ULL;
  x ^= x >> 27;
  x *= 0x94d049bb133111ebULL;
  x ^= x >> 31;
  return x;
}

// Two independent 64-bit lanes over 8-byte words, each word mixed by a multiply: fast, and
// every byte reaches every bit of both lanes through Mix.
RowHash HashWords(std::string_view bytes) {
  uint64_t a = 0x243f6a8885a308d3ULL ^ bytes.size();
  uint64_t b = 0x13198a2e03707344ULL ^ (bytes.size() * 0x9e3779b97f4a7c15ULL);
  size_t i = 0;
  for (; i + 8 <= bytes.size(); i += 8) {
    uint64_t w;
    std::memcpy(&w, bytes.data() + i, 8);
    a = (a ^ w) * 0x9fb21c651e98df25ULL;
    a ^= a >> 29;
    b = (b + w) * 0xc2b2ae3d27d4eb4fULL;
    b ^= b >> 31;
  }
  uint64_t tail = 0;
  std::memcpy(&tail, bytes.data() + i, bytes.size() - i);
  a = (a ^ tail) * 0x9fb21c651e98df25ULL;
  b = (b + tail) * 0xc2b2ae3d27d4eb4fULL;
  return RowHash{Mix(a), Mix(b ^ a)};
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
  if (s.empty()) s = "0";
  if (s == "0") return s;
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
  return HashWords(bytes);
}

std::string DisplayValue(const Value& v) {
  switch (v.type) {
    case TypeId::kNull:
      return "NULL";
    case TypeId::kString: {
      std::string out = "'";
      for (char c : v.text()) {
        if (c == '\'') out += "''";
        else out.push_back(c);
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
