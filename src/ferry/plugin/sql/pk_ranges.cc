#include "ferry/plugin/sql/pk_ranges.h"

#include <algorithm>
#include <cassert>

namespace ferry {

std::vector<PkRange> CutPkRanges(int64_t min, int64_t max, int64_t pieces) {
  assert(min <= max && pieces >= 1);
  // span <= 2^64 and span * i < 2^64 * 2^63, so unsigned 128-bit math never overflows.
  using U128 = unsigned __int128;
  const U128 span = static_cast<U128>(static_cast<__int128>(max) - min) + 1;
  const U128 count = std::min<U128>(span, static_cast<U128>(pieces));
  auto start = [&](U128 i) {
    return static_cast<int64_t>(static_cast<__int128>(min) +
                                static_cast<__int128>(span * i / count));
  };
  std::vector<PkRange> ranges;
  ranges.reserve(static_cast<size_t>(count));
  for (U128 i = 0; i < count; ++i) {
    int64_t lo = start(i);
    int64_t hi = i + 1 == count ? max : start(i + 1) - 1;
    ranges.push_back({lo, hi});
  }
  return ranges;
}

int64_t PiecesPerTable(int concurrent, int64_t split_factor, size_t num_tables) {
  const int64_t total = std::max<int64_t>(1, concurrent) * std::max<int64_t>(1, split_factor);
  const auto tables = static_cast<int64_t>(std::max<size_t>(1, num_tables));
  return std::max<int64_t>(1, (total + tables - 1) / tables);
}

}  // namespace ferry
