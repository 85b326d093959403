#include "ferry/verify/canonical_row.h"

#include <gtest/gtest.h>

#include <cmath>

namespace ferry::verify {
namespace {

std::string Canon(const Value& v) {
  std::string out;
  AppendCanonical(v, &out);
  return out;
}

TEST(CanonicalRow, DecimalsCompareByValue) {
  EXPECT_EQ(NormalizeDecimal("12.3400"), "12.34");
  EXPECT_EQ(NormalizeDecimal("-0.00"), "0");
  EXPECT_EQ(NormalizeDecimal("100"), "100");
  EXPECT_EQ(NormalizeDecimal("100.0"), "100");
  EXPECT_EQ(NormalizeDecimal("-0.500"), "-0.5");
  EXPECT_EQ(Canon(Value::View(TypeId::kDecimal, "5.00")), Canon(Value::Int64(5)));
  EXPECT_NE(Canon(Value::View(TypeId::kDecimal, "5.01")), Canon(Value::Int64(5)));
}

TEST(CanonicalRow, NullIsNotEmptyText) {
  EXPECT_NE(Canon(Value::Null()), Canon(Value::View(TypeId::kString, "")));
  EXPECT_NE(Canon(Value::View(TypeId::kString, "")), Canon(Value::View(TypeId::kBytes, "")));
}

TEST(CanonicalRow, FloatsAreBitExact) {
  double x = 0.3;
  EXPECT_NE(Canon(Value::Double(x)), Canon(Value::Double(std::nextafter(x, 1.0))));
  EXPECT_NE(Canon(Value::Double(0.0)), Canon(Value::Double(-0.0)));
  EXPECT_EQ(Canon(Value::Double(0.1 + 0.2)), Canon(Value::Double(0.1 + 0.2)));
}

TEST(CanonicalRow, TimestampsToTheMicrosecond) {
  EXPECT_NE(Canon(Value::Timestamp(1'000'000)), Canon(Value::Timestamp(1'000'001)));
  EXPECT_NE(Canon(Value::Timestamp(0)), Canon(Value::TimestampTz(0)));
}

TEST(CanonicalRow, CellBoundariesCannotShift) {
  // ("ab", "c") and ("a", "bc") must not encode alike.
  std::string x =
      Canon(Value::View(TypeId::kString, "ab")) + Canon(Value::View(TypeId::kString, "c"));
  std::string y =
      Canon(Value::View(TypeId::kString, "a")) + Canon(Value::View(TypeId::kString, "bc"));
  EXPECT_NE(x, y);
  EXPECT_NE(HashBytes(x).a, HashBytes(y).a);
}

TEST(CanonicalRow, DisplayShowsWhatDiffers) {
  EXPECT_EQ(DisplayValue(Value::Null()), "NULL");
  EXPECT_EQ(DisplayValue(Value::View(TypeId::kString, "it's")), "'it''s'");
  EXPECT_EQ(DisplayValue(Value::Int64(42)), "42");
  EXPECT_NE(DisplayValue(Value::Double(0.3)),
            DisplayValue(Value::Double(std::nextafter(0.3, 1.0))));
}

}  // namespace
}  // namespace ferry::verify
