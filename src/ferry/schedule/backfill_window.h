// Which business dates of each backfill may run now: a backfill runs `parallel` dates at a
// time, in its order (oldest or newest first); a date leaves the window once every instance of
// it succeeded, and the next date enters.
#pragma once

#include <map>
#include <set>
#include <vector>

#include "ferry/common/status.h"
#include "ferry/schedule/store.h"

namespace ferry {

class BackfillWindows {
 public:
  // Reads the backfills that `pending` instances belong to.
  static Result<BackfillWindows> Load(Store* store, const std::vector<Instance>& pending);

  // Whether a backfill instance's date is inside its backfill's window.
  bool Admits(const Instance& instance) const;
  int Parallel(int64_t backfill_id) const;
  // The backfill's nodes (an instance waits only for upstreams among them); empty if unknown.
  std::vector<std::string> Nodes(int64_t backfill_id) const;

 private:
  std::map<int64_t, Backfill> backfills_;
  std::map<int64_t, std::set<int>> open_dates_;  // date positions with an instance not succeeded
};

}  // namespace ferry
