#include "ferry/server/server_loop.h"

#include <fmt/format.h>

#include <condition_variable>
#include <iostream>
#include <mutex>
#include <thread>

#include "ferry/common/log.h"
#include "ferry/schedule/alerts.h"
#include "ferry/schedule/launcher.h"
#include "ferry/schedule/operations.h"

namespace ferry {
namespace {

// Whether alert deliveries wait to be sent now (exit_when_idle waits for them).
bool AlertsDue(Store* store, const Clock& clock) {
  auto due = store->AlertDeliveries({.due_at = clock.Now().time_since_epoch().count(), .limit = 1});
  return due.ok() && !due->empty();
}

void PrintBanner(Store* store, const ServerLoopOptions& options, const std::string& where) {
  std::cerr << "ferry server: " << where << " (store " << store->location() << ", "
            << options.scheduler.slots << " slot(s) per resource group)\n";
  if (auto deployed = store->CurrentDeploymentId(); deployed.ok() && *deployed == 0) {
    std::cerr << "ferry server: nothing is deployed on this store yet; publish a project with "
                 "`ferry deploy DIR --store "
              << store->location() << "`\n";
  }
}

bool Idle(const TickReport& report, Store* store, const Clock& clock) {
  return report.leader && report.started == 0 && report.running == 0 && report.retrying == 0 &&
         report.finished == 0 && !AlertsDue(store, clock);
}

// Ticks the scheduler every options.tick until `stop` (or idle, when asked).
void TickUntilStopped(Scheduler& scheduler, Store* store, const Clock& clock,
                      const ServerLoopOptions& options, std::stop_token stop) {
  std::mutex mu;
  std::condition_variable_any cv;
  bool leading = true;
  while (!stop.stop_requested()) {
    auto report = scheduler.Tick();
    if (report.ok() && report->leader != leading) {
      leading = report->leader;
      std::cerr
          << (leading ? "ferry server: this server schedules now\n"
                      : "ferry server: another server is scheduling on this store; serving the API "
                        "only\n");
    }
    if (!report.ok()) {
      LogError("scheduler: {}", report.status().message());
    } else if (options.exit_when_idle && Idle(*report, store, clock)) {
      break;
    }
    std::unique_lock lock(mu);
    cv.wait_for(lock, stop, options.tick, [] { return false; });
  }
}

}  // namespace

Status RunServerLoop(Store* store, const ServerLoopOptions& options, std::stop_token stop) {
  SystemClock clock;
  ProcessLauncher launcher;
  Scheduler scheduler(store, &launcher, &clock, options.scheduler);
  Operations ops(store, &launcher, &clock);
  HttpServer http(store, &ops, options.api);
  std::jthread http_thread;
  std::string where = "no HTTP";
  if (options.http) {
    RETURN_NOT_OK(http.Bind(options.listen_host, options.listen_port));
    const bool v6 = options.listen_host.find(':') != std::string::npos;
    const std::string host = v6 ? "[" + options.listen_host + "]" : options.listen_host;
    where = fmt::format("http://{}:{}/", host, http.port());
    http_thread = std::jthread([&http] { http.Serve(); });
  }
  PrintBanner(store, options, where);
  // Alerts go out on their own thread: a slow webhook never delays the scheduler.
  AlertSender alerts(store, &clock);
  std::jthread alert_thread(
      [&alerts](std::stop_token stop) { alerts.Run(stop, std::chrono::seconds{1}); });
  TickUntilStopped(scheduler, store, clock, options, stop);
  if (options.http) http.Stop();
  return Status::OK();
}

}  // namespace ferry
