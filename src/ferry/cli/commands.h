// The subcommands of `ferry`, one file each. Each Add*Command registers its flags on `app` and
// returns the exit code through the callback it installs.
#pragma once

#include <CLI/CLI.hpp>
#include <string_view>

#include "ferry/common/status.h"

namespace ferry {

// Exit codes (DESIGN 1).
constexpr int kExitOk = 0;
constexpr int kExitFailed = 1;
constexpr int kExitInvalid = 2;

// Prints "ferry COMMAND: message" (secrets masked) on stderr and returns `exit_code`.
int FailCommand(std::string_view command, const Status& status, int exit_code);

void AddRunCommand(CLI::App* app, int* exit_code);
void AddCheckCommand(CLI::App* app, int* exit_code);
void AddParamsCommand(CLI::App* app, int* exit_code);
void AddTemplateCommand(CLI::App* app, int* exit_code);
void AddPluginsCommand(CLI::App* app, int* exit_code);
void AddSchemaCommand(CLI::App* app, int* exit_code);
void AddDatasourceCommand(CLI::App* app, int* exit_code);
void AddMarkersCommand(CLI::App* app, int* exit_code);
void AddResourceGroupCommand(CLI::App* app, int* exit_code);
void AddVerifyCommand(CLI::App* app, int* exit_code);
// Scheduling and operations (DESIGN 9).
void AddDeployCommand(CLI::App* app, int* exit_code);
void AddScheduleCommand(CLI::App* app, int* exit_code);
void AddServerCommand(CLI::App* app, int* exit_code);
void AddOpsCommand(CLI::App* app, int* exit_code);

}  // namespace ferry
