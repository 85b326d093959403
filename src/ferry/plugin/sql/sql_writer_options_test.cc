#include "ferry/plugin/sql/sql_writer_options.h"

#include <gtest/gtest.h>

namespace ferry {
namespace {

using nlohmann::json;

enum class Mode { kInsert, kUpsert };

const char* ModeName(Mode m) { return m == Mode::kInsert ? "insert" : "upsert"; }

Result<Mode> ParseMode(const json& p) {
  return WriteModeField(p, {Mode::kInsert, Mode::kUpsert}, ModeName);
}

TEST(SqlWriterOptionsTest, WriteModeIsOneOfThePluginsNamesFirstByDefault) {
  EXPECT_EQ(*ParseMode(json::object()), Mode::kInsert);
  EXPECT_EQ(*ParseMode({{"writeMode", "Upsert"}}), Mode::kUpsert);
  Status bad = ParseMode({{"writeMode", "replace"}}).status();
  EXPECT_EQ(bad.field(), "writeMode");
  EXPECT_EQ(bad.message(), "expected one of insert, upsert, got \"replace\"");
  EXPECT_EQ(ParseMode({{"writeMode", 1}}).status().field(), "writeMode");
}

TEST(SqlWriterOptionsTest, CommonPartsWithTheirFields) {
  SqlWriterCommonOptions o;
  ASSERT_TRUE(
      o.ParseCommon({{"column", {"*"}}, {"preSql", {""}}, {"postSql", "ANALYZE t"}}, 100, 1000)
          .ok());
  EXPECT_TRUE(o.star());
  EXPECT_TRUE(o.pre_sql.empty());  // DataX templates carry [""]
  EXPECT_EQ(o.post_sql, std::vector<std::string>{"ANALYZE t"});
  EXPECT_EQ(o.batch_size, 100);

  SqlWriterCommonOptions e;
  EXPECT_EQ(e.ParseCommon(json::object(), 100, 1000).field(), "column");
  EXPECT_EQ(e.ParseCommon({{"column", {"a", "*"}}}, 100, 1000).field(), "column[1]");
  EXPECT_EQ(e.ParseCommon({{"column", {"a"}}, {"batchSize", 1001}}, 100, 1000).field(),
            "batchSize");
  EXPECT_EQ(e.ParseCommon({{"column", {"a"}}, {"preSql", 5}}, 100, 1000).field(), "preSql");
}

}  // namespace
}  // namespace ferry
