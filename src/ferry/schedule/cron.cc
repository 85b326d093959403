#include "ferry/schedule/cron.h"

#include <date/date.h>
#include <date/tz.h>
#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <tuple>

#include "ferry/common/numbers.h"

namespace ferry {
namespace {

using date::days;
using date::local_seconds;

struct FieldSpec {
  const char* name;
  int min, max;
  std::vector<std::string> names;  // names[i] is value min+i
};

const FieldSpec kSecond{"second", 0, 59, {}};
const FieldSpec kMinute{"minute", 0, 59, {}};
const FieldSpec kHour{"hour", 0, 23, {}};
const FieldSpec kDay{"day of month", 1, 31, {}};
const FieldSpec kMonth{
    "month",
    1,
    12,
    {"jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"}};
const FieldSpec kWeekday{
    "day of week", 0, 7, {"sun", "mon", "tue", "wed", "thu", "fri", "sat", "sun"}};

Result<int> ParseValue(std::string_view text, const FieldSpec& spec, std::string_view field) {
  std::string lower;
  for (char c : text) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  for (size_t i = 0; i < spec.names.size(); ++i) {
    if (lower == spec.names[i]) return spec.min + static_cast<int>(i);
  }
  if (text.empty() || text.size() > 4 || !std::all_of(text.begin(), text.end(), [](char c) {
        return std::isdigit(static_cast<unsigned char>(c));
      })) {
    return Status::InvalidArgument(
        fmt::format("{} field \"{}\": \"{}\" is not a number", spec.name, field, text));
  }
  ASSIGN_OR_RETURN(const int v, ParseInt32(text, spec.name));
  if (v < spec.min || v > spec.max) {
    return Status::InvalidArgument(fmt::format("{} field \"{}\": {} is out of range {}-{}",
                                               spec.name, field, v, spec.min, spec.max));
  }
  return v;
}

// Sets the bits of one field; returns whether the field restricts anything (is not `*`/`?`).
Result<bool> ParseField(std::string_view field, const FieldSpec& spec, std::vector<bool>* bits) {
  bits->assign(spec.max + 1, false);
  bool restricted = false;
  size_t start = 0;
  while (start <= field.size()) {
    size_t comma = field.find(',', start);
    std::string_view part = field.substr(
        start, comma == std::string_view::npos ? std::string_view::npos : comma - start);
    if (part.empty()) {
      return Status::InvalidArgument(
          fmt::format("{} field \"{}\": empty list item", spec.name, field));
    }
    int step = 1;
    size_t slash = part.find('/');
    std::string_view range = part.substr(0, slash);
    if (slash != std::string_view::npos) {
      auto s = ParseValue(part.substr(slash + 1), FieldSpec{spec.name, 1, 1000, {}}, field);
      if (!s.ok())
        return Status::InvalidArgument(
            fmt::format("{} field \"{}\": step \"{}\" must be a number 1-1000", spec.name, field,
                        part.substr(slash + 1)));
      step = *s;
    }
    int lo, hi;
    if (range == "*" || range == "?") {
      lo = spec.min;
      hi = spec.max == 7 ? 6 : spec.max;
      if (slash != std::string_view::npos) restricted = true;
    } else {
      restricted = true;
      size_t dash = range.find('-');
      ASSIGN_OR_RETURN(lo, ParseValue(range.substr(0, dash), spec, field));
      if (dash == std::string_view::npos) {
        hi = slash == std::string_view::npos ? lo : spec.max;
      } else {
        ASSIGN_OR_RETURN(hi, ParseValue(range.substr(dash + 1), spec, field));
      }
      if (hi < lo) {
        return Status::InvalidArgument(
            fmt::format("{} field \"{}\": range {}-{} runs backwards", spec.name, field, lo, hi));
      }
    }
    for (int v = lo; v <= hi; v += step) (*bits)[v] = true;
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  return restricted;
}

template <size_t N>
void CopyBits(const std::vector<bool>& from, int offset, std::bitset<N>* to) {
  for (size_t i = 0; i < from.size(); ++i) {
    if (from[i]) to->set((i + offset) % N);
  }
}

date::year_month_day Ymd(const CivilTime& t) {
  return date::year{t.year} / date::month{static_cast<unsigned>(t.month)} /
         date::day{static_cast<unsigned>(t.day)};
}

local_seconds ToLocal(const CivilTime& t) {
  return local_seconds{date::local_days{Ymd(t)}} + std::chrono::hours{t.hour} +
         std::chrono::minutes{t.minute} + std::chrono::seconds{t.second};
}

CivilTime FromLocal(local_seconds t) {
  auto day = date::floor<days>(t);
  date::year_month_day ymd{day};
  date::hh_mm_ss hms{t - day};
  return CivilTime{int(ymd.year()),
                   static_cast<int>(unsigned(ymd.month())),
                   static_cast<int>(unsigned(ymd.day())),
                   static_cast<int>(hms.hours().count()),
                   static_cast<int>(hms.minutes().count()),
                   static_cast<int>(hms.seconds().count())};
}

}  // namespace

Result<CronSchedule> CronSchedule::Parse(std::string_view expression, std::string_view time_zone) {
  std::vector<std::string> fields;
  std::string current;
  for (char c : expression) {
    if (std::isspace(static_cast<unsigned char>(c))) {
      if (!current.empty()) fields.push_back(std::move(current));
      current.clear();
    } else {
      current += c;
    }
  }
  if (!current.empty()) fields.push_back(current);
  if (fields.size() != 5 && fields.size() != 6) {
    return Status::InvalidArgument(
        fmt::format("cron \"{}\": expected 5 fields (minute hour day month weekday) or 6 (second "
                    "first), got {}",
                    expression, fields.size()));
  }
  if (fields.size() == 5) fields.insert(fields.begin(), "0");
  CronSchedule cron;
  cron.expression_ = std::string(expression);
  cron.zone_name_ = time_zone.empty() ? "UTC" : std::string(time_zone);
  try {
    cron.zone_ = date::locate_zone(cron.zone_name_);
  } catch (const std::exception&) {
    return Status::InvalidArgument(
        fmt::format("time zone \"{}\" is unknown (use an IANA name such as Asia/Shanghai or UTC)",
                    cron.zone_name_));
  }
  std::vector<bool> bits;
  auto with_cron = [&](const Status& st) {
    return Status::InvalidArgument(fmt::format("cron \"{}\": {}", expression, st.message()));
  };
  auto parse = [&](size_t i, const FieldSpec& spec) -> Result<bool> {
    auto r = ParseField(fields[i], spec, &bits);
    if (!r.ok()) return with_cron(r.status());
    return r;
  };
  RETURN_NOT_OK(parse(0, kSecond));
  CopyBits(bits, 0, &cron.seconds_);
  RETURN_NOT_OK(parse(1, kMinute));
  CopyBits(bits, 0, &cron.minutes_);
  RETURN_NOT_OK(parse(2, kHour));
  CopyBits(bits, 0, &cron.hours_);
  ASSIGN_OR_RETURN(cron.days_restricted_, parse(3, kDay));
  CopyBits(bits, 0, &cron.days_);
  RETURN_NOT_OK(parse(4, kMonth));
  CopyBits(bits, 0, &cron.months_);
  ASSIGN_OR_RETURN(cron.weekdays_restricted_, parse(5, kWeekday));
  CopyBits(bits, 0, &cron.weekdays_);
  return cron;
}

bool CronSchedule::DayMatches(int year, int month, int day) const {
  if (!months_.test(month)) return false;
  date::year_month_day ymd{date::year{year}, date::month{static_cast<unsigned>(month)},
                           date::day{static_cast<unsigned>(day)}};
  if (!ymd.ok()) return false;
  bool dom = days_.test(day);
  bool dow = weekdays_.test(date::weekday{date::sys_days{ymd}}.c_encoding());
  if (days_restricted_ && weekdays_restricted_) return dom || dow;
  return dom && dow;
}

bool CronSchedule::Matches(const CivilTime& t) const {
  return DayMatches(t.year, t.month, t.day) && hours_.test(t.hour) && minutes_.test(t.minute) &&
         seconds_.test(t.second);
}

std::optional<CivilTime> CronSchedule::NextCivil(CivilTime from) const {
  CivilTime day_start = from;
  for (int i = 0; i < 366 * 10 + 3; ++i) {
    if (DayMatches(day_start.year, day_start.month, day_start.day)) {
      bool first = i == 0;
      for (int h = first ? from.hour : 0; h < 24; ++h) {
        if (!hours_.test(h)) continue;
        bool first_hour = first && h == from.hour;
        for (int m = first_hour ? from.minute : 0; m < 60; ++m) {
          if (!minutes_.test(m)) continue;
          bool first_minute = first_hour && m == from.minute;
          for (int s = first_minute ? from.second : 0; s < 60; ++s) {
            if (seconds_.test(s))
              return CivilTime{day_start.year, day_start.month, day_start.day, h, m, s};
          }
        }
      }
    }
    day_start = AddDays(CivilTime{day_start.year, day_start.month, day_start.day, 0, 0, 0}, 1);
    if (day_start.year > 9999) return std::nullopt;
  }
  return std::nullopt;
}

SysSeconds CronSchedule::FireTime(const CivilTime& cyctime) const {
  local_seconds local = ToLocal(cyctime);
  date::local_info info = zone_->get_info(local);
  switch (info.result) {
    case date::local_info::nonexistent:
      return date::floor<std::chrono::seconds>(info.second.begin);
    case date::local_info::ambiguous:
    case date::local_info::unique:
    default:
      return SysSeconds{local.time_since_epoch()} - info.first.offset;
  }
}

CivilTime CronSchedule::ToCivil(SysSeconds instant) const {
  return FromLocal(zone_->to_local(instant));
}

std::optional<Cycle> CronSchedule::NextAfter(SysSeconds after) const {
  // Firing times grow with wall-clock times, so the first wall-clock time whose firing lies after
  // `after` is the answer. Start a little before the local time: a fall-back repeat or a gap moves
  // the local time by at most a few hours against the instant.
  CivilTime from = FromLocal(zone_->to_local(after) - std::chrono::hours{3});
  for (int guard = 0; guard < 1000000; ++guard) {
    std::optional<CivilTime> next = NextCivil(from);
    if (!next) return std::nullopt;
    SysSeconds fire = FireTime(*next);
    if (fire > after) return Cycle{*next, fire};
    from = FromLocal(ToLocal(*next) + std::chrono::seconds{1});
  }
  return std::nullopt;
}

std::vector<Cycle> CronSchedule::Between(SysSeconds from, SysSeconds to, size_t limit) const {
  std::vector<Cycle> cycles;
  SysSeconds cursor = from;
  while (cycles.size() < limit) {
    std::optional<Cycle> next = NextAfter(cursor);
    if (!next || next->fire_at > to) break;
    // Several wall-clock times in one gap fire at the same instant; keep each of them.
    CivilTime civil = next->cyctime;
    cycles.push_back(*next);
    for (;;) {
      std::optional<CivilTime> more =
          NextCivil(FromLocal(ToLocal(civil) + std::chrono::seconds{1}));
      if (!more || FireTime(*more) != next->fire_at || cycles.size() >= limit) break;
      cycles.push_back(Cycle{*more, next->fire_at});
      civil = *more;
    }
    cursor = next->fire_at;
  }
  return cycles;
}

std::vector<Cycle> CronSchedule::OnDay(const CivilTime& day) const {
  std::vector<Cycle> cycles;
  CivilTime from{day.year, day.month, day.day, 0, 0, 0};
  while (true) {
    std::optional<CivilTime> next = NextCivil(from);
    if (!next || !SameDay(*next, day)) break;
    cycles.push_back(Cycle{*next, FireTime(*next)});
    if (next->hour == 23 && next->minute == 59 && next->second == 59) break;
    from = FromLocal(ToLocal(*next) + std::chrono::seconds{1});
  }
  return cycles;
}

CivilTime AddDays(const CivilTime& t, int n) {
  date::sys_days d = date::sys_days{Ymd(t)} + days{n};
  date::year_month_day ymd{d};
  CivilTime out = t;
  out.year = int(ymd.year());
  out.month = static_cast<int>(unsigned(ymd.month()));
  out.day = static_cast<int>(unsigned(ymd.day()));
  return out;
}

bool SameDay(const CivilTime& a, const CivilTime& b) {
  return a.year == b.year && a.month == b.month && a.day == b.day;
}

std::string DayString(const CivilTime& t) {
  return fmt::format("{:04}{:02}{:02}", t.year, t.month, t.day);
}

bool operator<(const CivilTime& a, const CivilTime& b) {
  return std::tie(a.year, a.month, a.day, a.hour, a.minute, a.second) <
         std::tie(b.year, b.month, b.day, b.hour, b.minute, b.second);
}

std::string FormatInstant(SysSeconds t) { return date::format("%Y-%m-%dT%H:%M:%SZ", t); }

}  // namespace ferry
