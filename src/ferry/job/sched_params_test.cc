#include "ferry/job/sched_params.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <ctime>
#include <string>
#include <vector>

namespace ferry {
namespace {

CivilTime At(int year, int month, int day, int hour = 0, int minute = 0, int second = 0) {
  return {year, month, day, hour, minute, second};
}

// The worked example of DESIGN.md section 3: scheduled 2025-11-01 02:30:45, bizdate 20251031.
const CivilTime kExample = At(2025, 11, 1, 2, 30, 45);

std::string Render(std::string_view text, const CivilTime& cyctime) {
  Result<std::string> r = RenderExpression(text, cyctime);
  EXPECT_TRUE(r.ok()) << text << ": " << r.status().ToString();
  return r.ok() ? *r : "<error>";
}

// The error message for an expression that must be refused.
std::string RenderError(std::string_view text, const CivilTime& cyctime = kExample) {
  Result<std::string> r = RenderExpression(text, cyctime);
  EXPECT_FALSE(r.ok()) << text << " rendered as " << (r.ok() ? *r : "");
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  return r.status().message();
}

// ---- ParseCyctime / CyctimeFromBizdate / NowLocal

TEST(ParseCyctimeTest, AcceptsEveryForm) {
  EXPECT_EQ(*ParseCyctime("2025-11-01 02:30:45"), kExample);
  EXPECT_EQ(*ParseCyctime("2025-11-01T02:30:45"), kExample);
  EXPECT_EQ(*ParseCyctime("20251101023045"), kExample);
  EXPECT_EQ(*ParseCyctime("202511010230"), At(2025, 11, 1, 2, 30));
  EXPECT_EQ(*ParseCyctime("20251101"), At(2025, 11, 1));
  EXPECT_EQ(*ParseCyctime("2025-11-01"), At(2025, 11, 1));
}

TEST(ParseCyctimeTest, AcceptsLeapDayOnlyInLeapYears) {
  EXPECT_EQ(*ParseCyctime("2024-02-29 00:00:00"), At(2024, 2, 29));
  EXPECT_EQ(*ParseCyctime("2000-02-29 00:00:00"), At(2000, 2, 29));
  EXPECT_FALSE(ParseCyctime("2023-02-29 00:00:00").ok());
  EXPECT_FALSE(ParseCyctime("1900-02-29 00:00:00").ok());
}

TEST(ParseCyctimeTest, RejectsFebruary30) {
  Result<CivilTime> r = ParseCyctime("2025-02-30 00:00:00");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(r.status().message().find("'2025-02-30 00:00:00'"), std::string::npos);
  EXPECT_NE(r.status().message().find("2025-02 has no day 30"), std::string::npos);
  EXPECT_NE(r.status().message().find("YYYY-MM-DD HH:MM:SS"), std::string::npos);
}

TEST(ParseCyctimeTest, RejectsHour25) {
  Result<CivilTime> r = ParseCyctime("2025-11-01 25:00:00");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("hour 25"), std::string::npos);
}

TEST(ParseCyctimeTest, RejectsOutOfRangeFields) {
  EXPECT_FALSE(ParseCyctime("2025-13-01 00:00:00").ok());
  EXPECT_FALSE(ParseCyctime("2025-00-10 00:00:00").ok());
  EXPECT_FALSE(ParseCyctime("2025-04-31 00:00:00").ok());
  EXPECT_FALSE(ParseCyctime("2025-11-01 23:60:00").ok());
  EXPECT_FALSE(ParseCyctime("2025-11-01 23:59:60").ok());
  EXPECT_FALSE(ParseCyctime("0000-01-01 00:00:00").ok());
}

TEST(ParseCyctimeTest, RejectsOtherShapesListingTheForms) {
  for (std::string_view text : {"", "2025/11/01", "2025-11-01 02:30", "2025-1-1 00:00:00",
                                "20251101 023045", "2025-11-01 02:30:45 ", "tomorrow"}) {
    Result<CivilTime> r = ParseCyctime(text);
    ASSERT_FALSE(r.ok()) << text;
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(r.status().message().find("'" + std::string(text) + "'"), std::string::npos);
    EXPECT_NE(r.status().message().find("YYYYMMDDHHMMSS"), std::string::npos);
  }
}

TEST(CyctimeFromBizdateTest, IsTheNextDayAtMidnight) {
  EXPECT_EQ(*CyctimeFromBizdate("20251031"), At(2025, 11, 1));
  EXPECT_EQ(*CyctimeFromBizdate("2025-10-31"), At(2025, 11, 1));
  EXPECT_EQ(*CyctimeFromBizdate("20241231"), At(2025, 1, 1));
  EXPECT_EQ(*CyctimeFromBizdate("20240228"), At(2024, 2, 29));
  EXPECT_EQ(*CyctimeFromBizdate("20230228"), At(2023, 3, 1));
}

TEST(CyctimeFromBizdateTest, RejectsBadDates) {
  EXPECT_FALSE(CyctimeFromBizdate("20251301").ok());
  EXPECT_FALSE(CyctimeFromBizdate("20230229").ok());
  EXPECT_FALSE(CyctimeFromBizdate("2025-10-31 00:00:00").ok());
  EXPECT_FALSE(CyctimeFromBizdate("99991231").ok());
  Result<CivilTime> r = CyctimeFromBizdate("2025103");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("'2025103'"), std::string::npos);
  EXPECT_NE(r.status().message().find("YYYYMMDD"), std::string::npos);
}

class NowLocalTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const char* tz = std::getenv("TZ");
    saved_ = tz == nullptr ? std::nullopt : std::optional<std::string>(tz);
  }
  void TearDown() override {
    if (saved_) {
      setenv("TZ", saved_->c_str(), 1);
    } else {
      unsetenv("TZ");
    }
    tzset();
  }
  // Seconds since the epoch NowLocal() reads when local time is `utc_offset` hours ahead of UTC.
  static void ExpectNowWithOffset(int utc_offset) {
    const std::time_t before = std::time(nullptr);
    const CivilTime now = NowLocal();
    const std::time_t after = std::time(nullptr);
    const auto local = std::chrono::sys_days{std::chrono::year{now.year} /
                                             std::chrono::month{static_cast<unsigned>(now.month)} /
                                             std::chrono::day{static_cast<unsigned>(now.day)}} +
                       std::chrono::hours{now.hour - utc_offset} +
                       std::chrono::minutes{now.minute} + std::chrono::seconds{now.second};
    const std::time_t read = local.time_since_epoch().count();
    EXPECT_LE(before, read);
    EXPECT_LE(read, after);
  }

 private:
  std::optional<std::string> saved_;
};

TEST_F(NowLocalTest, HonoursTz) {
  setenv("TZ", "UTC0", 1);
  tzset();
  ExpectNowWithOffset(0);
  setenv("TZ", "CST-8", 1);  // POSIX form of UTC+8, no tz database needed
  tzset();
  ExpectNowWithOffset(8);
}

TEST(FormatCivilTimeTest, PadsEveryField) {
  EXPECT_EQ(FormatCivilTime(At(2025, 1, 2, 3, 4, 5)), "2025-01-02 03:04:05");
  EXPECT_EQ(FormatCivilTime(At(1, 1, 1)), "0001-01-01 00:00:00");
}

// ---- RenderExpression

TEST(RenderExpressionTest, WorkedExample) {
  EXPECT_EQ(Render("$[yyyy-mm-dd]", kExample), "2025-11-01");
  EXPECT_EQ(Render("${yyyy-mm-dd}", kExample), "2025-10-31");
  EXPECT_EQ(Render("$[hh24:mi:ss-1/24]", kExample), "01:30:45");
  EXPECT_EQ(Render("$bizdate", kExample), "20251031");
  EXPECT_EQ(Render("$cyctime", kExample), "20251101023045");
  EXPECT_EQ(Render("${yyyymmdd-1}", kExample), "20251030");
  EXPECT_EQ(Render("$[yyyymmdd-1]", kExample), "20251031");
  EXPECT_EQ(Render("$[hh24:mi:ss-1/24/60]", kExample), "02:29:45");
  EXPECT_EQ(Render("$[hh]", kExample), "02");
}

