#include "ferry/job/sched_params.h"

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <ctime>
#include <initializer_list>
#include <ostream>
#include <utility>

#include "ferry/common/numbers.h"

namespace ferry {
namespace {

namespace chr = std::chrono;

constexpr std::string_view kCyctimeForms =
    "YYYY-MM-DD HH:MM:SS, YYYY-MM-DDTHH:MM:SS, YYYYMMDDHHMMSS, YYYYMMDDHHMM, YYYYMMDD or "
    "YYYY-MM-DD";
constexpr std::string_view kTokenList = "yyyy yy mm dd hh24 hh mi ss";
constexpr std::string_view kAddMonthsForm = "add_months(FORMAT,N) with N a whole number of months";
constexpr int64_t kMaxOffset = 1'000'000'000;

bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsLetter(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }
bool IsNameChar(char c) { return IsLetter(c) || IsDigit(c) || c == '_'; }
char ToLower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

bool StartsWithIgnoreCase(std::string_view text, std::string_view prefix) {
  if (text.size() < prefix.size()) return false;
  for (size_t i = 0; i < prefix.size(); ++i) {
    if (ToLower(text[i]) != ToLower(prefix[i])) return false;
  }
  return true;
}

std::string_view TrimRight(std::string_view s) {
  while (!s.empty() && IsSpace(s.back())) s.remove_suffix(1);
  return s;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && IsSpace(s.front())) s.remove_prefix(1);
  return TrimRight(s);
}

void AppendPadded(std::string* out, int value, size_t width) {
  const std::string digits = std::to_string(value);
  if (digits.size() < width) out->append(width - digits.size(), '0');
  out->append(digits);
}

// ---- Civil time arithmetic, on std::chrono's proleptic Gregorian calendar.

chr::year_month_day DateOf(const CivilTime& t) {
  return chr::year{t.year} / chr::month{static_cast<unsigned>(t.month)} /
         chr::day{static_cast<unsigned>(t.day)};
}

chr::sys_seconds ToSysSeconds(const CivilTime& t) {
  return chr::sys_days{DateOf(t)} + chr::hours{t.hour} + chr::minutes{t.minute} +
         chr::seconds{t.second};
}

CivilTime FromSysSeconds(chr::sys_seconds s) {
  const chr::sys_days day = chr::floor<chr::days>(s);
  const chr::year_month_day ymd{day};
  const chr::hh_mm_ss<chr::seconds> hms{s - day};
  return {static_cast<int>(ymd.year()),
          static_cast<int>(static_cast<unsigned>(ymd.month())),
          static_cast<int>(static_cast<unsigned>(ymd.day())),
          static_cast<int>(hms.hours().count()),
          static_cast<int>(hms.minutes().count()),
          static_cast<int>(hms.seconds().count())};
}

constexpr chr::sys_seconds kFirstTime{chr::sys_days{chr::year{1} / chr::January / 1}};
constexpr chr::sys_seconds kLastTime{chr::sys_days{chr::year{9999} / chr::December / 31} +
                                     chr::seconds{86399}};

Status OutOfRange(std::string_view what) {
  return Status::InvalidArgument("'" + std::string(what) +
                                 "' gives a time outside the years 0001..9999");
}

Result<CivilTime> AddSeconds(const CivilTime& t, int64_t seconds, std::string_view what) {
  const chr::sys_seconds shifted = ToSysSeconds(t) + chr::seconds{seconds};
  if (shifted < kFirstTime || shifted > kLastTime) return OutOfRange(what);
  return FromSysSeconds(shifted);
}

// The day is clamped to the end of the target month: 03-31 minus one month is 02-28 (or 02-29).
Result<CivilTime> AddMonths(const CivilTime& t, int64_t months, std::string_view what) {
  const int64_t index = int64_t{t.year} * 12 + (t.month - 1) + months;
  if (index < 1 * 12 || index > 9999 * 12 + 11) return OutOfRange(what);
  const chr::year_month target =
      chr::year{static_cast<int>(index / 12)} / chr::month{static_cast<unsigned>(index % 12 + 1)};
  const unsigned last_day = static_cast<unsigned>((target / chr::last).day());
  CivilTime out = t;
  out.year = static_cast<int>(target.year());
  out.month = static_cast<int>(static_cast<unsigned>(target.month()));
  out.day = std::min(t.day, static_cast<int>(last_day));
  return out;
}

// The business date: the day before the scheduled day, at 00:00:00.
CivilTime BizdateOf(const CivilTime& cyctime) {
  return FromSysSeconds(chr::sys_days{DateOf(cyctime)} - chr::days{1});
}

// ---- Date formats.

enum class Field { kLiteral, kYear4, kYear2, kMonth, kDay, kHour24, kHour12, kMinute, kSecond };

struct Token {
  std::string_view text;
  Field field;
};

// Longer tokens first: yyyy before yy, hh24 before hh.
constexpr Token kTokens[] = {
    {"yyyy", Field::kYear4}, {"yy", Field::kYear2},  {"hh24", Field::kHour24},
    {"hh", Field::kHour12},  {"mm", Field::kMonth},  {"mi", Field::kMinute},
    {"dd", Field::kDay},     {"ss", Field::kSecond},
};

struct Piece {
  Field field;
  std::string_view literal;
};

struct ScannedFormat {
  std::vector<Piece> pieces;
  int tokens = 0;
  bool stray_letters = false;        // letters that are not a (lowercase) token
  std::string_view uppercase_token;  // the first token written in capitals, e.g. "MM"
};

ScannedFormat ScanFormat(std::string_view format) {
  ScannedFormat scan;
  size_t i = 0;
  while (i < format.size()) {
    const std::string_view rest = format.substr(i);
    const Token* exact = nullptr;
    const Token* folded = nullptr;
    for (const Token& token : kTokens) {
      if (rest.starts_with(token.text)) {
        exact = &token;
        break;
      }
      if (folded == nullptr && StartsWithIgnoreCase(rest, token.text)) folded = &token;
    }
    if (exact != nullptr) {
      scan.pieces.push_back({exact->field, {}});
      ++scan.tokens;
      i += exact->text.size();
    } else if (folded != nullptr) {
      const std::string_view text = rest.substr(0, folded->text.size());
      if (scan.uppercase_token.empty()) scan.uppercase_token = text;
      scan.stray_letters = true;
      scan.pieces.push_back({Field::kLiteral, text});
      i += text.size();
    } else {
      if (IsLetter(format[i])) scan.stray_letters = true;
      scan.pieces.push_back({Field::kLiteral, rest.substr(0, 1)});
      ++i;
    }
  }
  return scan;
}

bool IsDateFormat(const ScannedFormat& scan) { return scan.tokens > 0 && !scan.stray_letters; }

std::string FormatTime(const ScannedFormat& scan, const CivilTime& t) {
  std::string out;
  for (const Piece& piece : scan.pieces) {
    switch (piece.field) {
      case Field::kLiteral:
        out.append(piece.literal);
        break;
      case Field::kYear4:
        AppendPadded(&out, t.year, 4);
        break;
      case Field::kYear2:
        AppendPadded(&out, t.year % 100, 2);
        break;
      case Field::kMonth:
        AppendPadded(&out, t.month, 2);
        break;
      case Field::kDay:
        AppendPadded(&out, t.day, 2);
        break;
      case Field::kHour24:
        AppendPadded(&out, t.hour, 2);
        break;
      case Field::kHour12:
        AppendPadded(&out, t.hour % 12 == 0 ? 12 : t.hour % 12, 2);
        break;
      case Field::kMinute:
        AppendPadded(&out, t.minute, 2);
        break;
      case Field::kSecond:
        AppendPadded(&out, t.second, 2);
        break;
    }
  }
  return out;
}

enum class Unit { kNone, kDays, kMonths, kYears };

Unit SmallestDateUnit(const ScannedFormat& scan) {
  Unit unit = Unit::kNone;
  for (const Piece& piece : scan.pieces) {
    if (piece.field == Field::kDay) return Unit::kDays;
    if (piece.field == Field::kMonth) unit = Unit::kMonths;
    if (unit == Unit::kNone && (piece.field == Field::kYear4 || piece.field == Field::kYear2)) {
      unit = Unit::kYears;
    }
  }
  return unit;
}

// ---- Expressions: the text inside ${...} or $[...].

Status BadExpression(std::string_view whole, std::string_view expected) {
  return Status::InvalidArgument("bad scheduling expression '" + std::string(whole) +
                                 "': expected " + std::string(expected));
}

// An expression split into its FORMAT and its offset, nothing validated but add_months' shape.
struct Expression {
  std::string_view format;
  std::string_view amount;  // the offset after its sign; empty when there is none
  bool negative = false;
  bool add_months = false;
};

Result<Expression> SplitExpression(std::string_view body, std::string_view whole) {
  constexpr std::string_view kAddMonths = "add_months(";
  Expression e;
  const std::string_view trimmed = Trim(body);
  if (StartsWithIgnoreCase(trimmed, kAddMonths)) {
    if (!trimmed.ends_with(')')) return BadExpression(whole, kAddMonthsForm);
    const std::string_view inner =
        trimmed.substr(kAddMonths.size(), trimmed.size() - kAddMonths.size() - 1);
    const size_t comma = inner.rfind(',');
    if (comma == std::string_view::npos) return BadExpression(whole, kAddMonthsForm);
    e.add_months = true;
    e.format = Trim(inner.substr(0, comma));
    std::string_view amount = Trim(inner.substr(comma + 1));
    if (!amount.empty() && (amount[0] == '+' || amount[0] == '-')) {
      e.negative = amount[0] == '-';
      amount = Trim(amount.substr(1));
    }
    if (amount.empty()) return BadExpression(whole, kAddMonthsForm);
    e.amount = amount;
    return e;
  }
  e.format = body;
  const size_t sign = body.find_last_of("+-");
  if (sign == std::string_view::npos || sign == 0) return e;
  const std::string_view amount = Trim(body.substr(sign + 1));
  // "yyyy-mm-01" means the first of the month, not "yyyy-mm" minus one.
  const bool is_offset = !amount.empty() && IsDigit(amount[0]) &&
                         !(amount[0] == '0' && amount.size() > 1 && IsDigit(amount[1]));
  if (!is_offset) return e;
  e.format = TrimRight(body.substr(0, sign));
  e.amount = amount;
  e.negative = body[sign] == '-';
  return e;
}

// An offset: a product of whole numbers, then "/24" (hours) or "/24/60" (minutes).
struct Offset {
  int64_t amount = 0;
  int per_day = 1;  // 1, 24 or 1440
};

Result<Offset> ParseOffset(const Expression& e, std::string_view whole, std::string_view expected) {
  Offset offset;
  const size_t slash = e.amount.find('/');
  const std::string_view product = e.amount.substr(0, slash);
  const std::string_view divisors =
      slash == std::string_view::npos ? std::string_view() : e.amount.substr(slash);
  int64_t amount = 1;
  size_t start = 0;
  while (true) {
    const size_t star = product.find('*', start);
    const std::string_view factor = product.substr(start, star - start);
    if (factor.empty() || !std::all_of(factor.begin(), factor.end(), IsDigit)) {
      return BadExpression(whole, expected);
    }
    if (factor.size() > 9) return OutOfRange(whole);
    ASSIGN_OR_RETURN(const int64_t factor_value, ParseInt64(factor, "offset factor"));
    amount *= factor_value;
    if (amount > kMaxOffset) return OutOfRange(whole);
    if (star == std::string_view::npos) break;
    start = star + 1;
  }
  if (divisors == "/24") {
    offset.per_day = 24;
  } else if (divisors == "/24/60") {
    offset.per_day = 24 * 60;
  } else if (!divisors.empty()) {
    return BadExpression(whole, expected);
  }
  offset.amount = e.negative ? -amount : amount;
  return offset;
}

Result<CivilTime> Shift(const Expression& e, const ScannedFormat& scan, bool scheduled,
                        const CivilTime& base, std::string_view whole) {
  constexpr std::string_view kScheduledOffset =
      "an offset of N days, N/24 hours or N/24/60 minutes (N a whole number or a product like "
      "7*2)";
  constexpr std::string_view kBizdateOffset =
      "an offset N (a whole number or a product like 7*2) counted in the smallest unit of the "
      "format: dd days, mm months, yyyy or yy years; hours and minutes (N/24, N/24/60) belong in "
      "$[...]";
  if (e.amount.empty()) return AddSeconds(base, 0, whole);
  if (e.add_months) {
    ASSIGN_OR_RETURN(Offset offset, ParseOffset(e, whole, kAddMonthsForm));
    if (offset.per_day != 1) return BadExpression(whole, kAddMonthsForm);
    return AddMonths(base, offset.amount, whole);
  }
  if (scheduled) {
    ASSIGN_OR_RETURN(Offset offset, ParseOffset(e, whole, kScheduledOffset));
    return AddSeconds(base, offset.amount * (86400 / offset.per_day), whole);
  }
  ASSIGN_OR_RETURN(Offset offset, ParseOffset(e, whole, kBizdateOffset));
  if (offset.per_day != 1) return BadExpression(whole, kBizdateOffset);
  switch (SmallestDateUnit(scan)) {
    case Unit::kDays:
      return AddSeconds(base, offset.amount * 86400, whole);
    case Unit::kMonths:
      return AddMonths(base, offset.amount, whole);
    case Unit::kYears:
      return AddMonths(base, offset.amount * 12, whole);
    case Unit::kNone:
      break;
  }
  return BadExpression(whole,
                       "dd, mm, yy or yyyy in the format of an offset ${...}; "
                       "hours and minutes belong in $[...]");
}

// `scheduled`: a $[...] expression (the scheduled time) rather than ${...} (the business date).
Result<std::string> RenderDate(const Expression& e, const ScannedFormat& scan, bool scheduled,
                               const CivilTime& cyctime, std::string_view whole) {
  if (!scan.uppercase_token.empty()) {
    return BadExpression(whole, "lowercase date tokens (" + std::string(kTokenList) + "), not '" +
                                    std::string(scan.uppercase_token) + "'");
  }
  if (scan.tokens == 0) {
    return BadExpression(
        whole, "a date format with at least one of the tokens " + std::string(kTokenList));
  }
  const CivilTime base = scheduled ? cyctime : BizdateOf(cyctime);
  ASSIGN_OR_RETURN(CivilTime shifted, Shift(e, scan, scheduled, base, whole));
  return FormatTime(scan, shifted);
}

// ---- Rendering a text.

enum class Mode {
  kExpression,  // a -p value or `ferry params`: $bizdate works, an unknown ${name} is an error
  kJobText,     // a job string: bare $words are SQL's, an unknown ${name} is reported missing
};

bool IsPredefined(std::string_view name) {
  return name == "bizdate" || name == "cyctime" || name == "gmtdate" || name == "bizmonth";
}

struct RenderContext {
  const CivilTime& cyctime;
  const std::map<std::string, std::string>& values;
  Mode mode;
  std::vector<std::string>* missing;
};

Result<std::string> RenderBraces(std::string_view body, std::string_view whole,
                                 const RenderContext& ctx) {
  if (body.empty()) return BadExpression(whole, "${NAME} or ${FORMAT}");
  if (auto it = ctx.values.find(std::string(body)); it != ctx.values.end()) return it->second;
  ASSIGN_OR_RETURN(Expression e, SplitExpression(body, whole));
  const ScannedFormat scan = ScanFormat(e.format);
  if (e.add_months || IsDateFormat(scan)) return RenderDate(e, scan, false, ctx.cyctime, whole);
  if (ctx.mode == Mode::kExpression) {
    return BadExpression(whole,
                         "a predefined name (bizdate, cyctime, gmtdate, bizmonth), a "
                         "parameter defined before, or a date format like "
                         "${yyyymmdd-1} made of the tokens " +
                             std::string(kTokenList));
  }
  if (ctx.missing == nullptr) {
    return Status::InvalidArgument("no value for parameter '" + std::string(whole) +
                                   "': give one with -p " + std::string(body) + "=VALUE");
  }
  if (std::find(ctx.missing->begin(), ctx.missing->end(), body) == ctx.missing->end()) {
    ctx.missing->emplace_back(body);
  }
  return std::string(whole);
}

Result<std::string> RenderBrackets(std::string_view body, std::string_view whole,
                                   const RenderContext& ctx) {
  ASSIGN_OR_RETURN(Expression e, SplitExpression(body, whole));
  const ScannedFormat scan = ScanFormat(e.format);
  const bool date_like = e.add_months || scan.tokens > 0 || !scan.uppercase_token.empty();
  if (!date_like && ctx.mode == Mode::kJobText) return std::string(whole);
  return RenderDate(e, scan, true, ctx.cyctime, whole);
}

Result<std::string> Render(std::string_view text, const RenderContext& ctx) {
  std::string out;
  size_t i = 0;
  while (i < text.size()) {
    const size_t dollar = text.find('$', i);
    out.append(text.substr(i, dollar - i));
    if (dollar == std::string_view::npos) break;
    const char next = dollar + 1 < text.size() ? text[dollar + 1] : '\0';
    if (next == '{' || next == '[') {
      const char close = next == '{' ? '}' : ']';
      const size_t end = text.find(close, dollar + 2);
      if (end == std::string_view::npos) {
        return Status::InvalidArgument("unterminated '$" + std::string(1, next) + "' in '" +
                                       std::string(text.substr(dollar, 40)) +
                                       "': expected a closing '" + std::string(1, close) + "'");
      }
      const std::string_view whole = text.substr(dollar, end + 1 - dollar);
      const std::string_view body = whole.substr(2, whole.size() - 3);
      ASSIGN_OR_RETURN(std::string rendered, next == '{' ? RenderBraces(body, whole, ctx)
                                                         : RenderBrackets(body, whole, ctx));
      out += rendered;
      i = end + 1;
      continue;
    }
    if (ctx.mode == Mode::kExpression) {
      size_t end = dollar + 1;
      while (end < text.size() && IsNameChar(text[end])) ++end;
      const std::string name(text.substr(dollar + 1, end - dollar - 1));
      if (auto it = ctx.values.find(name); IsPredefined(name) && it != ctx.values.end()) {
        out += it->second;
        i = end;
        continue;
      }
    }
    out += '$';
    i = dollar + 1;
  }
  return out;
}

std::map<std::string, std::string> PredefinedValues(const CivilTime& cyctime) {
  const ScannedFormat day = ScanFormat("yyyymmdd");
  const ScannedFormat month = ScanFormat("yyyymm");
  const CivilTime bizdate = BizdateOf(cyctime);
  chr::year_month bizmonth = DateOf(bizdate).year() / DateOf(bizdate).month();
  if (bizmonth == DateOf(cyctime).year() / DateOf(cyctime).month()) bizmonth -= chr::months{1};
  const CivilTime bizmonth_time{static_cast<int>(bizmonth.year()),
                                static_cast<int>(static_cast<unsigned>(bizmonth.month()))};
  return {
      {"bizdate", FormatTime(day, bizdate)},
      {"cyctime", FormatTime(ScanFormat("yyyymmddhh24miss"), cyctime)},
      {"gmtdate", FormatTime(day, cyctime)},
      {"bizmonth", FormatTime(month, bizmonth_time)},
  };
}

// Matches `text` against a form where Y M D h m s stand for digits of that field.
bool MatchForm(std::string_view text, std::string_view form, CivilTime* out) {
  if (text.size() != form.size()) return false;
  CivilTime t{0, 0, 0, 0, 0, 0};
  for (size_t i = 0; i < form.size(); ++i) {
    int* field = nullptr;
    switch (form[i]) {
      case 'Y':
        field = &t.year;
        break;
      case 'M':
        field = &t.month;
        break;
      case 'D':
        field = &t.day;
        break;
      case 'h':
        field = &t.hour;
        break;
      case 'm':
        field = &t.minute;
        break;
      case 's':
        field = &t.second;
        break;
      default:
        if (text[i] != form[i]) return false;
        continue;
    }
    if (!IsDigit(text[i])) return false;
    *field = *field * 10 + (text[i] - '0');
  }
  *out = t;
  return true;
}

// What is wrong with the fields of a parsed time; empty when it is a real time.
std::string CheckFields(const CivilTime& t) {
  std::string problem;
  if (t.year < 1) return "there is no year 0000";
  if (t.month < 1 || t.month > 12) {
    AppendPadded(&problem, t.month, 2);
    return "month " + problem + " is not 01..12";
  }
  if (!DateOf(t).ok()) {
    AppendPadded(&problem, t.year, 4);
    problem += '-';
    AppendPadded(&problem, t.month, 2);
    problem += " has no day ";
    AppendPadded(&problem, t.day, 2);
    return problem;
  }
  if (t.hour > 23) return "hour " + std::to_string(t.hour) + " is not 00..23";
  if (t.minute > 59) return "minute " + std::to_string(t.minute) + " is not 00..59";
  if (t.second > 59) return "second " + std::to_string(t.second) + " is not 00..59";
  return problem;
}

Result<CivilTime> ParseWithForms(std::string_view what, std::string_view text,
                                 std::initializer_list<std::string_view> forms,
                                 std::string_view expected) {
  CivilTime t;
  const bool matched = std::any_of(
      forms.begin(), forms.end(), [&](std::string_view form) { return MatchForm(text, form, &t); });
  const std::string prefix = "invalid " + std::string(what) + " '" + std::string(text) + "': ";
  if (!matched) return Status::InvalidArgument(prefix + "expected " + std::string(expected));
  if (std::string problem = CheckFields(t); !problem.empty()) {
    return Status::InvalidArgument(prefix + problem + "; expected " + std::string(expected));
  }
  return t;
}

bool IsParameterName(std::string_view name) {
  return !name.empty() && !IsDigit(name[0]) && std::all_of(name.begin(), name.end(), IsNameChar);
}

}  // namespace

