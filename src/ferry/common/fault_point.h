// FaultPoint: named places where a fault-injection test may kill the process, to prove that a
// run killed at that very moment resumes with every row exactly once (DESIGN 6). Armed only by
// the environment variable FERRY_FAULT, read once:
//   FERRY_FAULT=writer.after_commit            SIGKILL at the first hit of that point
//   FERRY_FAULT=txtfile.publish.rename@3       SIGKILL at its third hit
//   FERRY_FAULT=writer.before_commit@2:term    SIGTERM instead (the run aborts cleanly)
// Several entries may be given, separated by commas. Unset, a FaultPoint costs one load of a
// flag. The names in use are listed in README.md (Exactly once).
#pragma once

namespace ferry {

void FaultPointHit(const char* name);

namespace fault_point_internal {
extern const bool kArmed;
}

inline void FaultPoint(const char* name) {
  if (fault_point_internal::kArmed) FaultPointHit(name);
}

}  // namespace ferry
