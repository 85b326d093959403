#include "ferry/job/diagnostics.h"

#include "ferry/common/strings.h"

namespace ferry {

Status Diagnostics::ToStatus() const {
  if (errors_.empty()) return Status::OK();
  return Status::InvalidArgument(Join(errors_, "\n"));
}

}  // namespace ferry
