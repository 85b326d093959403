// SHA-256 of a byte string as 64 lowercase hex digits (OpenSSL's libcrypto): how a run
// directory remembers which job file it ran, so that a resume can refuse a changed one.
#pragma once

#include <string>
#include <string_view>

namespace ferry {

std::string Sha256Hex(std::string_view bytes);

}  // namespace ferry
