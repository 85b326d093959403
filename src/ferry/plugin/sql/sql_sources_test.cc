#include "ferry/plugin/sql/sql_sources.h"

#include <gtest/gtest.h>

#include <map>

namespace ferry {
namespace {

using nlohmann::json;
using ::testing::ElementsAre;

class MapCatalog : public DataSourceCatalog {
 public:
  Result<ConnectionSpec> Find(std::string_view name) const override {
    auto it = entries.find(std::string(name));
    if (it == entries.end()) return Status::NotFound("no data source named " + std::string(name));
    return it->second;
  }
  std::map<std::string, ConnectionSpec> entries;
};

struct Fixture {
  json param;
  MapCatalog catalog;
  StepContext ctx() const {
    StepContext c;
    c.parameter = &param;
    c.datasources = &catalog;
    return c;
  }
};

TEST(SqlSourcesTest, NamedDataSourceWithTableRange) {
  Fixture f;
  f.catalog.entries["wh"] = ConnectionSpec{"postgresql", "h", 5432, "d", "u", "pw", {}};
  f.param = {{"datasource", "wh"}, {"table", {"public.t_[0-2]"}}};
  auto s = ResolveSqlSources(f.ctx(), "postgresql");
  ASSERT_TRUE(s.ok()) << s.status().message();
  ASSERT_EQ(s->size(), 1u);
  EXPECT_EQ((*s)[0].conn.host, "h");
  EXPECT_THAT((*s)[0].tables, ElementsAre("public.t_0", "public.t_1", "public.t_2"));
}

TEST(SqlSourcesTest, DataSourceOfAnotherTypeIsRefused) {
  Fixture f;
  f.catalog.entries["m"] = ConnectionSpec{"mysql", "h", 3306, "d", "u", "", {}};
  f.param = {{"datasource", "m"}, {"table", "t"}};
  auto s = ResolveSqlSources(f.ctx(), "postgresql");
  EXPECT_EQ(s.status().field(), "datasource");
  EXPECT_EQ(s.status().message(), "data source 'm' is a mysql connection; this step is postgresql");
}

TEST(SqlSourcesTest, DataxConnectionListShardsOverDatabases) {
  Fixture f;
  f.param = json::parse(R"({
    "username": "etl", "password": "pw",
    "connection": [
      {"jdbcUrl": ["jdbc:mysql://a:3306/db1", "jdbc:mysql://a2:3306/db1"], "table": ["t_[0-1]"]},
      {"jdbcUrl": ["jdbc:mysql://b/db2"], "table": ["t_[2-3]"]}
    ]})");
  auto s = ResolveSqlSources(f.ctx(), "mysql");
  ASSERT_TRUE(s.ok()) << s.status().message();
  ASSERT_EQ(s->size(), 2u);
  EXPECT_EQ((*s)[0].conn.user, "etl");
  EXPECT_EQ((*s)[0].conn.password, "pw");
  ASSERT_EQ((*s)[0].fallbacks.size(), 1u);
  EXPECT_EQ((*s)[0].fallbacks[0].host, "a2");
  EXPECT_THAT((*s)[1].tables, ElementsAre("t_2", "t_3"));
  EXPECT_EQ((*s)[1].field, "connection[1]");
}

TEST(SqlSourcesTest, StepTableListIsSharedByEntriesWithout) {
  Fixture f;
  f.param = json::parse(R"({"table": ["orders"],
    "connection": [{"jdbcUrl": "jdbc:postgresql://a/x"}, {"jdbcUrl": "jdbc:postgresql://b/y"}]})");
  auto s = ResolveSqlSources(f.ctx(), "postgresql");
  ASSERT_TRUE(s.ok()) << s.status().message();
  EXPECT_THAT((*s)[1].tables, ElementsAre("orders"));
}

TEST(SqlSourcesTest, ErrorsNameTheFieldInsideTheList) {
  Fixture f;
  f.param = json::parse(R"({"connection": [{"jdbcUrl": ["jdbc:postgresql://a/x",
                               "jdbc:mysql://b/y"], "table": "t"}]})");
  auto s = ResolveSqlSources(f.ctx(), "postgresql");
  EXPECT_EQ(s.status().field(), "connection[0].jdbcUrl[1]");
  f.param =
      json::parse(R"({"connection": [{"jdbcUrl": "jdbc:postgresql://a/x", "table": "t_[3-1]"}]})");
  EXPECT_EQ(ResolveSqlSources(f.ctx(), "postgresql").status().field(), "connection[0].table");
}

TEST(SqlSourcesTest, MalformedJdbcUrlInAListFailsOnlyItself) {
  // DataX's own example: the entries are tried in turn, the first that connects is used.
  Fixture f;
  f.param = json::parse(R"({"connection": [{"jdbcUrl": ["jdbc:mysql://bad_ip:3306/database",
      "jdbc:mysql://127.0.0.1:bad_port/database", "jdbc:mysql://127.0.0.1:3306/database"],
      "table": "t"}]})");
  auto s = ResolveSqlSources(f.ctx(), "mysql");
  ASSERT_TRUE(s.ok()) << s.status().message();
  ASSERT_EQ((*s)[0].fallbacks.size(), 2u);
  EXPECT_EQ((*s)[0].conn.host, "bad_ip");
  EXPECT_NE((*s)[0].fallbacks[0].invalid.find("bad_port"), std::string::npos);
  EXPECT_EQ((*s)[0].fallbacks[1].port, 3306);
  f.param = json::parse(R"({"connection": [{"jdbcUrl": ["jdbc:mysql://h:bad/d"], "table": "t"}]})");
  EXPECT_EQ(ResolveSqlSources(f.ctx(), "mysql").status().field(), "connection[0].jdbcUrl[0]");
}

TEST(SqlSourcesTest, MissingSourceOrTableIsAnError) {
  Fixture f;
  f.param = {{"table", "t"}};
  EXPECT_EQ(ResolveSqlSources(f.ctx(), "mysql").status().field(), "datasource");
  f.param = {{"connection", {{"host", "h"}}}};
  EXPECT_EQ(ResolveSqlSources(f.ctx(), "mysql").status().field(), "table");
  f.param = {{"connection", {{"host", "h"}}}, {"querySql", "select 1"}};
  EXPECT_TRUE(ResolveSqlSources(f.ctx(), "mysql").ok());
}

}  // namespace
}  // namespace ferry
