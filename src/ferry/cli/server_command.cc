// `ferry server`: the scheduler loop plus the HTTP API and operations page. Loopback by default;
// any other address needs --token-file. SIGINT/SIGTERM stop it; running jobs keep running in
// their own process groups and are picked up again by the next start.
#include <condition_variable>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <mutex>
#include <thread>

#include "ferry/cli/commands.h"
#include "ferry/cli/signal_watcher.h"
#include "ferry/cli/store_flag.h"
#include "ferry/common/log.h"
#include "ferry/common/numbers.h"
#include "ferry/schedule/alerts.h"
#include "ferry/schedule/scheduler.h"
#include "ferry/server/http_api.h"

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

// Whether alert deliveries wait to be sent now (--exit-when-idle waits for them).
bool AlertsDue(Store* store, const Clock& clock) {
  auto due = store->AlertDeliveries({.due_at = clock.Now().time_since_epoch().count(), .limit = 1});
  return due.ok() && !due->empty();
}

int Serve(const ServerFlags& flags) {
  SignalWatcher signals;
  auto fail = [](const Status& st, int code) {
    std::cerr << st.message() << "\n";
    return code;
  };
  auto listen = ParseListen(flags.listen);
  if (!listen.ok()) return fail(listen.status(), kExitInvalid);
  ApiOptions api;
  if (!flags.token_file.empty()) {
    auto token = ReadToken(flags.token_file);
    if (!token.ok()) return fail(token.status(), kExitInvalid);
    api.token = *token;
  } else if (!flags.no_http && !IsLoopback(listen->first)) {
    return fail(Status::InvalidArgument("--listen " + flags.listen +
                                        " is not a loopback address: give --token-file"),
                kExitInvalid);
  }
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
    if (n < 1)
      return fail(Status::InvalidArgument("--group-slots " + gs + ": expected GROUP=N, N >= 1"),
                  kExitInvalid);
    options.group_slots[gs.substr(0, eq)] = n;
  }
  auto store = OpenStore(flags.store);
  if (!store.ok()) return fail(store.status(), kExitFailed);
  // Instance folders: beside a SQLite store; with PostgreSQL (no folder of its own),
  // ./.ferry/stores/STORE_ID, so that two stores never share an instance's folder.
  std::filesystem::path data;
  if (!flags.data_dir.empty()) {
    data = std::filesystem::absolute(flags.data_dir);
  } else if (IsServerStoreLocation(flags.store)) {
    auto id = (*store)->Id();
    if (!id.ok()) return fail(id.status(), kExitFailed);
    data = std::filesystem::absolute(".ferry") / "stores" / *id;
  } else {
    data = std::filesystem::absolute(flags.store).parent_path();
  }
  options.data_dir = data.lexically_normal().string();
  if (!flags.project.empty()) {
    std::error_code ec;
    if (!std::filesystem::is_directory(flags.project, ec)) {
      return fail(Status::InvalidArgument("--project " + flags.project + ": no such folder"),
                  kExitInvalid);
    }
    api.studio.project_dir = std::filesystem::absolute(flags.project).lexically_normal().string();
  }
  api.studio.ferry_binary = SelfBinary();
  api.studio.work_dir = (data / "studio").lexically_normal().string();
  SystemClock clock;
  ProcessLauncher launcher;
  Scheduler scheduler(store->get(), &launcher, &clock, options);
  Operations ops(store->get(), &launcher, &clock);
  HttpServer http(store->get(), &ops, api);
  std::jthread http_thread;
  std::string where = "no HTTP";
  if (!flags.no_http) {
    Status bound = http.Bind(listen->first, listen->second);
    if (!bound.ok()) return fail(bound, kExitFailed);
    where =
        fmt::format("http://{}:{}/", flags.listen.substr(0, flags.listen.rfind(':')), http.port());
    http_thread = std::jthread([&http] { http.Serve(); });
  }
  std::cerr << "ferry server: " << where << " (store " << (*store)->location() << ", "
            << flags.slots << " slot(s) per resource group)\n";
  if (auto deployed = (*store)->CurrentDeploymentId(); deployed.ok() && *deployed == 0) {
    std::cerr << "ferry server: nothing is deployed on this store yet; publish a project with "
                 "`ferry deploy DIR --store "
              << (*store)->location() << "`\n";
  }
  // Alerts go out on their own thread: a slow webhook never delays the scheduler.
  AlertSender alerts(store->get(), &clock);
  std::jthread alert_thread(
      [&alerts](std::stop_token stop) { alerts.Run(stop, std::chrono::seconds{1}); });
  std::mutex mu;
  std::condition_variable_any cv;
  std::stop_token stop = signals.token();
  int code = kExitOk;
  bool leading = true;
  while (!stop.stop_requested()) {
    auto report = scheduler.Tick();
    if (report.ok() && report->leader != leading) {
      leading = report->leader;
      std::cerr
          << (leading ? "ferry server: this server schedules now\n"
                      : "ferry server: another server is scheduling on this store; serving the API "
                        "only\n");
    }
    if (!report.ok()) {
      LogError("scheduler: {}", report.status().message());
    } else if (flags.exit_when_idle && report->leader && report->started == 0 &&
               report->running == 0 && report->retrying == 0 && report->finished == 0 &&
               !AlertsDue(store->get(), clock)) {
      break;
    }
    std::unique_lock lock(mu);
    cv.wait_for(lock, stop, std::chrono::milliseconds(flags.tick_ms), [] { return false; });
  }
  if (!flags.no_http) http.Stop();
  if (signals.signal() != 0)
    std::cerr
        << "ferry server: stopped; running jobs continue and are picked up by the next start\n";
  return code;
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
