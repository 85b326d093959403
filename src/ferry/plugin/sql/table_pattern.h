// Table ranges of sharded sources, as DataX and DataWorks write them: "orders_[0-15]" is
// orders_0 .. orders_15, "t_[00-15]" keeps the zero padding (t_00 .. t_15), "db.t_[1-3]_x" and
// several ranges in one name ("t_[0-1]_[0-2]", expanded left to right) work too.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "ferry/common/status.h"

namespace ferry {

// Expands every "[A-B]" (A <= B, decimal digits) in `pattern`; a name without one is returned
// as is. A name inside double quotes or backquotes is never expanded. InvalidArgument for
// "[5-1]", an unclosed "[", or more than 100,000 names.
Result<std::vector<std::string>> ExpandTablePattern(std::string_view pattern);

// Expands each pattern in order; a name that appears twice is an error (it would be read twice).
Result<std::vector<std::string>> ExpandTablePatterns(const std::vector<std::string>& patterns);

}  // namespace ferry
