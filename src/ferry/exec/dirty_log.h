// DirtyLog: the engine's DirtySink. Each refused record becomes one line of dirty.jsonl in the
// run directory ({"split","reason","column","record"} plus "where" for unparsable source lines),
// is counted, and is checked against errorLimit. Thread-safe.
#pragma once

#include <cstdio>
#include <functional>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "ferry/exec/metrics.h"
#include "ferry/plugin/dirty_sink.h"

namespace ferry {

struct ErrorLimit {
  std::optional<int64_t> records;    // fail once dirty > records
  std::optional<double> percentage;  // fail once dirty/read > percentage (from 10,000 read on)
};

class DirtyLog : public DirtySink {
 public:
  // `path` empty: records are counted but not kept (ferry check never writes). `metrics` must
  // outlive the log.
  DirtyLog(std::string path, ErrorLimit limit, Metrics* metrics);
  ~DirtyLog() override;

  Status AddRecord(const std::string& split_id, const Status& reason, const Value* row,
                   size_t num_columns) override;
  Status AddRaw(const std::string& split_id, const Status& reason, const std::string& where,
                const std::string& raw) override;

  // Counts one more dirty record and checks the limit (the per-split recorder calls this).
  Status Count();
  // Undoes the count of records whose split attempt was rolled back and will be retried.
  void Uncount(int64_t n);
  // Appends finished lines to dirty.jsonl.
  Status AppendLines(const std::vector<std::string>& lines);
  // The limit check the engine runs at the end (percentage is only final then).
  Status CheckFinal() const;
  // The limit check of a running job, against the figures in `metrics` (a distributed
  // coordinator runs it as the counts of its hosts arrive).
  Status Check() const;
  // Sends finished lines to `forward` instead of dirty.jsonl (a distributed worker's lines go
  // to its coordinator, which owns the file). Set before the first line.
  void ForwardLinesTo(std::function<Status(const std::vector<std::string>&)> forward) {
    forward_ = std::move(forward);
  }
  const std::string& path() const { return path_; }
  // The reasons of the first (up to 5) dirty records logged, "split 0003: column x: reason",
  // for the summary.
  std::vector<std::string> SampleReasons() const;

 private:
  Status Append(const std::string& line);
  Status CheckLimit(int64_t dirty, bool final) const;

  std::string path_;
  ErrorLimit limit_;
  Metrics* metrics_;
  mutable std::mutex mu_;
  std::FILE* file_ = nullptr;
  std::vector<std::string> samples_;
  std::function<Status(const std::vector<std::string>&)> forward_;
};

// A JSON value for one cell, as dirty.jsonl and `print` show it.
nlohmann::json ValueToJson(const Value& v);
// One dirty.jsonl line; `attempt` (from 1) says which attempt of the split found the record,
// 0 leaves it out.
std::string DirtyRecordLine(const std::string& split_id, const Status& reason, const Value* row,
                            size_t num_columns, int64_t attempt = 0);
std::string DirtyRawLine(const std::string& split_id, const Status& reason,
                         const std::string& where, const std::string& raw, int64_t attempt = 0);

// The DirtySink of one split attempt: counts at once (so errorLimit stops the job at once) but
// keeps the lines until the attempt is about to commit or ends, each tagged with the attempt,
// so the records of an attempt that was rolled back can be dropped from dirty.jsonl.
// Thread-safe: the attempt's reader and writer report into it at the same time.
class SplitDirtyRecorder : public DirtySink {
 public:
  SplitDirtyRecorder(DirtyLog* log, int64_t attempt) : log_(log), attempt_(attempt) {}
  Status AddRecord(const std::string& split_id, const Status& reason, const Value* row,
                   size_t num_columns) override;
  Status AddRaw(const std::string& split_id, const Status& reason, const std::string& where,
                const std::string& raw) override;
  // Records reported by this attempt so far.
  int64_t count() const;
  // The attempt commits next, or failed for good: the lines so far go to dirty.jsonl.
  Status Flush();
  // The attempt was rolled back and will be retried: takes its records' count back. Returns
  // whether some of its lines already went to dirty.jsonl (they are to be dropped there).
  bool Discard();

 private:
  Status Add(std::string line);

  DirtyLog* log_;
  const int64_t attempt_;
  mutable std::mutex mu_;
  std::vector<std::string> lines_;  // not yet flushed
  int64_t count_ = 0;               // all of the attempt's records
  bool flushed_ = false;
};

}  // namespace ferry
