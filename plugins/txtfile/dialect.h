// Dialect: how records are laid out in a txtfile file, shared by the reader and the writer.
// `csv` is RFC 4180 (quotes, "" escapes); `text` is PostgreSQL's text format (no quoting,
// backslash escapes \t \n \r \\). NULL is written as, and read from, `null_format`.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "ferry/common/status.h"

namespace ferry::txtfile {

enum class FileFormat { kCsv, kText };

struct Dialect {
  FileFormat format = FileFormat::kCsv;
  char delimiter = ',';
  std::string null_format = "\\N";
};

// Reads fileFormat, fieldDelimiter, nullFormat and encoding from a step's `parameter`.
// Errors are InvalidArgument and carry the parameter name as their field.
Result<Dialect> ParseDialect(const nlohmann::json& param);

// One delimiter character from its job spelling: ",", "|", "\t" (tab, or the two characters
// backslash t), "\u0001" (the character, or the six characters), "\001" (octal).
Result<char> ParseFieldDelimiter(std::string_view text, FileFormat format);

// OK for UTF-8 in any common spelling; InvalidArgument otherwise (only UTF-8 is supported).
Status CheckEncoding(std::string_view encoding);

}  // namespace ferry::txtfile
