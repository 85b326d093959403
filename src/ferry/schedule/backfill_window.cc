#include "ferry/schedule/backfill_window.h"

#include <algorithm>

namespace ferry {

Result<BackfillWindows> BackfillWindows::Load(Store* store, const std::vector<Instance>& pending) {
  BackfillWindows w;
  std::set<int64_t> active;
  for (const Instance& p : pending) {
    if (p.backfill_id != 0) active.insert(p.backfill_id);
  }
  if (active.empty()) return w;
  ASSIGN_OR_RETURN(std::vector<Backfill> all, store->Backfills());
  for (Backfill& b : all) {
    if (active.count(b.id)) w.backfills_[b.id] = std::move(b);
  }
  for (int64_t id : active) {
    ASSIGN_OR_RETURN(std::vector<Instance> instances, store->Instances({.backfill_id = id}));
    for (const Instance& i : instances) {
      if (i.state != InstanceState::kSucceeded) w.open_dates_[id].insert(i.backfill_seq);
    }
  }
  return w;
}

int BackfillWindows::Parallel(int64_t backfill_id) const {
  auto it = backfills_.find(backfill_id);
  return it == backfills_.end() ? 1 : std::max(1, it->second.parallel);
}

std::vector<std::string> BackfillWindows::Nodes(int64_t backfill_id) const {
  auto it = backfills_.find(backfill_id);
  return it == backfills_.end() ? std::vector<std::string>{} : it->second.nodes;
}

bool BackfillWindows::Admits(const Instance& instance) const {
  auto open = open_dates_.find(instance.backfill_id);
  if (open == open_dates_.end()) return false;
  int k = 0;
  for (int seq : open->second) {
    if (seq == instance.backfill_seq) return true;
    if (++k >= Parallel(instance.backfill_id)) return false;
  }
  return false;
}

}  // namespace ferry
