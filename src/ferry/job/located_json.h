// LocatedJson: a parsed job file that remembers where every value and every object key stands
// in the original text, so that validation errors can say "file:line:col: json.path: ...".
//
// The parser is hand-written rather than nlohmann::json's own because nlohmann::json cannot
// report a position per value and refuses trailing commas. It is strict RFC 8259 JSON plus what
// DataX job files contain: `//` and `/* */` comments and trailing commas (`[1,2,]`, `{"a":1,}`).
// Duplicate keys, lone UTF-16 surrogates, invalid UTF-8 and raw control characters in strings
// are errors. A UTF-8 byte order mark at the start is skipped.
#pragma once

#include <cstddef>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "ferry/common/status.h"

namespace ferry {

// A place in the text: 1-based line and column. Lines end at "\n", "\r\n" or a lone "\r";
// columns count Unicode code points (so "中" is one column), a tab counts as one.
// {0, 0} means unknown.
struct SourcePos {
  int line = 0;
  int col = 0;
  friend bool operator==(const SourcePos&, const SourcePos&) = default;
};

namespace internal {
struct JsonPosNode;  // positions of one value and of its children, parallel to the JSON tree
}  // namespace internal

// Paths name a value the way a user reads it: "" is the root, then ".key" or "[index]" per
// level, e.g. "steps[0].parameter.splitPk". A key that is not an identifier
// ([A-Za-z_][A-Za-z0-9_]*) is written as a JSON string in brackets: a["x.y"]. Build paths with
// JoinPath / IndexPath so that they always match.
//
// Positions refer to the text as parsed: edits through mutable_value() do not move them.
// Copies share the (immutable) position table; a LocatedJson is safe to read from many threads.
class LocatedJson {
 public:
  LocatedJson() = default;  // a null value with no positions

  const nlohmann::ordered_json& value() const { return value_; }
  nlohmann::ordered_json& mutable_value() { return value_; }
  const std::string& file() const { return file_; }  // the file name used in messages

  // Position of the value at `path`, or of its nearest existing ancestor when the path does
  // not exist in the parsed text.
  SourcePos ValuePos(std::string_view path) const;
  // Position of the key of the object member at `path` (for "unknown key" errors); falls back
  // to ValuePos(path) when `path` is not an object member.
  SourcePos KeyPos(std::string_view path) const;

  // "file:line:col: path: message" for the value at `path`; the path part is omitted when
  // `path` is empty, the line:col part when the position is unknown. A `severity` ("warning")
  // stands after the position: "file:line:col: warning: path: message".
  std::string Format(std::string_view path, std::string_view message,
                     std::string_view severity = {}) const;
  // The same, pointing at the key of the member at `path`.
  std::string FormatKey(std::string_view path, std::string_view message,
                        std::string_view severity = {}) const;

 private:
  friend Result<LocatedJson> ParseLocatedJson(std::string_view text, std::string file_name);

  std::string FormatAt(SourcePos pos, std::string_view path, std::string_view message,
                       std::string_view severity) const;

  nlohmann::ordered_json value_;
  std::string file_;
  std::shared_ptr<const internal::JsonPosNode> positions_;
};

// Parses `text`; errors are InvalidArgument "FILE:LINE:COL: expected ..., found ...".
Result<LocatedJson> ParseLocatedJson(std::string_view text, std::string file_name);
// Reads and parses the file at `path` (also the name used in messages). NotFound when the file
// does not exist, IOError when it cannot be read; both name the file.
Result<LocatedJson> ReadLocatedJsonFile(const std::string& path);

// JoinPath("steps[0]", "parameter") -> "steps[0].parameter"; JoinPath("", "job") -> "job";
// JoinPath("a", "x.y") -> "a[\"x.y\"]".
std::string JoinPath(std::string_view parent, std::string_view key);
// IndexPath("column", 2) -> "column[2]"; IndexPath("", 0) -> "[0]".
std::string IndexPath(std::string_view parent, size_t index);

}  // namespace ferry
