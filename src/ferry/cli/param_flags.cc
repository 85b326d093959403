#include "ferry/cli/param_flags.h"

#include <cstdlib>
#include <ctime>

namespace ferry {

void ParamFlags::AddTo(CLI::App* cmd) {
  cmd->add_option("-p,--param", assignments, "a scheduling parameter NAME=VALUE (repeatable)")
      ->allow_extra_args(false);
  cmd->add_option("--params", params, "space-separated assignments \"a=x b=y\" (DataWorks style)");
  cmd->add_option("--cyctime", cyctime, "scheduled time \"YYYY-MM-DD HH:MM:SS\"");
  cmd->add_option("--bizdate", bizdate, "business date YYYYMMDD (scheduled at D+1 00:00:00)");
  cmd->add_option("--timezone", timezone, "time zone for 'now' (default: TZ or local)");
}

Result<ParameterSet> ParamFlags::Build() const {
  if (!timezone.empty()) {
    setenv("TZ", timezone.c_str(), 1);
    tzset();
  }
  // -p bizdate=D without --cyctime/--bizdate re-bases the scheduled time on D, so that every
  // date expression agrees with the business date the user asked for.
  std::string biz = bizdate;
  for (const std::string& a : assignments) {
    if (a.rfind("bizdate=", 0) == 0 && biz.empty()) biz = a.substr(8);
  }
  CivilTime cyc;
  if (!cyctime.empty()) {
    auto parsed = ParseCyctime(cyctime);
    if (!parsed.ok()) return parsed.status().WithPrefix("--cyctime");
    cyc = *parsed;
  } else if (!biz.empty()) {
    auto parsed = CyctimeFromBizdate(biz);
    if (!parsed.ok()) return parsed.status().WithPrefix("--bizdate");
    cyc = *parsed;
  } else {
    cyc = NowLocal();
  }
  ParameterSet set(cyc);
  if (!params.empty()) RETURN_NOT_OK(set.AddAssignments(params));
  for (const std::string& a : assignments) RETURN_NOT_OK(set.Add(a));
  return set;
}

}  // namespace ferry
