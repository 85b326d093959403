#include "plugins/txtfile/dialect.h"

#include <algorithm>
#include <cctype>

#include "ferry/common/strings.h"
#include "ferry/plugin/step_context.h"

namespace ferry::txtfile {
namespace {

Result<FileFormat> ParseFileFormat(std::string_view text) {
  std::string lower = ToLower(text);
  if (lower == "csv") return FileFormat::kCsv;
  if (lower == "text") return FileFormat::kText;
  return Status::InvalidArgument("\"" + std::string(text) +
                                 "\" is not a file format; use csv or text")
      .WithField("fileFormat");
}

// "\u0001" -> 0x01, "\001" -> 0x01; only single-byte (ASCII) characters.
bool ParseEscapedCharacter(std::string_view text, char* out) {
  int base = 0;
  std::string_view digits;
  if (text.size() == 6 && (text.substr(0, 2) == "\\u" || text.substr(0, 2) == "\\U")) {
    base = 16;
    digits = text.substr(2);
  } else if (text.size() == 4 && text[0] == '\\') {
    base = 8;
    digits = text.substr(1);
  } else {
    return false;
  }
  int value = 0;
  for (char c : digits) {
    const int d = HexDigitValue(c);  // >= base for a digit of a larger base
    if (d < 0 || d >= base) return false;
    value = value * base + d;
  }
  if (value <= 0 || value >= 0x80) return false;
  *out = static_cast<char>(value);
  return true;
}

}  // namespace

Result<char> ParseFieldDelimiter(std::string_view text, FileFormat format) {
  char c = 0;
  if (text.size() == 1) {
    c = text[0];
  } else if (text == "\\t") {
    c = '\t';
  } else if (!ParseEscapedCharacter(text, &c)) {
    return Status::InvalidArgument("\"" + std::string(text) +
                                   "\" is not one single-byte character (write a tab as \"\\t\", "
                                   "Hive's ^A as \"\\u0001\")")
        .WithField("fieldDelimiter");
  }
  if (c == '\n' || c == '\r' || c == '\0' || static_cast<unsigned char>(c) >= 0x80) {
    return Status::InvalidArgument("a line break, NUL or non-ASCII byte cannot separate fields")
        .WithField("fieldDelimiter");
  }
  if (format == FileFormat::kCsv && c == '"') {
    return Status::InvalidArgument("the quote character cannot separate csv fields")
        .WithField("fieldDelimiter");
  }
  if (format == FileFormat::kText && c == '\\') {
    return Status::InvalidArgument("the backslash escapes text fields and cannot separate them")
        .WithField("fieldDelimiter");
  }
  return c;
}

Status CheckEncoding(std::string_view encoding) {
  std::string lower = ToLower(encoding);
  if (lower == "utf-8" || lower == "utf8") return Status::OK();
  return Status::InvalidArgument("encoding \"" + std::string(encoding) +
                                 "\" is not supported: only UTF-8 is (convert the file first, "
                                 "e.g. iconv -f GBK -t UTF-8)")
      .WithField("encoding");
}

Result<Dialect> ParseDialect(const nlohmann::json& param) {
  Dialect d;
  RETURN_NOT_OK(CheckEncoding(ParamOr<std::string>(param, "encoding", "UTF-8")));
  ASSIGN_OR_RETURN(d.format, ParseFileFormat(ParamOr<std::string>(param, "fileFormat", "csv")));
  ASSIGN_OR_RETURN(d.delimiter, ParseFieldDelimiter(
                                    ParamOr<std::string>(param, "fieldDelimiter", ","), d.format));
  d.null_format = ParamOr<std::string>(param, "nullFormat", "\\N");
  if (d.null_format.find_first_of("\r\n") != std::string::npos ||
      d.null_format.find(d.delimiter) != std::string::npos) {
    return Status::InvalidArgument("nullFormat cannot hold a line break or the field delimiter")
        .WithField("nullFormat");
  }
  return d;
}

}  // namespace ferry::txtfile
