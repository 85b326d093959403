#include "ferry/exec/dirty_log.h"

#include <fmt/format.h>

#include "ferry/types/convert.h"

namespace ferry {
namespace {

nlohmann::json ColumnJson(const Status& reason) {
  return reason.column().empty() ? nlohmann::json(nullptr) : nlohmann::json(reason.column());
}

std::string Dump(const nlohmann::json& j) {
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace

nlohmann::json ValueToJson(const Value& v) {
  switch (v.type) {
    case TypeId::kNull:
      return nullptr;
    case TypeId::kBool:
      return v.i != 0;
    case TypeId::kInt64:
      return v.i;
    case TypeId::kDouble:
      return v.d;
    case TypeId::kBytes: {
      std::string hex;
      AppendHex(v.text(), &hex);
      return hex;
    }
    default:
      return ValueText(v);
  }
}

std::string DirtyRecordLine(const std::string& split_id, const Status& reason, const Value* row,
                            size_t num_columns, int64_t attempt) {
  nlohmann::json record = nlohmann::json::array();
  for (size_t c = 0; c < num_columns; ++c) record.push_back(ValueToJson(row[c]));
  nlohmann::json line = {{"split", split_id},
                         {"reason", reason.message()},
                         {"column", ColumnJson(reason)},
                         {"record", record}};
  if (attempt > 0) line["attempt"] = attempt;
  return Dump(line);
}

std::string DirtyRawLine(const std::string& split_id, const Status& reason,
                         const std::string& where, const std::string& raw, int64_t attempt) {
  nlohmann::json line = {{"split", split_id},
                         {"reason", reason.message()},
                         {"column", ColumnJson(reason)},
                         {"where", where},
                         {"record", raw}};
  if (attempt > 0) line["attempt"] = attempt;
  return Dump(line);
}

DirtyLog::DirtyLog(std::string path, ErrorLimit limit, Metrics* metrics)
    : path_(std::move(path)), limit_(limit), metrics_(metrics) {}

DirtyLog::~DirtyLog() {
  if (file_ != nullptr) std::fclose(file_);
}

Status DirtyLog::AppendLines(const std::vector<std::string>& lines) {
  if (lines.empty()) return Status::OK();
  std::lock_guard lock(mu_);
  for (const std::string& line : lines) {
    if (samples_.size() < 5) samples_.push_back(line);
  }
  if (forward_) return forward_(lines);
  if (path_.empty()) return Status::OK();
  if (file_ == nullptr) {
    file_ = std::fopen(path_.c_str(), "a");
    if (file_ == nullptr) return Status::IOError("cannot write the dirty-record log " + path_);
  }
  for (const std::string& line : lines) {
    std::fputs(line.c_str(), file_);
    std::fputc('\n', file_);
  }
  std::fflush(file_);
  return Status::OK();
}

Status DirtyLog::Count() { return CheckLimit(++metrics_->dirty_records, false); }

void DirtyLog::Uncount(int64_t n) { metrics_->dirty_records -= n; }

Status DirtyLog::AddRecord(const std::string& split_id, const Status& reason, const Value* row,
                           size_t num_columns) {
  RETURN_NOT_OK(AppendLines({DirtyRecordLine(split_id, reason, row, num_columns)}));
  return Count();
}

Status DirtyLog::AddRaw(const std::string& split_id, const Status& reason, const std::string& where,
                        const std::string& raw) {
  RETURN_NOT_OK(AppendLines({DirtyRawLine(split_id, reason, where, raw)}));
  return Count();
}

Status DirtyLog::CheckLimit(int64_t dirty, bool final) const {
  if (limit_.records && dirty > *limit_.records) {
    return Status::FailedPrecondition(
        fmt::format("dirty-record limit passed: {} dirty records, errorLimit.record is {}", dirty,
                    *limit_.records));
  }
  if (limit_.percentage) {
    int64_t read = metrics_->records_read.load();
    double share = read > 0 ? static_cast<double>(dirty) / static_cast<double>(read) : 0;
    if ((final || read >= 10000) && share > *limit_.percentage) {
      return Status::FailedPrecondition(
          fmt::format("dirty-record limit passed: {} of {} records dirty ({:.4g}%), "
                      "errorLimit.percentage is {:.4g}%",
                      dirty, read, 100.0 * share, *limit_.percentage * 100));
    }
  }
  return Status::OK();
}

Status DirtyLog::Check() const { return CheckLimit(metrics_->dirty_records.load(), false); }

Status DirtyLog::CheckFinal() const { return CheckLimit(metrics_->dirty_records.load(), true); }

std::vector<std::string> DirtyLog::SampleReasons() const {
  std::lock_guard lock(mu_);
  std::vector<std::string> reasons;
  for (const std::string& line : samples_) {
    nlohmann::json j = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
    if (j.is_discarded() || !j.is_object()) continue;
    std::string reason = j.value("reason", "");
    if (j.contains("column") && j["column"].is_string()) {
      reason = "column " + j["column"].get<std::string>() + ": " + reason;
    }
    reasons.push_back("split " + j.value("split", "?") + ": " + reason);
  }
  return reasons;
}

Status SplitDirtyRecorder::Add(std::string line) {
  {
    std::lock_guard lock(mu_);
    lines_.push_back(std::move(line));
    ++count_;
  }
  return log_->Count();
}

Status SplitDirtyRecorder::AddRecord(const std::string& split_id, const Status& reason,
                                     const Value* row, size_t num_columns) {
  return Add(DirtyRecordLine(split_id, reason, row, num_columns, attempt_));
}

Status SplitDirtyRecorder::AddRaw(const std::string& split_id, const Status& reason,
                                  const std::string& where, const std::string& raw) {
  return Add(DirtyRawLine(split_id, reason, where, raw, attempt_));
}

int64_t SplitDirtyRecorder::count() const {
  std::lock_guard lock(mu_);
  return count_;
}

Status SplitDirtyRecorder::Flush() {
  std::vector<std::string> lines;
  {
    std::lock_guard lock(mu_);
    lines.swap(lines_);
    if (!lines.empty()) flushed_ = true;
  }
  return log_->AppendLines(lines);
}

bool SplitDirtyRecorder::Discard() {
  std::lock_guard lock(mu_);
  lines_.clear();
  log_->Uncount(count_);
  count_ = 0;
  return flushed_;
}

}  // namespace ferry
