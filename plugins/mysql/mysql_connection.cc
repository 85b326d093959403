#include "plugins/mysql/mysql_connection.h"

#include <mysql.h>

#include "ferry/common/strings.h"
#include "plugins/mysql/mysql_status.h"

namespace ferry {
namespace {

constexpr unsigned kDefaultConnectTimeoutSeconds = 10;

std::string Option(const ConnectionSpec& spec, std::initializer_list<const char*> keys) {
  for (const char* key : keys) {
    auto it = spec.options.find(key);
    if (it != spec.options.end()) return it->second;
  }
  return "";
}

// The TLS mode the ssl-mode option (MySQL's names) or DataX's useSSL/requireSSL ask for.
std::string TlsMode(const ConnectionSpec& spec) {
  std::string mode = ToLower(Option(spec, {"ssl-mode", "sslMode", "sslmode", "ssl_mode"}));
  if (mode.empty() && ToLower(Option(spec, {"requireSSL", "useSSL"})) == "true") {
    mode = "required";
  }
  return mode;
}

bool TlsRequired(const ConnectionSpec& spec) {
  const std::string mode = TlsMode(spec);
  return mode == "required" || mode == "verify_ca" || mode == "verify_identity";
}

void SetTls(MYSQL* m, const ConnectionSpec& spec) {
  std::string ca = Option(spec, {"ssl-ca", "sslCa", "ssl_ca"});
  if (!ca.empty()) mysql_optionsv(m, MYSQL_OPT_SSL_CA, ca.c_str());
  if (TlsRequired(spec)) {
    my_bool on = 1;
    mysql_optionsv(m, MYSQL_OPT_SSL_ENFORCE, &on);
    my_bool verify = TlsMode(spec) != "required" ? 1 : 0;
    mysql_optionsv(m, MYSQL_OPT_SSL_VERIFY_SERVER_CERT, &verify);
  }
}

void SetOptions(MYSQL* m, const ConnectionSpec& spec, bool local_infile) {
  unsigned timeout = kDefaultConnectTimeoutSeconds;
  std::string t = Option(spec, {"connect_timeout", "connectTimeout"});
  if (!t.empty()) {
    // DataX's connectTimeout is in milliseconds; MySQL's connect_timeout in seconds.
    long v = std::strtol(t.c_str(), nullptr, 10);
    if (spec.options.count("connectTimeout") != 0) v = (v + 999) / 1000;
    if (v > 0) timeout = static_cast<unsigned>(v);
  }
  mysql_optionsv(m, MYSQL_OPT_CONNECT_TIMEOUT, &timeout);
  mysql_optionsv(m, MYSQL_SET_CHARSET_NAME, "utf8mb4");
  mysql_optionsv(m, MYSQL_OPT_CONNECT_ATTR_ADD, "program_name", "ferry");
  unsigned infile = local_infile ? 1 : 0;
  mysql_optionsv(m, MYSQL_OPT_LOCAL_INFILE, &infile);
  SetTls(m, spec);
}

// The step of connecting that failed, for `ferry datasource test`.
const char* FailedStep(unsigned e) {
  switch (e) {
    case 2005:  // CR_UNKNOWN_HOST
      return "resolve: ";
    case 2026:  // CR_SSL_CONNECTION_ERROR
      return "TLS: ";
    case 1045:  // ER_ACCESS_DENIED_ERROR
    case 1698:  // ER_ACCESS_DENIED_NO_PASSWORD_ERROR
    case 1251:  // CR_AUTH_PLUGIN / unsupported auth
    case 2059:  // CR_AUTH_PLUGIN_CANNOT_LOAD
      return "auth: ";
    case 1044:  // ER_DBACCESS_DENIED_ERROR
    case 1049:  // ER_BAD_DB_ERROR
      return "database: ";
    default:
      return "connect: ";
  }
}

}  // namespace

void MysqlConnection::Closer::operator()(st_mysql* m) const { mysql_close(m); }

Result<MysqlConnection> MysqlConnection::Connect(const ConnectionSpec& spec, bool local_infile) {
  MysqlConnection conn;
  conn.describe_ = spec.Describe();
  conn.mysql_.reset(mysql_init(nullptr));
  if (!conn.mysql_) return Status::Internal("mysql_init failed (out of memory)");
  MYSQL* m = conn.mysql_.get();
  SetOptions(m, spec, local_infile);
  std::string socket = Option(spec, {"socket", "unix_socket"});
  const char* host = spec.host.empty() ? "127.0.0.1" : spec.host.c_str();
  unsigned port = spec.port > 0 ? static_cast<unsigned>(spec.port) : 3306;
  if (mysql_real_connect(m, host, spec.user.c_str(), spec.password.c_str(),
                         spec.database.empty() ? nullptr : spec.database.c_str(), port,
                         socket.empty() ? nullptr : socket.c_str(), 0) == nullptr) {
    unsigned e = mysql_errno(m);
    Status s = MysqlStatus(e, mysql_error(m), conn.describe_);
    StatusCode code = MysqlStatusCode(e);
    // A server that cannot be reached may come back: the split is retried.
    if (e == 2002 || e == 2003 || e == 2005 || e == 2013) code = StatusCode::kUnavailable;
    return Status(code, FailedStep(e) + s.message());
  }
  // Without certificate verification, libmariadb falls back to plain text when the server has no
  // TLS, even with TLS enforced: required must still mean required.
  if (TlsRequired(spec) && mysql_get_ssl_cipher(m) == nullptr) {
    return Status::FailedPrecondition("TLS: ssl-mode " + TlsMode(spec) +
                                      ", but the server does not support TLS (" + conn.describe_ +
                                      ")");
  }
  return conn;
}

Result<MysqlConnection> MysqlConnection::ConnectAny(const ConnectionSpec& first,
                                                    const std::vector<ConnectionSpec>& fallbacks,
                                                    bool local_infile) {
  // A malformed entry of a jdbcUrl list fails only itself (DataX tries the next one).
  auto connect = [&](const ConnectionSpec& spec) -> Result<MysqlConnection> {
    if (!spec.invalid.empty()) return Status::InvalidArgument(spec.invalid);
    return Connect(spec, local_infile);
  };
  Result<MysqlConnection> conn = connect(first);
  if (conn.ok() || fallbacks.empty()) return conn;
  std::string tried = conn.status().message();
  StatusCode code = conn.status().code();
  for (const ConnectionSpec& spec : fallbacks) {
    conn = connect(spec);
    if (conn.ok()) return conn;
    tried += "; " + conn.status().message();
    code = conn.status().code();
  }
  return Status(code, "no jdbcUrl connected: " + tried);
}

unsigned long MysqlConnection::thread_id() const { return mysql_thread_id(mysql_.get()); }

std::string MysqlConnection::server_version() const { return mysql_get_server_info(mysql_.get()); }

Status MysqlConnection::LastError(std::string_view context) const {
  MYSQL* m = mysql_.get();
  return MysqlStatus(mysql_errno(m), mysql_error(m), context);
}

Status MysqlConnection::Exec(std::string_view sql) {
  MYSQL* m = mysql_.get();
  if (mysql_real_query(m, sql.data(), sql.size()) != 0) return LastError("");
  MYSQL_RES* res = mysql_store_result(m);
  if (res != nullptr) {
    mysql_free_result(res);
  } else if (mysql_field_count(m) != 0) {
    return LastError("");
  }
  return Status::OK();
}

Result<MysqlRows> MysqlConnection::Query(std::string_view sql) {
  MYSQL* m = mysql_.get();
  if (mysql_real_query(m, sql.data(), sql.size()) != 0) return LastError("");
  MYSQL_RES* res = mysql_store_result(m);
  if (res == nullptr) {
    if (mysql_field_count(m) != 0) return LastError("");
    return MysqlRows{};
  }
  MysqlRows rows;
  const unsigned n = mysql_num_fields(res);
  while (MYSQL_ROW row = mysql_fetch_row(res)) {
    unsigned long* lengths = mysql_fetch_lengths(res);
    auto& out = rows.emplace_back(n);
    for (unsigned c = 0; c < n; ++c) {
      if (row[c] != nullptr) out[c] = std::string(row[c], lengths[c]);
    }
  }
  mysql_free_result(res);
  return rows;
}

void MysqlConnection::AppendQuoted(std::string_view text, std::string* out) const {
  const size_t at = out->size();
  out->resize(at + text.size() * 2 + 3);
  char* p = out->data() + at;
  *p++ = '\'';
  unsigned long n = mysql_real_escape_string(mysql_.get(), p, text.data(), text.size());
  p[n] = '\'';
  out->resize(at + 1 + n + 1);
}

std::string MysqlIdentifier(std::string_view name) {
  std::string out = "`";
  for (char c : name) {
    if (c == '`') out.push_back('`');
    out.push_back(c);
  }
  out.push_back('`');
  return out;
}

std::string MysqlQualifiedName(std::string_view name) {
  if (!name.empty() && (name.front() == '`' || name.front() == '"')) return std::string(name);
  size_t dot = name.find('.');
  if (dot == std::string_view::npos) return MysqlIdentifier(name);
  return MysqlIdentifier(name.substr(0, dot)) + "." + MysqlIdentifier(name.substr(dot + 1));
}

}  // namespace ferry
