// DataSourceStore: the named connections of `ferry datasource`, kept in
// $FERRY_HOME/datasources.json (mode 0600; default home ~/.config/ferry). Secrets are stored as
// references — an environment variable's name or a file's path — never as values; a password
// typed at the prompt goes to its own 0600 file under $FERRY_HOME/secrets/ and is referenced.
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "ferry/common/status.h"
#include "ferry/plugin/datasource_catalog.h"

namespace ferry {

struct DataSourceEntry {
  std::string name;
  std::string type;  // a plugin name: "postgresql", "mysql"
  std::string host;
  int port = 0;
  std::string database;
  std::string user;
  std::string password_env;   // secret reference: environment variable name
  std::string password_file;  // or: file whose first line is the password
  std::map<std::string, std::string> options;

  nlohmann::ordered_json ToJson() const;
  // "env:PGPASSWORD", "file:/path", or "none".
  std::string SecretReference() const;
  // The connection without its secret resolved.
  ConnectionSpec Connection() const;
};

class DataSourceStore : public DataSourceCatalog {
 public:
  // $FERRY_HOME, else $XDG_CONFIG_HOME/ferry, else $HOME/.config/ferry.
  static std::string DefaultHome();

  explicit DataSourceStore(std::string home) : home_(std::move(home)) {}

  // Reads the catalog; a missing file is an empty catalog. Errors name the file and what is
  // wrong in it.
  Status Load();
  // Writes the catalog atomically (temporary file, fsync, rename), mode 0600, home made 0700.
  Status Save() const;

  const std::vector<DataSourceEntry>& entries() const { return entries_; }
  const DataSourceEntry* Get(std::string_view name) const;
  // Adds `entry`; FailedPrecondition if the name exists and !replace.
  Status Put(DataSourceEntry entry, bool replace);
  // NotFound naming the catalog when there is no such entry.
  Status Remove(std::string_view name);

  // DataSourceCatalog: the entry with its password resolved from its reference.
  Result<ConnectionSpec> Find(std::string_view name) const override;

  std::string path() const { return home_ + "/datasources.json"; }
  std::string SecretFilePath(std::string_view name) const;
  // Writes a prompted password to SecretFilePath(name) with mode 0600.
  Status WriteSecretFile(std::string_view name, const std::string& secret) const;

 private:
  std::string home_;
  std::vector<DataSourceEntry> entries_;
};

// The catalog `ferry run` and `ferry check` resolve names against: DefaultHome()'s, read on the
// first lookup. Thread-safe.
const DataSourceCatalog& DefaultDataSourceCatalog();

// A data source name: letters, digits, '_', '-', '.', starting with a letter or digit.
Status CheckDataSourceName(std::string_view name);

}  // namespace ferry
