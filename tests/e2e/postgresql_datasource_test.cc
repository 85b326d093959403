// `ferry datasource` with the postgresql plugin against the throwaway server: `test` prints the
// server version and round-trip time or the step that failed (never the password), and a job
// names the stored data source instead of spelling out the connection.
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

  CliResult Add(const std::string& name, const std::string& password_env,
                const std::string& database = "") {
    const PgServer& pg = TestPgServer();
    return RunFerry({"datasource", "add", name, "--type", "postgresql", "--host", pg.host, "--port",
                     std::to_string(pg.port), "--database",
                     database.empty() ? pg.database : database, "--user", pg.user, "--password-env",
                     password_env});
  }

  TempDir home_;
};

TEST_F(PgDataSource, TestPrintsTheServerVersionAndRoundTrip) {
  ASSERT_EQ(Add("dw", "FERRY_TEST_PG_PASSWORD").exit_code, 0);
  CliResult r = RunFerry({"datasource", "test", "dw"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, ::testing::ContainsRegex("dw: OK .* PostgreSQL 15\\.[0-9]+, round trip"));
}

TEST_F(PgDataSource, TestNamesTheFailingStepWithoutThePassword) {
  ASSERT_EQ(Add("bad_auth", "FERRY_TEST_PG_WRONG").exit_code, 0);
  ASSERT_EQ(Add("bad_db", "FERRY_TEST_PG_PASSWORD", "no_such_database").exit_code, 0);
  CliResult auth = RunFerry({"datasource", "test", "bad_auth"});
  EXPECT_EQ(auth.exit_code, 1);
  EXPECT_THAT(auth.out, ::testing::HasSubstr("auth: "));
  EXPECT_THAT(auth.out + auth.err, ::testing::Not(::testing::HasSubstr("N0t-The-Passw0rd")));
  CliResult db = RunFerry({"datasource", "test", "bad_db"});
  EXPECT_EQ(db.exit_code, 1);
  EXPECT_THAT(db.out, ::testing::HasSubstr("database: "));
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
