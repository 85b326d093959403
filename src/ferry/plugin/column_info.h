// ColumnInfo: a column a reader produces or a writer receives.
#pragma once

#include <string>
#include <vector>

#include "ferry/types/value.h"

namespace ferry {

struct ColumnInfo {
  std::string name;
  TypeId type = TypeId::kNull;  // kNull: decided per value (SQLite, untyped text)
};

}  // namespace ferry
