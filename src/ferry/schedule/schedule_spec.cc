#include "ferry/schedule/schedule_spec.h"

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <set>
#include <sstream>

#include "ferry/common/numbers.h"

namespace ferry {
namespace {

namespace fs = std::filesystem;

const std::set<std::string> kNodeKeys = {
    "name",           "job",     "cron",           "timezone", "params", "upstream", "retries",
    "retry_interval", "timeout", "resource_group", "priority", "alerts"};
const std::set<std::string> kAlertKeys = {"on", "node", "at", "threshold", "webhook"};

// Collects errors as "file:line: message" lines.
class Errors {
 public:
  explicit Errors(std::string file) : file_(std::move(file)) {}
  void Add(const YAML::Node& at, const std::string& message) {
    int line = at.IsDefined() ? at.Mark().line + 1 : 0;
    Add(line, message);
  }
  void Add(int line, const std::string& message) {
    lines_.push_back(line > 0 ? fmt::format("{}:{}: {}", file_, line, message)
                              : fmt::format("{}: {}", file_, message));
  }
  bool empty() const { return lines_.empty(); }
  Status ToStatus() const {
    std::string text;
    for (const std::string& l : lines_) text += (text.empty() ? "" : "\n") + l;
    return Status::InvalidArgument(text);
  }

