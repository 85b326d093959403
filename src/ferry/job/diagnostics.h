// Diagnostics: the errors found while checking one job file, each already formatted as
// "file:line:col: json.path: what was expected". Checking goes on after an error so that a user
// sees every problem at once.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "ferry/common/status.h"
#include "ferry/job/located_json.h"

namespace ferry {

class Diagnostics {
 public:
  explicit Diagnostics(const LocatedJson* doc) : doc_(doc) {}
  void AtValue(std::string_view path, std::string_view message) {
    errors_.push_back(doc_->Format(path, message));
  }
  void AtKey(std::string_view path, std::string_view message) {
    errors_.push_back(doc_->FormatKey(path, message));
  }
  bool ok() const { return errors_.empty(); }
  // InvalidArgument with one error per line; OK when there is none.
  Status ToStatus() const;

 private:
  const LocatedJson* doc_;
  std::vector<std::string> errors_;
};

}  // namespace ferry
