// `ferry template READER WRITER` for every pair of plugins: once its placeholders are filled the
// way a user would (a real file, a stored data source, an existing table), `ferry check` accepts
// it; unfilled, it fails on the placeholder itself, never on two ways of naming one database.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <nlohmann/json.hpp>

#include "tests/support/ferry_cli.h"
#include "tests/support/mariadb_test_server.h"
#include "tests/support/pg_test_server.h"

namespace ferry::testing {
namespace {

using json = nlohmann::json;
using ::testing::HasSubstr;

const char* const kPlugins[] = {"stream", "txtfile", "sqlite", "postgresql", "mysql"};

// The job part of a template: everything before the first `//` comment line.
json TemplateJob(const std::string& text) { return json::parse(text.substr(0, text.find("\n//"))); }

class TemplateRoundTrip : public MariadbTest {
 protected:
  void SetUp() override {
    MariadbTest::SetUp();
    setenv("FERRY_HOME", (dir_ / "home").c_str(), 1);
    setenv("FERRY_TEST_PG_PW", TestPgServer().password.c_str(), 1);
    setenv("FERRY_TEST_MYSQL_PW", server_.password.c_str(), 1);
    const PgServer& pg = TestPgServer();
    ASSERT_EQ(RunFerry({"datasource", "add", "pg_dw", "--type", "postgresql", "--host", pg.host,
                        "--port", std::to_string(pg.port), "--database", pg.database, "--user",
                        pg.user, "--password-env", "FERRY_TEST_PG_PW"})
                  .exit_code,
              0);
    ASSERT_EQ(RunFerry({"datasource", "add", "my_dw", "--type", "mysql", "--host", server_.host,
                        "--port", std::to_string(server_.port), "--database", db(), "--user",
                        server_.user, "--password-env", "FERRY_TEST_MYSQL_PW"})
                  .exit_code,
              0);
    // The same two-column table wherever the template names one.
    PgExec("CREATE TABLE " + (pg_ / "orders") + " (id bigint, v text)");
    Exec(db(), "CREATE TABLE orders (id BIGINT, v TEXT)");
    for (const char* db : {"shop.db", "warehouse.db"}) {
      SqliteExec(dir_ / db, "CREATE TABLE orders (id INTEGER, v TEXT)");
    }
    WriteTextFile(dir_ / "in/orders.csv", "1,hello\n");
  }
  void TearDown() override {
    unsetenv("FERRY_HOME");
    unsetenv("FERRY_TEST_PG_PW");
    unsetenv("FERRY_TEST_MYSQL_PW");
    MariadbTest::TearDown();
  }

  // What a user replaces in the skeleton: the placeholders of paths, data sources and tables.
  void Fill(json* step) {
    const std::string plugin = (*step)["stepType"];
    const bool reader = (*step)["category"] == "reader";
    json& p = (*step)["parameter"];
    if (plugin == "txtfile") p["path"] = reader ? dir_ / "in/orders.csv" : dir_ / "out";
    if (plugin == "sqlite") p["path"] = dir_ / (reader ? "shop.db" : "warehouse.db");
    if (plugin == "postgresql") {
      p["datasource"] = "pg_dw";
      p["table"] = reader ? json::array({pg_ / "orders"}) : json(pg_ / "orders");
    }
    if (plugin == "mysql") p["datasource"] = "my_dw";
  }

  TempDir dir_;
  PgTestSchema pg_;
};

TEST_F(TemplateRoundTrip, EveryPairChecksOnceItsPlaceholdersAreFilled) {
  for (const char* reader : kPlugins) {
    for (const char* writer : kPlugins) {
      SCOPED_TRACE(std::string(reader) + " -> " + writer);
      CliResult t = RunFerry({"template", reader, writer});
      ASSERT_EQ(t.exit_code, 0) << t.err;
      // The comments still describe every parameter, the ones the skeleton leaves out too.
      EXPECT_THAT(t.out, HasSubstr("// Reader \"" + std::string(reader) + "\" parameters"));
      json job = TemplateJob(t.out);
      for (json& step : job["steps"]) {
        EXPECT_FALSE(step["parameter"].contains("connection")) << step.dump();
        EXPECT_FALSE(step["parameter"].contains("jdbcUrl")) << step.dump();
        Fill(&step);
      }
      CliResult c = RunFerry({"check", "-"}, "", job.dump(2));
      EXPECT_EQ(c.exit_code, 0) << c.err << "\n" << job.dump(2);
    }
  }
}

TEST_F(TemplateRoundTrip, UnfilledDatabaseTemplatesFailOnThePlaceholderDataSource) {
  for (const char* plugin : {"postgresql", "mysql"}) {
    CliResult t = RunFerry({"template", plugin, "stream"});
    ASSERT_EQ(t.exit_code, 0) << t.err;
    EXPECT_THAT(t.out, HasSubstr("\"datasource\": \"warehouse\""));
    EXPECT_THAT(t.out, HasSubstr("//   connection "));
    EXPECT_THAT(t.out, HasSubstr("//   jdbcUrl "));
    CliResult c = RunFerry({"check", "-"}, "", t.out);
    EXPECT_EQ(c.exit_code, 2) << c.err;
    EXPECT_THAT(c.err, HasSubstr("warehouse")) << plugin;
  }
}

}  // namespace
}  // namespace ferry::testing