TEST(RenderExpressionTest, GmtdateAndBizmonth) {
  EXPECT_EQ(Render("$gmtdate", kExample), "20251101");
  // bizdate 20251031 is in October, not the scheduled month: October itself.
  EXPECT_EQ(Render("$bizmonth", kExample), "202510");
  // bizdate 20251114 is in the scheduled month: the month before.
  EXPECT_EQ(Render("$bizmonth", At(2025, 11, 15, 8)), "202510");
  EXPECT_EQ(Render("$gmtdate", At(2025, 11, 15, 8)), "20251115");
}

TEST(RenderExpressionTest, PredefinedNamesInBraces) {
  EXPECT_EQ(Render("${bizdate} ${cyctime} ${gmtdate} ${bizmonth}", kExample),
            "20251031 20251101023045 20251101 202510");
}

TEST(RenderExpressionTest, YearBoundary) {
  const CivilTime new_year = At(2025, 1, 1);
  EXPECT_EQ(Render("$bizdate", new_year), "20241231");
  EXPECT_EQ(Render("$bizmonth", new_year), "202412");
  EXPECT_EQ(Render("$gmtdate", new_year), "20250101");
  EXPECT_EQ(Render("$cyctime", new_year), "20250101000000");
  EXPECT_EQ(Render("${yyyy}", new_year), "2024");
  EXPECT_EQ(Render("$[yyyy]", new_year), "2025");
}

TEST(RenderExpressionTest, BizmonthInMidJanuaryIsDecember) {
  EXPECT_EQ(Render("$bizmonth", At(2025, 1, 15)), "202412");
}

TEST(RenderExpressionTest, BizdatePrecisionIsTheDay) {
  EXPECT_EQ(Render("${yyyy-mm-dd hh24:mi:ss}", kExample), "2025-10-31 00:00:00");
  EXPECT_EQ(Render("${hh}", kExample), "12");
  EXPECT_EQ(Render("$[yyyy-mm-dd hh24:mi:ss]", kExample), "2025-11-01 02:30:45");
}

TEST(RenderExpressionTest, TwoDigitYear) {
  EXPECT_EQ(Render("${yy}${mm}${dd}", kExample), "251031");
  EXPECT_EQ(Render("$[yymmdd]", At(2009, 3, 4)), "090304");
}

TEST(RenderExpressionTest, MonthIsMmAndMinuteIsMi) {
  EXPECT_EQ(Render("$[mm mi]", At(2025, 7, 1, 9, 5)), "07 05");
}

TEST(RenderExpressionTest, BizdateOffsetInTheSmallestUnit) {
  EXPECT_EQ(Render("${yyyymmdd+1}", kExample), "20251101");
  EXPECT_EQ(Render("${yyyymm-1}", kExample), "202509");
  EXPECT_EQ(Render("${yyyymm+2}", kExample), "202512");
  EXPECT_EQ(Render("${yyyymm+3}", kExample), "202601");
  EXPECT_EQ(Render("${yyyy+1}", kExample), "2026");
  EXPECT_EQ(Render("${yyyy-1}", kExample), "2024");
  EXPECT_EQ(Render("${yy-1}", kExample), "24");
  EXPECT_EQ(Render("${yyyy-mm-1}", kExample), "2025-09");
}

TEST(RenderExpressionTest, ProductOffsets) {
  EXPECT_EQ(Render("${yyyymmdd-7*2}", kExample), "20251017");
  EXPECT_EQ(Render("$[yyyymmdd-7*2]", kExample), "20251018");
  EXPECT_EQ(Render("$[hh24:mi-2*3/24]", kExample), "20:30");
}

TEST(RenderExpressionTest, SpacesAroundTheOffset) {
  EXPECT_EQ(Render("${yyyymmdd - 1}", kExample), "20251030");
  EXPECT_EQ(Render("$[add_months(yyyymmdd, -1)]", kExample), "20251001");
}

TEST(RenderExpressionTest, MonthOffsetClampsToMonthEnd) {
  // bizdate 2025-03-31: without the clamp, "February 31" would roll into March.
  EXPECT_EQ(Render("${yyyymm-1}", At(2025, 4, 1)), "202502");
  EXPECT_EQ(Render("${yyyy-mm-dd}", At(2025, 4, 1)), "2025-03-31");
}

