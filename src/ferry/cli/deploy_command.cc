// `ferry deploy DIR`: publishes a project folder (its schedule file and jobs) to the scheduler's
// store, after checking every job against the parameters of its next cycle. Exit 0 or 2.
#include <iostream>

#include "ferry/cli/commands.h"
#include "ferry/cli/store_flag.h"
#include "ferry/schedule/deploy.h"

namespace ferry {
namespace {

struct DeployFlags {
  std::string dir;
  std::string store = kDefaultStorePath;
  bool dry_run = false;
};

int Deploy(const DeployFlags& flags) {
  std::unique_ptr<Store> store;
  if (!flags.dry_run) {
    auto opened = OpenStore(flags.store);
    if (!opened.ok()) {
      std::cerr << opened.status().message() << "\n";
      return kExitFailed;
    }
    store = std::move(*opened);
  }
  auto report = DeployProject(flags.dir, SelfBinary(), SystemClock().Now(), store.get());
  if (!report.ok()) {
    std::cerr << report.status().message() << "\n";
    return report.status().code() == StatusCode::kIOError ? kExitFailed : kExitInvalid;
  }
  for (const std::string& line : report->checked) std::cerr << line << "\n";
  if (flags.dry_run) {
    std::cerr << report->spec.file << ": " << report->spec.nodes.size()
              << " node(s) checked; nothing deployed (--dry-run)\n";
  } else {
    std::cerr << "deployed " << report->spec.nodes.size() << " node(s) from " << report->spec.file
              << " to " << store->location() << "\n";
  }
  return kExitOk;
}

}  // namespace

void AddDeployCommand(CLI::App* app, int* exit_code) {
  auto flags = std::make_shared<DeployFlags>();
  CLI::App* cmd =
      app->add_subcommand("deploy", "check a project folder's jobs and publish its schedule");
  cmd->add_option("dir", flags->dir, "the project folder (schedule.yaml|yml|json and its jobs)")
      ->required();
  AddStoreFlag(cmd, &flags->store);
  cmd->add_flag("--dry-run", flags->dry_run, "check only; deploy nothing");
  cmd->callback([flags, exit_code] { *exit_code = Deploy(*flags); });
}

}  // namespace ferry
