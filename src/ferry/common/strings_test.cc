#include "ferry/common/strings.h"

#include <gtest/gtest.h>

namespace ferry {
namespace {

TEST(PercentDecodeTest, DecodesEscapesAndLeavesBrokenOnesAsWritten) {
  EXPECT_EQ(PercentDecode("p%40ss%2Fw%3ard"), "p@ss/w:rd");
  EXPECT_EQ(PercentDecode("%e4%b8%ad"), "中");
  EXPECT_EQ(PercentDecode("100%"), "100%");
  EXPECT_EQ(PercentDecode("%4"), "%4");
  EXPECT_EQ(PercentDecode("%zz%41"), "%zzA");
}

TEST(ReplaceAllTest, ReplacesEveryOccurrenceAndNotWhatItBroughtIn) {
  EXPECT_EQ(ReplaceAll("delete from @table where x in (select x from @table)", "@table", "s.t"),
            "delete from s.t where x in (select x from s.t)");
  EXPECT_EQ(ReplaceAll("@t@t", "@t", "@t@t"), "@t@t@t@t");
  EXPECT_EQ(ReplaceAll("no placeholder", "@table", "t"), "no placeholder");
  EXPECT_EQ(ReplaceAll("abc", "", "x"), "abc");
}

TEST(TrimRightTest, DropsOnlyTheGivenTrailingCharacters) {
  EXPECT_EQ(TrimRight("connection refused\n \n", "\n "), "connection refused");
  EXPECT_EQ(TrimRight(" a b\t", "\n "), " a b\t");
  EXPECT_EQ(TrimRight("\n\n", "\n "), "");
}

}  // namespace
}  // namespace ferry
