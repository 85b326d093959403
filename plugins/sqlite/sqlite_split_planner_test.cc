#include "plugins/sqlite/sqlite_split_planner.h"

#include <gtest/gtest.h>

#include <limits>

namespace ferry {
namespace {

using Kind = SqliteSplitSpec::Kind;
using nlohmann::json;
constexpr int64_t kMax = std::numeric_limits<int64_t>::max();

TEST(SqliteSplitPlannerTest, NoBoundsIsOneWholeTableSplit) {
  auto specs = PlanKeySplits("t", "id", std::nullopt, 10);
  ASSERT_EQ(specs.size(), 1u);
  EXPECT_EQ(specs[0].kind, Kind::kTable);
  EXPECT_EQ(KeyFilterFor(specs[0]).sql, "");
}

TEST(SqliteSplitPlannerTest, RangesThenOutside) {
  auto specs = PlanKeySplits("t", "id", PkRange{-10, 9}, 2);
  ASSERT_EQ(specs.size(), 3u);
  EXPECT_EQ(specs[0].ToJson(), json({{"table", "t"}, {"splitPk", "id"}, {"lo", -10}, {"hi", -1}}));
  EXPECT_EQ(specs[1].ToJson(), json({{"table", "t"}, {"splitPk", "id"}, {"lo", 0}, {"hi", 9}}));
  EXPECT_EQ(specs[2].ToJson(), json({{"table", "t"}, {"splitPk", "id"}, {"outside", {-10, 9}}}));
}

TEST(SqliteSplitPlannerTest, FiltersAreHalfOpenSoRealsBetweenIntegersAreKept) {
  auto specs = PlanKeySplits("t", "k", PkRange{0, 9}, 2);
  KeyFilter first = KeyFilterFor(specs[0]);
  EXPECT_EQ(first.sql, "\"k\" >= :ferry_lo AND \"k\" < :ferry_hi");
  EXPECT_EQ(first.lo, 0);
  EXPECT_EQ(first.hi, 5);  // [0, 4] reads 0 <= k < 5, so 4.5 is in it
  KeyFilter rest = KeyFilterFor(specs[2]);
  EXPECT_EQ(rest.sql, "\"k\" IS NULL OR \"k\" < :ferry_lo OR \"k\" >= :ferry_hi");
  EXPECT_EQ(rest.lo, 0);
  EXPECT_EQ(rest.hi, 10);
}

TEST(SqliteSplitPlannerTest, UpperEndAtInt64MaxIsInclusive) {
  auto specs = PlanKeySplits("t", "k", PkRange{kMax - 1, kMax}, 5);
  ASSERT_EQ(specs.size(), 3u);
  EXPECT_EQ(KeyFilterFor(specs[0]).sql, "\"k\" >= :ferry_lo AND \"k\" < :ferry_hi");
  EXPECT_EQ(KeyFilterFor(specs[0]).hi, kMax);
  KeyFilter last = KeyFilterFor(specs[1]);
  EXPECT_EQ(last.sql, "\"k\" >= :ferry_lo AND \"k\" <= :ferry_hi");
  EXPECT_EQ(last.hi, kMax);
  KeyFilter rest = KeyFilterFor(specs[2]);
  EXPECT_EQ(rest.sql, "\"k\" IS NULL OR \"k\" < :ferry_lo OR \"k\" > :ferry_hi");
}

TEST(SqliteSplitPlannerTest, KeyIsQuoted) {
  auto specs = PlanKeySplits("t", "we\"ird", PkRange{1, 1}, 1);
  EXPECT_EQ(KeyFilterFor(specs[0]).sql, "\"we\"\"ird\" >= :ferry_lo AND \"we\"\"ird\" < :ferry_hi");
}

TEST(SqliteSplitPlannerTest, JsonRoundTrip) {
  std::vector<SqliteSplitSpec> specs = PlanKeySplits("t", "id", PkRange{INT64_MIN, kMax}, 3);
  specs.push_back({Kind::kQuery, "", "", "SELECT 1", 0, 0});
  specs.push_back({Kind::kTable, "u", "", "", 0, 0});
  for (const SqliteSplitSpec& s : specs) {
    auto back = SqliteSplitSpec::FromJson(s.ToJson());
    ASSERT_TRUE(back.ok()) << s.ToJson().dump();
    EXPECT_EQ(back->ToJson(), s.ToJson());
    EXPECT_EQ(back->kind, s.kind);
  }
}

TEST(SqliteSplitPlannerTest, RefusesForeignSpecs) {
  EXPECT_FALSE(SqliteSplitSpec::FromJson(json({{"file", "a.csv"}})).ok());
  EXPECT_FALSE(
      SqliteSplitSpec::FromJson(json({{"table", "t"}, {"splitPk", "k"}, {"lo", 5}, {"hi", 1}}))
          .ok());
  EXPECT_FALSE(SqliteSplitSpec::FromJson(json({{"table", 3}})).ok());
}

}  // namespace
}  // namespace ferry
