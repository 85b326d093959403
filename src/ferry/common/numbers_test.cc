#include "ferry/common/numbers.h"

#include <gtest/gtest.h>

namespace ferry {
namespace {

TEST(ParseInt64Test, ReadsWholeNumbersAndExtremes) {
  EXPECT_EQ(*ParseInt64("42", "port"), 42);
  EXPECT_EQ(*ParseInt64("-7", "port"), -7);
  EXPECT_EQ(*ParseInt64("9223372036854775807", "n"), INT64_MAX);
  EXPECT_EQ(*ParseInt64("-9223372036854775808", "n"), INT64_MIN);
}

TEST(ParseInt64Test, RejectsTextThatIsNotAWholeNumberNamingTheField) {
  for (const char* bad : {"", " 42", "42 ", "42abc", "4.2", "+", "abc"}) {
    Result<int64_t> r = ParseInt64(bad, "offset");
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
    EXPECT_EQ(r.status().message(), std::string("offset: \"") + bad + "\" is not a whole number");
  }
}

TEST(ParseInt64Test, RejectsOutOfRangeValues) {
  Result<int64_t> r = ParseInt64("9223372036854775808", "n");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), "n: \"9223372036854775808\" is out of range");
}

TEST(ParseInt32Test, RejectsValuesBeyondInt32) {
  EXPECT_EQ(*ParseInt32("-2147483648", "typmod"), INT32_MIN);
  EXPECT_FALSE(ParseInt32("2147483648", "typmod").ok());
}

TEST(ParseUint32Test, RejectsNegativeAndOversizedValues) {
  EXPECT_EQ(*ParseUint32("4294967295", "oid"), UINT32_MAX);
  EXPECT_FALSE(ParseUint32("-1", "oid").ok());
  EXPECT_FALSE(ParseUint32("4294967296", "oid").ok());
}

TEST(ParseHexByteTest, ReadsTwoHexDigitsOnly) {
  EXPECT_EQ(*ParseHexByte("2F", "escape"), 0x2F);
  EXPECT_EQ(*ParseHexByte("ff", "escape"), 0xFF);
  EXPECT_FALSE(ParseHexByte("F", "escape").ok());
  EXPECT_FALSE(ParseHexByte("G0", "escape").ok());
  EXPECT_FALSE(ParseHexByte("-1", "escape").ok());
}

}  // namespace
}  // namespace ferry
