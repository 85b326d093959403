// The mysql reader's and writer's parameters without a server: defaults, parameters that exclude
// each other, and errors that name their field.
#include "plugins/mysql/mysql_options.h"

#include <gtest/gtest.h>

namespace ferry {
namespace {

using json = nlohmann::json;

TEST(MysqlReaderOptions, DefaultsAreUtcDirtyZeroDatesAndFiveRangesPerChannel) {
  auto o = MysqlReaderOptions::Parse({{"column", {"*"}}}, false);
  ASSERT_TRUE(o.ok()) << o.status().message();
  EXPECT_EQ(o->utc_offset_seconds, 0);
  EXPECT_EQ(o->zero_dates, ZeroDateMode::kDirty);
  EXPECT_EQ(o->split_factor, 5);
  EXPECT_FALSE(o->consistent_snapshot);
}

TEST(MysqlReaderOptions, ErrorsNameTheirField) {
  EXPECT_EQ(MysqlReaderOptions::Parse(json::object(), false).status().field(), "column");
  EXPECT_EQ(MysqlReaderOptions::Parse({{"splitPk", "id"}}, true).status().field(), "querySql");
  EXPECT_EQ(MysqlReaderOptions::Parse({{"column", {"*"}}, {"timeZone", "Asia/Shanghai"}}, false)
                .status()
                .field(),
            "timeZone");
  EXPECT_EQ(MysqlReaderOptions::Parse({{"column", {"*"}}, {"zeroDateMode", "zero"}}, false)
                .status()
                .field(),
            "zeroDateMode");
  EXPECT_EQ(
      MysqlReaderOptions::Parse({{"column", {"*"}}, {"splitFactor", 0}}, false).status().field(),
      "splitFactor");
}

TEST(MysqlWriterOptions, ModesAndTheirCompanions) {
  auto o = MysqlWriterOptions::Parse({{"column", {"*"}},
                                      {"writeMode", "update"},
                                      {"updateColumn", {"price"}},
                                      {"nullMode", "skipNull"}});
  ASSERT_TRUE(o.ok()) << o.status().message();
  EXPECT_EQ(o->mode, MysqlWriteMode::kUpdate);
  EXPECT_TRUE(o->skip_null);
  EXPECT_EQ(o->batch_size, 1024);
  EXPECT_EQ(
      MysqlWriterOptions::Parse({{"column", {"*"}}, {"updateColumn", {"price"}}}).status().field(),
      "updateColumn");
  EXPECT_EQ(
      MysqlWriterOptions::Parse({{"column", {"*"}}, {"writeMode", "upsert"}}).status().field(),
      "writeMode");
  EXPECT_TRUE(o->bulk_load);
  EXPECT_FALSE(o->can_bulk_load());  // update: ON DUPLICATE KEY UPDATE needs INSERT
  auto plain = MysqlWriterOptions::Parse({{"column", {"*"}}});
  ASSERT_TRUE(plain.ok());
  EXPECT_TRUE(plain->can_bulk_load());
  EXPECT_EQ(MysqlWriterOptions::Parse({{"column", {"a", "*"}}}).status().field(), "column[1]");
}

}  // namespace
}  // namespace ferry
