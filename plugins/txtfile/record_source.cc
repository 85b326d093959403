#include "plugins/txtfile/record_source.h"

namespace ferry::txtfile {

RecordSource::RecordSource(std::string path, const Dialect& dialect,
                           std::unique_ptr<InputStream> input, size_t chunk)
    : path_(std::move(path)), parser_(dialect), window_(std::move(input), chunk) {}

Result<std::unique_ptr<RecordSource>> RecordSource::Open(const std::string& path,
                                                         const ReaderOptions& options,
                                                         size_t chunk) {
  ASSIGN_OR_RETURN(auto input, OpenInputFile(path, options.CompressionFor(path)));
  return std::unique_ptr<RecordSource>(
      new RecordSource(path, options.dialect, std::move(input), chunk));
}

Status RecordSource::SkipByteOrderMark() {
  RETURN_NOT_OK(window_.FillAtLeast(3));
  if (window_.data().starts_with("\xEF\xBB\xBF")) window_.Consume(3);
  return Status::OK();
}

Result<RecordSource::Event> RecordSource::Next() {
  if (!started_) {
    started_ = true;
    RETURN_NOT_OK(SkipByteOrderMark());
  }
  window_.Consume(pending_consume_);
  pending_consume_ = 0;
  for (;;) {
    std::string_view data = window_.data();
    CsvParser::Outcome outcome = parser_.Parse(data, window_.at_eof(), &record_);
    if (outcome == CsvParser::Outcome::kNeedMore && data.size() > kMaxRecordBytes) {
      outcome = parser_.RefuseFirstLine(
          data, window_.at_eof(), "record longer than 64 MiB (an unterminated quote?)", &record_);
      if (outcome == CsvParser::Outcome::kNeedMore) {  // not even one line end: drop the lot
        outcome = parser_.RefuseFirstLine(data, true, "line longer than 64 MiB", &record_);
      }
    }
    switch (outcome) {
      case CsvParser::Outcome::kNeedMore:
        RETURN_NOT_OK(window_.Fill());
        continue;
      case CsvParser::Outcome::kEnd:
        return Event::kEnd;
      case CsvParser::Outcome::kBlank:
        window_.Consume(record_.consumed());
        next_line_ += record_.line_breaks();
        continue;
      case CsvParser::Outcome::kRecord:
      case CsvParser::Outcome::kMalformed:
        pending_consume_ = record_.consumed();
        line_ = next_line_;
        next_line_ += record_.line_breaks();
        return outcome == CsvParser::Outcome::kRecord ? Event::kRecord : Event::kMalformed;
    }
  }
}

}  // namespace ferry::txtfile
