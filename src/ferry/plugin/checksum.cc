#include "ferry/plugin/checksum.h"

namespace ferry {

uint64_t SumTextMod64(const char* text) {
  bool negative = *text == '-';
  if (negative) ++text;
  uint64_t v = 0;
  for (; *text >= '0' && *text <= '9'; ++text) v = v * 10 + static_cast<uint64_t>(*text - '0');
  return negative ? ~v + 1 : v;
}

}  // namespace ferry
