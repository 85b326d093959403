// `ferry datasource` with the postgresql plugin against the throwaway server: `test` prints the
// server version and round-trip time or the step that failed (resolve, connect, TLS, auth,
// database; never the password), and a job names the stored data source instead of spelling out
// the connection.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <nlohmann/json.hpp>

#include "tests/support/ferry_cli.h"
#include "tests/support/pg_test_server.h"

namespace ferry::testing {
namespace {

using json = nlohmann::json;

// Points FERRY_HOME at a fresh directory and sets the password variables for the children.
class PgDataSource : public ::testing::Test {
 protected:
  void SetUp() override {
    setenv("FERRY_HOME", home_.path().c_str(), 1);
    setenv("FERRY_TEST_PG_PASSWORD", TestPgServer().password.c_str(), 1);
    setenv("FERRY_TEST_PG_WRONG", "N0t-The-Passw0rd", 1);
  }
  void TearDown() override { unsetenv("FERRY_HOME"); }

  // The test server's data source, with what a test changes about it.
  struct Change {
    std::string password_env = "FERRY_TEST_PG_PASSWORD";
    std::string database;  // empty: the server's
    std::string host;      // empty: the server's
    int port = 0;          // 0: the server's
    std::string option;    // --option KEY=VALUE
  };
  CliResult AddWith(const std::string& name, const Change& change) {
    const PgServer& pg = TestPgServer();
    std::vector<std::string> args = {"datasource",
                                     "add",
                                     name,
                                     "--type",
                                     "postgresql",
                                     "--host",
                                     change.host.empty() ? pg.host : change.host,
                                     "--port",
                                     std::to_string(change.port == 0 ? pg.port : change.port),
                                     "--database",
                                     change.database.empty() ? pg.database : change.database,
                                     "--user",
                                     pg.user,
                                     "--password-env",
                                     change.password_env};
    if (!change.option.empty()) args.insert(args.end(), {"--option", change.option});
    return RunFerry(args);
  }
  CliResult Add(const std::string& name, const std::string& password_env,
                const std::string& database = "") {
    return AddWith(name, Change{.password_env = password_env, .database = database});
  }

  // `ferry datasource test NAME`: fails (exit 1), names `step` and never shows the wrong password.
  void ExpectFailedStep(const std::string& name, const std::string& step) {
    CliResult r = RunFerry({"datasource", "test", name});
    EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
    EXPECT_THAT(r.out, ::testing::HasSubstr(") " + step + ": ")) << r.out;
    EXPECT_THAT(r.out + r.err, ::testing::Not(::testing::HasSubstr("N0t-The-Passw0rd")));
  }

  TempDir home_;
};

TEST_F(PgDataSource, TestPrintsTheServerVersionAndRoundTrip) {
  CliResult add = Add("dw", "FERRY_TEST_PG_PASSWORD");
  ASSERT_EQ(add.exit_code, 0) << add.err;
  EXPECT_THAT(add.out, ::testing::HasSubstr("saved data source dw (postgresql://"));
  CliResult r = RunFerry({"datasource", "test", "dw"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, ::testing::ContainsRegex("dw: OK .* PostgreSQL 15\\.[0-9]+, round trip"));
}

TEST_F(PgDataSource, TestNamesTheFailingStepWithoutThePassword) {
  ASSERT_EQ(Add("bad_auth", "FERRY_TEST_PG_WRONG").exit_code, 0);
  ExpectFailedStep("bad_auth", "auth");
  ASSERT_EQ(Add("bad_db", "FERRY_TEST_PG_PASSWORD", "no_such_database").exit_code, 0);
  ExpectFailedStep("bad_db", "database");
}

TEST_F(PgDataSource, UnknownHostFailsAtResolve) {
  ASSERT_EQ(AddWith("no_host", {.host = "no-such-host.invalid"}).exit_code, 0);
  ExpectFailedStep("no_host", "resolve");
}

TEST_F(PgDataSource, RefusedPortFailsAtConnect) {
  ASSERT_EQ(AddWith("refused", {.host = "127.0.0.1", .port = UnusedLoopbackPort()}).exit_code, 0);
  ExpectFailedStep("refused", "connect");
}

TEST_F(PgDataSource, RequiredTlsAgainstAServerWithoutItFailsAtTls) {
  ASSERT_EQ(AddWith("tls", {.option = "sslmode=require"}).exit_code, 0);
  ExpectFailedStep("tls", "TLS");
}

TEST_F(PgDataSource, AJobReadsAndWritesThroughANamedSource) {
  ASSERT_EQ(Add("dw", "FERRY_TEST_PG_PASSWORD").exit_code, 0);
  PgTestSchema s;
  PgExec("CREATE TABLE " + (s / "src") +
         " (id int, v text);"
         "INSERT INTO " +
         (s / "src") +
         " SELECT g, 'v' || g FROM generate_series(1, 100) g;"
         "CREATE TABLE " +
         (s / "dst") + " (id int, v text)");
  json job = {
      {"type", "job"},
      {"steps",
       {{{"stepType", "postgresql"},
         {"category", "reader"},
         {"name", "Reader"},
         {"parameter",
          {{"datasource", "dw"}, {"table", s / "src"}, {"column", {"*"}}, {"splitPk", "id"}}}},
        {{"stepType", "postgresql"},
         {"category", "writer"},
         {"name", "Writer"},
         {"parameter", {{"datasource", "dw"}, {"table", s / "dst"}, {"column", {"*"}}}}}}},
      {"setting", {{"speed", {{"concurrent", 2}}}}},
      {"order", {{"hops", {{{"from", "Reader"}, {"to", "Writer"}}}}}}};
  TempDir dir;
  WriteTextFile(dir / "job.json", job.dump());
  CliResult r =
      RunFerry({"run", dir / "job.json", "--run-dir", dir / "run", "--progress-interval", "0"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(PgValue("SELECT count(*) || ':' || sum(id) FROM " + (s / "dst")), "100:5050");
}

}  // namespace
}  // namespace ferry::testing