 private:
  std::string file_;
  std::vector<std::string> lines_;
};

std::string Scalar(const YAML::Node& node, const std::string& what, Errors* errors) {
  if (!node.IsScalar()) {
    errors->Add(node, what + ": expected a text value");
    return "";
  }
  return node.as<std::string>();
}

int Integer(const YAML::Node& node, const std::string& what, int min, Errors* errors) {
  try {
    if (node.IsScalar()) {
      int v = node.as<int>();
      if (v >= min) return v;
    }
  } catch (const YAML::Exception&) {
  }
  errors->Add(node, fmt::format("{}: expected a whole number >= {}", what, min));
  return min;
}

// `params` as a string of assignments or a map of name: value.
std::string Assignments(const YAML::Node& node, const std::string& what, Errors* errors) {
  if (node.IsScalar()) return node.as<std::string>();
  if (!node.IsMap()) {
    errors->Add(node, what + ": expected \"a=x b=y\" or a map of name: value");
    return "";
  }
  std::string out;
  for (const auto& kv : node) {
    std::string value = kv.second.IsScalar() ? kv.second.as<std::string>() : "";
    std::string quoted = "'";
    for (char c : value) quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
    quoted += "'";
    out += (out.empty() ? "" : " ") + kv.first.as<std::string>() + "=" + quoted;
  }
  return out;
}

// One alert rule; `owner` is the node it is written under ("" for the global list).
AlertRule ParseAlertRule(const YAML::Node& n, const std::string& owner, const std::string& label,
                         Errors* errors) {
  AlertRule rule;
  rule.line = n.Mark().line + 1;
  if (!n.IsMap()) {
    errors->Add(n, label + ": expected a map such as {on: failure, webhook: \"http://...\"}");
    return rule;
  }
  for (const auto& kv : n) {
    std::string key = kv.first.as<std::string>();
    if (!kAlertKeys.count(key)) {
      errors->Add(kv.first, fmt::format("{}: unknown key \"{}\" (known: on, node, at, threshold, "
                                        "webhook)",
                                        label, key));
    }
  }
  for (const char* required : {"on", "webhook"}) {
    if (!n[required]) errors->Add(n, fmt::format("{}: \"{}\" is required", label, required));
  }
  if (n["on"]) {
    std::string on = Scalar(n["on"], label + ".on", errors);
    if (std::optional<AlertEvent> event = ParseAlertEvent(on)) {
      rule.on = *event;
    } else if (!on.empty()) {
      errors->Add(n["on"], fmt::format("{}.on: \"{}\" is not an event (known: failure, timeout, "
                                       "not_finished_by, dirty_above)",
                                       label, on));
    }
  }
  if (n["webhook"]) {
    rule.webhook = Scalar(n["webhook"], label + ".webhook", errors);
    Status url = CheckWebhookUrl(rule.webhook);
    if (!rule.webhook.empty() && !url.ok()) {
      errors->Add(n["webhook"], label + ".webhook: " + url.message());
    }
  }
  if (!owner.empty()) {
    rule.node = owner;
    if (n["node"]) errors->Add(n["node"], label + ": a rule under a node is that node's own");
  } else if (n["node"]) {
    rule.node = Scalar(n["node"], label + ".node", errors);
  }
  bool deadline = rule.on == AlertEvent::kNotFinishedBy;
  if (n["at"] && !deadline) errors->Add(n["at"], label + ".at: only for on: not_finished_by");
  if (deadline) {
    if (!n["at"]) {
      errors->Add(n, label + ": \"at\" (HH:MM) is required with on: not_finished_by");
    } else {
      auto at = ParseTimeOfDay(Scalar(n["at"], label + ".at", errors));
      if (at.ok()) {
        rule.at_minute = *at;
      } else {
        errors->Add(n["at"], label + ".at: " + at.status().message());
      }
    }
  }
  bool dirty = rule.on == AlertEvent::kDirtyAbove;
  if (n["threshold"] && !dirty) {
    errors->Add(n["threshold"], label + ".threshold: only for on: dirty_above");
  }
  if (dirty) {
    if (!n["threshold"]) {
      errors->Add(n, label + ": \"threshold\" (dirty records) is required with on: dirty_above");
    } else {
      rule.threshold = Integer(n["threshold"], label + ".threshold", 0, errors);
    }
  }
  return rule;
}

void ParseAlertRules(const YAML::Node& list, const std::string& owner, const std::string& label,
                     std::vector<AlertRule>* rules, Errors* errors) {
  if (!list.IsSequence()) {
    errors->Add(list, label + ": expected a list of alert rules");
    return;
  }
  for (size_t i = 0; i < list.size(); ++i) {
    rules->push_back(ParseAlertRule(list[i], owner, fmt::format("{}[{}]", label, i), errors));
  }
}

NodeSpec ParseNode(const YAML::Node& n, const std::string& default_tz, const std::string& dir,
                   std::vector<AlertRule>* alerts, Errors* errors) {
  NodeSpec node;
  node.line = n.Mark().line + 1;
  node.time_zone = default_tz;
  if (!n.IsMap()) {
    errors->Add(n, "each entry of nodes must be a map with name, job and cron");
    return node;
  }
  std::string label =
      n["name"] && n["name"].IsScalar() ? "node \"" + n["name"].as<std::string>() + "\"" : "node";
  for (const auto& kv : n) {
    std::string key = kv.first.as<std::string>();
    if (!kNodeKeys.count(key)) {
      errors->Add(kv.first, fmt::format("{}: unknown key \"{}\" (known: name, job, cron, timezone, "
                                        "params, upstream, retries, retry_interval, timeout, "
                                        "resource_group, priority, alerts)",
                                        label, key));
    }
  }
  for (const char* required : {"name", "job", "cron"}) {
    if (!n[required]) errors->Add(n, fmt::format("{}: \"{}\" is required", label, required));
  }
  if (n["name"]) node.name = Scalar(n["name"], label + ".name", errors);
  if (!node.name.empty()) {
    for (char c : node.name) {
      if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '-' && c != '.') {
        errors->Add(n["name"],
                    fmt::format("{}: a name holds letters, digits, '_', '-', '.'", label));
        break;
      }
    }
  }
  if (n["job"]) node.job = Scalar(n["job"], label + ".job", errors);
  if (n["cron"]) node.cron = Scalar(n["cron"], label + ".cron", errors);
  if (n["timezone"]) node.time_zone = Scalar(n["timezone"], label + ".timezone", errors);
  if (n["params"]) node.params = Assignments(n["params"], label + ".params", errors);
  if (n["upstream"]) {
    const YAML::Node& up = n["upstream"];
    if (up.IsScalar()) {
      node.upstream.push_back(up.as<std::string>());
    } else if (up.IsSequence()) {
      for (const auto& u : up) node.upstream.push_back(Scalar(u, label + ".upstream", errors));
    } else {
      errors->Add(up, label + ".upstream: expected a node name or a list of them");
    }
  }
  if (n["retries"]) node.retries = Integer(n["retries"], label + ".retries", 0, errors);
  if (n["retry_interval"]) {
    node.retry_interval_seconds =
        Integer(n["retry_interval"], label + ".retry_interval (seconds)", 0, errors);
  }
  if (n["timeout"]) {
    auto timeout = n["timeout"].IsScalar() ? ParseDurationSeconds(n["timeout"].as<std::string>())
                                           : Result<int64_t>(Status::InvalidArgument(""));
    if (timeout.ok() && *timeout > 0) {
      node.timeout_seconds = *timeout;
    } else {
      errors->Add(n["timeout"], label +
                                    ".timeout: expected seconds or a duration such as 30m, "
                                    "1h30m, 45s");
    }
  }
  if (n["resource_group"])
    node.resource_group = Scalar(n["resource_group"], label + ".resource_group", errors);
  if (n["priority"]) node.priority = Integer(n["priority"], label + ".priority", -1000000, errors);
  if (n["alerts"] && !node.name.empty()) {
    ParseAlertRules(n["alerts"], node.name, label + ".alerts", alerts, errors);
  }
  if (!node.cron.empty()) {
    auto cron = CronSchedule::Parse(node.cron, node.time_zone);
    if (!cron.ok()) errors->Add(n["cron"], label + ": " + cron.status().message());
  }
  if (!node.job.empty()) {
    fs::path job = fs::path(dir) / node.job;
    std::ifstream in(job);
    if (!in) {
      errors->Add(n["job"], fmt::format("{}: job file {} not found", label, job.string()));
    } else {
      std::stringstream text;
      text << in.rdbuf();
      node.job_text = text.str();
    }
  }
  return node;
}

// Depth-first search for a cycle; returns it as "a -> b -> a" or empty.
std::string FindCycle(const ScheduleSpec& spec) {
  std::map<std::string, int> state;  // 0 new, 1 on the path, 2 done
  std::vector<std::string> path;
  std::function<std::string(const std::string&)> visit =
      [&](const std::string& name) -> std::string {
    state[name] = 1;
    path.push_back(name);
    const NodeSpec* node = spec.Find(name);
    for (const std::string& up : node ? node->upstream : std::vector<std::string>{}) {
      if (!spec.Find(up)) continue;
      if (state[up] == 1) {
        std::string cycle;
        auto it = std::find(path.begin(), path.end(), up);
        for (; it != path.end(); ++it) cycle += *it + " -> ";
        return cycle + up;
      }
      if (state[up] == 0) {
        std::string found = visit(up);
        if (!found.empty()) return found;
      }
    }
    path.pop_back();
    state[name] = 2;
    return "";
  };
  for (const NodeSpec& n : spec.nodes) {
    if (state[n.name] == 0) {
      std::string found = visit(n.name);
      if (!found.empty()) return found;
    }
  }
  return "";
}

}  // namespace

