// ByteSet: up to five byte values and a fast search for the first of them in a range (16 bytes
// at a time with SSE2). The csv parser uses it to find field ends, the formatter to find bytes
// that need quoting or escaping.
#pragma once

#include <array>
#include <initializer_list>

namespace ferry::txtfile {

class ByteSet {
 public:
  static constexpr int kMaxBytes = 5;

  // At most kMaxBytes values; repeats are allowed.
  ByteSet(std::initializer_list<char> bytes);

  bool contains(char c) const { return table_[static_cast<unsigned char>(c)]; }
  // The first byte in [p, end) that is in the set, or `end`.
  const char* FindFirst(const char* p, const char* end) const;

 private:
  std::array<char, kMaxBytes> bytes_{};
  std::array<bool, 256> table_{};
};

}  // namespace ferry::txtfile
