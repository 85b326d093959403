#include "plugins/txtfile/byte_set.h"

#include <cassert>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace ferry::txtfile {

ByteSet::ByteSet(std::initializer_list<char> bytes) {
  assert(bytes.size() >= 1 && bytes.size() <= kMaxBytes);
  bytes_.fill(*bytes.begin());  // unused slots repeat a member, so they match nothing new
  int k = 0;
  for (char c : bytes) {
    bytes_[k++] = c;
    table_[static_cast<unsigned char>(c)] = true;
  }
}

const char* ByteSet::FindFirst(const char* p, const char* end) const {
#if defined(__SSE2__)
  const __m128i b0 = _mm_set1_epi8(bytes_[0]), b1 = _mm_set1_epi8(bytes_[1]),
                b2 = _mm_set1_epi8(bytes_[2]), b3 = _mm_set1_epi8(bytes_[3]),
                b4 = _mm_set1_epi8(bytes_[4]);
  for (; end - p >= 16; p += 16) {
    __m128i block = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
    __m128i hits = _mm_or_si128(
        _mm_or_si128(_mm_cmpeq_epi8(block, b0), _mm_cmpeq_epi8(block, b1)),
        _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(block, b2), _mm_cmpeq_epi8(block, b3)),
                     _mm_cmpeq_epi8(block, b4)));
    int mask = _mm_movemask_epi8(hits);
    if (mask != 0) return p + __builtin_ctz(static_cast<unsigned>(mask));
  }
#endif
  while (p < end && !contains(*p)) ++p;
  return p;
}

}  // namespace ferry::txtfile
