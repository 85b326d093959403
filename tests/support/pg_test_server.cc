#include "tests/support/pg_test_server.h"

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <libpq-fe.h>
#include <unistd.h>

#include <atomic>
#include <fstream>

namespace ferry::testing {
namespace {

std::string ConnPath() { return std::string(FERRY_TEST_SERVERS_DIR) + "/pg/conn.json"; }

PgServer Load() {
  PgServer s;
  std::ifstream f(ConnPath());
  if (!f) {
    ADD_FAILURE() << "PostgreSQL test server not running: " << ConnPath()
                  << " is missing. Start it with: scripts/test-servers.sh start "
                  << FERRY_TEST_SERVERS_DIR << " (CTest does this itself)";
    return s;
  }
  nlohmann::json j = nlohmann::json::parse(f);
  s.host = j.at("host");
  s.port = j.at("port");
  s.user = j.at("user");
  s.password = j.at("password");
  s.database = j.at("database");
  s.superuser = j.value("superuser", "");
  s.superuser_password = j.value("superuser_password", "");
  s.ok = true;
  return s;
}

PGconn* Connect() {
  const PgServer& s = TestPgServer();
  if (!s.ok) return nullptr;
  std::string port = std::to_string(s.port);
  const char* keys[] = {"host", "port", "dbname", "user", "password", "options", nullptr};
  const char* values[] = {s.host.c_str(),
                          port.c_str(),
                          s.database.c_str(),
                          s.user.c_str(),
                          s.password.c_str(),
                          "-c DateStyle=ISO -c TimeZone=UTC "
                          "-c extra_float_digits=3 -c client_min_messages=warning",
                          nullptr};
  PGconn* c = PQconnectdbParams(keys, values, 0);
  if (PQstatus(c) != CONNECTION_OK) {
    ADD_FAILURE() << "cannot connect to the PostgreSQL test server: " << PQerrorMessage(c);
    PQfinish(c);
    return nullptr;
  }
  return c;
}

}  // namespace

nlohmann::json PgServer::ConnectionJson() const {
  return {{"host", host},
          {"port", port},
          {"database", database},
          {"user", user},
          {"password", password}};
}

std::string PgServer::JdbcUrl() const {
  return "jdbc:postgresql://" + host + ":" + std::to_string(port) + "/" + database;
}

std::string PgServer::Url() const {
  auto encode = [](const std::string& s) {
    std::string out;
    for (unsigned char c : s) {
      if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
        out += static_cast<char>(c);
      } else {
        out += fmt::format("%{:02X}", c);
      }
    }
    return out;
  };
  return "postgresql://" + encode(user) + ":" + encode(password) + "@" + host + ":" +
         std::to_string(port) + "/" + database;
}

const PgServer& TestPgServer() {
  static const PgServer server = Load();
  if (!server.ok) ADD_FAILURE() << "no PostgreSQL test server (see above)";
  return server;
}

void PgExec(const std::string& sql) {
  PGconn* c = Connect();
  if (c == nullptr) return;
  PGresult* r = PQexec(c, sql.c_str());
  ExecStatusType st = PQresultStatus(r);
  EXPECT_TRUE(st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK)
      << PQresultErrorMessage(r) << "\nSQL: " << sql;
  PQclear(r);
  PQfinish(c);
}

std::vector<std::string> PgRows(const std::string& sql) {
  std::vector<std::string> rows;
  PGconn* c = Connect();
  if (c == nullptr) return rows;
  PGresult* r = PQexec(c, sql.c_str());
  if (PQresultStatus(r) != PGRES_TUPLES_OK) {
    ADD_FAILURE() << PQresultErrorMessage(r) << "\nSQL: " << sql;
  } else {
    for (int i = 0; i < PQntuples(r); ++i) {
      std::string row;
      for (int k = 0; k < PQnfields(r); ++k) {
        if (k > 0) row += "|";
        row += PQgetisnull(r, i, k) ? "NULL" : PQgetvalue(r, i, k);
      }
      rows.push_back(row);
    }
  }
  PQclear(r);
  PQfinish(c);
  return rows;
}

std::string PgValue(const std::string& sql) {
  std::vector<std::string> rows = PgRows(sql);
  EXPECT_EQ(rows.size(), 1u) << sql;
  return rows.empty() ? "" : rows[0];
}

PgTestSchema::PgTestSchema() {
  static std::atomic<int> counter{0};
  const ::testing::TestInfo* info = ::testing::UnitTest::GetInstance()->current_test_info();
  std::string test = info != nullptr ? info->name() : "t";
  std::string clean;
  for (char ch : test)
    clean.push_back(std::isalnum(static_cast<unsigned char>(ch)) ? std::tolower(ch) : '_');
  name_ =
      "t" + std::to_string(getpid()) + "_" + std::to_string(counter++) + "_" + clean.substr(0, 30);
  PgExec("DROP SCHEMA IF EXISTS " + name_ + " CASCADE; CREATE SCHEMA " + name_);
}

PgTestSchema::~PgTestSchema() {
  if (std::getenv("FERRY_KEEP_TEST_DIRS") == nullptr)
    PgExec("DROP SCHEMA IF EXISTS " + name_ + " CASCADE");
}

}  // namespace ferry::testing
