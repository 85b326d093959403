#include "ferry/schedule/alerts.h"

#include <fmt/format.h>
#include <httplib.h>

#include <condition_variable>
#include <mutex>
#include <tuple>

#include "ferry/common/log.h"

namespace ferry {
namespace {

int64_t Seconds(SysSeconds t) { return t.time_since_epoch().count(); }

bool Before(const CivilTime& a, const CivilTime& b) {
  return std::tie(a.year, a.month, a.day, a.hour, a.minute, a.second) <
         std::tie(b.year, b.month, b.day, b.hour, b.minute, b.second);
}

// The body of a delivery: what a receiver needs to act without asking Ferry back, and `text`, a
// one-line message for chat webhooks.
nlohmann::json Payload(const AlertRule& rule, const Instance& in, SysSeconds now,
                       const std::string& detail) {
  nlohmann::json summary = nlohmann::json::parse(in.summary, nullptr, false);
  nlohmann::json body = {
      {"source", "ferry"},
      {"event", AlertEventName(rule.on)},
      {"node", in.node},
      {"instance", in.id},
      {"cyctime", FormatCivilTime(in.cyctime)},
      {"bizdate", in.bizdate},
      {"state", StateName(in.state)},
      {"run", in.runs},
      {"message", in.message},
      {"detail", detail},
      {"host", in.host},
      {"log", in.log_path},
      {"time", FormatInstant(now)},
      {"rule", rule.ToJson(/*with_secrets=*/false)},
  };
  if (summary.is_object()) {
    for (const char* key : {"records_written", "dirty_records"}) {
      if (summary.contains(key)) body[key] = summary[key];
    }
  }
  body["text"] = fmt::format("[Ferry] node {} (bizdate {}, instance {}): {}", in.node, in.bizdate,
                             in.id, detail);
  return body;
}

// "https://host:port" and "/path?query" of a URL CheckWebhookUrl accepted.
std::pair<std::string, std::string> SplitUrl(const std::string& url) {
  size_t host_from = url.find("://") + 3;
  size_t path_from = url.find_first_of("/?#", host_from);
  if (path_from == std::string::npos) return {url, "/"};
  std::string path = url.substr(path_from);
  if (path[0] != '/') path = "/" + path;
  return {url.substr(0, path_from), path};
}

// One delivery of `rule` for `in`, unless raised before: a deadline is missed once per instance,
// the other events happen once per run.
Status RaiseAlert(Store* store, const AlertRule& rule, const Instance& in, SysSeconds now,
                  const std::string& detail) {
  AlertDelivery d;
  d.created_at = Seconds(now);
  d.dedupe = rule.on == AlertEvent::kNotFinishedBy
                 ? fmt::format("{}/{}/{}", AlertEventName(rule.on), in.id, rule.Key())
                 : fmt::format("{}/{}/{}/{}", AlertEventName(rule.on), in.id, in.runs, rule.Key());
  d.node = in.node;
  d.instance_id = in.id;
  d.event = rule.on;
  d.url = rule.webhook;
  d.payload = Payload(rule, in, now, detail).dump();
  d.next_try_at = Seconds(now);
  ASSIGN_OR_RETURN(bool added, store->AddAlert(d));
  if (added) {
    LogInfo("alerts: {} of {} (instance {}) to {}", AlertEventName(rule.on), in.node, in.id,
            RedactUrl(rule.webhook));
  }
  return Status::OK();
}

}  // namespace

Status RaiseAlerts(Store* store, const ScheduleSpec& spec, const Instance& in, AlertEvent event,
                   SysSeconds now, const std::string& detail) {
  for (const AlertRule& rule : spec.alerts) {
    if (rule.on == event && rule.AppliesTo(in.node)) {
      RETURN_NOT_OK(RaiseAlert(store, rule, in, now, detail));
    }
  }
  return Status::OK();
}

Status RaiseRunEndAlerts(Store* store, const ScheduleSpec& spec, const Instance& in,
                         SysSeconds now) {
  if (in.state == InstanceState::kFailed) {
    RETURN_NOT_OK(RaiseAlerts(store, spec, in, AlertEvent::kFailure, now, in.message));
  }
  nlohmann::json summary = nlohmann::json::parse(in.summary, nullptr, false);
  if (!summary.is_object()) return Status::OK();
  int64_t dirty = summary.value("dirty_records", int64_t{0});
  for (const AlertRule& rule : spec.alerts) {
    if (rule.on != AlertEvent::kDirtyAbove || !rule.AppliesTo(in.node) || dirty <= rule.threshold)
      continue;
    RETURN_NOT_OK(RaiseAlert(
        store, rule, in, now,
        fmt::format("{} dirty records, above the alert's threshold of {}", dirty, rule.threshold)));
  }
  return Status::OK();
}

Result<SysSeconds> AlertDeadline(const NodeSpec& node, const AlertRule& rule,
                                 const CivilTime& cyctime) {
  ASSIGN_OR_RETURN(CronSchedule cron, node.Schedule());
  CivilTime deadline = cyctime;
  deadline.hour = rule.at_minute / 60;
  deadline.minute = rule.at_minute % 60;
  deadline.second = 0;
  if (Before(deadline, cyctime)) deadline = AddDays(deadline, 1);
  return cron.FireTime(deadline);
}

Status RaiseDeadlineAlerts(Store* store, const ScheduleSpec& spec, SysSeconds now) {
  bool any = false;
  for (const AlertRule& rule : spec.alerts) any = any || rule.on == AlertEvent::kNotFinishedBy;
  if (!any) return Status::OK();
  constexpr int64_t kLookBack = 2 * 86400;  // older cycles were looked at by earlier ticks
  ASSIGN_OR_RETURN(
      std::vector<Instance> recent,
      store->Instances({.fired_from = Seconds(now) - kLookBack, .fired_until = Seconds(now)}));
  for (const Instance& in : recent) {
    if (in.backfill_id != 0 || in.state == InstanceState::kSucceeded) continue;
    const NodeSpec* node = spec.Find(in.node);
    if (!node) continue;
    for (const AlertRule& rule : spec.alerts) {
      if (rule.on != AlertEvent::kNotFinishedBy || !rule.AppliesTo(in.node)) continue;
      auto deadline = AlertDeadline(*node, rule, in.cyctime);
      if (!deadline.ok() || *deadline > now || Seconds(now) - Seconds(*deadline) > 86400) continue;
      std::string detail =
          fmt::format("not finished by {} ({}; {})", rule.ToJson(false).value("at", ""),
                      StateName(in.state), in.message.empty() ? "no message" : in.message);
      RETURN_NOT_OK(RaiseAlert(store, rule, in, now, detail));
    }
  }
  return Status::OK();
}

AlertSender::AlertSender(Store* store, const Clock* clock, AlertSenderOptions options)
    : store_(store), clock_(clock), options_(options) {}

Result<int> AlertSender::SendDue(std::stop_token stop) {
  int64_t now = Seconds(clock_->Now());
  ASSIGN_OR_RETURN(std::vector<AlertDelivery> due,
                   store_->AlertDeliveries({.due_at = now, .limit = 100}));
  int attempted = 0;
  for (AlertDelivery& d : due) {
    if (stop.stop_requested()) break;
    ASSIGN_OR_RETURN(bool mine,
                     store_->ClaimAlert(d.id, d.next_try_at, now + options_.claim.count()));
    if (!mine) continue;  // another server sends it
    Attempt(&d, now);
    RETURN_NOT_OK(store_->UpdateAlert(d));
    ++attempted;
  }
  return attempted;
}

void AlertSender::Attempt(AlertDelivery* d, int64_t now) {
  auto [origin, path] = SplitUrl(d->url);
  httplib::Client client(origin);
  client.set_connection_timeout(options_.timeout);
  client.set_read_timeout(options_.timeout);
  client.set_write_timeout(options_.timeout);
  httplib::Headers headers = {{"User-Agent", "ferry-alerts"},
                              {"X-Ferry-Event", AlertEventName(d->event)}};
  auto res = client.Post(path, headers, d->payload, "application/json");
  ++d->attempts;
  d->http_status = res ? res->status : 0;
  if (res && res->status >= 200 && res->status < 300) {
    d->status = "delivered";
    d->error.clear();
    d->finished_at = now;
    return;
  }
  d->error = res ? fmt::format("HTTP {}", res->status) : httplib::to_string(res.error());
  if (d->attempts >= options_.max_attempts) {
    d->status = "failed";
    d->finished_at = now;
    LogWarn("alerts: {} of {} (instance {}) to {} failed {} times, the last: {}; given up",
            AlertEventName(d->event), d->node, d->instance_id, RedactUrl(d->url), d->attempts,
            d->error);
    return;
  }
  int64_t wait = options_.first_retry.count() << std::min(d->attempts - 1, 16);
  d->next_try_at = now + wait;
  LogWarn("alerts: {} of {} (instance {}) to {}: {}; retry {} of {} in {} s",
          AlertEventName(d->event), d->node, d->instance_id, RedactUrl(d->url), d->error,
          d->attempts, options_.max_attempts - 1, wait);
}

void AlertSender::Run(std::stop_token stop, std::chrono::milliseconds interval) {
  std::mutex mu;
  std::condition_variable_any cv;
  while (!stop.stop_requested()) {
    auto sent = SendDue(stop);
    if (!sent.ok()) LogError("alerts: {}", sent.status().message());
    std::unique_lock lock(mu);
    cv.wait_for(lock, stop, interval, [] { return false; });
  }
}

}  // namespace ferry
