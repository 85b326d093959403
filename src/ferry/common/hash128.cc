#include "ferry/common/hash128.h"

#include <cstring>

namespace ferry {
namespace {

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
Hash128 HashWords(std::string_view bytes) {
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
  return Hash128{Mix(a), Mix(b ^ a)};
}

}  // namespace

Hash128 HashBytes128(std::string_view bytes) { return HashWords(bytes); }

}  // namespace ferry
