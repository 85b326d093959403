// Test helpers for the txtfile plugin: a DirtySink that records every call, a scratch
// directory removed at the end of a test, and shortcuts to run the reader and the writer.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <sstream>
#include <string>
#include <vector>

#include "ferry/plugin/dirty_sink.h"
#include "ferry/plugin/task_context.h"
#include "ferry/types/convert.h"
#include "plugins/txtfile/txtfile_reader.h"
#include "plugins/txtfile/txtfile_writer.h"

namespace ferry::txtfile::testing {

// Records dirty calls; fails (like an errorLimit) once more than `limit` were added.
class RecordingDirtySink : public DirtySink {
 public:
  struct Call {
    std::string split_id;
    Status reason;
    std::string where;  // AddRaw only
    std::string raw;    // AddRaw: the text; AddRecord: the row's values joined by '|'
    bool raw_call;
  };

  explicit RecordingDirtySink(size_t limit = SIZE_MAX) : limit_(limit) {}

  Status AddRecord(const std::string& split_id, const Status& reason, const Value* row,
                   size_t num_columns) override {
    std::string text;
    for (size_t c = 0; c < num_columns; ++c) {
      if (c > 0) text += "|";
      text += row[c].is_null() ? "NULL" : ValueText(row[c]);
    }
    return Add({split_id, reason, "", text, false});
  }
  Status AddRaw(const std::string& split_id, const Status& reason, const std::string& where,
                const std::string& raw) override {
    return Add({split_id, reason, where, raw, true});
  }

  std::vector<Call> calls() const {
    std::lock_guard lock(mu_);
    return calls_;
  }

 private:
  Status Add(Call call) {
    std::lock_guard lock(mu_);
    calls_.push_back(std::move(call));
    if (calls_.size() > limit_) return Status::DataError("dirty record limit passed");
    return Status::OK();
  }

  size_t limit_;
  mutable std::mutex mu_;
  std::vector<Call> calls_;
};

// A fresh directory under /tmp, removed with everything in it when the test ends.
class TempDir {
 public:
  TempDir() {
    std::string templ = (std::filesystem::temp_directory_path() / "txtfile_test.XXXXXX").string();
    path_ = ::mkdtemp(templ.data());
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  const std::string& path() const { return path_; }
  std::string File(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

inline void WriteFile(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary);
  out << bytes;
}

inline std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

inline std::vector<std::string> ListDir(const std::string& dir) {
  std::vector<std::string> names;
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    names.push_back(e.path().filename().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

inline bool PathExistsForTest(const std::string& path) { return std::filesystem::exists(path); }

// A cell as text for comparisons: NULL, or "<type>:<canonical text>" (bytes in hex).
inline std::string CellText(const Value& v) { return v.is_null() ? "NULL" : TypedText(v); }

// Everything a reader run produced.
struct ReadResult {
  Status status;
  std::vector<ColumnInfo> columns;
  std::vector<std::vector<std::string>> rows;  // CellText of each cell
  std::vector<RecordingDirtySink::Call> dirty;
};

// Prepares a reader with `param` and reads every split with small batches.
inline ReadResult ReadAll(const nlohmann::json& param, size_t dirty_limit = SIZE_MAX) {
  ReadResult result;
  TxtfileReader reader;
  StepContext step;
  step.parameter = &param;
  step.step_name = "Reader";
  result.status = reader.Prepare(step);
  if (!result.status.ok()) return result;
  result.columns = reader.OutputColumns();
  auto splits = reader.PlanSplits(1);
  if (!splits.ok()) {
    result.status = splits.status();
    return result;
  }
  RecordingDirtySink sink(dirty_limit);
  for (const Split& split : *splits) {
    auto task = reader.OpenTask(split);
    if (!task.ok()) {
      result.status = task.status();
      break;
    }
    TaskContext ctx;
    ctx.split = &split;
    ctx.dirty = &sink;
    RecordBatch batch(result.columns.size());
    bool more = true;
    while (more && result.status.ok()) {
      batch.Reset(result.columns.size());
      auto next = (*task)->Next(&batch, 3, ctx);
      if (!next.ok()) {
        result.status = next.status();
        break;
      }
      more = *next;
      for (size_t r = 0; r < batch.num_rows(); ++r) {
        std::vector<std::string> row;
        for (size_t c = 0; c < batch.num_columns(); ++c) row.push_back(CellText(batch.at(r, c)));
        result.rows.push_back(std::move(row));
      }
    }
    if (!result.status.ok()) break;
  }
  result.dirty = sink.calls();
  return result;
}

// Runs a writer over `splits`, each a batch, committing them all, then Finalize(true).
inline Status WriteAll(const nlohmann::json& param, const std::vector<ColumnInfo>& columns,
                       const std::vector<std::pair<std::string, const RecordBatch*>>& splits,
                       bool resuming = false) {
  TxtfileWriter writer;
  StepContext step;
  step.parameter = &param;
  step.step_name = "Writer";
  RETURN_NOT_OK(writer.Prepare(step, columns));
  RETURN_NOT_OK(writer.Start(resuming));
  std::vector<std::string> committed;
  for (const auto& [id, batch] : splits) {
    Split split;
    split.id = id;
    ASSIGN_OR_RETURN(auto task, writer.OpenTask(split));
    RETURN_NOT_OK(task->Begin());
    RETURN_NOT_OK(task->Write(*batch, 0, batch->num_rows()));
    RETURN_NOT_OK(task->Commit({}));
    committed.push_back(id);
  }
  return writer.Finalize(true, committed);
}

}  // namespace ferry::txtfile::testing
