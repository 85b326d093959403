#include "ferry/schedule/alert.h"

#include <fmt/format.h>

#include <cctype>

#include "ferry/common/sha256.h"
#include "ferry/schedule/cron.h"

namespace ferry {
namespace {

constexpr std::pair<AlertEvent, const char*> kEventNames[] = {
    {AlertEvent::kFailure, "failure"},
    {AlertEvent::kTimeout, "timeout"},
    {AlertEvent::kNotFinishedBy, "not_finished_by"},
    {AlertEvent::kDirtyAbove, "dirty_above"},
};

std::string FormatTimeOfDay(int minute) {
  return fmt::format("{:02}:{:02}", minute / 60, minute % 60);
}

}  // namespace

const char* AlertEventName(AlertEvent event) {
  for (const auto& [e, name] : kEventNames) {
    if (e == event) return name;
  }
  return "?";
}

std::optional<AlertEvent> ParseAlertEvent(std::string_view name) {
  for (const auto& [e, n] : kEventNames) {
    if (name == n) return e;
  }
  return std::nullopt;
}

Result<int> ParseTimeOfDay(std::string_view text) {
  auto digit = [&](size_t i) { return std::isdigit(static_cast<unsigned char>(text[i])) != 0; };
  if (text.size() == 5 && digit(0) && digit(1) && text[2] == ':' && digit(3) && digit(4)) {
    int hour = (text[0] - '0') * 10 + (text[1] - '0');
    int minute = (text[3] - '0') * 10 + (text[4] - '0');
    if (hour < 24 && minute < 60) return hour * 60 + minute;
  }
  return Status::InvalidArgument("\"" + std::string(text) +
                                 "\": expected a time of day HH:MM, 00:00 to 23:59");
}

Status CheckWebhookUrl(const std::string& url) {
  for (const char* scheme : {"http://", "https://"}) {
    std::string_view s(scheme);
    if (url.compare(0, s.size(), s) == 0 && url.size() > s.size() && url[s.size()] != '/') {
      return Status::OK();
    }
  }
  return Status::InvalidArgument("\"" + RedactUrl(url) +
                                 "\": expected an http:// or https:// URL with a host");
}

std::string RedactUrl(const std::string& url) {
  std::string out = url;
  size_t scheme = out.find("://");
  size_t host_from = scheme == std::string::npos ? 0 : scheme + 3;
  size_t path_from = out.find_first_of("/?#", host_from);
  size_t at = out.rfind('@', path_from == std::string::npos ? out.size() : path_from);
  if (at != std::string::npos && at >= host_from) {
    out.replace(host_from, at - host_from, "***");
  }
  size_t query = out.find('?');
  if (query == std::string::npos) return out;
  std::string redacted = out.substr(0, query + 1);
  size_t i = query + 1;
  while (i <= out.size()) {
    size_t end = out.find_first_of("&#", i);
    if (end == std::string::npos) end = out.size();
    std::string pair = out.substr(i, end - i);
    size_t eq = pair.find('=');
    redacted += eq == std::string::npos ? pair : pair.substr(0, eq + 1) + "***";
    if (end >= out.size()) break;
    if (out[end] == '#') {
      redacted += out.substr(end);
      break;
    }
    redacted += '&';
    i = end + 1;
  }
  return redacted;
}

std::string AlertRule::Key() const { return Sha256Hex(ToJson(true).dump()).substr(0, 16); }

nlohmann::json AlertRule::ToJson(bool with_secrets) const {
  nlohmann::json j = {{"on", AlertEventName(on)},
                      {"node", node},
                      {"webhook", with_secrets ? webhook : RedactUrl(webhook)}};
  if (on == AlertEvent::kNotFinishedBy) j["at"] = FormatTimeOfDay(at_minute);
  if (on == AlertEvent::kDirtyAbove) j["threshold"] = threshold;
  return j;
}

Result<AlertRule> AlertRule::FromJson(const nlohmann::json& j) {
  try {
    AlertRule rule;
    std::optional<AlertEvent> on = ParseAlertEvent(j.at("on").get<std::string>());
    if (!on) return Status::InvalidArgument("alert rule: unknown event " + j.at("on").dump());
    rule.on = *on;
    rule.node = j.value("node", std::string("*"));
    rule.webhook = j.at("webhook").get<std::string>();
    if (rule.on == AlertEvent::kNotFinishedBy) {
      ASSIGN_OR_RETURN(rule.at_minute, ParseTimeOfDay(j.at("at").get<std::string>()));
    }
    if (rule.on == AlertEvent::kDirtyAbove) rule.threshold = j.at("threshold").get<int64_t>();
    rule.line = j.value("line", 0);
    return rule;
  } catch (const nlohmann::json::exception& e) {
    return Status::InvalidArgument(std::string("alert rule: ") + e.what());
  }
}

nlohmann::json AlertDelivery::ToJson() const {
  nlohmann::json j = {{"id", id},
                      {"time", FormatInstant(SysSeconds{std::chrono::seconds{created_at}})},
                      {"node", node},
                      {"instance", instance_id},
                      {"event", AlertEventName(event)},
                      {"url", RedactUrl(url)},
                      {"status", status},
                      {"attempts", attempts},
                      {"http_status", http_status},
                      {"error", error},
                      {"finished_at", finished_at}};
  if (status == "pending") j["next_try_at"] = next_try_at;
  nlohmann::json body = nlohmann::json::parse(payload, nullptr, false);
  if (body.is_object()) j["text"] = body.value("text", "");
  return j;
}

}  // namespace ferry
