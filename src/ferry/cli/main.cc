// ferry: the command line (DESIGN 1).
#include <CLI/CLI.hpp>
#include <cstdio>
#include <string>
#include <vector>

#include "ferry/cli/commands.h"

namespace {

// datax.py's habit, `-p "-Dbizdate=20251031 -Dregion=cn"`: a value that starts with '-' would be
// read as an option, so "-p VALUE" becomes "--param=VALUE" before parsing.
std::vector<std::string> JoinDataxParamValues(int argc, char** argv) {
  std::vector<std::string> args(argv, argv + argc);
  std::vector<std::string> out;
  for (size_t i = 0; i < args.size(); ++i) {
    if ((args[i] == "-p" || args[i] == "--param") && i + 1 < args.size() &&
        args[i + 1].starts_with("-D")) {
      out.push_back("--param=" + args[++i]);
    } else {
      out.push_back(args[i]);
    }
  }
  return out;
}

}  // namespace

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
  ferry::AddVerifyCommand(&app, &exit_code);
  ferry::AddDeployCommand(&app, &exit_code);
  ferry::AddScheduleCommand(&app, &exit_code);
  ferry::AddServerCommand(&app, &exit_code);
  ferry::AddOpsCommand(&app, &exit_code);
  try {
    std::vector<std::string> args = JoinDataxParamValues(argc, argv);
    std::vector<char*> ptrs;
    for (std::string& a : args) ptrs.push_back(a.data());
    app.parse(static_cast<int>(ptrs.size()), ptrs.data());
  } catch (const CLI::ParseError& e) {
    int code = app.exit(e);
    return code == 0 ? 0 : ferry::kExitInvalid;
  }
  std::fflush(stdout);
  return exit_code;
}
