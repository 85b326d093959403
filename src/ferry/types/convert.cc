#include "ferry/types/convert.h"

#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>

#include "ferry/common/strings.h"

namespace ferry {
namespace {

using std::chrono::days;
using std::chrono::sys_days;
using std::chrono::year_month_day;

constexpr int64_t kMicrosPerSecond = 1'000'000;
constexpr int64_t kMicrosPerDay = 86'400 * kMicrosPerSecond;

int64_t FloorDiv(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

// Zero-padded decimal written at `p` (at least `width` digits); returns the end. Hand-rolled
// because snprintf costs ~1 us per timestamp on hot paths.
char* PutPadded(int64_t v, int width, char* p) {
  uint64_t u = static_cast<uint64_t>(v);
  if (v < 0) {
    *p++ = '-';
    u = 0 - u;
  }
  char buf[24];
  int n = 0;
  do {
    buf[n++] = static_cast<char>('0' + u % 10);
    u /= 10;
  } while (u > 0);
  for (int k = n; k < width; ++k) *p++ = '0';
  while (n > 0) *p++ = buf[--n];
  return p;
}

void AppendPadded(int64_t v, int width, std::string* out) {
  char buf[48];
  out->append(buf, PutPadded(v, width, buf));
}

// The ISO forms below, written into a buffer of at least kTextRoom bytes.
constexpr size_t kTextRoom = 64;

// Two digits of 0..99 at `p`.
char* Put2(unsigned v, char* p) {
  static constexpr char kPairs[] =
      "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
      "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
      "8081828384858687888990919293949596979899";
  std::memcpy(p, kPairs + 2 * v, 2);
  return p + 2;
}

char* PutDate(int64_t d, char* p) {
  year_month_day ymd{sys_days{days{d}}};
  const int year = static_cast<int>(ymd.year());
  if (year >= 0 && year <= 9999) {
    p = Put2(year / 100, p);
    p = Put2(year % 100, p);
  } else {
    p = PutPadded(year, 4, p);
  }
  *p++ = '-';
  p = Put2(static_cast<unsigned>(ymd.month()), p);
  *p++ = '-';
  return Put2(static_cast<unsigned>(ymd.day()), p);
}

// HH:MM:SS, then the fraction without its trailing zeros when there is one.
char* PutTime(int64_t micros, char* p) {
  int64_t secs = micros / kMicrosPerSecond;
  int64_t frac = micros % kMicrosPerSecond;
  if (micros < 0 || secs / 3600 >= 100) {  // not a time of day: every field as it comes
    p = PutPadded(secs / 3600, 2, p);
    *p++ = ':';
    p = PutPadded(secs / 60 % 60, 2, p);
    *p++ = ':';
    p = PutPadded(secs % 60, 2, p);
  } else {
    p = Put2(static_cast<unsigned>(secs / 3600), p);
    *p++ = ':';
    p = Put2(static_cast<unsigned>(secs / 60 % 60), p);
    *p++ = ':';
    p = Put2(static_cast<unsigned>(secs % 60), p);
  }
  if (frac != 0) {
    *p++ = '.';
    const auto f = static_cast<unsigned>(frac);
    char* end =
        frac > 0 ? Put2(f % 100, Put2(f / 100 % 100, Put2(f / 10000, p))) : PutPadded(frac, 6, p);
    while (end[-1] == '0') --end;
    p = end;
  }
  return p;
}

// Reads exactly `width` digits at *pos.
bool ReadDigits(std::string_view s, size_t* pos, int width, int* out) {
  if (*pos + width > s.size()) return false;
  int v = 0;
  for (int k = 0; k < width; ++k) {
    char c = s[*pos + k];
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  *pos += width;
  *out = v;
  return true;
}

Status Expected(std::string_view text, const char* what) {
  return Status::DataError("\"" + std::string(text.substr(0, 64)) + "\" is not " + what);
}

std::optional<int64_t> DaysFromCivil(int y, int m, int d) {
  year_month_day ymd{std::chrono::year(y), std::chrono::month(m), std::chrono::day(d)};
  if (!ymd.ok()) return std::nullopt;
  return sys_days(ymd).time_since_epoch().count();
}

// Parses "HH:MM[:SS[.f{1,6}]]" starting at *pos; returns micros.
bool ReadClock(std::string_view s, size_t* pos, int64_t* micros) {
  int h, mi, sec = 0;
  if (!ReadDigits(s, pos, 2, &h) || *pos >= s.size() || s[*pos] != ':') return false;
  ++*pos;
  if (!ReadDigits(s, pos, 2, &mi)) return false;
  int64_t frac = 0;
  if (*pos < s.size() && s[*pos] == ':') {
    ++*pos;
    if (!ReadDigits(s, pos, 2, &sec)) return false;
    if (*pos < s.size() && s[*pos] == '.') {
      ++*pos;
      int digits = 0;
      while (*pos < s.size() && s[*pos] >= '0' && s[*pos] <= '9') {
        if (digits < 6) frac = frac * 10 + (s[*pos] - '0');
        ++digits;
        ++*pos;
      }
      if (digits == 0) return false;
      for (int k = digits; k < 6; ++k) frac *= 10;
    }
  }
  if (h > 23 || mi > 59 || sec > 60) return false;
  *micros = ((h * 60LL + mi) * 60 + sec) * kMicrosPerSecond + frac;
  return true;
}

bool ReadDate(std::string_view s, size_t* pos, int64_t* days_out) {
  int y, m, d;
  if (!ReadDigits(s, pos, 4, &y)) return false;
  bool dashed = *pos < s.size() && s[*pos] == '-';
  if (dashed) ++*pos;
  if (!ReadDigits(s, pos, 2, &m)) return false;
  if (dashed) {
    if (*pos >= s.size() || s[*pos] != '-') return false;
    ++*pos;
  }
  if (!ReadDigits(s, pos, 2, &d)) return false;
  auto v = DaysFromCivil(y, m, d);
  if (!v) return false;
  *days_out = *v;
  return true;
}

}  // namespace

void AppendDate(int64_t d, std::string* out) {
  char buf[kTextRoom];
  out->append(buf, PutDate(d, buf));
}

void AppendTime(int64_t micros, std::string* out) {
  char buf[kTextRoom];
  out->append(buf, PutTime(micros, buf));
}

void AppendTimestamp(int64_t micros, std::string* out) {
  int64_t day = FloorDiv(micros, kMicrosPerDay);
  char buf[kTextRoom];
  char* p = PutDate(day, buf);
  *p++ = ' ';
  out->append(buf, PutTime(micros - day * kMicrosPerDay, p));
}

void AppendHex(std::string_view bytes, std::string* out) {
  static constexpr char kDigits[] = "0123456789abcdef";
  out->append("\\x");
  for (unsigned char c : bytes) {
    out->push_back(kDigits[c >> 4]);
    out->push_back(kDigits[c & 15]);
  }
}

Result<std::string> DecodeHex(std::string_view text) {
  if (text.size() >= 2 && text[0] == '\\' && (text[1] == 'x' || text[1] == 'X'))
    text.remove_prefix(2);
  if (text.size() % 2 != 0) return Expected(text, "hex bytes (an even number of hex digits)");
  std::string out;
  out.reserve(text.size() / 2);
  for (size_t k = 0; k < text.size(); k += 2) {
    int hi = HexDigitValue(text[k]), lo = HexDigitValue(text[k + 1]);
    if (hi < 0 || lo < 0) return Expected(text, "hex bytes");
    out.push_back(static_cast<char>(hi * 16 + lo));
  }
  return out;
}

void AppendValueText(const Value& v, std::string* out) {
  switch (v.type) {
    case TypeId::kNull:
      break;
    case TypeId::kBool:
      out->append(v.i ? "true" : "false");
      break;
    case TypeId::kInt64: {
      char buf[24];
      auto r = std::to_chars(buf, buf + sizeof(buf), v.i);
      out->append(buf, r.ptr);
      break;
    }
    case TypeId::kDouble: {
      char buf[32];
      auto r = std::to_chars(buf, buf + sizeof(buf), v.d);
      out->append(buf, r.ptr);
      break;
    }
    case TypeId::kDecimal:
    case TypeId::kString:
    case TypeId::kBytes:
      out->append(v.p, v.len);
      break;
    case TypeId::kDate:
      AppendDate(v.i, out);
      break;
    case TypeId::kTime:
      AppendTime(v.i, out);
      break;
    case TypeId::kTimestamp:
      AppendTimestamp(v.i, out);
      break;
    case TypeId::kTimestampTz:
      AppendTimestamp(v.i, out);
      out->append("+00");
      break;
  }
}

std::string ValueText(const Value& v) {
  std::string s;
  AppendValueText(v, &s);
  return s;
}

std::string TypedText(const Value& v) {
  if (v.is_null()) return "null";
  std::string out = std::string(TypeName(v.type)) + ":";
  if (v.type == TypeId::kBytes) {
    AppendHex(v.text(), &out);
  } else {
    AppendValueText(v, &out);
  }
  return out;
}

Result<int64_t> ParseInt64(std::string_view text) {
  int64_t v;
  const char* b = text.data();
  if (!text.empty() && text[0] == '+') ++b;
  auto r = std::from_chars(b, text.data() + text.size(), v);
  if (r.ec == std::errc::result_out_of_range) return Expected(text, "within the long range");
  if (r.ec != std::errc() || r.ptr != text.data() + text.size() || text.empty()) {
    return Expected(text, "an integer");
  }
  return v;
}

Result<double> ParseDouble(std::string_view text) {
  double v;
  const char* b = text.data();
  if (!text.empty() && text[0] == '+') ++b;
  auto r = std::from_chars(b, text.data() + text.size(), v);
  if (r.ec != std::errc() || r.ptr != text.data() + text.size() || text.empty()) {
    // from_chars refuses subnormal underflow with out_of_range on some libstdc++ versions;
    // strtod reads them exactly.
    std::string copy(text);
    char* end = nullptr;
    errno = 0;
    v = std::strtod(copy.c_str(), &end);
    if (copy.empty() || end != copy.c_str() + copy.size() || (errno == ERANGE && std::isinf(v))) {
      return Expected(text, "a number");
    }
  }
  return v;
}

Result<bool> ParseBool(std::string_view text) {
  if (text == "true" || text == "TRUE" || text == "True" || text == "1" || text == "t") return true;
  if (text == "false" || text == "FALSE" || text == "False" || text == "0" || text == "f") {
    return false;
  }
  return Expected(text, "a boolean (true/false)");
}

Result<std::string> ParseDecimal(std::string_view text) {
  std::string_view s = text;
  std::string out;
  if (!s.empty() && (s[0] == '-' || s[0] == '+')) {
    if (s[0] == '-') out.push_back('-');
    s.remove_prefix(1);
  }
  size_t digits = 0, dots = 0;
  for (char c : s) {
    if (c >= '0' && c <= '9') {
      ++digits;
    } else if (c == '.') {
      ++dots;
    } else {
      return Expected(text, "a decimal number");
    }
  }
  if (digits == 0 || dots > 1) return Expected(text, "a decimal number");
  out.append(s);
  return out;
}

Result<int64_t> ParseDate(std::string_view text) {
  size_t pos = 0;
  int64_t d;
  if (!ReadDate(text, &pos, &d) || pos != text.size()) return Expected(text, "a date (yyyy-mm-dd)");
  return d;
}

Result<int64_t> ParseTime(std::string_view text) {
  size_t pos = 0;
  int64_t micros;
  if (!ReadClock(text, &pos, &micros) || pos != text.size()) {
    return Expected(text, "a time (HH:MM:SS[.ffffff])");
  }
  return micros;
}

Result<int64_t> ParseTimestamp(std::string_view text, bool allow_offset) {
  size_t pos = 0;
  int64_t d, clock = 0;
  const char* what = "a timestamp (yyyy-mm-dd HH:MM:SS[.ffffff])";
  if (!ReadDate(text, &pos, &d)) return Expected(text, what);
  if (pos < text.size() && (text[pos] == ' ' || text[pos] == 'T')) {
    ++pos;
    if (!ReadClock(text, &pos, &clock)) return Expected(text, what);
  }
  int64_t offset_seconds = 0;
  if (pos < text.size()) {
    if (!allow_offset) return Expected(text, what);
    if (text[pos] == 'Z' && pos + 1 == text.size()) {
      pos = text.size();
    } else if (text[pos] == '+' || text[pos] == '-') {
      int sign = text[pos] == '-' ? -1 : 1, oh = 0, om = 0;
      ++pos;
      if (!ReadDigits(text, &pos, 2, &oh)) return Expected(text, what);
      if (pos < text.size() && text[pos] == ':') ++pos;
      if (pos < text.size() && !ReadDigits(text, &pos, 2, &om)) return Expected(text, what);
      offset_seconds = sign * (oh * 3600 + om * 60);
    }
    if (pos != text.size()) return Expected(text, what);
  }
  return d * kMicrosPerDay + clock - offset_seconds * kMicrosPerSecond;
}

Result<Value> ParseAs(TypeId type, std::string_view text) {
  switch (type) {
    case TypeId::kNull:
      return Value::Null();
    case TypeId::kBool: {
      ASSIGN_OR_RETURN(bool b, ParseBool(text));
      return Value::Bool(b);
    }
    case TypeId::kInt64: {
      ASSIGN_OR_RETURN(int64_t v, ParseInt64(text));
      return Value::Int64(v);
    }
    case TypeId::kDouble: {
      ASSIGN_OR_RETURN(double v, ParseDouble(text));
      return Value::Double(v);
    }
    case TypeId::kDecimal: {
      RETURN_NOT_OK(ParseDecimal(text));
      return Value::View(TypeId::kDecimal, text);
    }
    case TypeId::kString:
      return Value::View(TypeId::kString, text);
    case TypeId::kBytes:
      return Value::View(TypeId::kBytes, text);
    case TypeId::kDate: {
      ASSIGN_OR_RETURN(int64_t v, ParseDate(text));
      return Value::Date(v);
    }
    case TypeId::kTime: {
      ASSIGN_OR_RETURN(int64_t v, ParseTime(text));
      return Value::Time(v);
    }
    case TypeId::kTimestamp: {
      ASSIGN_OR_RETURN(int64_t v, ParseTimestamp(text));
      return Value::Timestamp(v);
    }
    case TypeId::kTimestampTz: {
      ASSIGN_OR_RETURN(int64_t v, ParseTimestamp(text, true));
      return Value::TimestampTz(v);
    }
  }
  return Status::Internal("unknown type");
}

// Java SimpleDateFormat subset that DataX jobs use: y M d H h m s S a, quoted literals.
std::string FormatJavaPattern(int64_t micros, std::string_view pattern) {
  int64_t day = FloorDiv(micros, kMicrosPerDay);
  int64_t in_day = micros - day * kMicrosPerDay;
  year_month_day ymd{sys_days{days{day}}};
  int64_t secs = in_day / kMicrosPerSecond;
  int64_t fields[128] = {};
  fields['y'] = static_cast<int>(ymd.year());
  fields['M'] = static_cast<unsigned>(ymd.month());
  fields['d'] = static_cast<unsigned>(ymd.day());
  fields['H'] = secs / 3600;
  fields['h'] = (secs / 3600) % 12 == 0 ? 12 : (secs / 3600) % 12;
  fields['m'] = secs / 60 % 60;
  fields['s'] = secs % 60;
  std::string out;
  for (size_t k = 0; k < pattern.size();) {
    char c = pattern[k];
    if (c == '\'') {
      size_t end = pattern.find('\'', k + 1);
      if (end == std::string_view::npos) end = pattern.size();
      out.append(pattern.substr(k + 1, end - k - 1));
      k = end + 1;
      continue;
    }
    size_t run = 1;
    while (k + run < pattern.size() && pattern[k + run] == c) ++run;
    if (c == 'S') {
      std::string f;
      AppendPadded(in_day % kMicrosPerSecond, 6, &f);
      out.append(f.substr(0, std::min<size_t>(run, 6)));
    } else if (c == 'a') {
      out.append(secs / 3600 < 12 ? "AM" : "PM");
    } else if (c == 'y' && run == 2) {
      AppendPadded(fields['y'] % 100, 2, &out);
    } else if (c == 'y' || c == 'M' || c == 'd' || c == 'H' || c == 'h' || c == 'm' || c == 's') {
      AppendPadded(fields[static_cast<int>(c)], static_cast<int>(run), &out);
    } else {
      out.append(run, c);
    }
    k += run;
  }
  return out;
}

Result<int64_t> ParseJavaPattern(std::string_view text, std::string_view pattern) {
  int y = 1970, mo = 1, d = 1, h = 0, mi = 0, s = 0;
  int64_t frac = 0;
  bool pm = false, twelve = false;
  size_t pos = 0;
  for (size_t k = 0; k < pattern.size();) {
    char c = pattern[k];
    size_t run = 1;
    while (k + run < pattern.size() && pattern[k + run] == c) ++run;
    int* target = nullptr;
    switch (c) {
      case 'y':
        target = &y;
        break;
      case 'M':
        target = &mo;
        break;
      case 'd':
        target = &d;
        break;
      case 'H':
        target = &h;
        break;
      case 'h':
        target = &h;
        twelve = true;
        break;
      case 'm':
        target = &mi;
        break;
      case 's':
        target = &s;
        break;
      default:
        break;
    }
    if (target != nullptr) {
      if (!ReadDigits(text, &pos, static_cast<int>(run), target)) {
        return Expected(text, ("a date in the format " + std::string(pattern)).c_str());
      }
    } else if (c == 'S') {
      int v;
      if (!ReadDigits(text, &pos, static_cast<int>(run), &v)) {
        return Expected(text, ("a date in the format " + std::string(pattern)).c_str());
      }
      frac = v;
      for (size_t z = run; z < 6; ++z) frac *= 10;
    } else if (c == 'a') {
      if (pos + 2 > text.size()) return Expected(text, "AM/PM");
      pm = text.substr(pos, 2) == "PM" || text.substr(pos, 2) == "pm";
      pos += 2;
    } else {
      for (size_t z = 0; z < run; ++z, ++pos) {
        if (pos >= text.size() || text[pos] != c) {
          return Expected(text, ("a date in the format " + std::string(pattern)).c_str());
        }
      }
    }
    k += run;
  }
  if (pos != text.size())
    return Expected(text, ("a date in the format " + std::string(pattern)).c_str());
  if (twelve) h = (h % 12) + (pm ? 12 : 0);
  auto day = DaysFromCivil(y, mo, d);
  if (!day || h > 23 || mi > 59 || s > 60) return Expected(text, "a valid date");
  return *day * kMicrosPerDay + ((h * 60LL + mi) * 60 + s) * kMicrosPerSecond + frac;
}

}  // namespace ferry
