// ferry: the command line (DESIGN 1).
#include <CLI/CLI.hpp>

#include <cstdio>

#include "ferry/cli/commands.h"

int main(int argc, char** argv) {
  CLI::App app{"ferry: batch data synchronization (DataX/DataWorks job scripts)"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "ferry 0.1.0");
  int exit_code = ferry::kExitOk;
  ferry::AddRunCommand(&app, &exit_code);
  ferry::AddCheckCommand(&app, &exit_code);
  ferry::AddParamsCommand(&app, &exit_code);
  ferry::AddTemplateCommand(&app, &exit_code);
  ferry::AddPluginsCommand(&app, &exit_code);
  ferry::AddSchemaCommand(&app, &exit_code);
  ferry::AddDatasourceCommand(&app, &exit_code);
  ferry::AddMarkersCommand(&app, &exit_code);
  ferry::AddResourceGroupCommand(&app, &exit_code);
  ferry::AddDeployCommand(&app, &exit_code);
  ferry::AddScheduleCommand(&app, &exit_code);
  ferry::AddServerCommand(&app, &exit_code);
  ferry::AddOpsCommand(&app, &exit_code);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int code = app.exit(e);
    return code == 0 ? 0 : ferry::kExitInvalid;
  }
  std::fflush(stdout);
  return exit_code;
}
