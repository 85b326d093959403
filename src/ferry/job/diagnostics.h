// Diagnostics: the errors and warnings found while checking one job file, each already formatted
// as "file:line:col: json.path: what was expected" (warnings as "file:line:col: warning: ...").
// Checking goes on after an error so that a user sees every problem at once.
//
// A warning is something DataX or DataWorks would run but Ferry does not use (an unknown key, a
// value it ignores); under `strict` every warning counts as an error (`--strict`, for CI).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "ferry/common/status.h"
#include "ferry/job/located_json.h"

namespace ferry {

class Diagnostics {
 public:
  explicit Diagnostics(const LocatedJson* doc, bool strict = false) : doc_(doc), strict_(strict) {}
  void AtValue(std::string_view path, std::string_view message) {
    errors_.push_back(doc_->Format(path, message));
  }
  void AtKey(std::string_view path, std::string_view message) {
    errors_.push_back(doc_->FormatKey(path, message));
  }
  void WarnAtValue(std::string_view path, std::string_view message);
  void WarnAtKey(std::string_view path, std::string_view message);

  bool ok() const { return errors_.empty(); }
  const std::vector<std::string>& warnings() const { return warnings_; }
  // InvalidArgument with one error per line (then the warnings); OK when there is no error.
  Status ToStatus() const;

 private:
  void Warn(std::string formatted);

  const LocatedJson* doc_;
  bool strict_;
  std::vector<std::string> errors_;
  std::vector<std::string> warnings_;
};

}  // namespace ferry
