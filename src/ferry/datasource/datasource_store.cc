#include "ferry/datasource/datasource_store.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <sstream>

#include "ferry/common/file.h"
#include "ferry/common/log.h"

namespace ferry {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

constexpr int kFormatVersion = 1;

Status MakePrivateDir(const std::string& dir) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return Status::IOError("cannot create " + dir + ": " + ec.message());
  ::chmod(dir.c_str(), 0700);
  return Status::OK();
}

Result<DataSourceEntry> EntryFromJson(const std::string& name, const json& j,
                                      const std::string& file) {
  auto bad = [&](const std::string& why) {
    return Status::InvalidArgument(file + ": data source '" + name + "': " + why);
  };
  if (!j.is_object()) return bad("expected an object");
  DataSourceEntry e;
  e.name = name;
  try {
    e.type = j.value("type", "");
    e.host = j.value("host", "");
    e.port = j.value("port", 0);
    e.database = j.value("database", "");
    e.user = j.value("user", "");
    e.password_env = j.value("password_env", "");
    e.password_file = j.value("password_file", "");
    if (j.contains("options"))
      e.options = j.at("options").get<std::map<std::string, std::string>>();
  } catch (const json::exception& ex) {
    return bad(std::string("wrong value type: ") + ex.what());
  }
  if (e.type.empty()) return bad("no type");
  if (j.contains("password")) {
    return bad("holds a password value; store a reference (password_env or password_file)");
  }
  return e;
}

}  // namespace

nlohmann::ordered_json DataSourceEntry::ToJson() const {
  nlohmann::ordered_json j;
  j["type"] = type;
  j["host"] = host;
  if (port != 0) j["port"] = port;
  j["database"] = database;
  j["user"] = user;
  if (!password_env.empty()) j["password_env"] = password_env;
  if (!password_file.empty()) j["password_file"] = password_file;
  if (!options.empty()) j["options"] = options;
  return j;
}

std::string DataSourceEntry::SecretReference() const {
  if (!password_env.empty()) return "env:" + password_env;
  if (!password_file.empty()) return "file:" + password_file;
  return "none";
}

ConnectionSpec DataSourceEntry::Connection() const {
  ConnectionSpec c;
  c.type = type;
  c.host = host;
  c.port = port;
  c.database = database;
  c.user = user;
  c.options = options;
  return c;
}

std::string DataSourceStore::DefaultHome() {
  if (const char* home = std::getenv("FERRY_HOME"); home != nullptr && *home != '\0') return home;
  if (const char* xdg = std::getenv("XDG_CONFIG_HOME"); xdg != nullptr && *xdg != '\0') {
    return std::string(xdg) + "/ferry";
  }
  const char* home = std::getenv("HOME");
  return std::string(home != nullptr ? home : ".") + "/.config/ferry";
}

Status DataSourceStore::Load() {
  entries_.clear();
  std::ifstream in(path(), std::ios::binary);
  if (!in) {
    if (!fs::exists(path())) return Status::OK();
    return Status::IOError("cannot read " + path());
  }
  std::stringstream text;
  text << in.rdbuf();
  json doc = json::parse(text.str(), nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded() || !doc.is_object()) {
    return Status::InvalidArgument(path() + ": not a JSON object; fix or remove the file");
  }
  auto sources = doc.find("datasources");
  if (sources == doc.end()) return Status::OK();
  if (!sources->is_object()) {
    return Status::InvalidArgument(path() + ": \"datasources\" must be an object of entries");
  }
  for (const auto& [name, value] : sources->items()) {
    ASSIGN_OR_RETURN(DataSourceEntry entry, EntryFromJson(name, value, path()));
    entries_.push_back(std::move(entry));
  }
  return Status::OK();
}