Result<int64_t> ParseDurationSeconds(const std::string& text) {
  auto bad = [&] {
    return Status::InvalidArgument("\"" + text +
                                   "\": expected seconds or a duration such as 30m, 1h30m, 45s");
  };
  if (text.empty()) return bad();
  int64_t total = 0;
  size_t i = 0;
  bool units = false;
  while (i < text.size()) {
    size_t start = i;
    while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) ++i;
    if (i == start || i - start > 9) return bad();
    Result<int64_t> n_parsed = ParseInt64(std::string_view(text).substr(start, i - start), text);
    if (!n_parsed.ok()) return bad();
    const int64_t n = *n_parsed;
    if (i == text.size()) {
      if (units) return bad();  // "1h30": a number without its unit after another unit
      return n;
    }
    static const std::map<char, int64_t> kUnits = {{'s', 1}, {'m', 60}, {'h', 3600}, {'d', 86400}};
    auto unit = kUnits.find(text[i++]);
    if (unit == kUnits.end()) return bad();
    total += n * unit->second;
    units = true;
  }
  return total;
}

std::string FormatDurationSeconds(int64_t seconds) {
  if (seconds <= 0) return "0s";
  std::string out;
  for (auto [size, unit] :
       {std::pair<int64_t, char>{86400, 'd'}, {3600, 'h'}, {60, 'm'}, {1, 's'}}) {
    if (seconds >= size) {
      out += std::to_string(seconds / size) + unit;
      seconds %= size;
    }
  }
  return out;
}

