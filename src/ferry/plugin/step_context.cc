#include "ferry/plugin/step_context.h"

namespace ferry {

std::vector<std::string> StringOrList(const nlohmann::json& p, const char* key) {
  std::vector<std::string> out;
  auto it = p.find(key);
  if (it == p.end() || it->is_null()) return out;
  if (it->is_string()) {
    out.push_back(it->get<std::string>());
  } else {
    for (const auto& v : *it) out.push_back(v.get<std::string>());
  }
  return out;
}

}  // namespace ferry
