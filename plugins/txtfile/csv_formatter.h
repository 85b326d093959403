// CsvFormatter: turns rows of Values into lines of a txtfile dialect. csv quotes a field only
// when it must (delimiter, quote, CR, LF, edge spaces, or text equal to the null format, so a
// real "\N" string stays distinct from NULL); text escapes \ tab LF CR and the delimiter.
// NULL is written bare as the null format. One formatter per thread (it keeps scratch space).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "ferry/types/value.h"
#include "plugins/txtfile/byte_set.h"
#include "plugins/txtfile/dialect.h"

namespace ferry::txtfile {

class CsvFormatter {
 public:
  // `date_format`: Java pattern for date/timestamp values; empty for canonical ISO text.
  CsvFormatter(Dialect dialect, std::string date_format);

  // Appends `n` values and a LF.
  void AppendRow(const Value* row, size_t n, std::string* out);
  // Appends the names, formatted like string fields, and a LF.
  void AppendHeader(const std::vector<std::string>& names, std::string* out);

 private:
  void AppendValue(const Value& v, bool only_field, std::string* out);
  void FieldAppendedAsIs(size_t start, bool only_field, std::string* out);
  void AppendField(std::string_view text, bool only_field, std::string* out) const;
  bool NeedsQuotes(std::string_view text, bool only_field) const;
  void AppendQuoted(std::string_view text, std::string* out) const;
  void AppendEscaped(std::string_view text, std::string* out) const;

  Dialect dialect_;
  std::string date_format_;
  ByteSet special_;  // bytes that force quoting (csv) or escaping (text)
  std::string scratch_;
};

}  // namespace ferry::txtfile
