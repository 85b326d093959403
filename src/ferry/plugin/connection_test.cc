#include "ferry/plugin/connection.h"

#include <gtest/gtest.h>

#include <cstdlib>

#include "ferry/common/log.h"

namespace ferry {
namespace {

TEST(ConnectionTest, JdbcUrlGivesEveryPart) {
  auto c = ParseJdbcUrl(
      "jdbc:postgresql://db.example:6543/shop?sslmode=require&user=etl&password=p%40ss");
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_EQ(c->type, "postgresql");
  EXPECT_EQ(c->host, "db.example");
  EXPECT_EQ(c->port, 6543);
  EXPECT_EQ(c->database, "shop");
  EXPECT_EQ(c->user, "etl");
  EXPECT_EQ(c->password, "p@ss");
  EXPECT_EQ(c->options.at("sslmode"), "require");
  EXPECT_EQ(c->Describe(), "postgresql://etl@db.example:6543/shop");
  EXPECT_EQ(MaskSecrets("login p@ss failed"), "login ****** failed");
}

TEST(ConnectionTest, MysqlAndMariadbSchemesAreOneType) {
  EXPECT_EQ(ParseJdbcUrl("jdbc:mysql://h/d")->type, "mysql");
  EXPECT_EQ(ParseJdbcUrl("jdbc:mariadb://h:3307/d")->port, 3307);
  EXPECT_EQ(ParseJdbcUrl("jdbc:mysql://[::1]:3306/d")->host, "::1");
}

TEST(ConnectionTest, BadJdbcUrlsSayWhatIsExpected) {
  EXPECT_NE(ParseJdbcUrl("postgres:/x").status().message().find("expected jdbc:"),
            std::string::npos);
  EXPECT_NE(ParseJdbcUrl("jdbc:mysql://h:99999/d").status().message().find("1 to 65535"),
            std::string::npos);
}

TEST(ConnectionTest, InlineObjectResolvesPasswordFromEnvironment) {
  setenv("FERRY_TEST_SECRET_PW", "s3cr3t-from-env", 1);
  auto c = ConnectionFromJson({{"host", "127.0.0.1"},
                               {"port", 5432},
                               {"database", "d"},
                               {"user", "u"},
                               {"passwordEnv", "FERRY_TEST_SECRET_PW"}},
                              "postgresql", "connection");
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_EQ(c->password, "s3cr3t-from-env");
  EXPECT_EQ(c->port, 5432);
  EXPECT_EQ(MaskSecrets("pw=s3cr3t-from-env"), "pw=******");
}

TEST(ConnectionTest, InlineObjectErrorsNameTheField) {
  auto unknown = ConnectionFromJson({{"hots", "x"}}, "postgresql", "connection");
  EXPECT_EQ(unknown.status().field(), "connection.hots");
  auto missing_env = ConnectionFromJson({{"passwordEnv", "FERRY_NO_SUCH_VAR_X"}}, "mysql", "c");
  EXPECT_EQ(missing_env.status().field(), "c.passwordEnv");
  EXPECT_EQ(missing_env.status().message(),
            "password environment variable FERRY_NO_SUCH_VAR_X is not set");
  auto both = ConnectionFromJson({{"password", "a"}, {"passwordEnv", "B"}}, "mysql", "c");
  EXPECT_EQ(both.status().field(), "c");
  auto port = ConnectionFromJson({{"port", "x1"}}, "mysql", "c");
  EXPECT_EQ(port.status().field(), "c.port");
}

}  // namespace
}  // namespace ferry