TEST(RenderExpressionTest, AddMonthsClampsToMonthEnd) {
  EXPECT_EQ(Render("$[add_months(yyyy-mm-dd,-1)]", At(2025, 3, 31, 10)), "2025-02-28");
  EXPECT_EQ(Render("$[add_months(yyyy-mm-dd,-1)]", At(2024, 3, 31, 10)), "2024-02-29");
  EXPECT_EQ(Render("$[add_months(yyyymmdd,1)]", At(2025, 1, 31)), "20250228");
  EXPECT_EQ(Render("$[add_months(yyyymmdd,+3)]", At(2025, 5, 31)), "20250831");
  EXPECT_EQ(Render("$[add_months(yyyymmdd,-1)]", At(2025, 1, 15)), "20241215");
  EXPECT_EQ(Render("$[add_months(yyyy-mm-dd hh24:mi:ss,1)]", At(2025, 1, 31, 12, 34, 56)),
            "2025-02-28 12:34:56");
  // Inside ${...} it shifts the business date: 2025-03-31 here.
  EXPECT_EQ(Render("${add_months(yyyymmdd,-1)}", At(2025, 4, 1)), "20250228");
}

TEST(RenderExpressionTest, LeapYears) {
  // bizdate 2024-02-29.
  const CivilTime march_first_2024 = At(2024, 3, 1);
  EXPECT_EQ(Render("${yyyymmdd}", march_first_2024), "20240229");
  EXPECT_EQ(Render("${add_months(yyyymmdd,12)}", march_first_2024), "20250228");
  EXPECT_EQ(Render("${add_months(yyyymmdd,-12)}", march_first_2024), "20230228");
  EXPECT_EQ(Render("${add_months(yyyymmdd,48)}", march_first_2024), "20280229");
  EXPECT_EQ(Render("${yyyy+1}", march_first_2024), "2025");
  EXPECT_EQ(Render("${yyyymmdd+1}", march_first_2024), "20240301");
  EXPECT_EQ(Render("$[yyyymmdd+1]", At(2024, 2, 28)), "20240229");
  EXPECT_EQ(Render("$[yyyymmdd+1]", At(2023, 2, 28)), "20230301");
  EXPECT_EQ(Render("$bizdate", At(2024, 3, 1)), "20240229");
  EXPECT_EQ(Render("$bizdate", At(2023, 3, 1)), "20230228");
}

TEST(RenderExpressionTest, HoursCrossMidnight) {
  const CivilTime half_past_midnight = At(2025, 11, 1, 0, 30);
  EXPECT_EQ(Render("$[hh24-1/24]", half_past_midnight), "23");
  EXPECT_EQ(Render("$[yyyymmdd hh24:mi-1/24]", half_past_midnight), "20251031 23:30");
  EXPECT_EQ(Render("$[hh24:mi-30/24/60]", half_past_midnight), "00:00");
  EXPECT_EQ(Render("$[hh24:mi-45/24/60]", half_past_midnight), "23:45");
  EXPECT_EQ(Render("$[yyyy-mm-dd hh24:mi+24/24]", half_past_midnight), "2025-11-02 00:30");
  EXPECT_EQ(Render("$[yyyy-mm-dd hh24-1/24]", At(2025, 1, 1)), "2024-12-31 23");
}

TEST(RenderExpressionTest, TwelveHourClock) {
  EXPECT_EQ(Render("$[hh]", At(2025, 11, 1, 13)), "01");
  EXPECT_EQ(Render("$[hh]", At(2025, 11, 1, 0)), "12");
  EXPECT_EQ(Render("$[hh]", At(2025, 11, 1, 12)), "12");
  EXPECT_EQ(Render("$[hh]", At(2025, 11, 1, 23)), "11");
  EXPECT_EQ(Render("$[hh24]", At(2025, 11, 1, 13)), "13");
}

TEST(RenderExpressionTest, TextAroundAndBetweenExpressionsIsCopied) {
  EXPECT_EQ(Render("dt=${yyyy-mm-dd} h=$[hh24]", kExample), "dt=2025-10-31 h=02");
  EXPECT_EQ(Render("p_$bizdate.csv", kExample), "p_20251031.csv");
  EXPECT_EQ(Render("plain text", kExample), "plain text");
  EXPECT_EQ(Render("", kExample), "");
}

TEST(RenderExpressionTest, OtherDollarsAreCopied) {
  EXPECT_EQ(Render("$1 $$ $x $ a$", kExample), "$1 $$ $x $ a$");
  EXPECT_EQ(Render("$bizdates", kExample), "$bizdates");
}

