// ColumnInfo: a column a reader produces or a writer receives.
#pragma once

#include <string>
#include <vector>

#include "ferry/types/value.h"

namespace ferry {

struct ColumnInfo {
  std::string name;
  TypeId type = TypeId::kNull;  // kNull: decided per value (SQLite, untyped text)
  // For a kNull column: every value of it that reads as a number is stored as a number (SQLite's
  // INTEGER, REAL and NUMERIC affinities), so its text forms may compare by value.
  bool numeric = false;
};

}  // namespace ferry
