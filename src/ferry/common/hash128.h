// Hash128: a fast, non-cryptographic 128-bit hash of a byte string, used by `ferry verify` to
// summarize rows (sums of row hashes per bucket), by Ferry itself and by a source that hashes its
// own rows the same way. Its output is part of those summaries: changing it changes every sum.
#pragma once

#include <cstdint>
#include <string_view>

namespace ferry {

struct Hash128 {
  uint64_t a = 0;
  uint64_t b = 0;
};

Hash128 HashBytes128(std::string_view bytes);

}  // namespace ferry