TEST(RenderExpressionTest, LiteralsInsideScheduledFormats) {
  EXPECT_EQ(Render("$[yyyy-mm-ddThh24:mi:ss]", kExample), "2025-11-01T02:30:45");
  // A leading zero reads as a literal, not an offset: the first of the month.
  EXPECT_EQ(Render("$[yyyy-mm-01]", At(2025, 11, 15)), "2025-11-01");
  EXPECT_EQ(Render("${yyyy-mm-01}", At(2025, 11, 15)), "2025-11-01");
  EXPECT_EQ(Render("$[yyyy-mm-dd 00:00:00]", kExample), "2025-11-01 00:00:00");
}

TEST(RenderExpressionTest, BadExpressionsNameThemselves) {
  EXPECT_NE(RenderError("${yyyymmdd-1/24}").find("'${yyyymmdd-1/24}'"), std::string::npos);
  EXPECT_NE(RenderError("${yyyymmdd-1/24}").find("$[...]"), std::string::npos);
  EXPECT_NE(RenderError("$[hh24-1/25]").find("'$[hh24-1/25]'"), std::string::npos);
  EXPECT_NE(RenderError("$[hh24-1/25]").find("N/24"), std::string::npos);
  EXPECT_NE(RenderError("$[hh24:mi-1/24/61]").find("'$[hh24:mi-1/24/61]'"), std::string::npos);
  EXPECT_NE(RenderError("$[yyyymmdd-1x]").find("'$[yyyymmdd-1x]'"), std::string::npos);
  EXPECT_NE(RenderError("$[yyyymmdd-7*]").find("'$[yyyymmdd-7*]'"), std::string::npos);
  EXPECT_NE(RenderError("${hh24-1}").find("'${hh24-1}'"), std::string::npos);
  EXPECT_NE(RenderError("x ${foo} y").find("'${foo}'"), std::string::npos);
  EXPECT_NE(RenderError("${}").find("'${}'"), std::string::npos);
  EXPECT_NE(RenderError("$[]").find("'$[]'"), std::string::npos);
  EXPECT_NE(RenderError("$[abc]").find("at least one of the tokens"), std::string::npos);
  EXPECT_NE(RenderError("$[add_months(yyyymmdd)]").find("add_months(FORMAT,N)"), std::string::npos);
  EXPECT_NE(RenderError("$[add_months(yyyymmdd,x)]").find("add_months(FORMAT,N)"),
            std::string::npos);
  EXPECT_NE(RenderError("$[add_months(yyyymmdd,-1/24)]").find("add_months(FORMAT,N)"),
            std::string::npos);
}

TEST(RenderExpressionTest, UppercaseTokensAreRefused) {
  EXPECT_NE(RenderError("$[YYYYMMDD]").find("lowercase"), std::string::npos);
  EXPECT_NE(RenderError("$[yyyyMMdd]").find("'MM'"), std::string::npos);
  EXPECT_NE(RenderError("${YYYYMMDD}").find("'${YYYYMMDD}'"), std::string::npos);
}

TEST(RenderExpressionTest, UnterminatedExpressions) {
  EXPECT_NE(RenderError("dt=${yyyymmdd").find("closing '}'"), std::string::npos);
  EXPECT_NE(RenderError("dt=$[yyyymmdd").find("closing ']'"), std::string::npos);
}

TEST(RenderExpressionTest, ResultsOutsideYears1To9999AreRefused) {
  EXPECT_NE(RenderError("${yyyy+9000}").find("0001..9999"), std::string::npos);
  EXPECT_NE(RenderError("$[yyyymmdd-999999999]").find("0001..9999"), std::string::npos);
  EXPECT_NE(RenderError("$[yyyymmdd-99999999999999999999]").find("0001..9999"), std::string::npos);
  EXPECT_NE(RenderError("$[yyyymmdd-999999999*999999999]").find("0001..9999"), std::string::npos);
  EXPECT_EQ(Render("$[yyyy-mm-dd+1]", At(9999, 12, 30)), "9999-12-31");
}

// ---- ParameterSet

