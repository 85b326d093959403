// Test support for the scheduler end to end: a `ferry server` (or any ferry command) in the
// background, and the instances of a store as `ferry ops list --json` shows them.
#pragma once

#include <sys/types.h>

#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "tests/support/ferry_cli.h"

namespace ferry::testing {

// Starts `ferry ARGS...` in the background with its output appended to `log`; returns its pid.
pid_t Spawn(const std::vector<std::string>& args, const std::string& log);

// `ferry ops backfill NODE --from DATE --to DATE --store STORE`; its exit code.
int BackfillOneDate(const std::string& store, const std::string& node, const std::string& date);

// `ferry server` on `store` without HTTP, ticking every 20 ms, until nothing is left to do
// (`extra` flags appended).
CliResult ServeUntilIdle(const std::string& store, const std::vector<std::string>& extra = {});

// The instances of `store`, as `ferry ops list --json` prints them.
nlohmann::json Instances(const std::string& store);

// Polls (bounded, 30 s) the instances until `done` holds for the first one; returns it (the
// last one seen, with a test failure, when it never did).
nlohmann::json WaitForInstance(const std::string& store,
                               const std::function<bool(const nlohmann::json&)>& done);

}  // namespace ferry::testing
