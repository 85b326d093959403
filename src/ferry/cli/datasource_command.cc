// `ferry datasource add|list|show|test|remove`: named connections (DESIGN 7), stored in
// $FERRY_HOME/datasources.json with secrets by reference.
#include <fmt/format.h>
#include <termios.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <iostream>

#include "ferry/cli/commands.h"
#include "ferry/common/log.h"
#include "ferry/common/strings.h"
#include "ferry/datasource/datasource_store.h"
#include "ferry/plugin/registry.h"

namespace ferry {
namespace {

struct SourceAddFlags {
  DataSourceEntry entry;
  std::vector<std::string> options;  // key=value
  bool prompt = false;
  bool replace = false;
};

Result<DataSourceStore> OpenDataSourceStore() {
  DataSourceStore store(DataSourceStore::DefaultHome());
  RETURN_NOT_OK(store.Load());
  return store;
}

// Plugins that can connect: the types a data source may have.
std::vector<std::string> ConnectableTypes() {
  std::vector<std::string> out;
  for (const PluginInfo& p : Registry::Builtin().plugins()) {
    if (p.test_connection) out.push_back(p.name);
  }
  return out;
}

Result<std::string> ReadPasswordFromTerminal(const std::string& name) {
  if (!::isatty(STDIN_FILENO)) {
    return Status::InvalidArgument(
        "--password-prompt needs a terminal; use --password-env VAR or --password-file FILE");
  }
  std::cerr << "Password for data source " << name << ": " << std::flush;
  termios old{};
  ::tcgetattr(STDIN_FILENO, &old);
  termios quiet = old;
  quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
  ::tcsetattr(STDIN_FILENO, TCSANOW, &quiet);
  std::string secret;
  std::getline(std::cin, secret);
  ::tcsetattr(STDIN_FILENO, TCSANOW, &old);
  std::cerr << "\n";
  return secret;
}

int AddSource(SourceAddFlags& f) {
  DataSourceEntry& e = f.entry;
  const std::vector<std::string> types = ConnectableTypes();
  if (std::find(types.begin(), types.end(), e.type) == types.end()) {
    return FailCommand(
        "datasource",
        Status::InvalidArgument("--type " + e.type + ": expected one of " + Join(types, ", ")),
        kExitInvalid);
  }
  if (Status st = CheckDataSourceName(e.name); !st.ok())
    return FailCommand("datasource", st, kExitInvalid);
  if (e.type != "sqlite" && (e.host.empty() || e.user.empty())) {
    return FailCommand(
        "datasource",
        Status::InvalidArgument("a " + e.type + " data source needs --host and --user"),
        kExitInvalid);
  }
  if (int refs = !e.password_env.empty() + !e.password_file.empty() + f.prompt; refs > 1) {
    return FailCommand(
        "datasource",
        Status::InvalidArgument("give one of --password-env, --password-file, --password-prompt"),
        kExitInvalid);
  }
  for (const std::string& kv : f.options) {
    size_t eq = kv.find('=');
    if (eq == std::string::npos || eq == 0) {
      return FailCommand("datasource",
                         Status::InvalidArgument("--option " + kv + ": expected KEY=VALUE"),
                         kExitInvalid);
    }
    e.options[kv.substr(0, eq)] = kv.substr(eq + 1);
  }
  auto store = OpenDataSourceStore();
  if (!store.ok()) return FailCommand("datasource", store.status(), kExitInvalid);
  if (store->Get(e.name) != nullptr && !f.replace) {
    return FailCommand("datasource",
                       Status::FailedPrecondition("data source '" + e.name + "' exists in " +
                                                  store->path() + "; use --replace to change it"),
                       kExitInvalid);
  }
  if (f.prompt) {
    auto secret = ReadPasswordFromTerminal(e.name);
    if (!secret.ok()) return FailCommand("datasource", secret.status(), kExitInvalid);
    if (Status st = store->WriteSecretFile(e.name, *secret); !st.ok())
      return FailCommand("datasource", st, kExitFailed);
    e.password_file = store->SecretFilePath(e.name);
  }
  const std::string name = e.name;  // `e` is moved into the store below
  const std::string describe = e.Connection().Describe();
  const std::string secret = e.SecretReference();
  if (Status st = store->Put(std::move(e), f.replace); !st.ok())
    return FailCommand("datasource", st, kExitInvalid);
  if (Status st = store->Save(); !st.ok()) return FailCommand("datasource", st, kExitFailed);
  std::cout << fmt::format("saved data source {} ({}, password {}) in {}\n", name, describe, secret,
                           store->path());
  return kExitOk;
}

int ListSources(bool as_json) {
  auto store = OpenDataSourceStore();
  if (!store.ok()) return FailCommand("datasource", store.status(), kExitInvalid);
  if (as_json) {
    nlohmann::ordered_json out = nlohmann::ordered_json::object();
    for (const DataSourceEntry& e : store->entries()) out[e.name] = e.ToJson();
    std::cout << out.dump(2) << "\n";
    return kExitOk;
  }
  if (store->entries().empty()) {
    std::cout << "no data sources in " << store->path()
              << " (add one with `ferry datasource add`)\n";
    return kExitOk;
  }
  std::cout << fmt::format("{:<20} {:<11} {:<44} {}\n", "NAME", "TYPE", "ADDRESS", "PASSWORD");
  for (const DataSourceEntry& e : store->entries()) {
    std::cout << fmt::format("{:<20} {:<11} {:<44} {}\n", e.name, e.type, e.Connection().Describe(),
                             e.SecretReference());
  }
  return kExitOk;
}

int ShowSource(const std::string& name) {
  auto store = OpenDataSourceStore();
  if (!store.ok()) return FailCommand("datasource", store.status(), kExitInvalid);
  const DataSourceEntry* e = store->Get(name);
  if (e == nullptr) return FailCommand("datasource", store->Find(name).status(), kExitInvalid);
  nlohmann::ordered_json out;
  out["name"] = e->name;
  const nlohmann::ordered_json fields = e->ToJson();  // named: items() must not outlive it
  for (const auto& [k, v] : fields.items()) out[k] = v;
  out["catalog"] = store->path();
  std::cout << out.dump(2) << "\n";
  return kExitOk;
}

int RunTest(const std::string& name) {
  auto store = OpenDataSourceStore();
  if (!store.ok()) return FailCommand("datasource", store.status(), kExitInvalid);
  const DataSourceEntry* e = store->Get(name);
  if (e == nullptr) return FailCommand("datasource", store->Find(name).status(), kExitInvalid);
  const PluginInfo* plugin = Registry::Builtin().Find(e->type);
  if (plugin == nullptr || !plugin->test_connection) {
    return FailCommand("datasource",
                       Status::InvalidArgument("data source '" + name + "' has type " + e->type +
                                               ", which no plugin of this build connects to"),
                       kExitInvalid);
  }
  auto conn = store->Find(name);
  if (!conn.ok()) {
    std::cout << fmt::format("{}: FAILED at secret: {}\n", name,
                             MaskSecrets(conn.status().message()));
    return kExitFailed;
  }
  auto probe = plugin->test_connection(*conn);
  if (!probe.ok()) {
    std::cout << fmt::format("{}: FAILED ({}) {}\n", name, conn->Describe(),
                             MaskSecrets(probe.status().message()));
    return kExitFailed;
  }
  std::cout << fmt::format("{}: OK ({}) {}, round trip {:.2f} ms\n", name, conn->Describe(),
                           probe->server_version, probe->round_trip_ms);
  return kExitOk;
}

int RemoveSource(const std::string& name) {
  auto store = OpenDataSourceStore();
  if (!store.ok()) return FailCommand("datasource", store.status(), kExitInvalid);
  const DataSourceEntry* e = store->Get(name);
  std::string prompted_secret;
  if (e != nullptr && e->password_file == store->SecretFilePath(name)) {
    prompted_secret = e->password_file;
  }
  if (Status st = store->Remove(name); !st.ok()) return FailCommand("datasource", st, kExitInvalid);
  if (Status st = store->Save(); !st.ok()) return FailCommand("datasource", st, kExitFailed);
  if (!prompted_secret.empty()) ::unlink(prompted_secret.c_str());
  std::cout << "removed data source " << name << " from " << store->path() << "\n";
  return kExitOk;
}

}  // namespace

void AddDatasourceCommand(CLI::App* app, int* exit_code) {
  CLI::App* cmd = app->add_subcommand(
      "datasource", "named connections in $FERRY_HOME/datasources.json (secrets by reference)");
  cmd->require_subcommand(1);

  auto flags = std::make_shared<SourceAddFlags>();
  CLI::App* add = cmd->add_subcommand("add", "store a named connection");
  add->add_option("name", flags->entry.name, "data source name")->required();
  add->add_option("--type", flags->entry.type, "plugin: postgresql, mysql, sqlite")->required();
  add->add_option("--host", flags->entry.host, "host name or address (not for sqlite)");
  add->add_option("--port", flags->entry.port, "port (default: the driver's)")
      ->check(CLI::Range(1, 65535));
  add->add_option("--database", flags->entry.database, "database name (sqlite: the file)")
      ->required();
  add->add_option("--user", flags->entry.user, "user name (not for sqlite)");
  add->add_option("--password-env", flags->entry.password_env,
                  "environment variable holding the password at run time");
  add->add_option("--password-file", flags->entry.password_file,
                  "file whose first line is the password");
  add->add_flag("--password-prompt", flags->prompt,
                "ask for the password now; kept in $FERRY_HOME/secrets/NAME.password (0600)");
  add->add_option("--option", flags->options, "driver option KEY=VALUE (sslmode=require, ...)");
  add->add_flag("--replace", flags->replace, "replace an existing data source of that name");
  add->callback([flags, exit_code] { *exit_code = AddSource(*flags); });

  auto as_json = std::make_shared<bool>(false);
  CLI::App* list = cmd->add_subcommand("list", "list data sources (no secrets)");
  list->add_flag("--json", *as_json, "print JSON");
  list->callback([as_json, exit_code] { *exit_code = ListSources(*as_json); });

  auto name = std::make_shared<std::string>();
  CLI::App* show = cmd->add_subcommand("show", "show one data source (no secrets)");
  show->add_option("name", *name)->required();
  show->callback([name, exit_code] { *exit_code = ShowSource(*name); });

  CLI::App* test = cmd->add_subcommand(
      "test", "connect; print the server version and round-trip time, or what failed");
  test->add_option("name", *name)->required();
  test->callback([name, exit_code] { *exit_code = RunTest(*name); });

  CLI::App* remove = cmd->add_subcommand("remove", "delete a data source");
  remove->add_option("name", *name)->required();
  remove->callback([name, exit_code] { *exit_code = RemoveSource(*name); });
}

}  // namespace ferry