TEST(ParameterSetTest, PredefinedValues) {
  ParameterSet params(kExample);
  EXPECT_EQ(params.cyctime(), kExample);
  EXPECT_EQ(params.values(), (std::map<std::string, std::string>{{"bizdate", "20251031"},
                                                                 {"bizmonth", "202510"},
                                                                 {"cyctime", "20251101023045"},
                                                                 {"gmtdate", "20251101"}}));
  EXPECT_EQ(params.Get("bizdate"), "20251031");
  EXPECT_EQ(params.Get("nope"), std::nullopt);
}

TEST(ParameterSetTest, AddRendersTheValue) {
  ParameterSet params(kExample);
  ASSERT_TRUE(params.Add("d=$[yyyymmdd-1]").ok());
  ASSERT_TRUE(params.Add("b=$bizdate").ok());
  ASSERT_TRUE(params.Add("table=orders").ok());
  ASSERT_TRUE(params.Add("t=${table}_${yyyymm}").ok());
  ASSERT_TRUE(params.Add("sql=select $1 from x where y = 'a=b'").ok());
  ASSERT_TRUE(params.Add("empty=").ok());
  EXPECT_EQ(params.Get("d"), "20251031");
  EXPECT_EQ(params.Get("b"), "20251031");
  EXPECT_EQ(params.Get("t"), "orders_202510");
  EXPECT_EQ(params.Get("sql"), "select $1 from x where y = 'a=b'");
  EXPECT_EQ(params.Get("empty"), "");
}

TEST(ParameterSetTest, LaterAssignmentWins) {
  ParameterSet params(kExample);
  ASSERT_TRUE(params.Add("a=1").ok());
  ASSERT_TRUE(params.Add("a=2").ok());
  EXPECT_EQ(params.Get("a"), "2");
}

TEST(ParameterSetTest, UserBizdateIsStoredAsGiven) {
  ParameterSet params(kExample);
  ASSERT_TRUE(params.Add("bizdate=20250101").ok());
  EXPECT_EQ(params.Get("bizdate"), "20250101");
  ASSERT_TRUE(params.Add("b=$bizdate").ok());
  EXPECT_EQ(params.Get("b"), "20250101");
  // Date expressions still follow the cyctime; the CLI re-bases it.
  EXPECT_EQ(*params.Substitute("${yyyymmdd}", nullptr), "20251031");
}

TEST(ParameterSetTest, AddRejectsBadAssignments) {
  ParameterSet params(kExample);
  for (std::string_view bad : {"novalue", "=x", "1a=x", "a b=x", "a-b=x"}) {
    Status st = params.Add(bad);
    EXPECT_EQ(st.code(), StatusCode::kInvalidArgument) << bad;
    EXPECT_NE(st.message().find("'" + std::string(bad) + "'"), std::string::npos) << bad;
    EXPECT_NE(st.message().find("NAME=VALUE"), std::string::npos) << bad;
  }
}

