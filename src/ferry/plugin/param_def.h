// ParamDef: one plugin parameter, declared once. The validator (`ferry check`), the JSON Schema
// (`ferry schema`) and the job skeleton (`ferry template`) are all generated from these lists,
// so they never disagree.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace ferry {

enum class ParamType {
  kString,
  kInteger,
  kNumber,
  kBool,
  kStringOrList,  // "a" or ["a", "b"] (DataX accepts both for table, path, preSql...)
  kStringList,    // ["a", "b"]
  kArray,         // any array; items checked by the plugin (e.g. typed column objects)
  kObject,
  kAny,
};

const char* ParamTypeName(ParamType type);

struct ParamDef {
  std::string name;
  ParamType type = ParamType::kString;
  bool required = false;
  nlohmann::json default_value;  // null: no default
  std::string description;
  std::vector<std::string> allowed;  // for enumerations such as writeMode
  nlohmann::json example;            // placeholder shown by `ferry template` when no default
  // Keys this parameter is also known by (DataX spellings); accepted and normalized to `name`.
  std::vector<std::string> aliases;
};

// Finds a definition by name or alias; nullptr when unknown.
const ParamDef* FindParam(const std::vector<ParamDef>& defs, std::string_view key);

// Builders that make a plugin's parameter list read as a declaration:
//   Allowed(Default(Param("writeMode", ParamType::kString, "insert or update"), "insert"),
//           {"insert", "update"})
// `example` is the placeholder `ferry template` shows when there is no default.
ParamDef Param(std::string name, ParamType type, std::string description,
               nlohmann::json example = nullptr);
ParamDef Required(ParamDef p);
ParamDef Default(ParamDef p, nlohmann::json value);
ParamDef Allowed(ParamDef p, std::vector<std::string> values);

}  // namespace ferry
