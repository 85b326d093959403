#include "tests/support/mariadb_test_server.h"

#include <mysql.h>
#include <unistd.h>

#include <atomic>
#include <fstream>
#include <memory>
#include <sstream>

#include "tests/support/ferry_cli.h"

namespace ferry::testing {
namespace {

std::atomic<int> g_next_db{0};

struct Closer {
  void operator()(MYSQL* m) const { mysql_close(m); }
};
using Handle = std::unique_ptr<MYSQL, Closer>;

Handle Open(const MariadbServer& s, const std::string& database, std::string* error) {
  Handle m(mysql_init(nullptr));
  mysql_optionsv(m.get(), MYSQL_SET_CHARSET_NAME, "utf8mb4");
  unsigned flags = CLIENT_MULTI_STATEMENTS;
  if (!mysql_real_connect(m.get(), s.host.c_str(), s.user.c_str(), s.password.c_str(),
                          database.empty() ? nullptr : database.c_str(), s.port, nullptr, flags)) {
    *error = mysql_error(m.get());
    return nullptr;
  }
  return m;
}

// Runs `sql` (possibly several statements); returns the rows of the last result.
std::vector<std::string> RunSql(const MariadbServer& s, const std::string& database,
                                const std::string& sql) {
  std::string error;
  Handle m = Open(s, database, &error);
  if (!m) {
    ADD_FAILURE() << "connecting to the MariaDB test server: " << error;
    return {};
  }
  std::vector<std::string> rows;
  if (mysql_real_query(m.get(), sql.data(), sql.size()) != 0) {
    ADD_FAILURE() << "MariaDB: " << mysql_error(m.get()) << "\n  in: " << sql.substr(0, 300);
    return {};
  }
  do {
    MYSQL_RES* res = mysql_store_result(m.get());
    if (res == nullptr) continue;
    rows.clear();
    const unsigned n = mysql_num_fields(res);
    while (MYSQL_ROW row = mysql_fetch_row(res)) {
      unsigned long* len = mysql_fetch_lengths(res);
      std::string line;
      for (unsigned c = 0; c < n; ++c) {
        if (c > 0) line += "|";
        line += row[c] == nullptr ? std::string("NULL") : std::string(row[c], len[c]);
      }
      rows.push_back(line);
    }
    mysql_free_result(res);
  } while (mysql_next_result(m.get()) == 0);
  if (mysql_errno(m.get()) != 0) {
    ADD_FAILURE() << "MariaDB: " << mysql_error(m.get()) << "\n  in: " << sql.substr(0, 300);
  }
  return rows;
}

}  // namespace

bool LoadMariadbServer(MariadbServer* server, std::string* error) {
  const std::string path = std::string(FERRY_TEST_SERVERS_DIR) + "/mariadb/conn.json";
  std::ifstream in(path);
  if (!in) {
    *error = "no MariaDB test server: " + path +
             " is missing. Start it with: scripts/test-servers.sh start build/test-servers "
             "(CTest does this itself)";
    return false;
  }
  nlohmann::json j = nlohmann::json::parse(in, nullptr, false);
  if (j.is_discarded()) {
    *error = path + " is not JSON";
    return false;
  }
  server->host = j.value("host", "127.0.0.1");
  server->port = j.value("port", 0);
  server->user = j.value("user", "");
  server->password = j.value("password", "");
  server->socket = j.value("socket", "");
  return true;
}

std::string TwoStepJob(const std::string& reader, const nlohmann::json& reader_param,
                       const std::string& writer, const nlohmann::json& writer_param,
                       int concurrent, const nlohmann::json& error_limit) {
  nlohmann::json setting = {{"speed", {{"concurrent", concurrent}}}};
  if (!error_limit.is_null()) setting["errorLimit"] = {{"record", error_limit}};
  return StepsJob(reader, reader_param, writer, writer_param, setting).dump(2);
}

std::string MariadbCreateDatabase(const std::string& tag) {
  MariadbServer server;
  std::string error;
  if (!LoadMariadbServer(&server, &error)) {
    ADD_FAILURE() << error;
    return "";
  }
  std::string name =
      "ferry_t" + std::to_string(getpid()) + "_" + std::to_string(g_next_db++) + "_" + tag;
  if (name.size() > 60) name.resize(60);
  RunSql(server, "", "DROP DATABASE IF EXISTS `" + name + "`; CREATE DATABASE `" + name + "`");
  return name;
}

void MariadbExec(const std::string& database, const std::string& sql) {
  MariadbRows(database, sql);
}

std::vector<std::string> MariadbRows(const std::string& database, const std::string& sql) {
  MariadbServer server;
  std::string error;
  if (!LoadMariadbServer(&server, &error)) {
    ADD_FAILURE() << error;
    return {};
  }
  return RunSql(server, database, sql);
}

nlohmann::json MariadbConnectionJson(const std::string& database) {
  MariadbServer server;
  std::string error;
  if (!LoadMariadbServer(&server, &error)) ADD_FAILURE() << error;
  return {{"host", server.host},
          {"port", server.port},
          {"database", database},
          {"user", server.user},
          {"password", server.password}};
}

void MariadbTest::SetUp() {
  std::string error;
  ASSERT_TRUE(LoadMariadbServer(&server_, &error)) << error;
  NewDatabase("main");
}

void MariadbTest::TearDown() {
  for (const std::string& name : dbs_)
    RunSql(server_, "", "DROP DATABASE IF EXISTS `" + name + "`");
}

std::string MariadbTest::NewDatabase(const std::string& tag) {
  std::string name = MariadbCreateDatabase(tag);
  dbs_.push_back(name);
  return name;
}

void MariadbTest::Exec(const std::string& database, const std::string& sql) {
  RunSql(server_, database, sql);
}

bool MariadbTest::TryExec(const std::string& sql) {
  std::string error;
  Handle m = Open(server_, "", &error);
  return m && mysql_real_query(m.get(), sql.data(), sql.size()) == 0;
}

std::vector<std::string> MariadbTest::Rows(const std::string& database, const std::string& sql) {
  return RunSql(server_, database, sql);
}

nlohmann::json MariadbTest::Connection(const std::string& database) const {
  return MariadbConnectionJson(database);
}

std::string MariadbTest::JdbcUrl(const std::string& database) const {
  return "jdbc:mysql://" + server_.host + ":" + std::to_string(server_.port) + "/" + database;
}

}  // namespace ferry::testing
