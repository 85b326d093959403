#include "plugins/txtfile/csv_formatter.h"

#include "ferry/types/convert.h"

namespace ferry::txtfile {
namespace {

constexpr int64_t kMicrosPerDay = 86'400'000'000LL;

bool IsEdgeSpace(char c) { return c == ' ' || c == '\t'; }

}  // namespace

CsvFormatter::CsvFormatter(Dialect dialect, std::string date_format)
    : dialect_(std::move(dialect)),
      date_format_(std::move(date_format)),
      special_(dialect_.format == FileFormat::kCsv
                   ? ByteSet{dialect_.delimiter, '"', '\n', '\r'}
                   : ByteSet{dialect_.delimiter, '\\', '\n', '\r', '\t'}) {}

void CsvFormatter::AppendRow(const Value* row, size_t n, std::string* out) {
  for (size_t c = 0; c < n; ++c) {
    if (c > 0) out->push_back(dialect_.delimiter);
    AppendValue(row[c], n == 1, out);
  }
  out->push_back('\n');
}

void CsvFormatter::AppendHeader(const std::vector<std::string>& names, std::string* out) {
  for (size_t c = 0; c < names.size(); ++c) {
    if (c > 0) out->push_back(dialect_.delimiter);
    AppendField(names[c], names.size() == 1, out);
  }
  out->push_back('\n');
}

void CsvFormatter::AppendValue(const Value& v, bool only_field, std::string* out) {
  const size_t start = out->size();
  switch (v.type) {
    case TypeId::kNull:
      out->append(dialect_.null_format);
      return;
    case TypeId::kString:
      AppendField(v.text(), only_field, out);
      return;
    case TypeId::kBytes:
      AppendHex(v.text(), out);
      break;
    case TypeId::kDate:
    case TypeId::kTimestamp:
    case TypeId::kTimestampTz:
      if (!date_format_.empty()) {
        int64_t micros = v.type == TypeId::kDate ? v.i * kMicrosPerDay : v.i;
        out->append(FormatJavaPattern(micros, date_format_));
        break;
      }
      [[fallthrough]];
    default:
      AppendValueText(v, out);
      break;
  }
  FieldAppendedAsIs(start, only_field, out);
}

// The text of a non-string value goes straight into `out`; the rare one that must be quoted or
// escaped (a delimiter inside, text equal to the null format) is moved out and written again.
void CsvFormatter::FieldAppendedAsIs(size_t start, bool only_field, std::string* out) {
  const std::string_view text = std::string_view(*out).substr(start);
  const bool as_is =
      dialect_.format == FileFormat::kText
          ? special_.FindFirst(text.data(), text.data() + text.size()) == text.data() + text.size()
          : !NeedsQuotes(text, only_field);
  if (as_is) return;
  scratch_.assign(text);
  out->resize(start);
  AppendField(scratch_, only_field, out);
}

void CsvFormatter::AppendField(std::string_view text, bool only_field, std::string* out) const {
  if (dialect_.format == FileFormat::kText) {
    AppendEscaped(text, out);
  } else if (NeedsQuotes(text, only_field)) {
    AppendQuoted(text, out);
  } else {
    out->append(text);
  }
}

bool CsvFormatter::NeedsQuotes(std::string_view text, bool only_field) const {
  // An empty only field would be a blank line, which csv readers skip.
  if (text.empty()) return only_field || dialect_.null_format.empty();
  if (IsEdgeSpace(text.front()) || IsEdgeSpace(text.back())) return true;
  const char* end = text.data() + text.size();
  return special_.FindFirst(text.data(), end) != end || text == dialect_.null_format;
}

void CsvFormatter::AppendQuoted(std::string_view text, std::string* out) const {
  out->push_back('"');
  for (size_t quote; (quote = text.find('"')) != std::string_view::npos;) {
    out->append(text.substr(0, quote + 1));
    out->push_back('"');
    text.remove_prefix(quote + 1);
  }
  out->append(text);
  out->push_back('"');
}

void CsvFormatter::AppendEscaped(std::string_view text, std::string* out) const {
  const char* p = text.data();
  const char* end = p + text.size();
  for (const char* special; (special = special_.FindFirst(p, end)) != end; p = special + 1) {
    out->append(p, special);
    out->push_back('\\');
    switch (char c = *special) {
      case '\n':
        out->push_back('n');
        break;
      case '\r':
        out->push_back('r');
        break;
      case '\t':
        out->push_back('t');
        break;
      default:  // a backslash or the delimiter
        out->push_back(c);
        break;
    }
  }
  out->append(p, end);
}

}  // namespace ferry::txtfile
