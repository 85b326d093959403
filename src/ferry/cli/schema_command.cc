// `ferry schema`: the JSON Schema of job files, for editors.
#include <iostream>

#include "ferry/cli/commands.h"
#include "ferry/job/job_schema.h"

namespace ferry {

void AddSchemaCommand(CLI::App* app, int* exit_code) {
  CLI::App* cmd = app->add_subcommand("schema", "print the JSON Schema of job files");
  cmd->callback([exit_code] {
    std::cout << JobSchema(Registry::Builtin()).dump(2) << "\n";
    *exit_code = kExitOk;
  });
}

}  // namespace ferry
