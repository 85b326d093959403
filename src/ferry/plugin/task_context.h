// TaskContext: what one reader or writer task sees of the running job.
#pragma once

#include <stop_token>

#include "ferry/plugin/dirty_sink.h"
#include "ferry/plugin/split.h"

namespace ferry {

struct TaskContext {
  const Split* split = nullptr;
  DirtySink* dirty = nullptr;  // never null while running
  std::stop_token stop;        // set when the job aborts; tasks check it between batches
};

}  // namespace ferry
