#include "ferry/plugin/param_fields.h"

namespace ferry {

bool HasField(const nlohmann::json& p, const char* key) {
  auto it = p.find(key);
  return it != p.end() && !it->is_null();
}

Result<std::string> StringField(const nlohmann::json& p, const char* key, std::string fallback) {
  if (!HasField(p, key)) return fallback;
  const nlohmann::json& v = p.at(key);
  if (!v.is_string()) return Status::InvalidArgument("expected a string").WithField(key);
  return v.get<std::string>();
}

Result<int64_t> IntegerField(const nlohmann::json& p, const char* key, int64_t fallback,
                             int64_t min, int64_t max) {
  if (!HasField(p, key)) return fallback;
  const nlohmann::json& v = p.at(key);
  if (!v.is_number_integer()) return Status::InvalidArgument("expected an integer").WithField(key);
  const bool too_big =
      v.is_number_unsigned() && v.get<uint64_t>() > static_cast<uint64_t>(INT64_MAX);
  const int64_t n = too_big ? INT64_MAX : v.get<int64_t>();
  if (too_big || n < min || n > max) {
    return Status::InvalidArgument("expected an integer from " + std::to_string(min) + " to " +
                                   std::to_string(max) + ", got " + v.dump())
        .WithField(key);
  }
  return n;
}

Result<bool> BoolField(const nlohmann::json& p, const char* key, bool fallback) {
  if (!HasField(p, key)) return fallback;
  const nlohmann::json& v = p.at(key);
  if (!v.is_boolean()) return Status::InvalidArgument("expected true or false").WithField(key);
  return v.get<bool>();
}

Result<std::vector<std::string>> StringOrListField(const nlohmann::json& p, const char* key,
                                                   bool skip_empty) {
  std::vector<std::string> out;
  if (!HasField(p, key)) return out;
  const nlohmann::json& v = p.at(key);
  if (v.is_string()) {
    std::string text = v.get<std::string>();
    if (!text.empty()) out.push_back(std::move(text));
    if (out.empty() && !skip_empty) {
      return Status::InvalidArgument("must not be empty").WithField(key);
    }
    return out;
  }
  if (!v.is_array()) {
    return Status::InvalidArgument("expected a string or a list of strings").WithField(key);
  }
  for (size_t i = 0; i < v.size(); ++i) {
    std::string field = IndexedField(key, i);
    if (!v[i].is_string()) return Status::InvalidArgument("expected a string").WithField(field);
    std::string text = v[i].get<std::string>();
    if (text.empty() && skip_empty) continue;
    if (text.empty()) return Status::InvalidArgument("must not be empty").WithField(field);
    out.push_back(std::move(text));
  }
  return out;
}

std::string IndexedField(std::string_view key, size_t i) {
  return std::string(key) + "[" + std::to_string(i) + "]";
}

std::string Quoted(std::string_view name) { return "\"" + std::string(name) + "\""; }

}  // namespace ferry
