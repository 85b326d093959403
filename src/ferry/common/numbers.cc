#include "ferry/common/numbers.h"

#include <charconv>
#include <string>
#include <system_error>

namespace ferry {
namespace {

template <typename T>
Result<T> ParseWhole(std::string_view text, std::string_view what, int base = 10) {
  T value{};
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, value, base);
  if (ec == std::errc::result_out_of_range) {
    return Status::InvalidArgument(std::string(what) + ": \"" + std::string(text) +
                                   "\" is out of range");
  }
  if (text.empty() || ec != std::errc() || ptr != end) {
    return Status::InvalidArgument(std::string(what) + ": \"" + std::string(text) +
                                   "\" is not a whole number");
  }
  return value;
}

}  // namespace

Result<int64_t> ParseInt64(std::string_view text, std::string_view what) {
  return ParseWhole<int64_t>(text, what);
}

Result<int32_t> ParseInt32(std::string_view text, std::string_view what) {
  return ParseWhole<int32_t>(text, what);
}

Result<uint32_t> ParseUint32(std::string_view text, std::string_view what) {
  return ParseWhole<uint32_t>(text, what);
}

Result<uint8_t> ParseHexByte(std::string_view text, std::string_view what) {
  if (text.size() != 2) {
    return Status::InvalidArgument(std::string(what) + ": \"" + std::string(text) +
                                   "\" is not two hexadecimal digits");
  }
  return ParseWhole<uint8_t>(text, what, 16);
}

}  // namespace ferry
