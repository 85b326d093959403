#include "ferry/plugin/param_def.h"

namespace ferry {

const char* ParamTypeName(ParamType type) {
  switch (type) {
    case ParamType::kString:
      return "a string";
    case ParamType::kInteger:
      return "an integer";
    case ParamType::kNumber:
      return "a number";
    case ParamType::kBool:
      return "true or false";
    case ParamType::kStringOrList:
      return "a string or a list of strings";
    case ParamType::kStringList:
      return "a list of strings";
    case ParamType::kArray:
      return "a list";
    case ParamType::kObject:
      return "an object";
    case ParamType::kAny:
      return "a value";
  }
  return "a value";
}

const ParamDef* FindParam(const std::vector<ParamDef>& defs, std::string_view key) {
  for (const ParamDef& d : defs) {
    if (d.name == key) return &d;
    for (const std::string& a : d.aliases) {
      if (a == key) return &d;
    }
  }
  return nullptr;
}

ParamDef Param(std::string name, ParamType type, std::string description, nlohmann::json example) {
  ParamDef p;
  p.name = std::move(name);
  p.type = type;
  p.description = std::move(description);
  p.example = std::move(example);
  return p;
}

ParamDef Required(ParamDef p) {
  p.required = true;
  return p;
}

ParamDef Default(ParamDef p, nlohmann::json value) {
  p.default_value = std::move(value);
  return p;
}

ParamDef Allowed(ParamDef p, std::vector<std::string> values) {
  p.allowed = std::move(values);
  return p;
}

}  // namespace ferry
