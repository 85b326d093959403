// What a plugin is given to prepare itself: its `parameter` object (placeholders already
// resolved) and the job-wide facts it may need.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

#include "ferry/plugin/datasource_catalog.h"

namespace ferry {

struct StepContext {
  const nlohmann::json* parameter = nullptr;  // never null while preparing
  std::string step_name;                      // "Reader"
  int concurrent = 1;                         // channels the job runs
  int64_t job_start_micros = 0;               // `now()` for every row of the job, UTC
  std::string run_dir;                        // empty under `ferry check`
  // Identifies the run across resumes (it names the run's commit markers); empty under
  // `ferry check`.
  std::string run_id;
  const DataSourceCatalog* datasources = nullptr;  // `"datasource": "NAME"`; null: none known

  const nlohmann::json& param() const { return *parameter; }
};

// Reads an optional parameter with a default (types were checked against the ParamDefs).
template <typename T>
T ParamOr(const nlohmann::json& p, const char* key, T fallback) {
  auto it = p.find(key);
  if (it == p.end() || it->is_null()) return fallback;
  return it->template get<T>();
}

// "a" or ["a", "b"] as a list.
std::vector<std::string> StringOrList(const nlohmann::json& p, const char* key);

}  // namespace ferry
