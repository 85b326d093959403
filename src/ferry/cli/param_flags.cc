#include "ferry/cli/param_flags.h"

#include <cstdlib>
#include <ctime>

namespace ferry {
namespace {

// "-Dbizdate=20251031 -Dregion=cn" (datax.py's -p) -> {"bizdate=20251031", "region=cn"};
// anything else is one NAME=VALUE assignment.
Result<std::vector<std::string>> ExpandAssignment(const std::string& a) {
  std::string_view text = a;
  while (!text.empty() && text.front() == ' ') text.remove_prefix(1);
  if (!text.starts_with("-D")) return std::vector<std::string>{a};
  ASSIGN_OR_RETURN(std::vector<std::string> tokens, SplitAssignments(text));
  std::vector<std::string> out;
  for (std::string& t : tokens) {
    if (!t.starts_with("-D")) {
      return Status::InvalidArgument("-p \"" + a +
                                     "\": expected -DNAME=VALUE items (as datax.py "
                                     "takes them), found '" +
                                     t + "'");
    }
    out.push_back(t.substr(2));
  }
  return out;
}

}  // namespace

void ParamFlags::AddTo(CLI::App* cmd) {
  cmd->add_option("-p,--param", assignments,
                  "a scheduling parameter NAME=VALUE (repeatable), or datax.py's "
                  "\"-DNAME=VALUE -DNAME2=VALUE2\"")
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
  std::vector<std::string> expanded;
  for (const std::string& a : assignments) {
    ASSIGN_OR_RETURN(std::vector<std::string> items, ExpandAssignment(a));
    expanded.insert(expanded.end(), items.begin(), items.end());
  }
  std::string biz = bizdate;
  for (const std::string& a : expanded) {
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
  for (const std::string& a : expanded) RETURN_NOT_OK(set.Add(a));
  return set;
}

}  // namespace ferry
