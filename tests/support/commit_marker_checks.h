// Test support for writers that keep commit markers (ferry/plugin/writer.h): drives a writer and
// its tasks directly, the way the engine does around a COMMIT whose outcome is unknown, so each
// SQL writer is held to the same claim protocol.
#pragma once

#include <functional>
#include <nlohmann/json.hpp>
#include <string>

namespace ferry::testing {

// With the `plugin` writer on `param` (a destination table of two columns, id and v, empty):
//  - a second attempt's Begin on a split whose first attempt still holds its claim waits
//    (`claim_waits` turns true while it does), and once the first commits it returns the
//    figures the first recorded;
//  - a claim rolled back (Abort) frees the split for the next attempt;
//  - CommittedSplits, ListCommitMarkers and RemoveCommitMarkers (by run, and by date) agree.
// Failures are gtest failures of the calling test.
void CheckCommitMarkerClaims(const std::string& plugin, const nlohmann::json& param,
                             const std::function<bool()>& claim_waits);

}  // namespace ferry::testing