Result<ParameterSet> NodeSpec::Parameters(const CivilTime& cyctime) const {
  ParameterSet set(cyctime);
  if (!params.empty()) {
    Status st = set.AddAssignments(params);
    if (!st.ok()) return st.WithPrefix("node \"" + name + "\" params");
  }
  return set;
}

const NodeSpec* ScheduleSpec::Find(std::string_view name) const {
  for (const NodeSpec& n : nodes) {
    if (n.name == name) return &n;
  }
  return nullptr;
}

std::vector<std::string> ScheduleSpec::Downstream(std::string_view name) const {
  std::vector<std::string> out;
  for (const NodeSpec& n : nodes) {
    if (std::find(n.upstream.begin(), n.upstream.end(), name) != n.upstream.end())
      out.push_back(n.name);
  }
  return out;
}

std::vector<std::string> ScheduleSpec::WithDownstream(const std::vector<std::string>& names) const {
  std::set<std::string> chosen(names.begin(), names.end());
  for (bool grew = true; grew;) {
    grew = false;
    for (const NodeSpec& n : nodes) {
      if (chosen.count(n.name)) continue;
      for (const std::string& up : n.upstream) {
        if (chosen.count(up)) {
          chosen.insert(n.name);
          grew = true;
          break;
        }
      }
    }
  }
  std::vector<std::string> out;
  for (const NodeSpec& n : nodes) {
    if (chosen.count(n.name)) out.push_back(n.name);
  }
  return out;
}

nlohmann::json ScheduleSpec::ToJson() const {
  nlohmann::json j = {
      {"project_dir", project_dir}, {"file", file}, {"nodes", nlohmann::json::array()}};
  for (const NodeSpec& n : nodes) {
    j["nodes"].push_back({{"name", n.name},
                          {"job", n.job},
                          {"job_text", n.job_text},
                          {"cron", n.cron},
                          {"timezone", n.time_zone},
                          {"params", n.params},
                          {"upstream", n.upstream},
                          {"retries", n.retries},
                          {"retry_interval", n.retry_interval_seconds},
                          {"timeout", n.timeout_seconds},
                          {"resource_group", n.resource_group},
                          {"priority", n.priority},
                          {"line", n.line}});
  }
  j["alerts"] = nlohmann::json::array();
  for (const AlertRule& rule : alerts) {
    nlohmann::json r = rule.ToJson(/*with_secrets=*/true);
    r["line"] = rule.line;
    j["alerts"].push_back(std::move(r));
  }
  return j;
}

Result<ScheduleSpec> ScheduleSpec::FromJson(const nlohmann::json& j) {
  try {
    ScheduleSpec spec;
    spec.project_dir = j.at("project_dir").get<std::string>();
    spec.file = j.at("file").get<std::string>();
    for (const auto& n : j.at("nodes")) {
      NodeSpec node;
      node.name = n.at("name");
      node.job = n.at("job");
      node.job_text = n.at("job_text");
      node.cron = n.at("cron");
      node.time_zone = n.at("timezone");
      node.params = n.at("params");
      node.upstream = n.at("upstream").get<std::vector<std::string>>();
      node.retries = n.at("retries");
      node.retry_interval_seconds = n.at("retry_interval");
      node.timeout_seconds = n.value("timeout", int64_t{0});  // absent in older deployments
      node.resource_group = n.at("resource_group");
      node.priority = n.at("priority");
      node.line = n.value("line", 0);
      spec.nodes.push_back(std::move(node));
    }
    for (const auto& r : j.value("alerts", nlohmann::json::array())) {  // absent: older
      ASSIGN_OR_RETURN(AlertRule rule, AlertRule::FromJson(r));
      spec.alerts.push_back(std::move(rule));
    }
    return spec;
  } catch (const nlohmann::json::exception& e) {
    return Status::Internal(std::string("the deployed schedule in the store is damaged: ") +
                            e.what());
  }
}

