// Small string helpers: "did you mean" suggestions and human-readable figures.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace ferry {

std::string ToLower(std::string_view s);
bool EqualsIgnoreCase(std::string_view a, std::string_view b);
size_t EditDistance(std::string_view a, std::string_view b);
// The closest candidate to `key` (case-insensitive match first), or "" when none is close.
std::string DidYouMean(std::string_view key, const std::vector<std::string>& candidates);
// 1234567 -> "1,234,567"
std::string GroupDigits(int64_t n);
// "98.7 MB" (MB = 1,048,576 bytes, as DESIGN 2.1 defines it).
std::string HumanBytes(double bytes);
// 65.2 -> "0:01:05"
std::string HumanDuration(double seconds);
std::string Join(const std::vector<std::string>& parts, std::string_view sep);
// The value of a hexadecimal digit ('0'-'9', 'a'-'f', 'A'-'F'), or -1 for any other character.
int HexDigitValue(char c);
// "%41" -> "A" (URLs percent-encode reserved characters of passwords and options); a '%' not
// followed by two hexadecimal digits stays as it is.
std::string PercentDecode(std::string_view s);
// `s` without the trailing characters that are in `chars`: TrimRight("msg\n ", "\n ") == "msg".
std::string TrimRight(std::string s, std::string_view chars);
// `s` with every occurrence of `from` (not empty) replaced by `to`, left to right; what `to`
// brings in is not searched again.
std::string ReplaceAll(std::string s, std::string_view from, std::string_view to);

}  // namespace ferry
