// Cron schedules: field syntax, time zones, daylight-saving gaps and repeats, month ends and
// leap days.
#include "ferry/schedule/cron.h"

#include <date/date.h>
#include <gtest/gtest.h>

namespace ferry {
namespace {

SysSeconds Utc(int y, int mo, int d, int h = 0, int mi = 0, int s = 0) {
  return date::sys_days{date::year{y} / mo / d} + std::chrono::hours{h} + std::chrono::minutes{mi} +
         std::chrono::seconds{s};
}

CronSchedule Cron(const char* expr, const char* tz = "UTC") {
  auto c = CronSchedule::Parse(expr, tz);
  EXPECT_TRUE(c.ok()) << c.status().message();
  return *c;
}

std::string Next(const CronSchedule& c, SysSeconds after) {
  auto n = c.NextAfter(after);
  if (!n) return "none";
  return FormatCivilTime(n->cyctime) + " @ " + FormatInstant(n->fire_at);
}

TEST(SchedCron, DailyInUtc) {
  CronSchedule c = Cron("30 2 * * *");
  EXPECT_EQ(Next(c, Utc(2026, 11, 26, 1)), "2026-11-26 02:30:00 @ 2026-11-26T02:30:00Z");
  EXPECT_EQ(Next(c, Utc(2026, 11, 26, 2, 30)), "2026-11-27 02:30:00 @ 2026-11-27T02:30:00Z");
  EXPECT_FALSE(c.IsSubDaily());
  EXPECT_TRUE(Cron("0 * * * *").IsSubDaily());
}

TEST(SchedCron, TimeZoneShiftsTheFiringInstant) {
  CronSchedule c = Cron("0 2 * * *", "Asia/Shanghai");
  EXPECT_EQ(Next(c, Utc(2026, 11, 26, 0)), "2026-11-27 02:00:00 @ 2026-11-26T18:00:00Z");
}

TEST(SchedCron, SecondsFieldComesFirst) {
  CronSchedule c = Cron("15,45 0 3 * * ?");
  EXPECT_EQ(Next(c, Utc(2026, 1, 1, 3, 0, 15)), "2026-01-01 03:00:45 @ 2026-01-01T03:00:45Z");
  EXPECT_EQ(Next(c, Utc(2026, 1, 1, 3, 0, 45)), "2026-01-02 03:00:15 @ 2026-01-02T03:00:15Z");
}

TEST(SchedCron, StepsRangesListsAndNames) {
  CronSchedule c = Cron("*/20 9-17/4 * JAN,jul mon-fri");
  // 2026-01-03 is a Saturday: the next weekday is Monday the 5th.
  EXPECT_EQ(Next(c, Utc(2026, 1, 2, 17, 40)), "2026-01-05 09:00:00 @ 2026-01-05T09:00:00Z");
  EXPECT_EQ(Next(c, Utc(2026, 1, 5, 9, 40)), "2026-01-05 13:00:00 @ 2026-01-05T13:00:00Z");
  EXPECT_EQ(Next(c, Utc(2026, 1, 30, 17, 40)), "2026-07-01 09:00:00 @ 2026-07-01T09:00:00Z");
  // Sunday as 7 and as 0.
  EXPECT_EQ(Next(Cron("0 0 * * 7"), Utc(2026, 11, 26)),
            "2026-11-29 00:00:00 @ 2026-11-29T00:00:00Z");
  EXPECT_EQ(Next(Cron("0 0 * * 0"), Utc(2026, 11, 26)),
            "2026-11-29 00:00:00 @ 2026-11-29T00:00:00Z");
}

TEST(SchedCron, DayOfMonthOrDayOfWeekWhenBothRestricted) {
  // The 1st of the month or any Friday (Vixie cron).
  CronSchedule c = Cron("0 0 1 * fri");
  EXPECT_EQ(Next(c, Utc(2026, 11, 26)), "2026-11-27 00:00:00 @ 2026-11-27T00:00:00Z");
  EXPECT_EQ(Next(c, Utc(2026, 11, 27)), "2026-12-01 00:00:00 @ 2026-12-01T00:00:00Z");
}

TEST(SchedCron, MonthEndsSkipShortMonths) {
  CronSchedule c = Cron("0 0 31 * *");
  EXPECT_EQ(Next(c, Utc(2026, 1, 31)), "2026-03-31 00:00:00 @ 2026-03-31T00:00:00Z");
  EXPECT_EQ(Next(c, Utc(2026, 4, 1)), "2026-05-31 00:00:00 @ 2026-05-31T00:00:00Z");
}

TEST(SchedCron, LeapDayRunsEveryFourYears) {
  CronSchedule c = Cron("0 12 29 2 *");
  EXPECT_EQ(Next(c, Utc(2025, 1, 1)), "2028-02-29 12:00:00 @ 2028-02-29T12:00:00Z");
  EXPECT_EQ(Next(c, Utc(2028, 2, 29, 12)), "2032-02-29 12:00:00 @ 2032-02-29T12:00:00Z");
  EXPECT_EQ(Next(Cron("0 0 30 2 *"), Utc(2025, 1, 1)), "none");
}

TEST(SchedCron, SpringForwardGapFiresWhenTheGapEnds) {
  // New York skips 02:00-03:00 on 2026-03-08 (EST -5 -> EDT -4).
  CronSchedule c = Cron("30 2 * * *", "America/New_York");
  EXPECT_EQ(Next(c, Utc(2026, 3, 7, 12)), "2026-03-08 02:30:00 @ 2026-03-08T07:00:00Z");
  EXPECT_EQ(Next(c, Utc(2026, 3, 8, 7)), "2026-03-09 02:30:00 @ 2026-03-09T06:30:00Z");
  // An every-15-minutes node keeps one cycle per wall-clock time; the skipped ones fire together.
  CronSchedule q = Cron("*/15 * * * *", "America/New_York");
  std::vector<Cycle> cycles = q.Between(Utc(2026, 3, 8, 6, 50), Utc(2026, 3, 8, 7, 20));
  std::vector<std::string> seen;
  for (const Cycle& cy : cycles)
    seen.push_back(FormatCivilTime(cy.cyctime) + " @ " + FormatInstant(cy.fire_at));
  EXPECT_EQ(seen, (std::vector<std::string>{"2026-03-08 02:00:00 @ 2026-03-08T07:00:00Z",
                                            "2026-03-08 02:15:00 @ 2026-03-08T07:00:00Z",
                                            "2026-03-08 02:30:00 @ 2026-03-08T07:00:00Z",
                                            "2026-03-08 02:45:00 @ 2026-03-08T07:00:00Z",
                                            "2026-03-08 03:00:00 @ 2026-03-08T07:00:00Z",
                                            "2026-03-08 03:15:00 @ 2026-03-08T07:15:00Z"}));
}

TEST(SchedCron, FallBackRepeatFiresOnce) {
  // New York repeats 01:00-02:00 on 2026-11-01 (EDT -4 -> EST -5).
  CronSchedule c = Cron("30 1 * * *", "America/New_York");
  EXPECT_EQ(Next(c, Utc(2026, 10, 31, 12)), "2026-11-01 01:30:00 @ 2026-11-01T05:30:00Z");
  // After the first 01:30 the second one (06:30Z) is not a new cycle.
  EXPECT_EQ(Next(c, Utc(2026, 11, 1, 5, 30)), "2026-11-02 01:30:00 @ 2026-11-02T06:30:00Z");
  CronSchedule hourly = Cron("0 * * * *", "America/New_York");
  std::vector<Cycle> day = hourly.OnDay(CivilTime{2026, 11, 1});
  EXPECT_EQ(day.size(), 24u);  // 25 real hours, 24 wall-clock hours
  EXPECT_EQ(FormatInstant(day[1].fire_at), "2026-11-01T05:00:00Z");
  EXPECT_EQ(FormatInstant(day[2].fire_at), "2026-11-01T07:00:00Z");
}

TEST(SchedCron, OnDayListsTheCyclesOfOneDay) {
  std::vector<Cycle> day = Cron("0 */6 * * *", "Europe/Berlin").OnDay(CivilTime{2026, 3, 29});
  ASSERT_EQ(day.size(), 4u);
  EXPECT_EQ(FormatCivilTime(day[0].cyctime), "2026-03-29 00:00:00");
  EXPECT_EQ(FormatInstant(day[0].fire_at), "2026-03-28T23:00:00Z");
  EXPECT_EQ(FormatInstant(day[1].fire_at), "2026-03-29T04:00:00Z");  // CEST from 02:00
}

TEST(SchedCron, ErrorsNameTheFieldAndTheText) {
  auto bad = [](const char* e, const char* tz = "UTC") {
    auto c = CronSchedule::Parse(e, tz);
    return c.ok() ? std::string("ok") : c.status().message();
  };
  EXPECT_EQ(bad("* * * *"),
            "cron \"* * * *\": expected 5 fields (minute hour day month weekday) or 6 (second "
            "first), got 4");
  EXPECT_EQ(bad("61 * * * *"), "cron \"61 * * * *\": minute field \"61\": 61 is out of range 0-59");
  EXPECT_EQ(bad("0 5-2 * * *"),
            "cron \"0 5-2 * * *\": hour field \"5-2\": range 5-2 runs backwards");
  EXPECT_EQ(bad("0 0 * foo *"),
            "cron \"0 0 * foo *\": month field \"foo\": \"foo\" is not a number");
  EXPECT_EQ(
      bad("0 0 * * *", "Mars/Olympus"),
      "time zone \"Mars/Olympus\" is unknown (use an IANA name such as Asia/Shanghai or UTC)");
}

}  // namespace
}  // namespace ferry
