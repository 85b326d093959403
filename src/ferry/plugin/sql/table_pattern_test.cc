#include "ferry/plugin/sql/table_pattern.h"

#include <gtest/gtest.h>

namespace ferry {
namespace {

using ::testing::ElementsAre;

TEST(TablePatternTest, PlainNameIsKept) {
  EXPECT_THAT(*ExpandTablePattern("public.orders"), ElementsAre("public.orders"));
}

TEST(TablePatternTest, RangeExpandsInclusive) {
  EXPECT_THAT(*ExpandTablePattern("s.t_[8-11]"), ElementsAre("s.t_8", "s.t_9", "s.t_10", "s.t_11"));
}

TEST(TablePatternTest, ZeroPaddedRangeKeepsWidth) {
  auto names = *ExpandTablePattern("t_[00-15]");
  ASSERT_EQ(names.size(), 16u);
  EXPECT_EQ(names.front(), "t_00");
  EXPECT_EQ(names[9], "t_09");
  EXPECT_EQ(names.back(), "t_15");
}

TEST(TablePatternTest, TwoRangesExpandLeftToRight) {
  EXPECT_THAT(*ExpandTablePattern("db_[0-1].t_[1-2]"),
              ElementsAre("db_0.t_1", "db_0.t_2", "db_1.t_1", "db_1.t_2"));
}

TEST(TablePatternTest, QuotedNamesAreNotExpanded) {
  EXPECT_THAT(*ExpandTablePattern("\"odd[0-1]\""), ElementsAre("\"odd[0-1]\""));
  EXPECT_THAT(*ExpandTablePattern("`odd[0-1]`"), ElementsAre("`odd[0-1]`"));
}

TEST(TablePatternTest, BadRangesAreErrors) {
  EXPECT_EQ(ExpandTablePattern("t_[5-1]").status().message(),
            "table 't_[5-1]': range [5-1] runs backwards");
  EXPECT_NE(ExpandTablePattern("t_[0-").status().message().find("unclosed '['"), std::string::npos);
  EXPECT_NE(ExpandTablePattern("t_[a-b]").status().message().find("is not a range"),
            std::string::npos);
  EXPECT_NE(ExpandTablePattern("t_[0-999999]").status().message().find("more than 100,000"),
            std::string::npos);
}

TEST(TablePatternTest, NameListedTwiceIsAnError) {
  auto r = ExpandTablePatterns({"t_[0-3]", "t_2"});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), "table t_2 is listed twice; its rows would be read twice");
}

}  // namespace
}  // namespace ferry