// Splits `--params` text into words the way a shell would, quotes removed.
Result<std::vector<std::string>> SplitAssignments(std::string_view list) {
  std::vector<std::string> words;
  size_t i = 0;
  while (true) {
    while (i < list.size() && IsSpace(list[i])) ++i;
    if (i == list.size()) return words;
    std::string word;
    while (i < list.size() && !IsSpace(list[i])) {
      const char quote = list[i];
      if (quote != '\'' && quote != '"') {
        word += list[i++];
        continue;
      }
      const size_t open = i++;
      while (i < list.size() && list[i] != quote) {
        if (quote == '"' && list[i] == '\\' && i + 1 < list.size() &&
            (list[i + 1] == '"' || list[i + 1] == '\\')) {
          ++i;
        }
        word += list[i++];
      }
      if (i == list.size()) {
        return Status::InvalidArgument(
            "unterminated " + std::string(1, quote) + " quote in parameter list at '" +
            std::string(list.substr(open, 40)) + "': expected a closing " + std::string(1, quote));
      }
      ++i;
    }
    words.push_back(std::move(word));
  }
}

std::string FormatCivilTime(const CivilTime& time) {
  return FormatTime(ScanFormat("yyyy-mm-dd hh24:mi:ss"), time);
}

std::ostream& operator<<(std::ostream& os, const CivilTime& time) {
  return os << FormatCivilTime(time);
}

