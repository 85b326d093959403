// The --store flag shared by deploy, schedule, params --node, server and ops, and the path of
// this binary (which the scheduler runs for each job).
#pragma once

#include <CLI/CLI.hpp>
#include <memory>
#include <string>

#include "ferry/common/status.h"
#include "ferry/schedule/launcher.h"
#include "ferry/schedule/store.h"

namespace ferry {

inline constexpr const char* kDefaultStorePath = ".ferry/scheduler.db";

void AddStoreFlag(CLI::App* cmd, std::string* store);
// Opens the store (a SQLite file's folder is created when missing).
Result<std::unique_ptr<Store>> OpenStore(const std::string& location);
// The deployed schedule, or FailedPrecondition when nothing is deployed.
Result<Deployment> DeployedSchedule(Store* store);
// This program's absolute path (/proc/self/exe).
std::string SelfBinary();

}  // namespace ferry
