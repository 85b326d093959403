// Alerts: rules of a schedule that send a JSON POST to a webhook when an instance fails, times
// out, is not finished by a time of day, or ends with more dirty records than a threshold — and
// the deliveries they make (kept in the Store, retried, shown by `ferry ops alerts` and the page).
//
// Rules are written in the schedule file, globally (`alerts:` beside `nodes:`, `node` naming one
// node or "*" for all) or under a node (its own `alerts:`, for that node only):
//
//   alerts:
//     - {on: failure, webhook: "http://hooks.example/ferry"}
//     - {on: not_finished_by, at: "06:30", node: orders, webhook: "..."}
//     - {on: dirty_above, threshold: 100, webhook: "..."}
//     - {on: timeout, webhook: "..."}
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "ferry/common/status.h"

namespace ferry {

enum class AlertEvent {
  kFailure,        // the instance ended failed, its retries spent
  kTimeout,        // the run passed its node's timeout and was told to stop
  kNotFinishedBy,  // not succeeded by the rule's time of day
  kDirtyAbove,     // a run ended with more dirty records than the rule's threshold
};

const char* AlertEventName(AlertEvent event);  // "failure", "timeout", ...
std::optional<AlertEvent> ParseAlertEvent(std::string_view name);

struct AlertRule {
  AlertEvent on = AlertEvent::kFailure;
  std::string node = "*";  // a node's name, or "*": every node
  int at_minute = -1;      // not_finished_by: minutes after midnight of "HH:MM"
  int64_t threshold = 0;   // dirty_above: alert when dirty records > threshold
  std::string webhook;     // http:// or https:// URL; may hold a token (see RedactUrl)
  int line = 0;            // where it is written in the schedule file

  bool AppliesTo(std::string_view node_name) const { return node == "*" || node == node_name; }
  // What the rule is, for deduplicating its deliveries: the same rule in a later deployment keeps
  // its key.
  std::string Key() const;
  // The rule as written; `webhook` redacted unless `with_secrets`.
  nlohmann::json ToJson(bool with_secrets) const;
  static Result<AlertRule> FromJson(const nlohmann::json& j);
};

// "HH:MM" (00:00..23:59) as minutes after midnight; InvalidArgument otherwise.
Result<int> ParseTimeOfDay(std::string_view text);
// Checks a webhook URL: http:// or https://, a host. The message says what was expected.
Status CheckWebhookUrl(const std::string& url);
// A URL fit for messages and pages: the user part and the values of the query string replaced by
// "***" (webhooks of chat services carry their token there).
std::string RedactUrl(const std::string& url);

// One POST an alert makes, and how its delivery went.
struct AlertDelivery {
  int64_t id = 0;
  int64_t created_at = 0;
  std::string dedupe;  // one delivery per rule, instance, run and event
  std::string node;
  int64_t instance_id = 0;
  AlertEvent event = AlertEvent::kFailure;
  std::string url;                 // as configured: never shown (ToJson redacts it)
  std::string payload;             // the JSON body
  std::string status = "pending";  // pending, delivered, failed
  int attempts = 0;
  int64_t next_try_at = 0;
  int http_status = 0;  // of the last attempt; 0: no answer
  std::string error;    // of the last attempt
  int64_t finished_at = 0;

  nlohmann::json ToJson() const;
};

}  // namespace ferry
