// JobModel: one job, whichever layout it was written in (DataWorks 2.0 `steps` or DataX
// `job.content`). Parameters are resolved, aliases normalized and defaults filled in; this is
// what `ferry check --print` shows and what a run directory saves for --resume.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "ferry/common/status.h"

namespace ferry {

struct StepModel {
  std::string name;          // "Reader"
  std::string category;      // "reader" or "writer"
  std::string plugin;        // stepType, normalized: "sqlite"
  nlohmann::json parameter;  // resolved, aliases renamed, defaults filled in
  std::string path;          // where the step is in the file: "steps[0]", "job.content[0].reader"
  std::string parameter_path() const { return path + ".parameter"; }
};

struct JobSettings {
  int concurrent = 1;
  double bytes_per_second = 0;    // 0: no byte limit
  double records_per_second = 0;  // 0: no record limit
  std::optional<int64_t> error_limit_records;
  std::optional<double> error_limit_percentage;
  std::string execute_mode;  // "" (one machine) or "distribute"
  std::string verify;        // "" (none), "count" or "checksum": ferry verify after a run
};

struct JobModel {
  std::string file;
  std::string layout;  // "dataworks" or "datax"
  StepModel reader;
  StepModel writer;
  JobSettings setting;

  // The normalized job (DataWorks 2.0 layout). `mask_secrets` hides passwords.
  nlohmann::json ToJson(bool mask_secrets) const;
  // Reads back what ToJson(false) wrote (a run directory's job.json).
  static Result<JobModel> FromJson(const nlohmann::json& j, std::string file);
};

// Replaces passwords in parameter objects (keys password/passwd/pwd, and password=... inside
// connection strings) with "******".
nlohmann::json MaskSecretsInJson(const nlohmann::json& j);

}  // namespace ferry
