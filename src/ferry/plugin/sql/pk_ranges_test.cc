#include "ferry/plugin/sql/pk_ranges.h"

#include <gtest/gtest.h>

#include <limits>

namespace ferry {
namespace {

constexpr int64_t kMin = std::numeric_limits<int64_t>::min();
constexpr int64_t kMax = std::numeric_limits<int64_t>::max();

// Checks the contract: ascending, contiguous, exact cover, widths within one of each other.
void ExpectExactCover(const std::vector<PkRange>& ranges, int64_t min, int64_t max) {
  ASSERT_FALSE(ranges.empty());
  EXPECT_EQ(ranges.front().lo, min);
  EXPECT_EQ(ranges.back().hi, max);
  unsigned __int128 narrowest = ~static_cast<unsigned __int128>(0), widest = 0;
  for (size_t i = 0; i < ranges.size(); ++i) {
    ASSERT_LE(ranges[i].lo, ranges[i].hi) << i;
    if (i > 0) {
      ASSERT_LT(ranges[i - 1].hi, ranges[i].lo) << i;
      ASSERT_EQ(static_cast<__int128>(ranges[i - 1].hi) + 1, ranges[i].lo) << i;
    }
    auto width = static_cast<unsigned __int128>(static_cast<__int128>(ranges[i].hi) - ranges[i].lo);
    narrowest = std::min(narrowest, width);
    widest = std::max(widest, width);
  }
  EXPECT_LE(widest - narrowest, 1u);
}

TEST(PkRangesTest, EvenSmallRange) {
  auto r = CutPkRanges(1, 100, 4);
  EXPECT_EQ(r, (std::vector<PkRange>{{1, 25}, {26, 50}, {51, 75}, {76, 100}}));
}

TEST(PkRangesTest, UnevenRangeDiffersByAtMostOne) {
  auto r = CutPkRanges(0, 9, 3);
  ExpectExactCover(r, 0, 9);
  EXPECT_EQ(r.size(), 3u);
}

TEST(PkRangesTest, SingleKeyGivesOneRange) {
  EXPECT_EQ(CutPkRanges(42, 42, 20), (std::vector<PkRange>{{42, 42}}));
}

TEST(PkRangesTest, FewerKeysThanPiecesGivesOneRangePerKey) {
  auto r = CutPkRanges(-2, 2, 100);
  EXPECT_EQ(r, (std::vector<PkRange>{{-2, -2}, {-1, -1}, {0, 0}, {1, 1}, {2, 2}}));
}

TEST(PkRangesTest, NegativeKeys) {
  auto r = CutPkRanges(-1000, -1, 7);
  ExpectExactCover(r, -1000, -1);
  EXPECT_EQ(r.size(), 7u);
}

TEST(PkRangesTest, StraddlingZero) {
  auto r = CutPkRanges(-5, 4, 2);
  EXPECT_EQ(r, (std::vector<PkRange>{{-5, -1}, {0, 4}}));
}

TEST(PkRangesTest, WholeInt64Domain) {
  auto r = CutPkRanges(kMin, kMax, 4);
  EXPECT_EQ(r, (std::vector<PkRange>{{kMin, -4611686018427387905LL},
                                     {-4611686018427387904LL, -1},
                                     {0, 4611686018427387903LL},
                                     {4611686018427387904LL, kMax}}));
}

TEST(PkRangesTest, WholeDomainOddPieces) {
  for (int64_t pieces : {1, 3, 7, 1000}) {
    auto r = CutPkRanges(kMin, kMax, pieces);
    EXPECT_EQ(r.size(), static_cast<size_t>(pieces));
    ExpectExactCover(r, kMin, kMax);
  }
}

TEST(PkRangesTest, NearTheEdges) {
  ExpectExactCover(CutPkRanges(kMax - 10, kMax, 3), kMax - 10, kMax);
  ExpectExactCover(CutPkRanges(kMin, kMin + 10, 3), kMin, kMin + 10);
  EXPECT_EQ(CutPkRanges(kMax, kMax, 5), (std::vector<PkRange>{{kMax, kMax}}));
  EXPECT_EQ(CutPkRanges(kMin, kMin, 5), (std::vector<PkRange>{{kMin, kMin}}));
  EXPECT_EQ(CutPkRanges(kMin, kMin + 1, 5),
            (std::vector<PkRange>{{kMin, kMin}, {kMin + 1, kMin + 1}}));
}

TEST(PkRangesTest, SkewedBoundsStillEvenWidths) {
  // Keys 1..10 plus one outlier at 10^15: ranges are even in key space, not in rows; the
  // planner's contract is exact coverage, and the outlier lands in the last range.
  auto r = CutPkRanges(1, 1'000'000'000'000'000LL, 20);
  ExpectExactCover(r, 1, 1'000'000'000'000'000LL);
  EXPECT_EQ(r.size(), 20u);
}

TEST(PkRangesTest, HugePieceCountOnNarrowRange) {
  auto r = CutPkRanges(0, 2, std::numeric_limits<int64_t>::max());
  EXPECT_EQ(r.size(), 3u);
}

TEST(PkRangesTest, PiecesPerTable) {
  EXPECT_EQ(PiecesPerTable(4, 5, 1), 20);
  EXPECT_EQ(PiecesPerTable(4, 5, 3), 7);
  EXPECT_EQ(PiecesPerTable(1, 1, 10), 1);
  EXPECT_EQ(PiecesPerTable(0, 0, 0), 1);
}

}  // namespace
}  // namespace ferry