namespace {

Result<ScheduleSpec> ParseScheduleOrThrow(const std::string& text, const std::string& file_name,
                                          const std::string& dir) {
  YAML::Node root;
  try {
    root = YAML::Load(text);
  } catch (const YAML::Exception& e) {
    return Status::InvalidArgument(
        fmt::format("{}:{}:{}: {}", file_name, e.mark.line + 1, e.mark.column + 1, e.msg));
  }
  Errors errors(file_name);
  ScheduleSpec spec;
  spec.project_dir = fs::absolute(dir).lexically_normal().string();
  if (!spec.project_dir.empty() && spec.project_dir.back() == '/') spec.project_dir.pop_back();
  spec.file = file_name;
  if (!root.IsMap() || !root["nodes"] || !root["nodes"].IsSequence()) {
    return Status::InvalidArgument(file_name + ": expected a map with \"nodes\": a list of nodes");
  }
  for (const auto& kv : root) {
    std::string key = kv.first.as<std::string>();
    if (key != "nodes" && key != "timezone" && key != "alerts") {
      errors.Add(kv.first, "unknown key \"" + key + "\" (known: timezone, nodes, alerts)");
    }
  }
  std::string default_tz = "UTC";
  if (root["timezone"]) default_tz = Scalar(root["timezone"], "timezone", &errors);
  if (root["alerts"]) ParseAlertRules(root["alerts"], "", "alerts", &spec.alerts, &errors);
  std::vector<AlertRule> node_alerts;
  std::map<std::string, int> seen;
  for (const auto& n : root["nodes"]) {
    NodeSpec node = ParseNode(n, default_tz, spec.project_dir, &node_alerts, &errors);
    if (!node.name.empty()) {
      if (seen.count(node.name)) {
        errors.Add(node.line, fmt::format("node \"{}\" is defined twice (first at line {})",
                                          node.name, seen[node.name]));
      }
      seen.emplace(node.name, node.line);
    }
    spec.nodes.push_back(std::move(node));
  }
  for (const NodeSpec& node : spec.nodes) {
    for (const std::string& up : node.upstream) {
      if (!spec.Find(up)) {
        errors.Add(node.line,
                   fmt::format("node \"{}\": upstream \"{}\" is not a node of this schedule",
                               node.name, up));
      }
      if (up == node.name)
        errors.Add(node.line, fmt::format("node \"{}\" names itself as upstream", node.name));
    }
  }
  spec.alerts.insert(spec.alerts.end(), node_alerts.begin(), node_alerts.end());
  for (const AlertRule& rule : spec.alerts) {
    if (!rule.AppliesTo("*") && !spec.Find(rule.node)) {
      errors.Add(rule.line, fmt::format("alert rule: node \"{}\" is not a node of this schedule "
                                        "(or \"*\" for every node)",
                                        rule.node));
    }
  }
  if (errors.empty()) {
    std::string cycle = FindCycle(spec);
    if (!cycle.empty()) errors.Add(0, "dependency cycle: " + cycle);
  }
  if (!errors.empty()) return errors.ToStatus();
  return spec;
}

}  // namespace

Result<ScheduleSpec> ParseSchedule(const std::string& text, const std::string& file_name,
                                   const std::string& dir) {
  try {
    return ParseScheduleOrThrow(text, file_name, dir);
  } catch (const YAML::Exception& e) {
    // Conversions of unusual shapes (a map used as a key, ...) land here.
    return Status::InvalidArgument(
        fmt::format("{}:{}:{}: {}", file_name, e.mark.line + 1, e.mark.column + 1, e.msg));
  }
}

Result<ScheduleSpec> LoadScheduleDir(const std::string& dir) {
  for (const char* name : {"schedule.yaml", "schedule.yml", "schedule.json"}) {
    fs::path file = fs::path(dir) / name;
    std::error_code ec;
    if (!fs::exists(file, ec)) continue;
    std::ifstream in(file);
    std::stringstream text;
    text << in.rdbuf();
    if (!in) return Status::IOError("cannot read " + file.string());
    return ParseSchedule(text.str(), file.string(), dir);
  }
  return Status::NotFound(fmt::format("{}: no schedule.yaml, schedule.yml or schedule.json", dir));
}

}  // namespace ferry
