#include "ferry/types/value.h"

#include <algorithm>
#include <cctype>
#include <string>

namespace ferry {

const char* TypeName(TypeId type) {
  switch (type) {
    case TypeId::kNull:
      return "null";
    case TypeId::kBool:
      return "bool";
    case TypeId::kInt64:
      return "long";
    case TypeId::kDouble:
      return "double";
    case TypeId::kDecimal:
      return "decimal";
    case TypeId::kString:
      return "string";
    case TypeId::kBytes:
      return "bytes";
    case TypeId::kDate:
      return "date";
    case TypeId::kTime:
      return "time";
    case TypeId::kTimestamp:
      return "timestamp";
    case TypeId::kTimestampTz:
      return "timestamptz";
  }
  return "unknown";
}

bool ParseTypeName(std::string_view name, TypeId* out) {
  std::string n(name);
  std::transform(n.begin(), n.end(), n.begin(), [](unsigned char c) { return std::tolower(c); });
  struct Alias {
    const char* name;
    TypeId type;
  };
  static constexpr Alias kAliases[] = {
      {"null", TypeId::kNull},          {"bool", TypeId::kBool},
      {"boolean", TypeId::kBool},       {"long", TypeId::kInt64},
      {"int", TypeId::kInt64},          {"integer", TypeId::kInt64},
      {"bigint", TypeId::kInt64},       {"double", TypeId::kDouble},
      {"float", TypeId::kDouble},       {"decimal", TypeId::kDecimal},
      {"numeric", TypeId::kDecimal},    {"string", TypeId::kString},
      {"text", TypeId::kString},        {"bytes", TypeId::kBytes},
      {"blob", TypeId::kBytes},         {"date", TypeId::kDate},
      {"time", TypeId::kTime},          {"timestamp", TypeId::kTimestamp},
      {"datetime", TypeId::kTimestamp}, {"timestamptz", TypeId::kTimestampTz},
  };
  for (const Alias& a : kAliases) {
    if (n == a.name) {
      *out = a.type;
      return true;
    }
  }
  return false;
}

}  // namespace ferry
