// pk_ranges: the integer arithmetic of splitPk planning, free of any database, so every SQL reader
// cuts keys the same way. Exact over the whole int64 domain: no intermediate value overflows.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace ferry {

// An inclusive range of integer keys: lo <= key <= hi.
struct PkRange {
  int64_t lo = 0;
  int64_t hi = 0;
  bool operator==(const PkRange&) const = default;
};

// Cuts [min, max] into min(pieces, max - min + 1) ranges of widths that differ by at most one.
// The result is ascending and covers exactly [min, max]: front().lo == min, back().hi == max and
// ranges[i + 1].lo == ranges[i].hi + 1. Requires min <= max and pieces >= 1.
std::vector<PkRange> CutPkRanges(int64_t min, int64_t max, int64_t pieces);

// How many ranges each table is cut into when `num_tables` tables share `concurrent` channels:
// ceil(concurrent * split_factor / num_tables), at least 1 (DataX's rule for sharded tables).
int64_t PiecesPerTable(int concurrent, int64_t split_factor, size_t num_tables);

}  // namespace ferry