Result<CivilTime> ParseCyctime(std::string_view text) {
  return ParseWithForms("cyctime", text,
                        {"YYYY-MM-DD hh:mm:ss", "YYYY-MM-DDThh:mm:ss", "YYYYMMDDhhmmss",
                         "YYYYMMDDhhmm", "YYYYMMDD", "YYYY-MM-DD"},
                        kCyctimeForms);
}

Result<CivilTime> CyctimeFromBizdate(std::string_view bizdate) {
  ASSIGN_OR_RETURN(CivilTime day, ParseWithForms("bizdate", bizdate, {"YYYYMMDD", "YYYY-MM-DD"},
                                                 "YYYYMMDD or YYYY-MM-DD"));
  return AddSeconds(day, 86400, "bizdate " + std::string(bizdate));
}

CivilTime NowLocal() {
  const std::time_t now = std::time(nullptr);
  std::tm local{};
  localtime_r(&now, &local);
  return {local.tm_year + 1900, local.tm_mon + 1, local.tm_mday,
          local.tm_hour,        local.tm_min,     std::min(local.tm_sec, 59)};
}

Result<std::string> RenderExpression(std::string_view text, const CivilTime& cyctime) {
  const std::map<std::string, std::string> predefined = PredefinedValues(cyctime);
  return Render(text, {cyctime, predefined, Mode::kExpression, nullptr});
}

