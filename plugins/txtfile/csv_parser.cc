#include "plugins/txtfile/csv_parser.h"

#include <algorithm>
#include <cstring>

namespace ferry::txtfile {
namespace {

using Outcome = CsvParser::Outcome;

const char* FindByte(const char* begin, const char* end, char c) {
  return static_cast<const char*>(std::memchr(begin, c, static_cast<size_t>(end - begin)));
}

// The character a text-format escape stands for; 0 when the pair is kept as written.
char Unescape(char c, char delimiter) {
  switch (c) {
    case 't':
      return '\t';
    case 'n':
      return '\n';
    case 'r':
      return '\r';
    case 'b':
      return '\b';
    case 'f':
      return '\f';
    case 'v':
      return '\v';
    case '\\':
      return '\\';
    default:
      return c == delimiter ? c : 0;
  }
}

}  // namespace

CsvParser::CsvParser(Dialect dialect)
    : dialect_(std::move(dialect)),
      // csv fields end at the delimiter, LF or CR; text fields (within a line) at the delimiter
      // or a backslash.
      stops_(dialect_.format == FileFormat::kCsv ? ByteSet{dialect_.delimiter, '\n', '\r'}
                                                 : ByteSet{dialect_.delimiter, '\\'}) {}

CsvParser::Outcome CsvParser::Parse(std::string_view window, bool at_eof,
                                    ParsedRecord* record) const {
  record->fields_.clear();
  record->scratch_.clear();
  record->error_.clear();
  record->base_ = window.data();
  record->line_breaks_ = 0;
  if (window.empty()) return at_eof ? Outcome::kEnd : Outcome::kNeedMore;
  return dialect_.format == FileFormat::kCsv ? ParseCsv(window, at_eof, record)
                                             : ParseText(window, at_eof, record);
}

bool CsvParser::IsNullFormat(const char* begin, const char* end) const {
  size_t n = static_cast<size_t>(end - begin);
  return n == dialect_.null_format.size() &&
         std::memcmp(begin, dialect_.null_format.data(), n) == 0;
}

void CsvParser::AddField(ParsedRecord* record, const char* begin, const char* end,
                         bool may_be_null) const {
  record->fields_.push_back({static_cast<uint32_t>(begin - record->base_),
                             static_cast<uint32_t>(end - begin), false,
                             may_be_null && IsNullFormat(begin, end)});
}

const char* CsvParser::TakeFirstLine(std::string_view window, bool at_eof, ParsedRecord* record) {
  const char* begin = window.data();
  const char* end = begin + window.size();
  const char* lf = FindByte(begin, end, '\n');
  if (lf == nullptr && !at_eof) return nullptr;
  const char* line_end = lf != nullptr ? lf : end;
  record->consumed_ = static_cast<size_t>((lf != nullptr ? lf + 1 : end) - begin);
  record->line_breaks_ = lf != nullptr ? 1 : 0;
  if (line_end > begin && line_end[-1] == '\r') --line_end;
  record->raw_ = std::string_view(begin, static_cast<size_t>(line_end - begin));
  return line_end;
}

CsvParser::Outcome CsvParser::RefuseFirstLine(std::string_view window, bool at_eof,
                                              std::string reason, ParsedRecord* record) const {
  const char* line_end = TakeFirstLine(window, at_eof, record);
  if (line_end == nullptr) return Outcome::kNeedMore;
  record->fields_.clear();
  record->error_ = std::move(reason);
  return Outcome::kMalformed;
}

CsvParser::Outcome CsvParser::ParseCsv(std::string_view window, bool at_eof,
                                       ParsedRecord* record) const {
  const char* begin = window.data();
  const char* end = begin + window.size();
  const char* p = begin;
  int breaks = 0;
  bool blank = *p == '\n' || *p == '\r';
  for (;;) {
    if (blank) break;
    if (p < end && *p == '"') {
      const char* content = ++p;
      const char* segment = p;
      size_t scratch_start = record->scratch_.size();
      bool in_scratch = false;
      for (;;) {
        const char* q = FindByte(p, end, '"');
        if (q == nullptr) {
          if (!at_eof) return Outcome::kNeedMore;
          return RefuseFirstLine(window, at_eof, "unterminated quoted field", record);
        }
        if (q + 1 == end && !at_eof) return Outcome::kNeedMore;  // "" or the closing quote?
        if (q + 1 < end && q[1] == '"') {
          record->scratch_.append(segment, q + 1);
          in_scratch = true;
          p = segment = q + 2;
          continue;
        }
        breaks += static_cast<int>(std::count(content, q, '\n'));
        if (in_scratch) {
          record->scratch_.append(segment, q);
          record->fields_.push_back({static_cast<uint32_t>(scratch_start),
                                     static_cast<uint32_t>(record->scratch_.size() - scratch_start),
                                     true, false});
        } else {
          record->fields_.push_back({static_cast<uint32_t>(content - begin),
                                     static_cast<uint32_t>(q - content), false, false});
        }
        p = q + 1;
        break;
      }
    } else {
      const char* start = p;
      p = stops_.FindFirst(p, end);
      if (p == end && !at_eof) return Outcome::kNeedMore;
      AddField(record, start, p, true);
    }
    if (p == end) break;
    if (*p == dialect_.delimiter) {
      ++p;
      continue;
    }
    if (*p != '\n' && *p != '\r') {
      return RefuseFirstLine(window, at_eof, "unexpected character after a closing quote", record);
    }
    break;
  }
  // p is at the line end (LF, CR, CRLF) or at the end of the input.
  record->raw_ = std::string_view(begin, static_cast<size_t>(p - begin));
  if (p < end) {
    if (*p == '\r') {
      if (p + 1 == end && !at_eof) return Outcome::kNeedMore;  // CRLF split across reads
      if (p + 1 < end && p[1] == '\n') ++p;
    }
    ++p;
    ++breaks;
  }
  record->consumed_ = static_cast<size_t>(p - begin);
  record->line_breaks_ = breaks;
  return blank ? Outcome::kBlank : Outcome::kRecord;
}

CsvParser::Outcome CsvParser::ParseText(std::string_view window, bool at_eof,
                                        ParsedRecord* record) const {
  const char* begin = window.data();
  const char* line_end = TakeFirstLine(window, at_eof, record);
  if (line_end == nullptr) return Outcome::kNeedMore;
  for (const char* p = begin;; ++p) {
    p = ScanTextField(p, line_end, record);
    if (p == line_end) break;
  }
  return Outcome::kRecord;
}

const char* CsvParser::ScanTextField(const char* p, const char* end, ParsedRecord* record) const {
  const char* start = p;
  p = stops_.FindFirst(p, end);
  if (p == end || *p == dialect_.delimiter) {
    AddField(record, start, p, true);
    return p;
  }
  std::string& scratch = record->scratch_;
  size_t scratch_start = scratch.size();
  const char* segment = start;
  while (p < end && *p != dialect_.delimiter) {
    if (*p != '\\') {
      ++p;
      continue;
    }
    char c = p + 1 < end ? Unescape(p[1], dialect_.delimiter) : 0;
    if (c == 0) {  // kept as written: a lone trailing backslash or an unknown escape
      p += p + 1 < end ? 2 : 1;
      continue;
    }
    scratch.append(segment, p);
    scratch.push_back(c);
    p += 2;
    segment = p;
  }
  scratch.append(segment, p);
  record->fields_.push_back({static_cast<uint32_t>(scratch_start),
                             static_cast<uint32_t>(scratch.size() - scratch_start), true,
                             IsNullFormat(start, p)});
  return p;
}

}  // namespace ferry::txtfile
