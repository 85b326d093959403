// Test support for the mysql plugin: the throwaway MariaDB server that
// scripts/mariadb-test-server.sh starts (CTest's test_servers fixture), a fresh database per test,
// and queries the way a user checks a destination. A test that finds no server FAILS, saying how
// to start one; it never skips.
#pragma once

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace ferry::testing {

struct MariadbServer {
  std::string host;
  int port = 0;
  std::string user;
  std::string password;
  std::string socket;
};

// The server of FERRY_TEST_SERVERS_DIR/mariadb/conn.json; false with `error` set when absent.
bool LoadMariadbServer(MariadbServer* server, std::string* error);

// Free forms of the fixture's helpers, for tests that are not MariadbTest fixtures (the contract
// suite). MariadbCreateDatabase fails the current test when there is no server; the database is
// not dropped automatically.
std::string MariadbCreateDatabase(const std::string& tag);
void MariadbExec(const std::string& database, const std::string& sql);
std::vector<std::string> MariadbRows(const std::string& database, const std::string& sql);
nlohmann::json MariadbConnectionJson(const std::string& database);

// A job file's text: one reader step and one writer step joined by a hop. `error_limit` null:
// no errorLimit (dirty records allowed and counted).
std::string TwoStepJob(const std::string& reader, const nlohmann::json& reader_param,
                       const std::string& writer, const nlohmann::json& writer_param,
                       int concurrent = 2, const nlohmann::json& error_limit = 0);

// A database made for one test (unique name), dropped at the end of the test.
class MariadbTest : public ::testing::Test {
 protected:
  void SetUp() override;
  void TearDown() override;

  // A new database for this test ("ferry_t<pid>_<n>_<tag>"), dropped in TearDown.
  std::string NewDatabase(const std::string& tag);
  const std::string& db() const { return dbs_.front(); }

  // Runs statements (several, separated by ';' at line ends are fine) on `database`.
  void Exec(const std::string& database, const std::string& sql);
  // Runs one statement on no database; false (without failing the test) when the server refuses
  // it — for statements that may race, such as KILL of a connection that just ended.
  bool TryExec(const std::string& sql);
  // Rows of a query, each row's cells joined by '|' (NULL as "NULL").
  std::vector<std::string> Rows(const std::string& database, const std::string& sql);
  // The inline `connection` object of a job for `database`.
  nlohmann::json Connection(const std::string& database) const;
  // "jdbc:mysql://127.0.0.1:PORT/database".
  std::string JdbcUrl(const std::string& database) const;

  MariadbServer server_;

 private:
  std::vector<std::string> dbs_;
};

}  // namespace ferry::testing
