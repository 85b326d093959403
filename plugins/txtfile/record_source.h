// RecordSource: the records of one txtfile file in order, with the line each starts on. It
// decompresses, skips a UTF-8 byte order mark and blank csv lines, and gives up on a record
// longer than max_record_bytes (reported as malformed) so memory stays bounded.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "plugins/txtfile/csv_parser.h"
#include "plugins/txtfile/input_window.h"
#include "plugins/txtfile/reader_options.h"

namespace ferry::txtfile {

class RecordSource {
 public:
  static constexpr size_t kMaxRecordBytes = 64 << 20;
  enum class Event { kRecord, kMalformed, kEnd };

  // NotFound/IOError naming the file when it cannot be opened.
  static Result<std::unique_ptr<RecordSource>> Open(const std::string& path,
                                                    const ReaderOptions& options,
                                                    size_t chunk = InputWindow::kDefaultChunk);

  // Moves to the next record. The record stays valid until the next call.
  Result<Event> Next();
  const ParsedRecord& record() const { return record_; }
  // The 1-based line the current record starts on.
  int64_t line() const { return line_; }
  const std::string& path() const { return path_; }
  // "path:line" of the current record, for dirty-record reports.
  std::string Where() const { return path_ + ":" + std::to_string(line_); }

 private:
  RecordSource(std::string path, const Dialect& dialect, std::unique_ptr<InputStream> input,
               size_t chunk);
  Status SkipByteOrderMark();

  std::string path_;
  CsvParser parser_;
  InputWindow window_;
  ParsedRecord record_;
  size_t pending_consume_ = 0;  // bytes of the current record, dropped by the next call
  int64_t line_ = 1;
  int64_t next_line_ = 1;
  bool started_ = false;
};

}  // namespace ferry::txtfile
