// Whole-number parsing that returns a Result instead of throwing (std::sto* throws and accepts
// "12abc"). The whole text must be a number in range; the error names `what` and quotes the text.
#pragma once

#include <cstdint>
#include <string_view>

#include "ferry/common/status.h"

namespace ferry {

// "42" -> 42; "", " 42", "42x", "4.2" and out-of-range values fail with InvalidArgument
// `what: "text" is not a whole number` (or `... is out of range`).
Result<int64_t> ParseInt64(std::string_view text, std::string_view what);
Result<int32_t> ParseInt32(std::string_view text, std::string_view what);
Result<uint32_t> ParseUint32(std::string_view text, std::string_view what);
// Two hexadecimal digits ("2F") -> 0x2F; anything else fails.
Result<uint8_t> ParseHexByte(std::string_view text, std::string_view what);

}  // namespace ferry
