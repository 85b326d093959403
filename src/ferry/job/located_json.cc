#include "ferry/job/located_json.h"

#include <cerrno>
#include <charconv>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <string>
#include <system_error>
#include <unordered_map>
#include <utility>
#include <vector>

#include "ferry/common/strings.h"

namespace ferry {

namespace internal {

// Arrays keep one child per element; objects one child per member, in text order, and an index
// from key to child.
struct JsonPosNode {
  SourcePos value_pos;
  SourcePos key_pos;  // only for object members
  std::vector<JsonPosNode> children;
  std::unordered_map<std::string, size_t> member_index;
};

}  // namespace internal

namespace {

using internal::JsonPosNode;
using Json = nlohmann::ordered_json;

constexpr int kMaxDepth = 256;
constexpr size_t kMaxWordInMessage = 24;

bool IsAsciiLetter(unsigned char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool IsDigit(unsigned char c) { return c >= '0' && c <= '9'; }
bool IsWordChar(unsigned char c) { return IsAsciiLetter(c) || IsDigit(c) || c == '_'; }
bool IsContinuationByte(unsigned char c) { return (c & 0xC0) == 0x80; }

std::string Hex(uint32_t value, int width) {
  char buf[16];
  std::snprintf(buf, sizeof(buf), "%0*X", width, static_cast<unsigned>(value));
  return buf;
}

std::string CodePointName(uint32_t cp) { return "U+" + Hex(cp, 4); }

void AppendUtf8(std::string* out, uint32_t cp) {
  if (cp < 0x80) {
    out->push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out->push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out->push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out->push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

// Length of the well-formed UTF-8 sequence at the start of `s` (Unicode table 3-7), or 0.
size_t Utf8SequenceLength(std::string_view s) {
  auto byte = [&](size_t i) -> unsigned {
    return i < s.size() ? static_cast<unsigned char>(s[i]) : 0;
  };
  const unsigned lead = byte(0);
  unsigned lo = 0x80, hi = 0xBF;
  size_t len = 0;
  if (lead >= 0xC2 && lead <= 0xDF) {
    len = 2;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    len = 3;
    if (lead == 0xE0) lo = 0xA0;
    if (lead == 0xED) hi = 0x9F;  // no UTF-16 surrogates
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    len = 4;
    if (lead == 0xF0) lo = 0x90;
    if (lead == 0xF4) hi = 0x8F;  // nothing above U+10FFFF
  } else {
    return 0;
  }
  if (byte(1) < lo || byte(1) > hi) return 0;
  for (size_t i = 2; i < len; ++i) {
    if (!IsContinuationByte(static_cast<unsigned char>(byte(i)))) return 0;
  }
  return len;
}

uint32_t DecodeUtf8(std::string_view s, size_t len) {
  const auto b = [&](size_t i) { return static_cast<uint32_t>(static_cast<unsigned char>(s[i])); };
  if (len == 2) return ((b(0) & 0x1F) << 6) | (b(1) & 0x3F);
  if (len == 3) return ((b(0) & 0x0F) << 12) | ((b(1) & 0x3F) << 6) | (b(2) & 0x3F);
  return ((b(0) & 0x07) << 18) | ((b(1) & 0x3F) << 12) | ((b(2) & 0x3F) << 6) | (b(3) & 0x3F);
}

bool IsIdentifier(std::string_view s) {
  if (s.empty() || IsDigit(static_cast<unsigned char>(s[0]))) return false;
  for (char c : s) {
    if (!IsWordChar(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

// The one-letter JSON escapes: `\n` in the text stands for a newline, and so on.
constexpr std::string_view kEscapeLetters = "\"\\/bfnrt";
constexpr std::string_view kEscapedChars = "\"\\/\b\f\n\r\t";

// A JSON string literal for `s`: quotes, backslashes and control characters escaped, other bytes
// kept as they are.
std::string JsonQuote(std::string_view s) {
  std::string out = "\"";
  for (char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    const size_t escape = ch == '/' ? std::string_view::npos : kEscapedChars.find(ch);
    if (escape != std::string_view::npos) {
      out += '\\';
      out += kEscapeLetters[escape];
    } else if (c < 0x20 || c == 0x7F) {
      out += "\\u" + Hex(c, 4);
    } else {
      out += ch;
    }
  }
  out += '"';
  return out;
}

// True when the decimal number `token` (valid JSON syntax) has a magnitude above 1, i.e. a
// double out-of-range result is an overflow rather than an underflow.
bool IsHugeMagnitude(std::string_view token) {
  size_t i = token[0] == '-' ? 1 : 0;
  int64_t first_digit_exponent = 0;  // decimal exponent of the first non-zero digit, before `e`
  bool found_nonzero = false;
  int64_t int_digits = 0;
  for (; i < token.size() && IsDigit(static_cast<unsigned char>(token[i])); ++i) {
    if (!found_nonzero && token[i] != '0') found_nonzero = true;
    if (found_nonzero) ++int_digits;
  }
  if (found_nonzero) first_digit_exponent = int_digits - 1;
  if (i < token.size() && token[i] == '.') {
    int64_t place = 0;
    for (++i; i < token.size() && IsDigit(static_cast<unsigned char>(token[i])); ++i) {
      --place;
      if (!found_nonzero && token[i] != '0') {
        found_nonzero = true;
        first_digit_exponent = place;
      }
    }
  }
  int64_t exponent = 0;
  if (i < token.size() && (token[i] == 'e' || token[i] == 'E')) {
    ++i;
    bool negative = false;
    if (token[i] == '+' || token[i] == '-') negative = token[i++] == '-';
    for (; i < token.size(); ++i) {
      if (exponent < 1'000'000'000) exponent = exponent * 10 + (token[i] - '0');
    }
    if (negative) exponent = -exponent;
  }
  return first_digit_exponent + exponent > 0;
}

// Recursive-descent parser over the whole text. Every method leaves pos_/cur_ just past what it
// consumed; errors carry the position of the thing they name.
class Parser {
 public:
  Parser(std::string_view text, const std::string& file) : text_(text), file_(file) {}

  Status ParseDocument(Json* out, JsonPosNode* node) {
    if (text_.substr(0, 3) == "\xEF\xBB\xBF") pos_ = 3;  // byte order mark: not a column
    if (text_.find_first_not_of(" \t\r\n", pos_) == std::string_view::npos) {
      return Error({1, 1}, "empty file, expected a JSON object");
    }
    RETURN_NOT_OK(SkipSpace());
    RETURN_NOT_OK(ParseValue(0, "a JSON value", out, node));
    RETURN_NOT_OK(SkipSpace());
    if (!AtEnd()) {
      return Error(cur_, "expected end of file after the JSON value, found " + Describe());
    }
    return Status::OK();
  }

  // For paths: parses one JSON string literal at the start of the text.
  Status ParseStringOnly(std::string* out) {
    if (Peek() != '"') return Status::InvalidArgument("expected '\"'");
    return ParseString(out);
  }
  size_t offset() const { return pos_; }

 private:
  bool AtEnd() const { return pos_ >= text_.size(); }
  // The byte `ahead` bytes on, or -1 past the end.
  int Peek(size_t ahead = 0) const {
    return pos_ + ahead < text_.size() ? static_cast<unsigned char>(text_[pos_ + ahead]) : -1;
  }

  void Advance() {
    const auto c = static_cast<unsigned char>(text_[pos_++]);
    if (c == '\n' || (c == '\r' && Peek() != '\n')) {
      ++cur_.line;
      cur_.col = 1;
    } else if (c != '\r' && !IsContinuationByte(c)) {
      ++cur_.col;
    }
  }

  Status Error(SourcePos at, std::string_view message) const {
    return Status::InvalidArgument(file_ + ":" + std::to_string(at.line) + ":" +
                                   std::to_string(at.col) + ": " + std::string(message));
  }

  // The run of [A-Za-z0-9_] at the current position.
  std::string_view Word() const {
    size_t end = pos_;
    while (end < text_.size() && IsWordChar(static_cast<unsigned char>(text_[end]))) ++end;
    return text_.substr(pos_, end - pos_);
  }

  // What stands at the current position, for "found ..." in messages: the whole word when
  // `whole_word` and the text reads like a bare word, else one character.
  std::string Describe(bool whole_word = true) const {
    if (AtEnd()) return "end of file";
    const auto c = static_cast<unsigned char>(text_[pos_]);
    if (whole_word && (IsAsciiLetter(c) || c == '_')) {
      const std::string_view word = Word();
      if (word.size() > kMaxWordInMessage) {
        return "'" + std::string(word.substr(0, kMaxWordInMessage)) + "...'";
      }
      return "'" + std::string(word) + "'";
    }
    if (c < 0x20 || c == 0x7F) return "control character " + CodePointName(c);
    if (c == '\'') return "\"'\"";
    if (c < 0x80) return std::string("'") + static_cast<char>(c) + "'";
    const size_t len = Utf8SequenceLength(text_.substr(pos_));
    if (len == 0) return "byte 0x" + Hex(c, 2);
    return "'" + std::string(text_.substr(pos_, len)) + "' (" +
           CodePointName(DecodeUtf8(text_.substr(pos_), len)) + ")";
  }

  // Whitespace and comments.
  Status SkipSpace() {
    while (!AtEnd()) {
      const int c = Peek();
      if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
        Advance();
      } else if (c == '/') {
        RETURN_NOT_OK(SkipComment());
      } else {
        break;
      }
    }
    return Status::OK();
  }

  Status SkipComment() {
    const SourcePos start = cur_;
    Advance();
    if (Peek() == '/') {
      while (!AtEnd() && Peek() != '\n' && Peek() != '\r') Advance();
      return Status::OK();
    }
    if (Peek() != '*') {
      return Error(cur_, "expected '/' or '*' after '/' to start a comment, found " + Describe());
    }
    Advance();
    while (!AtEnd()) {
      if (Peek() == '*' && Peek(1) == '/') {
        Advance();
        Advance();
        return Status::OK();
      }
      Advance();
    }
    return Error(start, "unterminated comment, expected '*/' to close the comment opened here");
  }

  // `expected` names what may stand here, e.g. "a JSON value or ']'".
  Status ParseValue(int depth, std::string_view expected, Json* out, JsonPosNode* node) {
    node->value_pos = cur_;
    const int c = Peek();
    if (c == '{' || c == '[') {
      if (depth >= kMaxDepth) {
        return Error(cur_, "expected at most " + std::to_string(kMaxDepth) +
                               " nested arrays and objects, found deeper nesting");
      }
      return c == '{' ? ParseObject(depth, out, node) : ParseArray(depth, out, node);
    }
    if (c == '"') {
      std::string s;
      RETURN_NOT_OK(ParseString(&s));
      *out = std::move(s);
      return Status::OK();
    }
    if (c == '-' || IsDigit(static_cast<unsigned char>(c))) return ParseNumber(out);
    if (c >= 0 && IsAsciiLetter(static_cast<unsigned char>(c))) {
      const std::string_view word = Word();
      if (word == "true" || word == "false" || word == "null") {
        *out = word == "null" ? Json(nullptr) : Json(word == "true");
        for (size_t i = 0; i < word.size(); ++i) Advance();
        return Status::OK();
      }
    }
    return Error(cur_, "expected " + std::string(expected) + ", found " + Describe() + ValueHint());
  }

  // A hint for common non-JSON values, or "".
  std::string ValueHint() const {
    const int c = Peek();
    if (c == '\'') return " (JSON strings are written in double quotes)";
    if (c < 0 || !IsAsciiLetter(static_cast<unsigned char>(c))) return "";
    const std::string_view word = Word();
    if (word == "True" || word == "TRUE" || word == "False" || word == "FALSE" || word == "Null" ||
        word == "NULL" || word == "None" || word == "nil") {
      return " (JSON literals are lowercase: true, false, null)";
    }
    if (word == "NaN" || word == "Infinity") return " (JSON has no NaN or Infinity)";
    for (std::string_view literal : {"true", "false", "null"}) {
      if (literal.starts_with(word) || word.starts_with(literal)) return "";  // a typo
    }
    return " (JSON strings are written in double quotes)";
  }

  // After a member or element, text that starts a value means a ',' was left out (the most
  // common mistake in a hand-edited job file).
  std::string MissingCommaNote() const {
    if (AtEnd()) return "";
    const auto c = static_cast<unsigned char>(text_[pos_]);
    if (c == '"' || c == '{' || c == '[' || c == '-' || IsDigit(c) || IsAsciiLetter(c)) {
      return "; is a ',' missing before it?";
    }
    return "";
  }

  // On EOF inside a container, says where the container opened.
  std::string UnclosedNote(std::string_view what, SourcePos open) const {
    if (!AtEnd()) return "";
    return " (the " + std::string(what) + " opened at " + std::to_string(open.line) + ":" +
           std::to_string(open.col) + " is not closed)";
  }

  Status ParseObject(int depth, Json* out, JsonPosNode* node) {
    const SourcePos open = cur_;
    *out = Json::object();
    // ordered_map::emplace searches linearly; the key index below already rules out duplicates,
    // so members are appended to the underlying vector directly.
    auto& members = static_cast<Json::object_t::Container&>(out->get_ref<Json::object_t&>());
    Advance();
    RETURN_NOT_OK(SkipSpace());
    if (Peek() == '}') {
      Advance();
      return Status::OK();
    }
    bool after_comma = false;
    while (true) {
      if (Peek() != '"') {
        std::string hint;
        if (Peek() == '\'' || (Peek() >= 0 && IsAsciiLetter(static_cast<unsigned char>(Peek())))) {
          hint = " (object keys are written in double quotes)";
        }
        return Error(cur_, std::string("expected a string key or '}'") +
                               (after_comma ? " after ','" : "") + ", found " + Describe() + hint +
                               UnclosedNote("object", open));
      }
      const SourcePos key_pos = cur_;
      std::string key;
      RETURN_NOT_OK(ParseString(&key));
      if (auto it = node->member_index.find(key); it != node->member_index.end()) {
        const SourcePos first = node->children[it->second].key_pos;
        return Error(key_pos, "duplicate key " + JsonQuote(key) + ", first defined at line " +
                                  std::to_string(first.line) + ", column " +
                                  std::to_string(first.col) + "; expected each key once");
      }
      RETURN_NOT_OK(SkipSpace());
      if (Peek() != ':') {
        return Error(cur_, "expected ':' after object key, found " + Describe() +
                               UnclosedNote("object", open));
      }
      Advance();
      RETURN_NOT_OK(SkipSpace());
      JsonPosNode& child = node->children.emplace_back();
      child.key_pos = key_pos;
      Json value;
      RETURN_NOT_OK(ParseValue(depth + 1, "a JSON value", &value, &child));
      node->member_index.emplace(key, node->children.size() - 1);
      members.emplace_back(std::move(key), std::move(value));
      RETURN_NOT_OK(SkipSpace());
      if (Peek() == ',') {
        Advance();
        RETURN_NOT_OK(SkipSpace());
        if (Peek() == '}') break;  // trailing comma
        after_comma = true;
        continue;
      }
      if (Peek() == '}') break;
      return Error(cur_, "expected ',' or '}' after object member, found " + Describe() +
                             MissingCommaNote() + UnclosedNote("object", open));
    }
    Advance();
    return Status::OK();
  }

  Status ParseArray(int depth, Json* out, JsonPosNode* node) {
    const SourcePos open = cur_;
    *out = Json::array();
    Advance();
    RETURN_NOT_OK(SkipSpace());
    bool after_comma = false;
    while (Peek() != ']') {
      if (Peek() == ',' || AtEnd()) {
        return Error(cur_, std::string("expected a JSON value or ']'") +
                               (after_comma ? " after ','" : "") + ", found " + Describe() +
                               UnclosedNote("array", open));
      }
      JsonPosNode& child = node->children.emplace_back();
      Json value;
      RETURN_NOT_OK(ParseValue(depth + 1, "a JSON value or ']'", &value, &child));
      out->push_back(std::move(value));
      RETURN_NOT_OK(SkipSpace());
      if (Peek() == ',') {
        Advance();
        RETURN_NOT_OK(SkipSpace());
        after_comma = true;  // a ']' next is a trailing comma
        continue;
      }
      if (Peek() != ']') {
        return Error(cur_, "expected ',' or ']' after array element, found " + Describe() +
                               MissingCommaNote() + UnclosedNote("array", open));
      }
    }
    Advance();
    return Status::OK();
  }

  Status ParseString(std::string* out) {
    const SourcePos start = cur_;
    const auto unterminated = [&](std::string_view where) {
      return Error(start, "unterminated string, expected a closing '\"' " + std::string(where));
    };
    Advance();
    while (true) {
      if (AtEnd()) return unterminated("before the end of file");
      const auto c = static_cast<unsigned char>(text_[pos_]);
      if (c == '"') {
        Advance();
        return Status::OK();
      }
      if (c == '\\') {
        RETURN_NOT_OK(ParseEscape(start, out));
      } else if (c == '\n' || c == '\r') {
        return unterminated("before the end of the line");
      } else if (c < 0x20) {
        return Error(cur_, "expected control characters in strings to be escaped, found raw " +
                               CodePointName(c) + (c == '\t' ? " (tab; write \\t)" : ""));
      } else if (c < 0x80) {
        out->push_back(static_cast<char>(c));
        Advance();
      } else {
        const size_t len = Utf8SequenceLength(text_.substr(pos_));
        if (len == 0) return InvalidUtf8();
        out->append(text_.substr(pos_, len));
        for (size_t i = 0; i < len; ++i) Advance();
      }
    }
  }

  Status InvalidUtf8() const {
    std::string bytes = "0x" + Hex(static_cast<unsigned char>(text_[pos_]), 2);
    for (size_t i = pos_ + 1; i < text_.size() && i < pos_ + 4; ++i) {
      const auto b = static_cast<unsigned char>(text_[i]);
      if (!IsContinuationByte(b)) break;
      bytes += " 0x" + Hex(b, 2);
    }
    return Error(cur_, "expected UTF-8 text in string, found invalid byte sequence " + bytes);
  }

  // At a backslash inside a string.
  Status ParseEscape(SourcePos string_start, std::string* out) {
    const SourcePos esc = cur_;
    Advance();
    if (AtEnd()) {
      return Error(string_start,
                   "unterminated string, expected a closing '\"' before the end of file");
    }
    const char e = text_[pos_];
    if (const size_t simple = kEscapeLetters.find(e); simple != std::string_view::npos) {
      out->push_back(kEscapedChars[simple]);
      Advance();
      return Status::OK();
    }
    if (e != 'u') {
      return Error(
          esc, "expected an escape (\\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX) after '\\', found " +
                   Describe(false) + " (write a backslash as \\\\)");
    }
    Advance();
    uint32_t cp = 0;
    RETURN_NOT_OK(ParseHex4(&cp));
    if (cp >= 0xDC00 && cp <= 0xDFFF) {
      return Error(esc, "expected a high surrogate \\uD800-\\uDBFF before low surrogate \\u" +
                            Hex(cp, 4) + ", found it unpaired");
    }
    if (cp >= 0xD800 && cp <= 0xDBFF) {
      const auto unpaired = [&](const std::string& found) {
        return Error(esc, "expected a low surrogate \\uDC00-\\uDFFF after high surrogate \\u" +
                              Hex(cp, 4) + ", found " + found);
      };
      if (Peek() != '\\' || Peek(1) != 'u') return unpaired(Describe());
      Advance();
      Advance();
      uint32_t low = 0;
      RETURN_NOT_OK(ParseHex4(&low));
      if (low < 0xDC00 || low > 0xDFFF) return unpaired("\\u" + Hex(low, 4));
      cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
    }
    AppendUtf8(out, cp);
    return Status::OK();
  }

  // After "\u".
  Status ParseHex4(uint32_t* cp) {
    for (int i = 0; i < 4; ++i) {
      const int h = AtEnd() ? -1 : HexDigitValue(text_[pos_]);
      if (h < 0) return Error(cur_, "expected 4 hex digits after '\\u', found " + Describe(false));
      *cp = *cp * 16 + static_cast<uint32_t>(h);
      Advance();
    }
    return Status::OK();
  }

  void SkipDigits() {
    while (Peek() >= 0 && IsDigit(static_cast<unsigned char>(Peek()))) Advance();
  }

  Status ParseNumber(Json* out) {
    const SourcePos start = cur_;
    const size_t begin = pos_;
    const bool negative = Peek() == '-';
    if (negative) Advance();
    if (Peek() == '0') {
      Advance();
      if (Peek() >= 0 && IsDigit(static_cast<unsigned char>(Peek()))) {
        SkipDigits();
        return Error(start, "expected a number without leading zeros, found '" +
                                std::string(text_.substr(begin, pos_ - begin)) + "'");
      }
    } else if (Peek() >= 0 && IsDigit(static_cast<unsigned char>(Peek()))) {
      SkipDigits();
    } else {
      return Error(cur_, "expected a digit after '-', found " + Describe());
    }
    bool integral = true;
    if (Peek() == '.') {
      integral = false;
      Advance();
      if (Peek() < 0 || !IsDigit(static_cast<unsigned char>(Peek()))) {
        return Error(cur_, "expected a digit after '.' in number, found " + Describe());
      }
      SkipDigits();
    }
    if (Peek() == 'e' || Peek() == 'E') {
      integral = false;
      Advance();
      if (Peek() == '+' || Peek() == '-') Advance();
      if (Peek() < 0 || !IsDigit(static_cast<unsigned char>(Peek()))) {
        return Error(cur_, "expected a digit in the exponent of number, found " + Describe());
      }
      SkipDigits();
    }
    const std::string_view token = text_.substr(begin, pos_ - begin);
    const char* first = token.data();
    const char* last = token.data() + token.size();
    if (integral) {
      int64_t i = 0;
      if (std::from_chars(first, last, i).ec == std::errc()) {
        *out = i;
        return Status::OK();
      }
      uint64_t u = 0;
      if (!negative && std::from_chars(first, last, u).ec == std::errc()) {
        *out = u;
        return Status::OK();
      }
    }
    double d = 0;
    const auto [ptr, ec] = std::from_chars(first, last, d);
    if (ec == std::errc::result_out_of_range) {
      if (IsHugeMagnitude(token)) {
        return Error(start, "expected a number within the range of a double, found '" +
                                std::string(token) + "'");
      }
      d = negative ? -0.0 : 0.0;
    } else if (ec != std::errc() || ptr != last) {
      return Error(start, "internal error: cannot convert number '" + std::string(token) + "'");
    }
    *out = d;
    return Status::OK();
  }

  std::string_view text_;
  const std::string& file_;
  size_t pos_ = 0;
  SourcePos cur_{1, 1};
};

struct PathPart {
  bool is_index = false;
  size_t index = 0;
  std::string key;
};

// Splits as much of `path` as is well formed; the rest is ignored, so a malformed path resolves
// to its longest valid prefix. After a '.', any run of characters up to '.' or '[' is a key.
std::vector<PathPart> SplitPath(std::string_view path) {
  static const std::string kNoFile;
  std::vector<PathPart> parts;
  size_t i = 0;
  while (i < path.size()) {
    PathPart part;
    if (path[i] == '[') {
      ++i;
      if (i < path.size() && path[i] == '"') {
        Parser parser(path.substr(i), kNoFile);
        if (!parser.ParseStringOnly(&part.key).ok()) break;
        i += parser.offset();
      } else {
        const auto [ptr, ec] =
            std::from_chars(path.data() + i, path.data() + path.size(), part.index);
        if (ec != std::errc()) break;
        part.is_index = true;
        i = static_cast<size_t>(ptr - path.data());
      }
      if (i >= path.size() || path[i] != ']') break;
      ++i;
    } else {
      if (!parts.empty()) {
        if (path[i] != '.') break;
        ++i;
      }
      const size_t end = path.find_first_of(".[", i);
      part.key = std::string(path.substr(i, end == std::string_view::npos ? end : end - i));
      if (part.key.empty()) break;
      i = end == std::string_view::npos ? path.size() : end;
    }
    parts.push_back(std::move(part));
  }
  return parts;
}

// The deepest node along `path`; *complete tells whether all of it exists.
const JsonPosNode* Resolve(const JsonPosNode& root, std::string_view path, bool* complete,
                           bool* ends_in_key) {
  const JsonPosNode* node = &root;
  *complete = true;
  *ends_in_key = false;
  for (const PathPart& part : SplitPath(path)) {
    if (part.is_index) {
      if (!node->member_index.empty() || part.index >= node->children.size()) {
        *complete = false;
        break;
      }
      node = &node->children[part.index];
      *ends_in_key = false;
    } else {
      const auto it = node->member_index.find(part.key);
      if (it == node->member_index.end()) {
        *complete = false;
        break;
      }
      node = &node->children[it->second];
      *ends_in_key = true;
    }
  }
  return node;
}

}  // namespace

SourcePos LocatedJson::ValuePos(std::string_view path) const {
  if (positions_ == nullptr) return {};
  bool complete = false;
  bool ends_in_key = false;
  return Resolve(*positions_, path, &complete, &ends_in_key)->value_pos;
}

SourcePos LocatedJson::KeyPos(std::string_view path) const {
  if (positions_ == nullptr) return {};
  bool complete = false;
  bool ends_in_key = false;
  const JsonPosNode* node = Resolve(*positions_, path, &complete, &ends_in_key);
  return complete && ends_in_key ? node->key_pos : node->value_pos;
}

std::string LocatedJson::Format(std::string_view path, std::string_view message,
                                std::string_view severity) const {
  return FormatAt(ValuePos(path), path, message, severity);
}

std::string LocatedJson::FormatKey(std::string_view path, std::string_view message,
                                   std::string_view severity) const {
  return FormatAt(KeyPos(path), path, message, severity);
}

std::string LocatedJson::FormatAt(SourcePos pos, std::string_view path, std::string_view message,
                                  std::string_view severity) const {
  std::string out = file_;
  if (pos.line > 0) out += ":" + std::to_string(pos.line) + ":" + std::to_string(pos.col);
  out += ": ";
  if (!severity.empty()) {
    out += severity;
    out += ": ";
  }
  if (!path.empty()) {
    out += path;
    out += ": ";
  }
  out += message;
  return out;
}

Result<LocatedJson> ParseLocatedJson(std::string_view text, std::string file_name) {
  LocatedJson located;
  located.file_ = std::move(file_name);
  auto positions = std::make_shared<JsonPosNode>();
  Parser parser(text, located.file_);
  RETURN_NOT_OK(parser.ParseDocument(&located.value_, positions.get()));
  located.positions_ = std::move(positions);
  return located;
}

Result<LocatedJson> ReadLocatedJsonFile(const std::string& path) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) {
    return Status::IOError("cannot read '" + path + "': it is a directory, expected a JSON file");
  }
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (f == nullptr) {
    const int err = errno;
    std::string message = "cannot open '" + path + "': " + std::strerror(err);
    if (err == ENOENT) return Status::NotFound(std::move(message));
    return Status::IOError(std::move(message));
  }
  std::string text;
  char buf[64 * 1024];
  size_t n = 0;
  while ((n = std::fread(buf, 1, sizeof(buf), f)) > 0) text.append(buf, n);
  const bool failed = std::ferror(f) != 0;
  const int err = errno;
  std::fclose(f);
  if (failed) return Status::IOError("cannot read '" + path + "': " + std::strerror(err));
  return ParseLocatedJson(text, path);
}

std::string JoinPath(std::string_view parent, std::string_view key) {
  std::string out(parent);
  if (IsIdentifier(key)) {
    if (!out.empty()) out += ".";
    out += key;
  } else {
    out += "[" + JsonQuote(key) + "]";
  }
  return out;
}

std::string IndexPath(std::string_view parent, size_t index) {
  return std::string(parent) + "[" + std::to_string(index) + "]";
}

}  // namespace ferry
