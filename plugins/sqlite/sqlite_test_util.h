// Test helpers for the sqlite plugin: a temporary database file, SQL to set it up and read it
// back, a DirtySink that records every call, and a small copy loop that drives a reader and a
// writer the way the engine does (one transaction per split, bisecting refused ranges).
#pragma once

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <stdlib.h>

#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "ferry/plugin/dirty_sink.h"
#include "ferry/plugin/reader.h"
#include "ferry/plugin/writer.h"
#include "ferry/types/convert.h"

namespace ferry::sqlite_test {

// A database file in a fresh temporary directory, removed with the directory at the end.
class TempDb {
 public:
  explicit TempDb(const std::string& name = "test.db") {
    char tmpl[] = "/tmp/ferry_sqlite_XXXXXX";
    dir_ = mkdtemp(tmpl);
    path_ = dir_ + "/" + name;
    sqlite3* db = nullptr;
    sqlite3_open(path_.c_str(), &db);
    sqlite3_exec(db, "PRAGMA user_version = 1", nullptr, nullptr, nullptr);  // writes the file
    sqlite3_close(db);
  }
  ~TempDb() { std::filesystem::remove_all(dir_); }
  TempDb(const TempDb&) = delete;
  TempDb& operator=(const TempDb&) = delete;

  const std::string& path() const { return path_; }
  const std::string& dir() const { return dir_; }

  void Exec(const std::string& sql) const {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(path_.c_str(), &db), SQLITE_OK);
    char* error = nullptr;
    int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &error);
    std::string message = error ? error : "";
    sqlite3_free(error);
    sqlite3_close(db);
    ASSERT_EQ(rc, SQLITE_OK) << message << "\n" << sql;
  }

  // Each row's cells as text; NULL as "<NULL>".
  std::vector<std::vector<std::string>> Query(const std::string& sql) const {
    std::vector<std::vector<std::string>> rows;
    sqlite3* db = nullptr;
    sqlite3_open(path_.c_str(), &db);
    sqlite3_stmt* stmt = nullptr;
    EXPECT_EQ(sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr), SQLITE_OK)
        << sqlite3_errmsg(db) << "\n"
        << sql;
    while (stmt != nullptr && sqlite3_step(stmt) == SQLITE_ROW) {
      std::vector<std::string> row;
      for (int i = 0; i < sqlite3_column_count(stmt); ++i) {
        const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(stmt, i));
        row.push_back(text ? std::string(text, sqlite3_column_bytes(stmt, i)) : "<NULL>");
      }
      rows.push_back(std::move(row));
    }
    sqlite3_finalize(stmt);
    sqlite3_close(db);
    return rows;
  }

  std::string One(const std::string& sql) const {
    auto rows = Query(sql);
    return rows.empty() || rows[0].empty() ? "<none>" : rows[0][0];
  }

 private:
  std::string dir_;
  std::string path_;
};

// StepContext that owns its parameter object.
struct Step {
  explicit Step(nlohmann::json p, int concurrent = 1) : param(std::move(p)) {
    ctx.parameter = &param;
    ctx.step_name = "Step";
    ctx.concurrent = concurrent;
    ctx.job_start_micros = 1'761'913'845'000'000;  // 2025-10-31 12:30:45 UTC
  }
  Step(const Step&) = delete;
  nlohmann::json param;
  StepContext ctx;
};

class RecordingDirtySink : public DirtySink {
 public:
  struct Record {
    std::string split_id;
    Status reason;
    std::vector<std::string> values;
  };
  Status AddRecord(const std::string& split_id, const Status& reason, const Value* row,
                   size_t num_columns) override {
    Record r{split_id, reason, {}};
    for (size_t c = 0; c < num_columns; ++c) r.values.push_back(ValueText(row[c]));
    records.push_back(std::move(r));
    return Status::OK();
  }
  Status AddRaw(const std::string& split_id, const Status& reason, const std::string& where,
                const std::string& raw) override {
    raws.push_back({split_id, reason, {where, raw}});
    return Status::OK();
  }
  std::vector<Record> records;
  std::vector<Record> raws;
};

// "int64:5", "string:abc", "bytes:\x00ff", "null".
inline std::string Describe(const Value& v) { return TypedText(v); }

// Reads every split of `reader` (already prepared) in plan order; rows as Describe()d cells.
inline Result<std::vector<std::vector<std::string>>> ReadAll(Reader& reader, int concurrent,
                                                             size_t batch_rows = 3) {
  ASSIGN_OR_RETURN(std::vector<Split> splits, reader.PlanSplits(concurrent));
  RecordingDirtySink dirty;
  std::vector<std::vector<std::string>> rows;
  const size_t width = reader.OutputColumns().size();
  for (const Split& split : splits) {
    ASSIGN_OR_RETURN(std::unique_ptr<ReaderTask> task, reader.OpenTask(split));
    TaskContext ctx{&split, &dirty, {}};
    RecordBatch batch(width);
    for (bool more = true; more;) {
      batch.Reset(width);
      ASSIGN_OR_RETURN(more, task->Next(&batch, batch_rows, ctx));
      for (size_t r = 0; r < batch.num_rows(); ++r) {
        std::vector<std::string> row;
        for (size_t c = 0; c < width; ++c) row.push_back(Describe(batch.at(r, c)));
        rows.push_back(std::move(row));
      }
    }
  }
  return rows;
}

// Writes rows [begin, end) and, when the destination refuses the range, bisects it down to the
// refused rows, which go to `dirty` (what the engine does).
inline Status WriteBisecting(WriterTask& task, const RecordBatch& batch, size_t begin, size_t end,
                             const std::string& split_id, DirtySink& dirty) {
  Status s = task.Write(batch, begin, end);
  if (s.code() != StatusCode::kDataError) return s;
  if (end - begin == 1) return dirty.AddRecord(split_id, s, batch.row(begin), batch.num_columns());
  size_t mid = begin + (end - begin) / 2;
  RETURN_NOT_OK(WriteBisecting(task, batch, begin, mid, split_id, dirty));
  return WriteBisecting(task, batch, mid, end, split_id, dirty);
}

// Copies every split of a prepared reader into a prepared writer: Start, one transaction per
// split, Finalize(true).
inline Status CopyAll(Reader& reader, Writer& writer, DirtySink& dirty, int concurrent = 1,
                      size_t batch_rows = 1000) {
  RETURN_NOT_OK(writer.Start(false));
  ASSIGN_OR_RETURN(std::vector<Split> splits, reader.PlanSplits(concurrent));
  const size_t width = reader.OutputColumns().size();
  std::vector<std::string> committed;
  for (const Split& split : splits) {
    ASSIGN_OR_RETURN(std::unique_ptr<ReaderTask> in, reader.OpenTask(split));
    ASSIGN_OR_RETURN(std::unique_ptr<WriterTask> out, writer.OpenTask(split));
    TaskContext ctx{&split, &dirty, {}};
    RETURN_NOT_OK(out->Begin());
    RecordBatch batch(width);
    for (bool more = true; more;) {
      batch.Reset(width);
      ASSIGN_OR_RETURN(more, in->Next(&batch, batch_rows, ctx));
      Status s = WriteBisecting(*out, batch, 0, batch.num_rows(), split.id, dirty);
      if (!s.ok()) {
        out->Abort();
        return s;
      }
    }
    RETURN_NOT_OK(out->Commit({}));
    committed.push_back(split.id);
  }
  return writer.Finalize(true, committed);
}

}  // namespace ferry::sqlite_test
