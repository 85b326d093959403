#include "ferry/schedule/dependencies.h"

#include <algorithm>

namespace ferry {

std::vector<UpstreamCycle> UpstreamCycles(const ScheduleSpec& spec, const NodeSpec& node,
                                          const CivilTime& cyctime,
                                          const std::vector<std::string>& only) {
  std::vector<UpstreamCycle> out;
  auto own = node.Schedule();
  if (!own.ok()) return out;
  SysSeconds fire = own->FireTime(cyctime);
  for (const std::string& up_name : node.upstream) {
    if (!only.empty() && std::find(only.begin(), only.end(), up_name) == only.end()) continue;
    const NodeSpec* up = spec.Find(up_name);
    if (!up) continue;
    auto up_cron = up->Schedule();
    if (!up_cron.ok()) continue;
    if (!own->IsSubDaily() || !up_cron->IsSubDaily()) {
      for (const Cycle& c : up_cron->OnDay(cyctime)) out.push_back({up_name, c});
      continue;
    }
    std::vector<Cycle> mine = own->OnDay(AddDays(cyctime, -1));
    std::vector<Cycle> today = own->OnDay(cyctime);
    mine.insert(mine.end(), today.begin(), today.end());
    SysSeconds previous = fire - std::chrono::hours{48};
    for (const Cycle& c : mine) {
      if (c.cyctime < cyctime) previous = c.fire_at;
    }
    std::vector<Cycle> theirs = up_cron->OnDay(AddDays(cyctime, -1));
    std::vector<Cycle> their_today = up_cron->OnDay(cyctime);
    theirs.insert(theirs.end(), their_today.begin(), their_today.end());
    bool any = false;
    const Cycle* last_before = nullptr;
    for (const Cycle& c : theirs) {
      if (c.fire_at > previous && c.fire_at <= fire) {
        out.push_back({up_name, c});
        any = true;
      }
      if (c.fire_at <= fire) last_before = &c;
    }
    if (!any && last_before) out.push_back({up_name, *last_before});
  }
  return out;
}

}  // namespace ferry
