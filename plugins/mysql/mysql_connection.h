// MysqlConnection: one libmariadb connection (MariaDB Connector/C, which speaks to MySQL 5.7/8.x
// and MariaDB alike), owned and closed by this object. Connects with utf8mb4, the program name
// "ferry" as a connection attribute, and the TLS and timeout options of ConnectionSpec::options.
// Errors are Status values mapped by mysql_status.h; a message never holds the password.
// Not thread-safe: one thread uses a connection at a time.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ferry/common/status.h"
#include "ferry/plugin/connection.h"

struct st_mysql;

namespace ferry {

// Rows of a small result, NULL as nullopt.
using MysqlRows = std::vector<std::vector<std::optional<std::string>>>;

class MysqlConnection {
 public:
  MysqlConnection() = default;
  MysqlConnection(MysqlConnection&&) noexcept = default;
  MysqlConnection& operator=(MysqlConnection&&) noexcept = default;

  // Connects; on failure the message starts with the step that failed ("resolve: ",
  // "connect: ", "TLS: ", "auth: ", "database: ") and names `spec.Describe()`.
  // `local_infile`: allow LOAD DATA LOCAL INFILE (served from memory by the bulk writer only).
  static Result<MysqlConnection> Connect(const ConnectionSpec& spec, bool local_infile = false);
  // Tries `first` and then each of `fallbacks` (DataX's jdbcUrl list); the error of the last
  // attempt names every address tried.
  static Result<MysqlConnection> ConnectAny(const ConnectionSpec& first,
                                            const std::vector<ConnectionSpec>& fallbacks,
                                            bool local_infile = false);

  bool is_open() const { return mysql_ != nullptr; }
  st_mysql* get() const { return mysql_.get(); }
  unsigned long thread_id() const;
  std::string server_version() const;
  const std::string& describe() const { return describe_; }

  // Runs one statement and discards any rows it returns.
  Status Exec(std::string_view sql);
  // Runs a query and returns all of its rows: for catalog lookups and bounds, never table data.
  Result<MysqlRows> Query(std::string_view sql);
  // The Status of the connection's last error, prefixed by `context`.
  Status LastError(std::string_view context) const;

  // Appends `text` to `out` as a quoted string literal ('...'), escaped for this connection.
  void AppendQuoted(std::string_view text, std::string* out) const;

 private:
  struct Closer {
    void operator()(st_mysql* m) const;
  };
  std::unique_ptr<st_mysql, Closer> mysql_;
  std::string describe_;  // "mysql://user@host:port/db", for messages
};

// `name` quoted as a MySQL identifier: `a``b`. A qualified "db.t" becomes `db`.`t` unless it is
// already quoted.
std::string MysqlIdentifier(std::string_view name);
std::string MysqlQualifiedName(std::string_view name);

}  // namespace ferry
