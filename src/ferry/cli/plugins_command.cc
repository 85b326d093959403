// `ferry plugins`: the readers and writers in this build and what each supports.
#include <fmt/format.h>

#include <iostream>

#include "ferry/cli/commands.h"
#include "ferry/common/strings.h"
#include "ferry/plugin/registry.h"

namespace ferry {

void AddPluginsCommand(CLI::App* app, int* exit_code) {
  CLI::App* cmd = app->add_subcommand("plugins", "list plugins and their capabilities");
  cmd->callback([exit_code] {
    std::cout << fmt::format("{:<10} {:<7} {:<7} {:<8} {:<14} {:<28} {}\n", "PLUGIN", "READER",
                             "WRITER", "SPLITPK", "TRANSACTIONS", "WRITE MODES", "DESCRIPTION");
    for (const PluginInfo& p : Registry::Builtin().plugins()) {
      std::cout << fmt::format(
          "{:<10} {:<7} {:<7} {:<8} {:<14} {:<28} {}\n", p.name, p.make_reader ? "yes" : "-",
          p.make_writer ? "yes" : "-", p.split_pk ? "yes" : "-",
          p.make_writer ? (p.transactional ? "per split" : "no") : "-",
          p.write_modes.empty() ? "-" : Join(p.write_modes, ","), p.description);
    }
    *exit_code = kExitOk;
  });
}

}  // namespace ferry
