// Which upstream cycles an instance waits for. Nodes of different frequencies meet by day: a node
// that runs at most daily, or whose upstream does, waits for every cycle of the upstream on the
// same wall-clock day (a daily node on an hourly one waits for all 24 of that day; an hourly node
// on a daily one waits for that day's run). Two sub-daily nodes meet by window: the upstream's
// cycles since this node's previous cycle, up to this one (or, when there are none, the last
// upstream cycle of the day before this one).
#pragma once

#include <string>
#include <vector>

#include "ferry/schedule/cron.h"
#include "ferry/schedule/schedule_spec.h"

namespace ferry {

struct UpstreamCycle {
  std::string node;
  Cycle cycle;
};

// The cycles of `node`'s upstreams (restricted to `only` when it is not empty) that its cycle at
// `cyctime` waits for. `spec` must hold valid crons (as LoadScheduleDir checked).
std::vector<UpstreamCycle> UpstreamCycles(const ScheduleSpec& spec, const NodeSpec& node,
                                          const CivilTime& cyctime,
                                          const std::vector<std::string>& only = {});

}  // namespace ferry
