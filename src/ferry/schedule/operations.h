// Operations on instances, shared by `ferry ops` and the HTTP API: show the log, stop, rerun
// (with downstream), set succeeded, freeze / unfreeze (an instance or a node), and backfill.
// Errors say what the caller did wrong: NotFound (unknown instance or node), InvalidArgument
// (bad input), FailedPrecondition (the instance's state does not allow it).
#pragma once

#include <string>
#include <vector>

#include "ferry/common/status.h"
#include "ferry/schedule/launcher.h"
#include "ferry/schedule/store.h"

namespace ferry {

struct BackfillRequest {
  std::vector<std::string> nodes;
  bool with_downstream = false;
  std::string from_bizdate, to_bizdate;  // YYYYMMDD or YYYY-MM-DD, inclusive
  bool newest_first = false;
  int parallel = 1;  // business dates run at a time
};

// What `ferry ops rerun` / POST .../rerun asks for.
struct RerunRequest {
  bool with_downstream = false;  // and every instance downstream of it
  // Start the named instance over in a new run directory even when its last run failed after
  // planning; the rows that run committed stay in the destination unless the job clears them.
  // Downstream instances are not affected (they resume when they failed after planning).
  bool from_scratch = false;
};

struct LogChunk {
  std::string text;
  int64_t offset = 0;       // where `text` starts
  int64_t next_offset = 0;  // pass back to continue (live tail)
  bool running = false;
};

class Operations {
 public:
  // *store, *launcher and *clock must outlive this object.
  Operations(Store* store, Launcher* launcher, const Clock* clock)
      : store_(store), launcher_(launcher), clock_(clock) {}

  Result<Instance> Get(int64_t id);
  // The log of the instance's last run from `offset` (negative: the last -offset bytes).
  Result<LogChunk> Log(int64_t id, int64_t offset, size_t max_bytes = 1 << 20);
  // SIGTERM to a running instance (it ends as stopped); a pending one is stopped at once.
  Status Stop(int64_t id);
  // Puts an instance that is not running back to run (and every instance downstream of it, when
  // asked); returns them as put back (the named one first). An instance whose last run did not
  // succeed but got as far as planning resumes that run directory (only the splits not yet
  // committed run), so a rerun never writes a committed split twice; any other starts over in a
  // new run directory, and so does the named one with `from_scratch`. `message` says which.
  Result<std::vector<Instance>> Rerun(int64_t id, const RerunRequest& request);
  Status SetSucceeded(int64_t id);
  Status Freeze(int64_t id, bool frozen);
  Status FreezeNode(const std::string& node, bool frozen);
  // Creates the backfill's instances; returns its id.
  Result<int64_t> Backfill(const BackfillRequest& request);

 private:
  Result<Instance> Load(int64_t id);
  Result<ScheduleSpec> Spec();

  Store* store_;
  Launcher* launcher_;
  const Clock* clock_;
};

}  // namespace ferry
