#include "ferry/job/job_model.h"

#include <algorithm>
#include <cctype>
#include <regex>

namespace ferry {
namespace {

bool IsSecretKey(std::string key) {
  std::transform(key.begin(), key.end(), key.begin(),
                 [](unsigned char c) { return std::tolower(c); });
  return key == "password" || key == "passwd" || key == "pwd" || key == "secret";
}

nlohmann::json StepJson(const StepModel& s) {
  return {{"stepType", s.plugin},
          {"category", s.category},
          {"name", s.name},
          {"parameter", s.parameter}};
}

Result<StepModel> StepFromJson(const nlohmann::json& j, const char* path) {
  StepModel s;
  s.plugin = j.at("stepType").get<std::string>();
  s.category = j.at("category").get<std::string>();
  s.name = j.at("name").get<std::string>();
  s.parameter = j.at("parameter");
  s.path = path;
  return s;
}

}  // namespace

nlohmann::json MaskSecretsInJson(const nlohmann::json& j) {
  static const std::regex kUrlPassword(R"(((?:password|pwd)=)[^&;\s]*)", std::regex::icase);
  static const std::regex kUserInfo(R"((://[^:/@\s]+:)[^@/\s]+@)");
  if (j.is_object()) {
    nlohmann::json out = nlohmann::json::object();
    for (auto it = j.begin(); it != j.end(); ++it) {
      out[it.key()] = IsSecretKey(it.key()) && !it.value().is_null() ? nlohmann::json("******")
                                                                     : MaskSecretsInJson(*it);
    }
    return out;
  }
  if (j.is_array()) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& v : j) out.push_back(MaskSecretsInJson(v));
    return out;
  }
  if (j.is_string()) {
    std::string s = j.get<std::string>();
    s = std::regex_replace(s, kUrlPassword, "$1******");
    s = std::regex_replace(s, kUserInfo, "$1******@");
    return s;
  }
  return j;
}

nlohmann::json JobModel::ToJson(bool mask_secrets) const {
  nlohmann::json speed = {{"concurrent", setting.concurrent},
                          {"throttle", setting.bytes_per_second > 0}};
  // mbps below 1 is refused in a job file, so a slower limit (DataX `byte`) stays in bytes/s.
  if (setting.bytes_per_second >= 1024.0 * 1024.0) {
    speed["mbps"] = setting.bytes_per_second / (1024.0 * 1024.0);
  } else if (setting.bytes_per_second > 0) {
    speed["byte"] = setting.bytes_per_second;
  }
  if (setting.records_per_second > 0) speed["record"] = setting.records_per_second;
  nlohmann::json error_limit = nlohmann::json::object();
  if (setting.error_limit_records) error_limit["record"] = *setting.error_limit_records;
  if (setting.error_limit_percentage) error_limit["percentage"] = *setting.error_limit_percentage;
  nlohmann::json j = {
      {"type", "job"},
      {"version", "2.0"},
      {"steps", {StepJson(reader), StepJson(writer)}},
      {"setting",
       {{"executeMode", setting.execute_mode.empty() ? nlohmann::json(nullptr)
                                                     : nlohmann::json(setting.execute_mode)},
        {"speed", speed},
        {"errorLimit", error_limit}}},
      {"order", {{"hops", {{{"from", reader.name}, {"to", writer.name}}}}}},
  };
  if (!setting.verify.empty()) j["setting"]["verify"] = setting.verify;
  return mask_secrets ? MaskSecretsInJson(j) : j;
}

Result<JobModel> JobModel::FromJson(const nlohmann::json& j, std::string file) {
  try {
    JobModel m;
    m.file = std::move(file);
    m.layout = "dataworks";
    ASSIGN_OR_RETURN(m.reader, StepFromJson(j.at("steps").at(0), "steps[0]"));
    ASSIGN_OR_RETURN(m.writer, StepFromJson(j.at("steps").at(1), "steps[1]"));
    const auto& setting = j.at("setting");
    const auto& speed = setting.at("speed");
    m.setting.concurrent = speed.at("concurrent").get<int>();
    if (speed.contains("mbps")) {
      m.setting.bytes_per_second = speed["mbps"].get<double>() * 1024.0 * 1024.0;
    } else if (speed.contains("byte")) {
      m.setting.bytes_per_second = speed["byte"].get<double>();
    }
    if (speed.contains("record")) m.setting.records_per_second = speed["record"].get<double>();
    const auto& limit = setting.at("errorLimit");
    if (limit.contains("record")) m.setting.error_limit_records = limit["record"].get<int64_t>();
    if (limit.contains("percentage")) {
      m.setting.error_limit_percentage = limit["percentage"].get<double>();
    }
    if (setting.contains("verify") && setting["verify"].is_string()) {
      m.setting.verify = setting["verify"].get<std::string>();
    }
    if (setting.at("executeMode").is_string()) {
      m.setting.execute_mode = setting["executeMode"].get<std::string>();
    }
    return m;
  } catch (const nlohmann::json::exception& e) {
    return Status::InvalidArgument("saved job is damaged: " + std::string(e.what()));
  }
}

}  // namespace ferry
