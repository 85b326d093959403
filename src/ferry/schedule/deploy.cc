#include "ferry/schedule/deploy.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "ferry/datasource/datasource_store.h"
#include "ferry/datasource/resource_group_store.h"

extern char** environ;

namespace ferry {

Result<Captured> RunCaptured(const std::vector<std::string>& argv, const std::string& cwd) {
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0)
    return Status::IOError(std::string("pipe: ") + std::strerror(errno));
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, fds[1], 1);
  posix_spawn_file_actions_adddup2(&actions, fds[1], 2);
  if (!cwd.empty()) posix_spawn_file_actions_addchdir_np(&actions, cwd.c_str());
  std::vector<char*> args;
  for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid = 0;
  int rc = posix_spawn(&pid, args[0], &actions, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  close(fds[1]);
  if (rc != 0) {
    close(fds[0]);
    return Status::IOError(fmt::format("cannot run {}: {}", argv[0], std::strerror(rc)));
  }
  Captured out;
  char buf[4096];
  for (;;) {
    ssize_t n = read(fds[0], buf, sizeof buf);
    if (n > 0) {
      out.output.append(buf, static_cast<size_t>(n));
    } else if (n == 0 || errno != EINTR) {
      break;
    }
  }
  close(fds[0]);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  out.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return out;
}

namespace {

// A node's resource_group must be defined (`ferry resource-group add`), except "default": left
// undefined, that is the scheduler's own host.
Status CheckNodeResourceGroup(const ScheduleSpec& spec, const NodeSpec& node) {
  auto group = ResolveResourceGroup(DataSourceStore::DefaultHome(), node.resource_group);
  if (group.ok()) return Status::OK();
  return Status::InvalidArgument(fmt::format(
      "{}:{}: node \"{}\": resource_group \"{}\": {}; leave resource_group out (or \"{}\") to "
      "run on the scheduler's host",
      spec.file, node.line, node.name, node.resource_group, group.status().message(),
      kDefaultResourceGroup));
}

}  // namespace

Result<DeployReport> DeployProject(const std::string& dir, const std::string& ferry_binary,
                                   SysSeconds now, Store* store) {
  DeployReport report;
  ASSIGN_OR_RETURN(report.spec, LoadScheduleDir(dir));
  std::vector<std::string> failures;
  for (const NodeSpec& node : report.spec.nodes) {
    if (Status group = CheckNodeResourceGroup(report.spec, node); !group.ok()) {
      failures.push_back(group.message());
      continue;
    }
    ASSIGN_OR_RETURN(CronSchedule cron, node.Schedule());
    std::optional<Cycle> next = cron.NextAfter(now);
    if (!next) {
      failures.push_back(fmt::format("node \"{}\": cron \"{}\" never fires", node.name, node.cron));
      continue;
    }
    std::vector<std::string> argv = {ferry_binary,
                                     "check",
                                     node.job,
                                     "--cyctime",
                                     FormatCivilTime(next->cyctime),
                                     "--resource-group",
                                     node.resource_group};
    if (!node.params.empty()) {
      argv.push_back("--params");
      argv.push_back(node.params);
    }
    ASSIGN_OR_RETURN(Captured check, RunCaptured(argv, report.spec.project_dir));
    std::string output = check.output;
    while (!output.empty() && output.back() == '\n') output.pop_back();
    if (check.exit_code != 0) {
      failures.push_back(fmt::format("node \"{}\" ({}, next cycle {}):\n  {}", node.name, node.job,
                                     FormatCivilTime(next->cyctime), output));
    } else {
      report.checked.push_back(
          fmt::format("{}: next cycle {}: OK", node.name, FormatCivilTime(next->cyctime)));
    }
  }
  if (!failures.empty()) {
    std::string text =
        fmt::format("{} of {} job(s) failed the check; nothing was deployed:", failures.size(),
                    report.spec.nodes.size());
    for (const std::string& f : failures) text += "\n" + f;
    return Status::InvalidArgument(text);
  }
  if (store) RETURN_NOT_OK(store->Deploy(report.spec, now.time_since_epoch().count()));
  return report;
}

}  // namespace ferry
