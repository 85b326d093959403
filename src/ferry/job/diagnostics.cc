#include "ferry/job/diagnostics.h"

#include "ferry/common/strings.h"

namespace ferry {

void Diagnostics::WarnAtValue(std::string_view path, std::string_view message) {
  Warn(doc_->Format(path, message, strict_ ? "" : "warning"));
}

void Diagnostics::WarnAtKey(std::string_view path, std::string_view message) {
  Warn(doc_->FormatKey(path, message, strict_ ? "" : "warning"));
}

void Diagnostics::Warn(std::string formatted) {
  if (strict_) {
    errors_.push_back(std::move(formatted) + " (an error under --strict)");
  } else {
    warnings_.push_back(std::move(formatted));
  }
}

Status Diagnostics::ToStatus() const {
  if (errors_.empty()) return Status::OK();
  // The warnings too: a misspelled key is often why a required one is missing.
  std::vector<std::string> lines = errors_;
  lines.insert(lines.end(), warnings_.begin(), warnings_.end());
  return Status::InvalidArgument(Join(lines, "\n"));
}

}  // namespace ferry
