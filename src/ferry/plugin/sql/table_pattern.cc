#include "ferry/plugin/sql/table_pattern.h"

#include <set>

#include "ferry/common/numbers.h"

namespace ferry {
namespace {

constexpr size_t kMaxNames = 100000;

bool AllDigits(std::string_view s) {
  if (s.empty() || s.size() > 18) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

// Finds the first "[" outside quotes; npos when there is none.
size_t FindRange(std::string_view s) {
  char quote = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (quote != 0) {
      if (c == quote) quote = 0;
      continue;
    }
    if (c == '"' || c == '`') {
      quote = c;
    } else if (c == '[') {
      return i;
    }
  }
  return std::string_view::npos;
}

}  // namespace

Result<std::vector<std::string>> ExpandTablePattern(std::string_view pattern) {
  const size_t open = FindRange(pattern);
  if (open == std::string_view::npos) return std::vector<std::string>{std::string(pattern)};
  const size_t close = pattern.find(']', open);
  auto bad = [&](const std::string& why) {
    return Status::InvalidArgument("table '" + std::string(pattern) + "': " + why);
  };
  if (close == std::string_view::npos) return bad("unclosed '[' (ranges are written t_[0-15])");
  std::string_view body = pattern.substr(open + 1, close - open - 1);
  const size_t dash = body.find('-');
  if (dash == std::string_view::npos || !AllDigits(body.substr(0, dash)) ||
      !AllDigits(body.substr(dash + 1))) {
    return bad("'[" + std::string(body) + "]' is not a range of the form [0-15] or [00-15]");
  }
  const std::string_view lo_text = body.substr(0, dash);
  Result<int64_t> lo_parsed = ParseInt64(lo_text, "range start");
  Result<int64_t> hi_parsed = ParseInt64(body.substr(dash + 1), "range end");
  if (!lo_parsed.ok() || !hi_parsed.ok()) {
    return bad("range [" + std::string(body) + "] has a bound that is too large");
  }
  const int64_t lo = *lo_parsed;
  const int64_t hi = *hi_parsed;
  if (lo > hi) return bad("range [" + std::string(body) + "] runs backwards");
  if (hi - lo + 1 > static_cast<int64_t>(kMaxNames)) {
    return bad("range [" + std::string(body) + "] names more than 100,000 tables");
  }
  // "[00-15]" pads to the width of its lower bound, as DataWorks does.
  const size_t width = lo_text.size() > 1 && lo_text.front() == '0' ? lo_text.size() : 0;
  ASSIGN_OR_RETURN(std::vector<std::string> tails, ExpandTablePattern(pattern.substr(close + 1)));
  if (static_cast<size_t>(hi - lo + 1) * tails.size() > kMaxNames) {
    return bad("the ranges name more than 100,000 tables");
  }
  std::vector<std::string> out;
  out.reserve(static_cast<size_t>(hi - lo + 1) * tails.size());
  const std::string head(pattern.substr(0, open));
  for (int64_t n = lo; n <= hi; ++n) {
    std::string number = std::to_string(n);
    if (number.size() < width) number.insert(0, width - number.size(), '0');
    for (const std::string& tail : tails) out.push_back(head + number + tail);
  }
  return out;
}

Result<std::vector<std::string>> ExpandTablePatterns(const std::vector<std::string>& patterns) {
  std::vector<std::string> out;
  std::set<std::string> seen;
  for (const std::string& pattern : patterns) {
    ASSIGN_OR_RETURN(std::vector<std::string> names, ExpandTablePattern(pattern));
    for (std::string& name : names) {
      if (!seen.insert(name).second) {
        return Status::InvalidArgument("table " + name +
                                       " is listed twice; its rows would be read twice");
      }
      out.push_back(std::move(name));
    }
  }
  return out;
}

}  // namespace ferry
