// Canonical row encoding for `ferry verify` (README "Verifying a job"): a typed, engine-neutral
// byte form of a value, so that the same logical row hashes alike whichever database or reader
// produced it, and a row that differs in any bit of meaning hashes differently.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "ferry/types/value.h"

namespace ferry::verify {

// Appends the canonical form of `v`: a class tag, a 4-byte length and the payload.
// Classes: NULL; number (int64, bool and decimal by value: "5" == "5.00" == int 5);
// float (the IEEE-754 bits, so 0.1 and its neighbour differ); text (UTF-8 bytes, '' is not
// NULL); bytes (exact); date (days); time, timestamp and timestamptz (microseconds).
void AppendCanonical(const Value& v, std::string* out);

// A decimal's text reduced to its value: no trailing fractional zeros, no "-0".
std::string NormalizeDecimal(std::string_view text);

// A 128-bit hash of canonical bytes, as two 64-bit halves.
struct RowHash {
  uint64_t a = 0;
  uint64_t b = 0;
};
RowHash HashBytes(std::string_view bytes);

// A value as the verify report shows it: NULL, 'text' (quoted, so '' is visible), floats with
// their bits, others in their canonical text.
std::string DisplayValue(const Value& v);

}  // namespace ferry::verify
