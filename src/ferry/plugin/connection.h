// ConnectionSpec: where a database plugin connects — from a named data source, an inline
// `connection` object or a DataX `jdbcUrl`. The password is already resolved from its reference;
// it is registered with the log's secret mask and must never be put into a message.
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "ferry/common/status.h"

namespace ferry {

struct ConnectionSpec {
  std::string type;  // "postgresql", "mysql"
  std::string host;  // name, address, or (PostgreSQL) a unix-socket directory
  int port = 0;      // 0: the driver's default
  std::string database;
  std::string user;
  std::string password;  // resolved secret; empty when none
  // Driver options: PostgreSQL keywords (sslmode, connect_timeout, application_name...),
  // MySQL ones (ssl-mode, connect_timeout, socket...). Passed through by the plugin.
  std::map<std::string, std::string> options;
  // Set on an entry of a jdbcUrl failover list that could not be parsed: why. Connecting to it
  // fails with this message, so the list goes on to the next entry (as DataX's does) and the
  // final error still names it.
  std::string invalid;

  // "postgresql://user@host:5432/db" — never the password.
  std::string Describe() const;
};

// Parses "jdbc:postgresql://host:port/db?user=u&password=p&sslmode=require" or
// "jdbc:mysql://host:port/db?useSSL=false" (the "jdbc:" prefix is optional; "mariadb" is read as
// "mysql"). Query parameters become options, except user/password which fill their fields.
Result<ConnectionSpec> ParseJdbcUrl(std::string_view url);

// Reads an inline connection object: {"host", "port", "database", "user" | "username",
// "password" | "passwordEnv" | "passwordFile", "options": {...}} with `type` taken from the
// plugin. Errors carry the key under `field` (e.g. "connection.port").
Result<ConnectionSpec> ConnectionFromJson(const nlohmann::json& object, std::string_view type,
                                          const std::string& field);

// Resolves a password reference: the value of environment variable `env`, or the first line of
// file `file` (trailing newline removed). Exactly one of them is non-empty. The secret is
// registered with the log mask.
Result<std::string> ResolvePasswordRef(const std::string& env, const std::string& file);

}  // namespace ferry
