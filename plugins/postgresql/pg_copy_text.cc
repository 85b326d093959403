#include "plugins/postgresql/pg_copy_text.h"

#include <charconv>
#include <cmath>

#include "ferry/common/strings.h"
#include "ferry/types/convert.h"

namespace ferry::pg {
namespace {

char Unescape(char c) {
  switch (c) {
    case 'b':
      return '\b';
    case 'f':
      return '\f';
    case 'n':
      return '\n';
    case 'r':
      return '\r';
    case 't':
      return '\t';
    case 'v':
      return '\v';
    default:
      return c;
  }
}

// Unescapes `field` (which holds at least one backslash) onto the end of `scratch`.
void UnescapeInto(std::string_view field, std::string* scratch) {
  for (size_t i = 0; i < field.size(); ++i) {
    char c = field[i];
    if (c != '\\' || i + 1 == field.size()) {
      scratch->push_back(c);
      continue;
    }
    char e = field[++i];
    if (e >= '0' && e <= '7') {
      int v = e - '0';
      for (int k = 0; k < 2 && i + 1 < field.size() && field[i + 1] >= '0' && field[i + 1] <= '7';
           ++k) {
        v = v * 8 + (field[++i] - '0');
      }
      scratch->push_back(static_cast<char>(v));
    } else if (e == 'x' && i + 1 < field.size() && HexDigitValue(field[i + 1]) >= 0) {
      int v = HexDigitValue(field[++i]);
      if (i + 1 < field.size() && HexDigitValue(field[i + 1]) >= 0)
        v = v * 16 + HexDigitValue(field[++i]);
      scratch->push_back(static_cast<char>(v));
    } else {
      scratch->push_back(Unescape(e));
    }
  }
}

Status NotA(std::string_view text, const char* what) {
  return Status::DataError("PostgreSQL value \"" + std::string(text.substr(0, 64)) +
                           "\" cannot be read as " + what);
}

Result<Value> DecodeBytea(std::string_view text, RecordBatch* batch) {
  if (text.size() < 2 || text[0] != '\\' || text[1] != 'x' || text.size() % 2 != 0) {
    return NotA(text, "hex bytea");
  }
  size_t n = (text.size() - 2) / 2;
  thread_local std::string bytes;
  bytes.resize(n);
  for (size_t k = 0; k < n; ++k) {
    int hi = HexDigitValue(text[2 + 2 * k]), lo = HexDigitValue(text[3 + 2 * k]);
    if (hi < 0 || lo < 0) return NotA(text, "hex bytea");
    bytes[k] = static_cast<char>(hi * 16 + lo);
  }
  return batch->CopyText(TypeId::kBytes, bytes);
}

// PostgreSQL prints numerics as [-]digits[.digits]; anything else (NaN, Infinity) has no exact
// Ferry decimal.
bool IsPlainDecimal(std::string_view text) {
  size_t i = !text.empty() && text[0] == '-' ? 1 : 0;
  size_t digits = 0, dots = 0;
  for (; i < text.size(); ++i) {
    char c = text[i];
    if (c >= '0' && c <= '9') {
      ++digits;
    } else if (c == '.' && dots == 0) {
      ++dots;
    } else {
      return false;
    }
  }
  return digits > 0;
}

Result<Value> DecodeInt(std::string_view text) {
  int64_t v = 0;
  auto r = std::from_chars(text.data(), text.data() + text.size(), v);
  if (r.ec != std::errc() || r.ptr != text.data() + text.size()) return NotA(text, "an integer");
  return Value::Int64(v);
}

}  // namespace

Status SplitCopyLine(std::string_view line, size_t expected, CopyFields* out) {
  if (!line.empty() && line.back() == '\n') line.remove_suffix(1);
  out->text.clear();
  out->null.clear();
  out->scratch.clear();
  // Unescaped text goes to scratch; reserve so views into it stay valid while it grows.
  if (line.find('\\') != std::string_view::npos) out->scratch.reserve(line.size());
  size_t start = 0;
  for (;;) {
    size_t tab = line.find('\t', start);
    std::string_view field =
        line.substr(start, tab == std::string_view::npos ? line.npos : tab - start);
    if (field == "\\N") {
      out->text.emplace_back();
      out->null.push_back(true);
    } else if (field.find('\\') == std::string_view::npos) {
      out->text.push_back(field);
      out->null.push_back(false);
    } else {
      size_t at = out->scratch.size();
      UnescapeInto(field, &out->scratch);
      out->text.emplace_back(out->scratch.data() + at, out->scratch.size() - at);
      out->null.push_back(false);
    }
    if (tab == std::string_view::npos) break;
    start = tab + 1;
  }
  if (out->text.size() != expected) {
    return Status::Internal("COPY row has " + std::to_string(out->text.size()) +
                            " fields, expected " + std::to_string(expected));
  }
  return Status::OK();
}

Result<Value> DecodeCopyField(TypeId type, std::string_view text, RecordBatch* batch) {
  switch (type) {
    case TypeId::kInt64:
      return DecodeInt(text);
    case TypeId::kBool:
      if (text == "t") return Value::Bool(true);
      if (text == "f") return Value::Bool(false);
      return NotA(text, "a boolean");
    case TypeId::kDouble: {
      auto d = ParseDouble(text);
      if (!d.ok()) return NotA(text, "a double");
      return Value::Double(*d);
    }
    case TypeId::kDecimal:
      if (!IsPlainDecimal(text)) return NotA(text, "an exact decimal");
      return batch->CopyText(TypeId::kDecimal, text);
    case TypeId::kBytes:
      return DecodeBytea(text, batch);
    case TypeId::kDate: {
      auto d = ParseDate(text);
      if (!d.ok()) return NotA(text, "a date (BC and infinite dates have no Ferry value)");
      return Value::Date(*d);
    }
    case TypeId::kTime: {
      auto t = ParseTime(text);
      if (!t.ok()) return NotA(text, "a time");
      return Value::Time(*t);
    }
    case TypeId::kTimestamp:
    case TypeId::kTimestampTz: {
      bool tz = type == TypeId::kTimestampTz;
      auto t = ParseTimestamp(text, tz);
      if (!t.ok()) return NotA(text, "a timestamp (BC and infinite ones have no Ferry value)");
      return tz ? Value::TimestampTz(*t) : Value::Timestamp(*t);
    }
    default:
      return batch->CopyText(TypeId::kString, text);
  }
}

void AppendCopyEscaped(std::string_view text, std::string* out) {
  size_t run = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    const char* esc = nullptr;
    switch (c) {
      case '\\':
        esc = "\\\\";
        break;
      case '\t':
        esc = "\\t";
        break;
      case '\n':
        esc = "\\n";
        break;
      case '\r':
        esc = "\\r";
        break;
      default:
        continue;
    }
    out->append(text.data() + run, i - run);
    out->append(esc);
    run = i + 1;
  }
  out->append(text.data() + run, text.size() - run);
}

void AppendCopyField(const Value& v, bool bytea, std::string* out) {
  switch (v.type) {
    case TypeId::kNull:
      out->append("\\N");
      return;
    case TypeId::kBool:
      out->push_back(v.i ? 't' : 'f');
      return;
    case TypeId::kDouble:
      if (std::isnan(v.d)) {
        out->append("NaN");
      } else if (std::isinf(v.d)) {
        out->append(v.d > 0 ? "Infinity" : "-Infinity");
      } else {
        AppendValueText(v, out);
      }
      return;
    case TypeId::kString:
    case TypeId::kBytes:
      if (bytea) {
        out->push_back('\\');  // COPY's escape of the backslash of bytea's "\x" prefix
        AppendHex(v.text(), out);
        return;
      }
      AppendCopyEscaped(v.text(), out);
      return;
    default:
      AppendValueText(v, out);
      return;
  }
}

}  // namespace ferry::pg
