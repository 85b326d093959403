#include "ferry/plugin/registry.h"

namespace ferry {

const Registry& Registry::Builtin() {
  static const Registry* registry = [] {
    auto* r = new Registry();
    RegisterBuiltinPlugins(r);
    return r;
  }();
  return *registry;
}

void Registry::Add(PluginInfo info) { plugins_.push_back(std::move(info)); }

const PluginInfo* Registry::Find(std::string_view name) const {
  for (const PluginInfo& p : plugins_) {
    if (name == p.name) return &p;
    // DataX names: "<plugin>reader" / "<plugin>writer".
    for (std::string_view suffix : {"reader", "writer"}) {
      if (name.size() == p.name.size() + suffix.size() && name.starts_with(p.name) &&
          name.ends_with(suffix)) {
        return &p;
      }
    }
  }
  return nullptr;
}

std::vector<std::string> Registry::Names() const {
  std::vector<std::string> out;
  for (const PluginInfo& p : plugins_) out.push_back(p.name);
  return out;
}

}  // namespace ferry
