// ColumnProjection: a reader's `column` list parsed once for every plugin. Entries are source
// column names (quoted identifiers allowed), "*", constants ('text', 123, 1.5, null, true) or
// functions (now(), current_date(), uuid()). The reader reads the source columns; Fill computes
// the rest of each output row.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "ferry/common/status.h"
#include "ferry/plugin/column_info.h"
#include "ferry/types/record_batch.h"

namespace ferry {

class ColumnProjection {
 public:
  enum class Kind { kSource, kStar, kConstant, kNow, kCurrentDate, kUuid };
  struct Entry {
    Kind kind = Kind::kSource;
    std::string name;      // kSource: the unquoted column name; others: the entry text
    std::string constant;  // kConstant text
    TypeId constant_type = TypeId::kNull;
    Value parsed;  // a non-text constant, parsed once (text constants view `constant`)
  };

  // Parses the `column` parameter (a list of strings). Errors carry field "column[i]".
  static Result<ColumnProjection> Parse(const nlohmann::json& column, int64_t job_start_micros);

  bool has_star() const;
  // Replaces "*" with every column of the source, in source order.
  void ExpandStar(const std::vector<std::string>& all_source_columns);
  const std::vector<Entry>& entries() const { return entries_; }
  size_t size() const { return entries_.size(); }
  // Distinct source column names in first-use order, and for each entry its index into that
  // list (-1 for computed entries).
  const std::vector<std::string>& source_columns() const { return source_columns_; }
  int source_index(size_t entry) const { return source_index_[entry]; }
  bool all_source() const;

  // Output column names: source names, or the entry text for computed ones.
  std::vector<ColumnInfo> OutputColumns(const std::vector<TypeId>& source_types) const;

  // Sets every computed cell of `row` (constants, now(), uuid()).
  void FillComputed(Value* row, RecordBatch* batch) const;

 private:
  void Index();

  std::vector<Entry> entries_;
  std::vector<std::string> source_columns_;
  std::vector<int> source_index_;
  int64_t now_micros_ = 0;
};

// Quotes an identifier for SQL with double quotes ("a""b").
std::string QuoteIdentifier(std::string_view name);
// Each name quoted, joined by ", ": "a", "b""c".
std::string QuotedList(const std::vector<std::string>& names);

}  // namespace ferry
