// The JSON Schema of job files and the job skeletons of `ferry template`, both generated from
// the plugins' ParamDefs — the same lists the validator checks — so they cannot disagree.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "ferry/common/status.h"
#include "ferry/plugin/registry.h"

namespace ferry {

// A JSON Schema (draft 2020-12) accepting both layouts, with every plugin's parameters.
nlohmann::ordered_json JobSchema(const Registry& registry);

// A DataWorks 2.0 job for `reader` -> `writer`, valid once its placeholders are filled: every
// parameter that is required or has a default or an example, set to it, followed by `//` comment
// lines explaining every parameter, the ones left out too (job files accept comments, so the
// output stays a valid job). Alternatives to a shown parameter (connection and jdbcUrl beside
// datasource) have no example, so the skeleton shows one way and the comments the others.
Result<std::string> JobTemplate(const Registry& registry, const std::string& reader,
                                const std::string& writer);

}  // namespace ferry