Status DataSourceStore::Save() const {
  RETURN_NOT_OK(MakePrivateDir(home_));
  nlohmann::ordered_json doc;
  doc["version"] = kFormatVersion;
  doc["datasources"] = nlohmann::ordered_json::object();
  for (const DataSourceEntry& e : entries_) doc["datasources"][e.name] = e.ToJson();
  return WriteFileAtomic(path(), doc.dump(2) + "\n", 0600);
}

const DataSourceEntry* DataSourceStore::Get(std::string_view name) const {
  for (const DataSourceEntry& e : entries_) {
    if (e.name == name) return &e;
  }
  return nullptr;
}

Status DataSourceStore::Put(DataSourceEntry entry, bool replace) {
  RETURN_NOT_OK(CheckDataSourceName(entry.name));
  for (DataSourceEntry& e : entries_) {
    if (e.name != entry.name) continue;
    if (!replace) {
      return Status::FailedPrecondition("data source '" + entry.name + "' exists in " + path() +
                                        "; use --replace to change it");
    }
    e = std::move(entry);
    return Status::OK();
  }
  entries_.push_back(std::move(entry));
  return Status::OK();
}

Status DataSourceStore::Remove(std::string_view name) {
  for (auto it = entries_.begin(); it != entries_.end(); ++it) {
    if (it->name == name) {
      entries_.erase(it);
      return Status::OK();
    }
  }
  return Status::NotFound("no data source named '" + std::string(name) + "' in " + path());
}

Result<ConnectionSpec> DataSourceStore::Find(std::string_view name) const {
  const DataSourceEntry* e = Get(name);
  if (e == nullptr) {
    std::string known;
    for (const DataSourceEntry& x : entries_) known += (known.empty() ? "" : ", ") + x.name;
    return Status::NotFound("no data source named '" + std::string(name) + "' in " + path() +
                            (known.empty() ? " (none defined; see `ferry datasource add`)"
                                           : " (known: " + known + ")"));
  }
  ConnectionSpec conn = e->Connection();
  if (!e->password_env.empty() || !e->password_file.empty()) {
    auto secret = ResolvePasswordRef(e->password_env, e->password_file);
    if (!secret.ok()) {
      return Status::FailedPrecondition("data source '" + e->name +
                                        "': " + secret.status().message());
    }
    conn.password = *std::move(secret);
  }
  return conn;
}

std::string DataSourceStore::SecretFilePath(std::string_view name) const {
  return home_ + "/secrets/" + std::string(name) + ".password";
}

Status DataSourceStore::WriteSecretFile(std::string_view name, const std::string& secret) const {
  RETURN_NOT_OK(MakePrivateDir(home_));
  RETURN_NOT_OK(MakePrivateDir(home_ + "/secrets"));
  return WriteFileAtomic(SecretFilePath(name), secret + "\n", 0600);
}

Status CheckDataSourceName(std::string_view name) {
  bool ok = !name.empty() && name.size() <= 64 && std::isalnum(static_cast<unsigned char>(name[0]));
  for (char c : name) {
    ok = ok && (std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.');
  }
  if (ok) return Status::OK();
  return Status::InvalidArgument("data source name '" + std::string(name) +
                                 "': use letters, digits, '_', '-', '.' (up to 64), starting "
                                 "with a letter or digit");
}

namespace {

// Loads DefaultHome()'s catalog on the first lookup, so jobs without data sources never read it.
class LazyDefaultCatalog : public DataSourceCatalog {
 public:
  Result<ConnectionSpec> Find(std::string_view name) const override {
    std::call_once(once_, [this] {
      store_.emplace(DataSourceStore::DefaultHome());
      load_status_ = store_->Load();
    });
    if (!load_status_.ok()) return load_status_;
    return store_->Find(name);
  }

 private:
  mutable std::once_flag once_;
  mutable std::optional<DataSourceStore> store_;
  mutable Status load_status_;
};

}  // namespace

const DataSourceCatalog& DefaultDataSourceCatalog() {
  static const LazyDefaultCatalog catalog;
  return catalog;
}

}  // namespace ferry
