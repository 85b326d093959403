// `ferry check JOB.json`: validates the job file and asks both plugins to check the source and
// destination (tables, columns, splitPk type) without reading or writing a row. Exit 0 or 2.
#include <iostream>
#include <sstream>

#include "ferry/cli/commands.h"
#include "ferry/cli/param_flags.h"
#include "ferry/common/log.h"
#include "ferry/exec/job_runner.h"
#include "ferry/job/job_loader.h"

namespace ferry {
namespace {

struct CheckFlags {
  std::string job;
  ParamFlags params;
  bool print = false;
  bool strict = false;
};

std::string ReadStdin() {
  std::ostringstream text;
  text << std::cin.rdbuf();
  return text.str();
}

int Check(const CheckFlags& flags) {
  const Registry& registry = Registry::Builtin();
  auto params = flags.params.Build();
  if (!params.ok()) {
    std::cerr << params.status().message() << "\n";
    return kExitInvalid;
  }
  // "-": the job on standard input (`ferry template A B | ferry check -`).
  LoadOptions load;
  load.strict = flags.strict;
  auto job = flags.job == "-" ? LoadJobText(ReadStdin(), "<stdin>", *params, registry, load)
                              : LoadJob(flags.job, *params, registry, load);
  if (!job.ok()) {
    std::cerr << MaskSecrets(job.status().message()) << "\n";
    return kExitInvalid;
  }
  for (const std::string& w : job->warnings) std::cerr << MaskSecrets(w) << "\n";
  Status st = PrepareOnly(job->model, registry, [&](const StepModel& step, const Status& s) {
    return LocateStepError(*job, step, s);
  });
  if (!st.ok()) {
    std::cerr << MaskSecrets(st.message()) << "\n";
    return kExitInvalid;
  }
  if (flags.print) {
    std::cout << job->model.ToJson(/*mask_secrets=*/true).dump(2) << "\n";
  }
  std::cerr << (flags.job == "-" ? "<stdin>" : flags.job) << ": OK (" << job->model.reader.plugin
            << " -> " << job->model.writer.plugin << ", " << job->model.setting.concurrent
            << " channel(s)";
  if (!job->warnings.empty()) {
    std::cerr << ", " << job->warnings.size() << " warning(s); --strict makes them errors";
  }
  std::cerr << ")\n";
  return kExitOk;
}

}  // namespace

void AddCheckCommand(CLI::App* app, int* exit_code) {
  auto flags = std::make_shared<CheckFlags>();
  CLI::App* cmd = app->add_subcommand("check", "validate a job without moving any row");
  cmd->add_option("job", flags->job, "the job file, or - for standard input")->required();
  flags->params.AddTo(cmd);
  cmd->add_flag("--print", flags->print, "print the normalized job (secrets masked)");
  cmd->add_flag("--strict", flags->strict,
                "every warning (a key Ferry does not use, an ignored value) is an error");
  cmd->callback([flags, exit_code] { *exit_code = Check(*flags); });
}

}  // namespace ferry
