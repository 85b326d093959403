// Cron schedules in a node's time zone: which wall-clock times a node runs at (its cycles) and at
// which instant each cycle fires. Time zones and daylight saving come from the tz database
// (Howard Hinnant's date/tz.h), never from hand-made offsets.
//
// Expression: "MIN HOUR DOM MON DOW" or, with seconds first as in Quartz and DataWorks,
// "SEC MIN HOUR DOM MON DOW". Each field is `*`, `?` (same as `*`), a value, a range `a-b`, a step
// `*/n` or `a-b/n`, or a comma list of these; months and weekdays also by name (JAN, MON); weekday
// 0 and 7 are Sunday. When both day-of-month and day-of-week are restricted a day matching either
// runs (Vixie cron).
//
// Daylight saving: a wall-clock time that does not exist (skipped by a spring-forward gap) fires
// once, at the instant the gap ends; a wall-clock time that occurs twice (fall-back) fires once,
// at its first occurrence. Either way a cycle's identity is its wall-clock time.
#pragma once

#include <bitset>
#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ferry/common/status.h"
#include "ferry/job/sched_params.h"

namespace date {
class time_zone;
}

namespace ferry {

using SysSeconds = std::chrono::sys_seconds;

// One cycle of a node: its scheduled wall-clock time (the run's cyctime) and when it fires.
struct Cycle {
  CivilTime cyctime;
  SysSeconds fire_at;
};

class CronSchedule {
 public:
  // InvalidArgument names the field, the text and what was expected. `time_zone` is an IANA
  // name ("Asia/Shanghai", "UTC"); empty means UTC.
  static Result<CronSchedule> Parse(std::string_view expression, std::string_view time_zone);

  // The first cycle that fires strictly after `after`; nullopt when none does within 10 years
  // (e.g. "0 0 30 2 *").
  std::optional<Cycle> NextAfter(SysSeconds after) const;
  // Cycles firing in (from, to], in firing order, at most `limit`.
  std::vector<Cycle> Between(SysSeconds from, SysSeconds to, size_t limit = 100000) const;
  // The cycles whose wall-clock time lies on `day` (year, month, day of a CivilTime), in order.
  std::vector<Cycle> OnDay(const CivilTime& day) const;
  // The instant the wall-clock time `cyctime` fires in this schedule's zone (see above).
  SysSeconds FireTime(const CivilTime& cyctime) const;
  // Whether `cyctime` is one of this schedule's wall-clock times.
  bool Matches(const CivilTime& cyctime) const;
  // The local wall-clock time of an instant in this schedule's zone.
  CivilTime ToCivil(SysSeconds instant) const;
  // More than one cycle per day (hourly, every 15 minutes, ...).
  bool IsSubDaily() const { return seconds_.count() * minutes_.count() * hours_.count() > 1; }

  const std::string& expression() const { return expression_; }
  const std::string& time_zone_name() const { return zone_name_; }

 private:
  // The first wall-clock time >= `from` that matches, within 10 years.
  std::optional<CivilTime> NextCivil(CivilTime from) const;
  bool DayMatches(int year, int month, int day) const;

  std::string expression_;
  std::string zone_name_;
  const date::time_zone* zone_ = nullptr;
  std::bitset<60> seconds_, minutes_;
  std::bitset<24> hours_;
  std::bitset<32> days_;     // 1..31
  std::bitset<13> months_;   // 1..12
  std::bitset<7> weekdays_;  // 0 = Sunday
  bool days_restricted_ = false, weekdays_restricted_ = false;
};

// Civil-time helpers on CivilTime (no time zone involved).
CivilTime AddDays(const CivilTime& t, int days);
// Same day? (year, month, day equal)
bool SameDay(const CivilTime& a, const CivilTime& b);
// "YYYYMMDD" of t's day.
std::string DayString(const CivilTime& t);
bool operator<(const CivilTime& a, const CivilTime& b);
// Seconds since the epoch as a UTC instant ("2026-11-26T02:30:45Z").
std::string FormatInstant(SysSeconds t);

}  // namespace ferry
