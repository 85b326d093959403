// Named MySQL data sources end to end against the MariaDB test server: `ferry datasource test`
// prints the server version or names the failed step (never the password), and a job that names
// data sources instead of connections.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdlib>

#include "tests/support/ferry_cli.h"
#include "tests/support/mariadb_test_server.h"

namespace ferry::testing {
namespace {

class MysqlDatasource : public MariadbTest {
 protected:
  void SetUp() override {
    MariadbTest::SetUp();
    setenv("FERRY_HOME", (dir_ / "home").c_str(), 1);
  }
  void TearDown() override {
    unsetenv("FERRY_HOME");
    unsetenv("FERRY_TEST_MYSQL_PW");
    MariadbTest::TearDown();
  }

  CliResult Add(const std::string& name, const std::string& database, const std::string& password,
                const std::string& host = "", int port = 0, const std::string& option = "") {
    setenv("FERRY_TEST_MYSQL_PW", password.c_str(), 1);
    std::vector<std::string> args = {"datasource",
                                     "add",
                                     name,
                                     "--type",
                                     "mysql",
                                     "--host",
                                     host.empty() ? server_.host : host,
                                     "--port",
                                     std::to_string(port == 0 ? server_.port : port),
                                     "--database",
                                     database,
                                     "--user",
                                     server_.user,
                                     "--password-env",
                                     "FERRY_TEST_MYSQL_PW"};
    if (!option.empty()) args.insert(args.end(), {"--option", option});
    return RunFerry(args);
  }

  TempDir dir_;
};

TEST_F(MysqlDatasource, TestConnectsAndPrintsTheServerVersion) {
  ASSERT_EQ(Add("shop", db(), server_.password).exit_code, 0);
  CliResult r = RunFerry({"datasource", "test", "shop"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_THAT(r.out, ::testing::HasSubstr("shop: OK ("));
  EXPECT_THAT(r.out, ::testing::HasSubstr("MariaDB 10."));
  EXPECT_THAT(r.out, ::testing::HasSubstr(", round trip "));
  EXPECT_THAT(r.out + r.err, ::testing::Not(::testing::HasSubstr(server_.password)));
}

TEST_F(MysqlDatasource, TestNamesTheStepThatFailed) {
  ASSERT_EQ(Add("badpw", db(), "wrong-password-123").exit_code, 0);
  CliResult auth = RunFerry({"datasource", "test", "badpw"});
  EXPECT_EQ(auth.exit_code, 1);
  EXPECT_THAT(auth.out, ::testing::HasSubstr(") auth: "));
  EXPECT_THAT(auth.out + auth.err, ::testing::Not(::testing::HasSubstr("wrong-password-123")));

  ASSERT_EQ(Add("nodb", "no_such_database_here", server_.password).exit_code, 0);
  CliResult database = RunFerry({"datasource", "test", "nodb"});
  EXPECT_EQ(database.exit_code, 1);
  EXPECT_THAT(database.out, ::testing::HasSubstr(") database: "));

  ASSERT_EQ(Add("nohost", db(), server_.password, "no-such-host.invalid").exit_code, 0);
  CliResult resolve = RunFerry({"datasource", "test", "nohost"});
  EXPECT_EQ(resolve.exit_code, 1);
  EXPECT_THAT(resolve.out, ::testing::HasSubstr(") resolve: "));

  ASSERT_EQ(Add("refused", db(), server_.password, "127.0.0.1", UnusedLoopbackPort()).exit_code, 0);
  CliResult refused = RunFerry({"datasource", "test", "refused"});
  EXPECT_EQ(refused.exit_code, 1);
  EXPECT_THAT(refused.out, ::testing::HasSubstr(") connect: "));

  // The test server has no TLS.
  ASSERT_EQ(Add("tls", db(), server_.password, "", 0, "ssl-mode=required").exit_code, 0);
  CliResult tls = RunFerry({"datasource", "test", "tls"});
  EXPECT_EQ(tls.exit_code, 1);
  EXPECT_THAT(tls.out, ::testing::HasSubstr(") TLS: "));
  EXPECT_THAT(tls.out + tls.err, ::testing::Not(::testing::HasSubstr(server_.password)));
}

TEST_F(MysqlDatasource, JobReadsAndWritesThroughNamedSources) {
  const std::string dst = NewDatabase("dst");
  Exec(db(),
       "CREATE TABLE t (id INT PRIMARY KEY, name VARCHAR(9));"
       "INSERT INTO t VALUES (1, 'a'), (2, NULL), (3, '')");
  Exec(dst, "CREATE TABLE t (id INT PRIMARY KEY, name VARCHAR(9))");
  ASSERT_EQ(Add("src", db(), server_.password).exit_code, 0);
  ASSERT_EQ(Add("dst", dst, server_.password).exit_code, 0);
  const std::string job = dir_ / "job.json";
  WriteTextFile(
      job, TwoStepJob("mysql", {{"datasource", "src"}, {"table", "t"}, {"column", {"*"}}}, "mysql",
                      {{"datasource", "dst"}, {"table", "t"}, {"column", {"*"}}}));
  CliResult r = RunFerry({"run", job, "--run-dir", dir_ / "run"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(Rows(dst, "SELECT id, IFNULL(name, 'NULL!') FROM t ORDER BY id"),
              ::testing::ElementsAre("1|a", "2|NULL!", "3|"));
}

}  // namespace
}  // namespace ferry::testing
