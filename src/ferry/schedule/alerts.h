// Raising and sending alerts (rules and deliveries: alert.h). The scheduler raises them as
// instances change — a run that fails for good, passes its timeout or ends with too many dirty
// records, and, each tick, instances not succeeded by a rule's time — as deliveries in the Store,
// once per rule, instance and run. An AlertSender posts them to their webhooks and retries the
// ones that fail, apart from the scheduler's loop so a slow webhook never delays a run.
#pragma once

#include <chrono>
#include <stop_token>
#include <string>

#include "ferry/common/status.h"
#include "ferry/schedule/launcher.h"
#include "ferry/schedule/schedule_spec.h"
#include "ferry/schedule/store.h"

namespace ferry {

// The alerts `event` of `instance` raises under `spec`'s rules (`detail` says what happened, for
// the message). Call in the transaction that records the instance's change.
Status RaiseAlerts(Store* store, const ScheduleSpec& spec, const Instance& instance,
                   AlertEvent event, SysSeconds now, const std::string& detail);
// After a run ended (`instance` as recorded): failure when it failed for good, dirty_above for
// each rule its dirty records (from its summary) pass.
Status RaiseRunEndAlerts(Store* store, const ScheduleSpec& spec, const Instance& instance,
                         SysSeconds now);
// not_finished_by: every regular instance of the last two days not succeeded by its deadline —
// the first HH:MM, in the node's time zone, at or after the instance's scheduled time (so
// "06:30" for a node running daily at 02:00 means 06:30 of the day it runs).
Status RaiseDeadlineAlerts(Store* store, const ScheduleSpec& spec, SysSeconds now);
// When a rule's deadline for a cycle is (see above).
Result<SysSeconds> AlertDeadline(const NodeSpec& node, const AlertRule& rule,
                                 const CivilTime& cyctime);

struct AlertSenderOptions {
  int max_attempts = 6;
  std::chrono::seconds first_retry{10};  // doubled after each failed attempt
  std::chrono::seconds timeout{10};      // to connect, and to wait for the answer
  std::chrono::seconds claim{60};  // a claimed delivery is free again after this (sender died)
};

class AlertSender {
 public:
  // *store and *clock must outlive the sender.
  AlertSender(Store* store, const Clock* clock, AlertSenderOptions options = {});

  // Posts every delivery that is due (until `stop` is requested); returns how many were
  // attempted.
  Result<int> SendDue(std::stop_token stop = {});
  // Sends every `interval` until `stop` is requested; errors are logged.
  void Run(std::stop_token stop, std::chrono::milliseconds interval);

 private:
  // One POST; fills status, attempts, next try, HTTP status and error.
  void Attempt(AlertDelivery* delivery, int64_t now);

  Store* store_;
  const Clock* clock_;
  AlertSenderOptions options_;
};

}  // namespace ferry
