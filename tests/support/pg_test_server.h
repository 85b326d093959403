// Test support for the throwaway PostgreSQL server (scripts/pg-test-server.sh, started by CTest's
// test_servers fixture): where it is, SQL against it, and a schema of its own for each test.
// When the server's conn.json is missing, the calls FAIL the test with how to start it.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace ferry::testing {

struct PgServer {
  std::string host;
  int port = 0;
  std::string user;
  std::string password;
  std::string database;
  std::string superuser;
  std::string superuser_password;
  bool ok = false;  // false: conn.json missing (the test has already failed)

  // {"host", "port", "database", "user", "password"}: a job's inline `connection`.
  nlohmann::json ConnectionJson() const;
  // "jdbc:postgresql://host:port/db".
  std::string JdbcUrl() const;
  // "postgresql://user:password@host:port/db" (user and password percent-encoded).
  std::string Url() const;
};

// Reads FERRY_TEST_SERVERS_DIR/pg/conn.json; ADD_FAILURE naming the start command when missing.
const PgServer& TestPgServer();

// Runs SQL (several statements allowed) as the test user; fails the test on error.
void PgExec(const std::string& sql);
// Rows of a query, cells joined by '|' (NULL as "NULL"), in the order the query returns them.
std::vector<std::string> PgRows(const std::string& sql);
// The one value of a one-row, one-column query.
std::string PgValue(const std::string& sql);

// A schema with a unique name, created on construction and dropped (CASCADE) on destruction.
class PgTestSchema {
 public:
  PgTestSchema();
  ~PgTestSchema();
  const std::string& name() const { return name_; }
  // "schema.table".
  std::string operator/(const std::string& table) const { return name_ + "." + table; }

 private:
  std::string name_;
};

}  // namespace ferry::testing
