// Scheduling parameters (DESIGN.md section 3): a run's scheduled time (cyctime), the DataWorks
// expressions evaluated against it ($bizdate, ${yyyymmdd-1}, $[hh24-1/24], ...) and the set of
// named values that fills a job's ${name} placeholders.
#pragma once

#include <iosfwd>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ferry/common/status.h"

namespace ferry {

// A wall-clock time without a time zone, to the second. Arithmetic on it is civil: one hour
// before 03:30 is 02:30 on every day, whatever the local daylight-saving rules say.
struct CivilTime {
  int year = 1970, month = 1, day = 1, hour = 0, minute = 0, second = 0;

  friend bool operator==(const CivilTime&, const CivilTime&) = default;
};

// "YYYY-MM-DD HH:MM:SS".
std::string FormatCivilTime(const CivilTime& time);
std::ostream& operator<<(std::ostream& os, const CivilTime& time);

// Accepts "YYYY-MM-DD HH:MM:SS", "YYYY-MM-DDTHH:MM:SS", "YYYYMMDDHHMMSS", "YYYYMMDDHHMM",
// "YYYYMMDD" and "YYYY-MM-DD" (the last two at 00:00:00); years 0001..9999, real calendar days
// only. InvalidArgument names the text, what is wrong and the accepted forms.
Result<CivilTime> ParseCyctime(std::string_view text);

// `--bizdate D` alone: the run scheduled at D+1 00:00:00. D is YYYYMMDD or YYYY-MM-DD.
Result<CivilTime> CyctimeFromBizdate(std::string_view bizdate);

// The current time in the local time zone (TZ; a caller changing TZ must call tzset() first).
CivilTime NowLocal();

// Renders the scheduling expressions in `text` against the run scheduled at `cyctime`; other text
// is copied. Expressions:
//   $bizdate $cyctime $gmtdate $bizmonth      the predefined values (a `$` before any other word
//                                             is copied as is)
//   ${FORMAT} ${FORMAT-N} ${FORMAT+N}         the business date (cyctime's day - 1) at 00:00:00,
//                                             N (or a product like 7*2) in the smallest unit of
//                                             FORMAT: dd days, else mm months, else yy/yyyy years
//   $[FORMAT] $[FORMAT-N] $[FORMAT-N/24] $[FORMAT-N/24/60]
//                                             the scheduled time; N days, hours or minutes
//   add_months(FORMAT,N) inside $[] or ${}    N months, the day clamped to the month's end
// FORMAT tokens (lowercase only): yyyy yy mm dd hh24 hh(12-hour) mi ss; other characters are
// copied. In ${...} the FORMAT may hold no other letters (they would be a parameter name), and a
// predefined name (${bizdate}) gives its value. "-N" reading as a literal with a leading zero
// ("$[yyyy-mm-01]") is copied, not an offset. Results must lie in years 0001..9999.
// Errors are InvalidArgument naming the expression and what was expected.
// `cyctime` must be a valid time (as ParseCyctime, CyctimeFromBizdate and NowLocal give).
Result<std::string> RenderExpression(std::string_view text, const CivilTime& cyctime);

// The parameter values of one run: the predefined bizdate, cyctime, gmtdate and bizmonth, plus
// the user's assignments. Later assignments replace earlier ones, predefined names included.
// Splits `--params` text into words the way a shell would: whitespace separates, single quotes
// keep text as is, in double quotes \" and \\ are escapes; quotes are removed.
Result<std::vector<std::string>> SplitAssignments(std::string_view list);

class ParameterSet {
 public:
  explicit ParameterSet(CivilTime cyctime);

  // "name=value" (`-p`). NAME is letters, digits and '_', not starting with a digit. The value is
  // rendered with RenderExpression, where ${name} may also name a parameter added before and
  // $bizdate etc. give the current (possibly user-set) values. The value may be empty.
  Status Add(std::string_view assignment);

  // `--params 'a=x b=y'`: whitespace-separated assignments, each passed to Add. Single quotes
  // keep text as is; in double quotes \" and \\ are escapes. Quotes may start mid-word: b='y z'.
  Status AddAssignments(std::string_view list);

  // Fills the placeholders of a job string:
  //   ${name}   a defined parameter's value (inserted as is, not rendered again); else, when
  //             `name` is a date expression as in RenderExpression, its rendering; else `name`
  //             is appended once to *missing and the placeholder is kept. When `missing` is null
  //             an undefined name is an InvalidArgument instead.
  //   $[...]    rendered as in RenderExpression; one holding no date token and no add_months
  //             (JSONPath's $[0], $[*], $[last]) is kept as is.
  // Any other '$' (SQL's $1, $$, $tag$, $bizdate, $x) is kept as is.
  Result<std::string> Substitute(std::string_view text, std::vector<std::string>* missing) const;

  const CivilTime& cyctime() const { return cyctime_; }
  std::optional<std::string> Get(std::string_view name) const;
  // Every name, the predefined ones included.
  const std::map<std::string, std::string>& values() const { return values_; }

 private:
  CivilTime cyctime_;
  std::map<std::string, std::string> values_;
};

}  // namespace ferry