ParameterSet::ParameterSet(CivilTime cyctime)
    : cyctime_(cyctime), values_(PredefinedValues(cyctime)) {}

Status ParameterSet::Add(std::string_view assignment) {
  const size_t eq = assignment.find('=');
  const std::string name(assignment.substr(0, eq));
  if (eq == std::string_view::npos || !IsParameterName(name)) {
    return Status::InvalidArgument(
        "bad parameter assignment '" + std::string(assignment) +
        "': expected NAME=VALUE, NAME made of letters, digits and '_' (not starting with a "
        "digit)");
  }
  Result<std::string> value =
      Render(assignment.substr(eq + 1), {cyctime_, values_, Mode::kExpression, nullptr});
  if (!value.ok()) return value.status().WithPrefix("parameter '" + name + "'");
  values_[name] = std::move(value).value();
  return Status::OK();
}

Status ParameterSet::AddAssignments(std::string_view list) {
  ASSIGN_OR_RETURN(std::vector<std::string> assignments, SplitAssignments(list));
  for (const std::string& assignment : assignments) RETURN_NOT_OK(Add(assignment));
  return Status::OK();
}

Result<std::string> ParameterSet::Substitute(std::string_view text,
                                             std::vector<std::string>* missing) const {
  return Render(text, {cyctime_, values_, Mode::kJobText, missing});
}

std::optional<std::string> ParameterSet::Get(std::string_view name) const {
  auto it = values_.find(std::string(name));
  if (it == values_.end()) return std::nullopt;
  return it->second;
}

}  // namespace ferry
