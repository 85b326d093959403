// The plugin registry: one explicit list of the plugins built into this binary
// (plugins/builtin_plugins.cc). The engine finds readers and writers here by name and knows
// nothing else about them.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "ferry/plugin/connection.h"
#include "ferry/plugin/param_def.h"
#include "ferry/plugin/reader.h"
#include "ferry/plugin/writer.h"

namespace ferry {

// What `ferry datasource test` prints for a reachable server.
struct ConnectionProbe {
  std::string server_version;  // "PostgreSQL 15.18"
  double round_trip_ms = 0;    // one trivial query, after connecting
};

struct PluginInfo {
  std::string name;         // "sqlite": the stepType
  std::string description;  // one line for `ferry plugins`
  // Reader side (empty factory: no reader).
  std::function<std::unique_ptr<Reader>()> make_reader;
  std::vector<ParamDef> reader_params;
  bool split_pk = false;
  // Writer side.
  std::function<std::unique_ptr<Writer>()> make_writer;
  std::vector<ParamDef> writer_params;
  std::vector<std::string> write_modes;
  bool transactional = false;  // a split commits atomically

  // Database plugins: connects to `conn` and runs one trivial query. On failure the message
  // starts with the step that failed: "resolve: ", "connect: ", "TLS: ", "auth: ",
  // "database: " — and never holds the password. Empty: the plugin has no connections.
  std::function<Result<ConnectionProbe>(const ConnectionSpec& conn)> test_connection;
};

class Registry {
 public:
  static const Registry& Builtin();
  void Add(PluginInfo info);
  // By stepType ("sqlite") or DataX name ("sqlitereader", "txtfilewriter").
  const PluginInfo* Find(std::string_view name) const;
  const std::vector<PluginInfo>& plugins() const { return plugins_; }
  std::vector<std::string> Names() const;

 private:
  std::vector<PluginInfo> plugins_;
};

// Defined in plugins/builtin_plugins.cc: the list of every plugin in this build.
void RegisterBuiltinPlugins(Registry* registry);

}  // namespace ferry