TEST(ParameterSetTest, AddRejectsBadExpressionNamingParameterAndExpression) {
  ParameterSet params(kExample);
  Status st = params.Add("d=$[yyyymmdd-1/25]");
  EXPECT_EQ(st.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(st.message().find("parameter 'd'"), std::string::npos);
  EXPECT_NE(st.message().find("'$[yyyymmdd-1/25]'"), std::string::npos);
  EXPECT_EQ(params.Get("d"), std::nullopt);
  // A name not defined before is an error in a value, too.
  EXPECT_FALSE(params.Add("x=${later}").ok());
}

TEST(ParameterSetTest, AddAssignmentsWithQuotes) {
  ParameterSet params(kExample);
  ASSERT_TRUE(params
                  .AddAssignments("a=x  b='y z'\tc=\"p q\" d=$[hh24] "
                                  "'e=whole word' f=\"say \\\"hi\\\"\" g='a\\b' h=it''s")
                  .ok());
  EXPECT_EQ(params.Get("a"), "x");
  EXPECT_EQ(params.Get("b"), "y z");
  EXPECT_EQ(params.Get("c"), "p q");
  EXPECT_EQ(params.Get("d"), "02");
  EXPECT_EQ(params.Get("e"), "whole word");
  EXPECT_EQ(params.Get("f"), "say \"hi\"");
  EXPECT_EQ(params.Get("g"), "a\\b");
  EXPECT_EQ(params.Get("h"), "its");
}

TEST(ParameterSetTest, AddAssignmentsEmptyListIsFine) {
  ParameterSet params(kExample);
  EXPECT_TRUE(params.AddAssignments("").ok());
  EXPECT_TRUE(params.AddAssignments("   ").ok());
  EXPECT_EQ(params.values().size(), 4u);
}

TEST(ParameterSetTest, AddAssignmentsRejectsUnterminatedQuote) {
  ParameterSet params(kExample);
  Status st = params.AddAssignments("a=1 b='x y");
  EXPECT_EQ(st.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(st.message().find("unterminated"), std::string::npos);
  EXPECT_EQ(params.Get("b"), std::nullopt);
}

TEST(ParameterSetTest, AddAssignmentsRejectsAWordWithoutEquals) {
  ParameterSet params(kExample);
  Status st = params.AddAssignments("a=1 oops");
  EXPECT_EQ(st.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(st.message().find("'oops'"), std::string::npos);
}

TEST(ParameterSetTest, SubstituteNamesAndExpressions) {
  ParameterSet params(kExample);
  ASSERT_TRUE(params.Add("table=orders").ok());
  std::vector<std::string> missing;
  Result<std::string> r = params.Substitute(
      "select * from ${table} where dt='${bizdate}' and d2='${yyyy-mm-dd-1}' and "
      "h='$[hh24]' and m='$[add_months(yyyymm,-1)]'",
      &missing);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(*r,
            "select * from orders where dt='20251031' and d2='2025-10-30' and h='02' and "
            "m='202510'");
  EXPECT_TRUE(missing.empty());
}

TEST(ParameterSetTest, SubstituteListsEachMissingNameOnce) {
  ParameterSet params(kExample);
  std::vector<std::string> missing;
  Result<std::string> r = params.Substitute("${a} ${b} ${a} ${yyyymmdd} ${DB_NAME}", &missing);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, "${a} ${b} ${a} 20251031 ${DB_NAME}");
  EXPECT_EQ(missing, (std::vector<std::string>{"a", "b", "DB_NAME"}));
}

TEST(ParameterSetTest, SubstituteWithoutMissingListFailsOnAnUndefinedName) {
  ParameterSet params(kExample);
  Result<std::string> r = params.Substitute("x=${region}", nullptr);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(r.status().message().find("${region}"), std::string::npos);
}

TEST(ParameterSetTest, SubstituteLeavesSqlDollarsAlone) {
  ParameterSet params(kExample);
  std::vector<std::string> missing;
  const std::string sql =
      "select $1, $$body$$, $tag$x$tag$, $bizdate, $x, 'a$' from t where j @? '$[*] ? (@ > 1)' "
      "and k = jsonb_path_query(d, '$[0]') and l = '$[last]' and $";
  Result<std::string> r = params.Substitute(sql, &missing);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(*r, sql);
  EXPECT_TRUE(missing.empty());
}

TEST(ParameterSetTest, SubstituteDoesNotRenderInsertedValuesAgain) {
  ParameterSet params(kExample);
  ASSERT_TRUE(params.AddAssignments("q='cost $5'").ok());
  std::vector<std::string> missing;
  Result<std::string> r = params.Substitute("${q}", &missing);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, "cost $5");
}

TEST(ParameterSetTest, DefinedNameTakesPrecedenceOverDateFormat) {
  ParameterSet params(kExample);
  ASSERT_TRUE(params.Add("yyyymmdd=fixed").ok());
  EXPECT_EQ(*params.Substitute("${yyyymmdd} ${yyyymmdd-1}", nullptr), "fixed 20251030");
}

TEST(ParameterSetTest, SubstituteRejectsBadExpressions) {
  ParameterSet params(kExample);
  std::vector<std::string> missing;
  for (std::string_view bad :
       {"$[yyyymmdd-1/25]", "${yyyymmdd-1/24}", "$[YYYYMMDD]", "${}", "$[hh24-1/24/61]"}) {
    Result<std::string> r = params.Substitute("x " + std::string(bad) + " y", &missing);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(r.status().message().find(bad), std::string::npos) << r.status().message();
  }
  EXPECT_FALSE(params.Substitute("where dt='${yyyymmdd'", &missing).ok());
}

}  // namespace
}  // namespace ferry
