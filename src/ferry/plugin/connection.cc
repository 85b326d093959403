#include "ferry/plugin/connection.h"

#include <cctype>
#include <cstdlib>
#include <fstream>

#include "ferry/common/log.h"
#include "ferry/common/strings.h"

namespace ferry {
namespace {

Result<int> ParsePort(std::string_view text, const std::string& what) {
  int port = 0;
  for (char c : text) {
    if (c < '0' || c > '9' || port > 65535) {
      return Status::InvalidArgument(what + ": port '" + std::string(text) +
                                     "' is not a number from 1 to 65535");
    }
    port = port * 10 + (c - '0');
  }
  if (port < 1 || port > 65535) {
    return Status::InvalidArgument(what + ": port '" + std::string(text) +
                                   "' is not a number from 1 to 65535");
  }
  return port;
}

std::string NormalizeType(std::string_view scheme) {
  std::string s = ToLower(scheme);
  if (s == "mariadb" || s == "mysql") return "mysql";
  if (s == "postgres" || s == "postgresql") return "postgresql";
  return s;
}

}  // namespace

std::string ConnectionSpec::Describe() const {
  if (type == "sqlite") return "sqlite:" + database;
  std::string out = type + "://";
  if (!user.empty()) out += user + "@";
  out += host.empty() ? "localhost" : host;
  if (port != 0) out += ":" + std::to_string(port);
  out += "/" + database;
  return out;
}

Result<ConnectionSpec> ParseJdbcUrl(std::string_view url) {
  const std::string what = "jdbcUrl";
  std::string_view rest = url;
  if (rest.starts_with("jdbc:")) rest.remove_prefix(5);
  const size_t scheme_end = rest.find("://");
  if (scheme_end == std::string_view::npos) {
    return Status::InvalidArgument(
        what + ": expected jdbc:<postgresql|mysql>://host[:port]/database[?key=value&...], got '" +
        std::string(url) + "'");
  }
  ConnectionSpec spec;
  spec.type = NormalizeType(rest.substr(0, scheme_end));
  rest.remove_prefix(scheme_end + 3);

  std::string_view query;
  if (size_t q = rest.find('?'); q != std::string_view::npos) {
    query = rest.substr(q + 1);
    rest = rest.substr(0, q);
  }
  std::string_view authority = rest;
  if (size_t slash = rest.find('/'); slash != std::string_view::npos) {
    authority = rest.substr(0, slash);
    spec.database = PercentDecode(rest.substr(slash + 1));
  }
  if (size_t at = authority.rfind('@'); at != std::string_view::npos) {
    std::string_view userinfo = authority.substr(0, at);
    authority.remove_prefix(at + 1);
    if (size_t colon = userinfo.find(':'); colon != std::string_view::npos) {
      spec.password = PercentDecode(userinfo.substr(colon + 1));
      userinfo = userinfo.substr(0, colon);
    }
    spec.user = PercentDecode(userinfo);
  }
  // Only the first of "h1:p1,h2:p2" is used: failover lists are given as several jdbcUrls.
  if (size_t comma = authority.find(','); comma != std::string_view::npos) {
    authority = authority.substr(0, comma);
  }
  std::string_view host = authority;
  if (!authority.empty() && authority.front() == '[') {  // [::1]:5432
    size_t close = authority.find(']');
    if (close == std::string_view::npos) {
      return Status::InvalidArgument(what + ": unclosed '[' in host of '" + std::string(url) + "'");
    }
    host = authority.substr(1, close - 1);
    std::string_view after = authority.substr(close + 1);
    if (after.starts_with(":")) {
      ASSIGN_OR_RETURN(spec.port, ParsePort(after.substr(1), what));
    }
  } else if (size_t colon = authority.rfind(':'); colon != std::string_view::npos) {
    host = authority.substr(0, colon);
    ASSIGN_OR_RETURN(spec.port, ParsePort(authority.substr(colon + 1), what));
  }
  spec.host = std::string(host);

  while (!query.empty()) {
    size_t amp = query.find('&');
    std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    if (pair.empty()) continue;
    size_t eq = pair.find('=');
    std::string key = PercentDecode(pair.substr(0, eq));
    std::string value = eq == std::string_view::npos ? "" : PercentDecode(pair.substr(eq + 1));
    if (key == "user") {
      spec.user = value;
    } else if (key == "password") {
      spec.password = value;
    } else {
      spec.options[key] = value;
    }
  }
  if (!spec.password.empty()) RegisterSecret(spec.password);
  return spec;
}

Result<std::string> ResolvePasswordRef(const std::string& env, const std::string& file) {
  if (!env.empty()) {
    const char* value = std::getenv(env.c_str());
    if (value == nullptr) {
      return Status::FailedPrecondition("password environment variable " + env + " is not set");
    }
    RegisterSecret(value);
    return std::string(value);
  }
  std::ifstream in(file, std::ios::binary);
  if (!in) return Status::FailedPrecondition("cannot read password file " + file);
  std::string secret;
  std::getline(in, secret);
  if (!secret.empty() && secret.back() == '\r') secret.pop_back();
  RegisterSecret(secret);
  return secret;
}

Result<ConnectionSpec> ConnectionFromJson(const nlohmann::json& object, std::string_view type,
                                          const std::string& field) {
  if (!object.is_object()) {
    return Status::InvalidArgument("expected an object with host, port, database, user")
        .WithField(field);
  }
  ConnectionSpec spec;
  spec.type = std::string(type);
  auto text = [&](const char* key) -> Result<std::string> {
    auto it = object.find(key);
    if (it == object.end() || it->is_null()) return std::string();
    if (!it->is_string()) {
      return Status::InvalidArgument(std::string("expected a string")).WithField(field + "." + key);
    }
    return it->get<std::string>();
  };
  static constexpr const char* kKnown[] = {"host",         "port",     "database", "dbname",
                                           "user",         "username", "password", "passwordEnv",
                                           "passwordFile", "options",  "type"};
  for (const auto& [key, value] : object.items()) {
    bool known = false;
    for (const char* k : kKnown) known = known || key == k;
    if (!known) {
      return Status::InvalidArgument(
                 "unknown key '" + key +
                 "'; expected host, port, database, user, password, passwordEnv, passwordFile, "
                 "options")
          .WithField(field + "." + key);
    }
  }
  ASSIGN_OR_RETURN(spec.host, text("host"));
  ASSIGN_OR_RETURN(spec.database, text("database"));
  if (spec.database.empty()) {
    ASSIGN_OR_RETURN(spec.database, text("dbname"));
  }
  ASSIGN_OR_RETURN(spec.user, text("user"));
  if (spec.user.empty()) {
    ASSIGN_OR_RETURN(spec.user, text("username"));
  }
  if (auto it = object.find("port"); it != object.end() && !it->is_null()) {
    std::string port_text = it->is_string() ? it->get<std::string>() : it->dump();
    auto port = ParsePort(port_text, "port");
    if (!port.ok()) return Status(port.status()).WithField(field + ".port");
    spec.port = *port;
  }
  ASSIGN_OR_RETURN(std::string password, text("password"));
  ASSIGN_OR_RETURN(std::string env, text("passwordEnv"));
  ASSIGN_OR_RETURN(std::string file, text("passwordFile"));
  if (int refs = !password.empty() + !env.empty() + !file.empty(); refs > 1) {
    return Status::InvalidArgument("give only one of password, passwordEnv, passwordFile")
        .WithField(field);
  }
  if (!env.empty() || !file.empty()) {
    auto secret = ResolvePasswordRef(env, file);
    if (!secret.ok()) {
      return Status(secret.status())
          .WithField(field + (env.empty() ? ".passwordFile" : ".passwordEnv"));
    }
    password = *std::move(secret);
  }
  if (!password.empty()) RegisterSecret(password);
  spec.password = std::move(password);
  if (auto it = object.find("options"); it != object.end() && !it->is_null()) {
    if (!it->is_object()) {
      return Status::InvalidArgument("expected an object of driver options")
          .WithField(field + ".options");
    }
    for (const auto& [key, value] : it->items()) {
      spec.options[key] = value.is_string() ? value.get<std::string>() : value.dump();
    }
  }
  return spec;
}

}  // namespace ferry
