// The loop of `ferry server` (DESIGN 9): the scheduler ticks over one store, the HTTP API and
// pages serve on their own thread, alerts go out on theirs. cli/server_command.cc turns the
// command line into ServerLoopOptions and calls RunServerLoop.
#pragma once

#include <chrono>
#include <stop_token>
#include <string>

#include "ferry/common/status.h"
#include "ferry/schedule/scheduler.h"
#include "ferry/schedule/store.h"
#include "ferry/server/http_api.h"

namespace ferry {

struct ServerLoopOptions {
  bool http = true;  // false: schedule only, no API or page
  std::string listen_host;
  int listen_port = 0;  // 0: any free port
  ApiOptions api;
  SchedulerOptions scheduler;
  std::chrono::milliseconds tick{1000};  // between scheduler passes
  // Return once this server leads, nothing runs, nothing can start now and no alert waits to
  // be sent (for scripts and tests).
  bool exit_when_idle = false;
};

// Schedules and serves `store` until `stop` is requested (or, with exit_when_idle, until idle).
// *store must outlive the call. Errors: the API address cannot be bound (nothing ran).
Status RunServerLoop(Store* store, const ServerLoopOptions& options, std::stop_token stop);

}  // namespace ferry
