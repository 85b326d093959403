// `ferry template READER WRITER`: a runnable job skeleton with every parameter of both plugins.
#include <iostream>

#include "ferry/cli/commands.h"
#include "ferry/job/job_schema.h"

namespace ferry {

void AddTemplateCommand(CLI::App* app, int* exit_code) {
  auto names = std::make_shared<std::pair<std::string, std::string>>();
  CLI::App* cmd = app->add_subcommand("template", "print a job skeleton for READER -> WRITER");
  cmd->add_option("reader", names->first, "reader plugin, e.g. sqlite")->required();
  cmd->add_option("writer", names->second, "writer plugin, e.g. txtfile")->required();
  cmd->callback([names, exit_code] {
    auto text = JobTemplate(Registry::Builtin(), names->first, names->second);
    if (!text.ok()) {
      std::cerr << text.status().message() << "\n";
      *exit_code = kExitInvalid;
      return;
    }
    std::cout << *text;
    *exit_code = kExitOk;
  });
}

}  // namespace ferry
