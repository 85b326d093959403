// CsvParser: splits a window of bytes into records and fields, for both txtfile dialects:
// RFC 4180 csv (quoted fields, "" escapes, CR/LF inside quotes, CRLF or LF line ends) and
// PostgreSQL-style text (backslash escapes \t \n \r \\ \<delimiter>, \b \f \v; others kept).
// Contract: the caller keeps the window's bytes unchanged while it uses the ParsedRecord, and
// passes the rest of a record again, with more bytes, after kNeedMore.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "plugins/txtfile/byte_set.h"
#include "plugins/txtfile/dialect.h"

namespace ferry::txtfile {

// One record found by CsvParser. Field texts point into the parsed window or into the record's
// own scratch (unescaped fields), so they are valid until the next Parse or window move.
class ParsedRecord {
 public:
  size_t num_fields() const { return fields_.size(); }
  std::string_view field(size_t i) const {
    const Field& f = fields_[i];
    return {(f.in_scratch ? scratch_.data() : base_) + f.offset, f.size};
  }
  // The field was the null format, bare (csv) or before unescaping (text).
  bool is_null(size_t i) const { return fields_[i].is_null; }

  // The record's bytes as read, without its line end; for a malformed record, its first line.
  std::string_view raw() const { return raw_; }
  // Bytes to consume and line breaks they hold (the caller's line counter advances by these).
  size_t consumed() const { return consumed_; }
  int line_breaks() const { return line_breaks_; }
  // Why a kMalformed record was refused.
  const std::string& error() const { return error_; }

 private:
  friend class CsvParser;
  struct Field {
    uint32_t offset;
    uint32_t size;
    bool in_scratch;
    bool is_null;
  };

  std::vector<Field> fields_;
  std::string scratch_;
  const char* base_ = nullptr;
  std::string_view raw_;
  size_t consumed_ = 0;
  int line_breaks_ = 0;
  std::string error_;
};

class CsvParser {
 public:
  enum class Outcome {
    kRecord,     // a record: fields and raw() are set
    kBlank,      // an empty csv line, skipped
    kMalformed,  // an unterminated or misplaced quote: error() says why, raw() is the first line
    kNeedMore,   // the window ends inside a record: pass it again with more bytes
    kEnd,        // the window is empty and the input ended
  };

  explicit CsvParser(Dialect dialect);

  // Parses the record at the start of `window`. `at_eof`: no bytes follow the window.
  Outcome Parse(std::string_view window, bool at_eof, ParsedRecord* record) const;

  // Gives up on the record at the start of `window` (it grew too long): fills `record` as a
  // kMalformed one spanning its first line, with `reason`. kNeedMore when that line has no end.
  Outcome RefuseFirstLine(std::string_view window, bool at_eof, std::string reason,
                          ParsedRecord* record) const;

 private:
  Outcome ParseCsv(std::string_view window, bool at_eof, ParsedRecord* record) const;
  Outcome ParseText(std::string_view window, bool at_eof, ParsedRecord* record) const;
  // Makes the window's first line (without its line end) the record's raw text and returns
  // where that text ends; nullptr when the line is not complete yet and more input may come.
  static const char* TakeFirstLine(std::string_view window, bool at_eof, ParsedRecord* record);
  // Scans one text field starting at `p`, unescaping into the scratch when needed; returns the
  // position of the delimiter or `end`.
  const char* ScanTextField(const char* p, const char* end, ParsedRecord* record) const;
  void AddField(ParsedRecord* record, const char* begin, const char* end, bool may_be_null) const;
  bool IsNullFormat(const char* begin, const char* end) const;

  Dialect dialect_;
  ByteSet stops_;  // bytes that end an unquoted field
};

}  // namespace ferry::txtfile
