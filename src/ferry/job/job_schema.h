// The JSON Schema of job files and the job skeletons of `ferry template`, both generated from
// the plugins' ParamDefs — the same lists the validator checks — so they cannot disagree.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "ferry/common/status.h"
#include "ferry/plugin/registry.h"

namespace ferry {

// A JSON Schema (draft 2020-12) accepting both layouts, with every plugin's parameters.
nlohmann::ordered_json JobSchema(const Registry& registry);

// A runnable DataWorks 2.0 job for `reader` -> `writer` with every parameter set to its default
// or a placeholder, followed by `//` comment lines explaining each parameter (job files accept
// comments, so the output stays a valid job).
Result<std::string> JobTemplate(const Registry& registry, const std::string& reader,
                                const std::string& writer);

}  // namespace ferry
