#include "ferry/plugin/sql/sql_split.h"

#include <gtest/gtest.h>

#include <limits>

namespace ferry {
namespace {

TEST(SqlSplitTest, EveryKindRoundTripsThroughJson) {
  for (const SqlSplitSpec& spec : PlanTableSplits(2, "s.t", "id", PkRange{-10, 10}, 3)) {
    auto back = SqlSplitSpec::FromJson(spec.ToJson());
    ASSERT_TRUE(back.ok()) << spec.ToJson().dump();
    EXPECT_EQ(back->ToJson(), spec.ToJson());
    EXPECT_EQ(back->source, 2);
  }
  SqlSplitSpec q;
  q.kind = SqlSplitSpec::Kind::kQuery;
  q.query = "select 1";
  EXPECT_EQ(SqlSplitSpec::FromJson(q.ToJson())->query, "select 1");
}

TEST(SqlSplitTest, RangesCoverBoundsThenNullSplit) {
  auto splits = PlanTableSplits(0, "t", "id", PkRange{-5, 4}, 3);
  ASSERT_EQ(splits.size(), 4u);
  EXPECT_EQ(splits[0].KeyCondition("\"id\""), "\"id\" >= -5 AND \"id\" <= -3");
  EXPECT_EQ(splits[2].hi, 4);
  EXPECT_EQ(splits[3].kind, SqlSplitSpec::Kind::kNullKey);
  EXPECT_EQ(splits[3].KeyCondition("`id`"), "`id` IS NULL");
}

TEST(SqlSplitTest, NoBoundsIsOneWholeTableSplit) {
  auto splits = PlanTableSplits(1, "t", "id", std::nullopt, 8);
  ASSERT_EQ(splits.size(), 1u);
  EXPECT_EQ(splits[0].kind, SqlSplitSpec::Kind::kTable);
  EXPECT_EQ(splits[0].KeyCondition("id"), "");
}

TEST(SqlSplitTest, Int64ExtremesStayLiteral) {
  constexpr int64_t kMin = std::numeric_limits<int64_t>::min();
  constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
  auto splits = PlanTableSplits(0, "t", "k", PkRange{kMin, kMax}, 2);
  EXPECT_EQ(splits[0].KeyCondition("k"), "k >= -9223372036854775808 AND k <= -1");
  EXPECT_EQ(splits[1].KeyCondition("k"), "k >= 0 AND k <= 9223372036854775807");
}

TEST(SqlSplitTest, WhereClauseJoinsUserConditionAndKey) {
  EXPECT_EQ(WhereClause("", ""), "");
  EXPECT_EQ(WhereClause("a = 1 OR b = 2", ""), " WHERE (a = 1 OR b = 2\n)");
  EXPECT_EQ(WhereClause("", "k IS NULL"), " WHERE k IS NULL");
  EXPECT_EQ(WhereClause("a = 1 OR b = 2", "k IS NULL"),
            " WHERE (a = 1 OR b = 2\n) AND (k IS NULL)");
}

TEST(SqlSplitTest, WhereEndingInACommentCannotSwallowWhatFollows) {
  EXPECT_EQ(WhereClause("a = 1 -- note", ""), " WHERE (a = 1 -- note\n)");
  EXPECT_EQ(WhereClause("a = 1 -- note", "k >= 1 AND k <= 9"),
            " WHERE (a = 1 -- note\n) AND (k >= 1 AND k <= 9)");
  EXPECT_EQ(WhereClause("a = 1 -- note\n", ""), " WHERE (a = 1 -- note\n\n)");
}

TEST(SqlSplitTest, MalformedSpecIsRejected) {
  EXPECT_FALSE(SqlSplitSpec::FromJson({{"source", 0}}).ok());
  EXPECT_FALSE(
      SqlSplitSpec::FromJson({{"table", "t"}, {"splitPk", "id"}, {"lo", 5}, {"hi", 1}}).ok());
}

}  // namespace
}  // namespace ferry
