// `ferry check JOB.json`: validates the job file and asks both plugins to check the source and
// destination (tables, columns, splitPk type) without reading or writing a row. Exit 0 or 2.
#include <fmt/format.h>
#include <sys/vfs.h>

#include <filesystem>
#include <iostream>
#include <map>
#include <sstream>

#include "ferry/cli/commands.h"
#include "ferry/cli/distribute_run.h"
#include "ferry/cli/param_flags.h"
#include "ferry/common/log.h"
#include "ferry/datasource/datasource_store.h"
#include "ferry/exec/job_runner.h"
#include "ferry/job/job_loader.h"

namespace ferry {
namespace {

struct CheckFlags {
  std::string job;
  ParamFlags params;
  bool print = false;
  bool strict = false;
  std::string resource_group;
};

std::string ReadStdin() {
  std::ostringstream text;
  text << std::cin.rdbuf();
  return text.str();
}

// The kind of filesystem `dir` (or its nearest existing parent) is on: "nfs" and the like for
// one that hosts can share, else the local kind ("ext4"), or "" when unknown.
struct FilesystemKind {
  std::string name;
  bool network = false;
};

FilesystemKind FilesystemOf(std::filesystem::path dir) {
  struct statfs fs = {};
  while (::statfs(dir.c_str(), &fs) != 0) {
    if (!dir.has_relative_path()) return {};
    dir = dir.parent_path();
  }
  static const std::map<uint64_t, FilesystemKind> kinds = {
      {0x6969, {"nfs", true}},        {0xFF534D42, {"cifs", true}},
      {0xFE534D42, {"smb2", true}},   {0x00C36400, {"ceph", true}},
      {0x0BD00BD0, {"lustre", true}}, {0x47504653, {"gpfs", true}},
      {0x19830326, {"beegfs", true}}, {0x01161970, {"gfs2", true}},
      {0x7461636F, {"ocfs2", true}},  {0x65735546, {"fuse", true}},
      {0x01021997, {"9p", true}},     {0xEF53, {"ext4", false}},
      {0x58465342, {"xfs", false}},   {0x9123683E, {"btrfs", false}},
      {0x01021994, {"tmpfs", false}}, {0x794C7630, {"overlay", false}},
      {0x2FC12FC1, {"zfs", false}}};
  auto it = kinds.find(static_cast<uint64_t>(static_cast<uint32_t>(fs.f_type)));
  return it == kinds.end() ? FilesystemKind{} : it->second;
}

// executeMode "distribute" with a writer whose directory every host must share (txtfile): a
// note on the parameter that names it, saying where it is now.
std::string SharedDirectoryNote(const LoadedJob& job, const SharedPath& shared) {
  if (shared.directory.empty()) return "";
  std::error_code ec;
  const std::string dir = std::filesystem::absolute(shared.directory, ec).string();
  FilesystemKind fs = FilesystemOf(dir);
  std::string where =
      fs.name.empty() ? ""
      : fs.network    ? fmt::format(" (here it is on {}, a shared filesystem)", fs.name)
                      : fmt::format(" (here it is on {}, a filesystem of this machine)", fs.name);
  const StepModel& step = job.model.writer;
  return job.doc.Format(
      shared.parameter.empty() ? step.parameter_path()
                               : step.parameter_path() + "." + shared.parameter,
      fmt::format("executeMode \"distribute\": every host writes its parts into {}, so it must be "
                  "a directory every host shares at that path (NFS or similar){}; a run checks "
                  "that every host sees it before writing anything and fails naming a host that "
                  "does not",
                  dir, where),
      "note");
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
  auto writer = PrepareWriter(
      job->model, registry, "", &DefaultDataSourceCatalog(),
      [&](const StepModel& step, const Status& s) { return LocateStepError(*job, step, s); });
  if (!writer.ok()) {
    std::cerr << MaskSecrets(writer.status().message()) << "\n";
    return kExitInvalid;
  }
  if (!flags.resource_group.empty()) {
    if (Status group = CheckResourceGroup(job->model, flags.resource_group); !group.ok()) {
      std::cerr << "--resource-group " << flags.resource_group << ": " << group.message() << "\n";
      return kExitInvalid;
    }
  }
  if (job->model.setting.execute_mode == "distribute") {
    std::string note = SharedDirectoryNote(*job, (*writer)->SharedDirectory());
    if (!note.empty()) std::cerr << note << "\n";
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
  cmd->add_option("--resource-group", flags->resource_group,
                  "check that the job can run on this resource group (a distribute job needs "
                  "its hosts; \"default\" may be undefined: this machine)");
  cmd->callback([flags, exit_code] { *exit_code = Check(*flags); });
}

}  // namespace ferry
