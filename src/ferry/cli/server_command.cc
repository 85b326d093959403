// `ferry server`: the scheduler loop plus the HTTP API and operations page. Loopback by default;
// any other address needs --token-file. SIGINT/SIGTERM stop it; running jobs keep running in
// their own process groups and are picked up again by the next start.
#include <filesystem>
#include <fstream>
#include <iostream>

#include "ferry/cli/commands.h"
#include "ferry/cli/signal_watcher.h"
#include "ferry/cli/store_flag.h"
#include "ferry/common/numbers.h"
#include "ferry/schedule/scheduler.h"
#include "ferry/server/http_api.h"
#include "ferry/server/server_loop.h"

namespace ferry {
namespace {

struct ServerFlags {
  std::string store = kDefaultStorePath;
  std::string listen = "127.0.0.1:8321";
  int slots = 4;
  std::vector<std::string> group_slots;
  std::string token_file;
  std::string data_dir;
  int tick_ms = 1000;
  int timeout_grace = 30;
  bool exit_when_idle = false;
  bool no_http = false;
  std::string project;
};

Result<std::string> ReadToken(const std::string& path) {
  std::ifstream in(path);
  if (!in) return Status::InvalidArgument("--token-file " + path + ": cannot read it");
  std::string token;
  std::getline(in, token);
  while (!token.empty() && std::isspace(static_cast<unsigned char>(token.back()))) token.pop_back();
  if (token.size() < 16)
    return Status::InvalidArgument("--token-file " + path +
                                   ": the token must have at least 16 characters");
  return token;
}

// The scheduler's settings from the command line.
Result<SchedulerOptions> SchedulerOptionsFrom(const ServerFlags& flags) {
  SchedulerOptions options;
  options.ferry_binary = SelfBinary();
  options.slots = flags.slots;
  options.timeout_grace = std::chrono::seconds{flags.timeout_grace};
  options.holder = ThisProcessHolder();
  options.is_gone = HolderIsGone;
  options.lease = std::max<std::chrono::seconds>(
      std::chrono::seconds{15}, std::chrono::seconds{3 * flags.tick_ms / 1000 + 1});
  for (const std::string& gs : flags.group_slots) {
    size_t eq = gs.find('=');
    const int n =
        eq == std::string::npos ? 0 : ParseInt32(gs.substr(eq + 1), "--group-slots").ValueOr(0);
    if (n < 1) return Status::InvalidArgument("--group-slots " + gs + ": expected GROUP=N, N >= 1");
    options.group_slots[gs.substr(0, eq)] = n;
  }
  return options;
}

// Instance folders: --data-dir; beside a SQLite store; with PostgreSQL (no folder of its own),
// ./.ferry/stores/STORE_ID, so that two stores never share an instance's folder.
Result<std::filesystem::path> DataDir(const ServerFlags& flags, Store* store) {
  if (!flags.data_dir.empty()) return std::filesystem::absolute(flags.data_dir);
  if (!IsServerStoreLocation(flags.store)) {
    return std::filesystem::absolute(flags.store).parent_path();
  }
  ASSIGN_OR_RETURN(std::string id, store->Id());
  return std::filesystem::absolute(".ferry") / "stores" / id;
}

int Serve(const ServerFlags& flags) {
  SignalWatcher signals;
  auto fail = [](const Status& st, int code) {
    std::cerr << st.message() << "\n";
    return code;
  };
  auto listen = ParseListen(flags.listen);
  if (!listen.ok()) return fail(listen.status(), kExitInvalid);
  ServerLoopOptions loop;
  loop.http = !flags.no_http;
  loop.listen_host = listen->first;
  loop.listen_port = listen->second;
  loop.tick = std::chrono::milliseconds(flags.tick_ms);
  loop.exit_when_idle = flags.exit_when_idle;
  if (!flags.token_file.empty()) {
    auto token = ReadToken(flags.token_file);
    if (!token.ok()) return fail(token.status(), kExitInvalid);
    loop.api.token = *token;
  } else if (!flags.no_http && !IsLoopback(listen->first)) {
    return fail(Status::InvalidArgument("--listen " + flags.listen +
                                        " is not a loopback address: give --token-file"),
                kExitInvalid);
  }
  auto scheduler = SchedulerOptionsFrom(flags);
  if (!scheduler.ok()) return fail(scheduler.status(), kExitInvalid);
  loop.scheduler = std::move(scheduler).value();
  auto store = OpenStore(flags.store);
  if (!store.ok()) return fail(store.status(), kExitFailed);
  auto data = DataDir(flags, store->get());
  if (!data.ok()) return fail(data.status(), kExitFailed);
  loop.scheduler.data_dir = data->lexically_normal().string();
  if (!flags.project.empty()) {
    std::error_code ec;
    if (!std::filesystem::is_directory(flags.project, ec)) {
      return fail(Status::InvalidArgument("--project " + flags.project + ": no such folder"),
                  kExitInvalid);
    }
    loop.api.studio.project_dir =
        std::filesystem::absolute(flags.project).lexically_normal().string();
  }
  loop.api.studio.ferry_binary = SelfBinary();
  loop.api.studio.work_dir = (*data / "studio").lexically_normal().string();
  Status st = RunServerLoop(store->get(), loop, signals.token());
  if (!st.ok()) return fail(st, kExitFailed);
  if (signals.signal() != 0)
    std::cerr
        << "ferry server: stopped; running jobs continue and are picked up by the next start\n";
  return kExitOk;
}

}  // namespace

void AddServerCommand(CLI::App* app, int* exit_code) {
  auto flags = std::make_shared<ServerFlags>();
  CLI::App* cmd =
      app->add_subcommand("server", "run the scheduler, its HTTP API and the operations page");
  AddStoreFlag(cmd, &flags->store);
  cmd->add_option("--listen", flags->listen,
                  "HOST:PORT of the API and page (default 127.0.0.1:8321)");
  cmd->add_option("--slots", flags->slots, "running instances per resource group (default 4)")
      ->check(CLI::Range(1, 1000));
  cmd->add_option("--group-slots", flags->group_slots,
                  "GROUP=N: slots of one resource group (repeatable)");
  cmd->add_option("--token-file", flags->token_file,
                  "a file holding the bearer token the API asks for");
  cmd->add_option("--data-dir", flags->data_dir,
                  "where instance logs and run directories go (default: the SQLite store's "
                  "folder; with PostgreSQL ./.ferry/stores/STORE_ID)");
  cmd->add_option("--tick-ms", flags->tick_ms,
                  "milliseconds between scheduler passes (default 1000)")
      ->check(CLI::Range(10, 60000));
  cmd->add_option("--timeout-grace", flags->timeout_grace,
                  "seconds a run past its node's timeout has after SIGTERM before SIGKILL "
                  "(default 30)")
      ->check(CLI::Range(0, 3600));
  cmd->add_flag("--exit-when-idle", flags->exit_when_idle,
                "exit once nothing runs and nothing can start now (for scripts and tests)");
  cmd->add_flag("--no-http", flags->no_http, "schedule only; no API or page");
  cmd->add_option("--project", flags->project,
                  "the project folder the Data Studio (Develop) edits (default: the folder "
                  "last deployed)");
  cmd->callback([flags, exit_code] { *exit_code = Serve(*flags); });
}

}  // namespace ferry
