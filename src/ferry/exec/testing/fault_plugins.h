// Test-only plugins for the engine's fault-injection tests: a "memory" reader that produces
// rows 0..N-1 over K splits, and a "fault" writer (transactional unless told otherwise) that
// keeps rows per split in memory and fails, refuses rows or stalls on command. Header-only so
// that no build glob puts it into the engine library.
//
// A MemorySource / FakeDestination must outlive every RunJob that uses a registry made from it.
// Set the fault hooks before RunJob; they are read concurrently while it runs.
#pragma once

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <stop_token>
#include <string>
#include <vector>

#include "ferry/job/job_model.h"
#include "ferry/plugin/registry.h"

namespace ferry::testing {

// Every split of the memory source holds rows [lo, hi); row `i` is (id = i, name = "row-i").
struct ReadCall {
  std::string split;
  int attempt = 0;  // 1 for the first try of a split, 2 for its first retry...
  int call = 0;     // 1 for the first Next() of the attempt
  std::stop_token stop;
};

struct MemorySource {
  // Called before each Next(); a non-OK status is what Next() returns.
  std::function<Status(const ReadCall&)> on_next;
  // Ids the reader itself finds unreadable: reported to the DirtySink and skipped.
  std::set<int64_t> unreadable;

  int Attempts(const std::string& split) const {
    std::lock_guard lock(mu);
    auto it = attempts.find(split);
    return it == attempts.end() ? 0 : it->second;
  }
  int NextAttempt(const std::string& split) {
    std::lock_guard lock(mu);
    return ++attempts[split];
  }

  mutable std::mutex mu;
  std::map<std::string, int> attempts;
};

struct WriteCall {
  std::string split;
  int attempt = 0;  // 1 for the first task opened for the split
  int index = 0;    // 1 for the first Write() of the attempt (bisection retries count too)
  size_t rows = 0;
};

// The destination: what a user would look at after the run.
struct FakeDestination {
  // Fault hooks. A non-OK status is returned from the call instead of doing it.
  std::function<Status(const WriteCall&)> on_write;
  // Called by Begin (after the task opened); a non-OK status is what Begin returns.
  std::function<Status(const std::string& split, int attempt)> on_begin;
  std::function<Status(const std::string& split, int attempt)> on_commit;
  std::function<Status(bool resuming)> on_start;
  // Called once a commit took effect; a non-OK status is what Commit returns all the same (a
  // COMMIT whose reply was lost: CommitUnknown).
  std::function<Status(const std::string& split, int attempt)> after_commit;
  // Commit markers (DESIGN 6): each commit records (run, split) with its figures; Begin finds
  // a split committed before; a succeeded run's markers are removed.
  bool markers = false;
  std::set<int64_t> refuse;   // ids refused with DataError (column "id")
  bool transactional = true;  // false: rows are delivered by Write, and Abort keeps them
  size_t batch_rows = 0;      // what the writer asks of the engine (Writer::batch_rows)
  // Whether the writer offers streaming tasks (Writer::OpenStreamingTask): their Write takes
  // rows unchecked, and a refused row is reported by the next Write or by Commit.
  bool streams = false;

  // Every committed row id, sorted; a row committed twice appears twice.
  std::vector<int64_t> Rows() const {
    std::lock_guard lock(mu);
    std::vector<int64_t> out;
    for (const auto& [split, rows] : committed) out.insert(out.end(), rows.begin(), rows.end());
    std::sort(out.begin(), out.end());
    return out;
  }
  std::set<std::string> CommittedSplits() const {
    std::lock_guard lock(mu);
    std::set<std::string> out;
    for (const auto& [split, rows] : committed) out.insert(split);
    return out;
  }
  int Attempts(const std::string& split) const {
    std::lock_guard lock(mu);
    auto it = attempts.find(split);
    return it == attempts.end() ? 0 : it->second;
  }

  mutable std::mutex mu;
  std::map<std::string, std::vector<int64_t>> committed;  // split id -> ids, commit order
  std::map<std::string, int> attempts;                    // tasks opened per split
  std::map<std::pair<std::string, std::string>, SplitFigures> marker_rows;  // (run, split)
  int tasks_opened = 0;
  int streaming_tasks_opened = 0;
  int tasks_committed = 0;
  int tasks_aborted = 0;
  int tasks_left_open = 0;         // destroyed without Commit or Abort
  int tasks_found_committed = 0;   // Begin found the split's marker
  std::vector<bool> starts;        // Start(resuming) of each run
  std::vector<bool> finalized_ok;  // Finalize(succeeded) of each run
  std::vector<std::vector<std::string>> finalized_splits;
};

class MemoryReaderTask : public ReaderTask {
 public:
  MemoryReaderTask(MemorySource* source, std::string split, int attempt, int64_t lo, int64_t hi)
      : source_(source), split_(std::move(split)), attempt_(attempt), next_(lo), hi_(hi) {}

  Result<bool> Next(RecordBatch* batch, size_t max_rows, TaskContext& ctx) override {
    if (source_->on_next) {
      RETURN_NOT_OK(source_->on_next({split_, attempt_, ++calls_, ctx.stop}));
    }
    while (next_ < hi_ && batch->num_rows() < max_rows) {
      int64_t id = next_++;
      Value* row = batch->AppendRow();
      row[0] = Value::Int64(id);
      row[1] = batch->String("row-" + std::to_string(id));
      if (source_->unreadable.count(id)) {
        Status st = ctx.dirty->AddRecord(
            split_,
            Status::DataError("unreadable source row " + std::to_string(id)).WithColumn("name"),
            batch->row(batch->num_rows() - 1), 2);
        batch->PopRow();
        RETURN_NOT_OK(st);
      }
    }
    return next_ < hi_;
  }

 private:
  MemorySource* source_;
  std::string split_;
  int attempt_;
  int calls_ = 0;
  int64_t next_;
  int64_t hi_;
};

class MemoryReader : public Reader {
 public:
  explicit MemoryReader(MemorySource* source) : source_(source) {}

  Status Prepare(const StepContext& ctx) override {
    rows_ = ctx.param().value("rows", int64_t{0});
    splits_ = ctx.param().value("splits", 1);
    if (rows_ < 0) return Status::InvalidArgument("expected 0 or more rows").WithField("rows");
    if (splits_ < 1)
      return Status::InvalidArgument("expected 1 or more splits").WithField("splits");
    return Status::OK();
  }
  std::vector<ColumnInfo> OutputColumns() const override {
    return {{"id", TypeId::kInt64}, {"name", TypeId::kString}};
  }
  Result<std::vector<Split>> PlanSplits(int concurrent) override {
    std::vector<Split> out;
    for (int k = 0; k < splits_; ++k) {
      char id[16];
      std::snprintf(id, sizeof(id), "%04d", k);
      out.push_back({id, {{"lo", rows_ * k / splits_}, {"hi", rows_ * (k + 1) / splits_}}});
    }
    return out;
  }
  Result<std::unique_ptr<ReaderTask>> OpenTask(const Split& split) override {
    int attempt = source_->NextAttempt(split.id);
    return std::unique_ptr<ReaderTask>(new MemoryReaderTask(source_, split.id, attempt,
                                                            split.spec.at("lo").get<int64_t>(),
                                                            split.spec.at("hi").get<int64_t>()));
  }

 private:
  MemorySource* source_;
  int64_t rows_ = 0;
  int splits_ = 1;
};

class FaultWriterTask : public WriterTask {
 public:
  FaultWriterTask(FakeDestination* dest, std::string run_id, std::string split, int attempt,
                  bool streams = false)
      : dest_(dest),
        run_id_(std::move(run_id)),
        split_(std::move(split)),
        attempt_(attempt),
        streams_(streams) {}
  ~FaultWriterTask() override {
    if (!done_) {
      std::lock_guard lock(dest_->mu);
      ++dest_->tasks_left_open;
    }
  }

  Result<std::optional<SplitFigures>> Begin() override {
    if (dest_->on_begin) RETURN_NOT_OK(dest_->on_begin(split_, attempt_));
    if (!dest_->markers) return SplitOpened();
    std::lock_guard lock(dest_->mu);
    auto it = dest_->marker_rows.find({run_id_, split_});
    if (it == dest_->marker_rows.end()) return SplitOpened();
    done_ = true;
    ++dest_->tasks_found_committed;
    return std::optional<SplitFigures>(it->second);
  }

  bool streams_writes() const override { return streams_; }

  Status Write(const RecordBatch& batch, size_t begin, size_t end) override {
    if (dest_->on_write) RETURN_NOT_OK(dest_->on_write({split_, attempt_, ++writes_, end - begin}));
    if (streams_) {
      RETURN_NOT_OK(StreamRefusal());
      for (size_t r = begin; r < end; ++r) {
        const int64_t id = batch.at(r, 0).i;
        if (dest_->refuse.count(id) && !refused_) refused_ = id;
        pending_.push_back(id);
      }
      return Status::OK();
    }
    for (size_t r = begin; r < end; ++r) {
      int64_t id = batch.at(r, 0).i;
      if (dest_->refuse.count(id)) {
        return Status::DataError("value " + std::to_string(id) + " refused").WithColumn("id");
      }
    }
    if (!dest_->transactional) {
      // Delivered at once, as a destination without transactions does; Abort cannot undo it.
      std::lock_guard lock(dest_->mu);
      auto& rows = dest_->committed[split_];
      for (size_t r = begin; r < end; ++r) rows.push_back(batch.at(r, 0).i);
      return Status::OK();
    }
    for (size_t r = begin; r < end; ++r) pending_.push_back(batch.at(r, 0).i);
    return Status::OK();
  }

  Status Commit(const SplitFigures& figures) override {
    RETURN_NOT_OK(StreamRefusal());
    if (dest_->on_commit) RETURN_NOT_OK(dest_->on_commit(split_, attempt_));
    {
      std::lock_guard lock(dest_->mu);
      auto& rows = dest_->committed[split_];
      rows.insert(rows.end(), pending_.begin(), pending_.end());
      pending_.clear();
      if (dest_->markers) dest_->marker_rows[{run_id_, split_}] = figures;
      ++dest_->tasks_committed;
      done_ = true;
    }
    return dest_->after_commit ? dest_->after_commit(split_, attempt_) : Status::OK();
  }

  void Abort() override {
    pending_.clear();
    if (done_) return;
    done_ = true;
    std::lock_guard lock(dest_->mu);
    ++dest_->tasks_aborted;
  }

 private:
  // A streamed row refused earlier, reported now.
  Status StreamRefusal() const {
    if (!refused_) return Status::OK();
    return Status::DataError("streamed value " + std::to_string(*refused_) + " refused")
        .WithColumn("id");
  }

  FakeDestination* dest_;
  std::string run_id_;
  std::string split_;
  int attempt_;
  bool streams_;
  int writes_ = 0;
  bool done_ = false;
  std::vector<int64_t> pending_;
  std::optional<int64_t> refused_;  // the first refused row a streaming task took
};

class FaultWriter : public Writer {
 public:
  explicit FaultWriter(FakeDestination* dest) : dest_(dest) {}

  Status Prepare(const StepContext& ctx, const std::vector<ColumnInfo>& input) override {
    if (input.empty() || input[0].type != TypeId::kInt64) {
      return Status::InvalidArgument("the fault writer needs an integer first column");
    }
    run_id_ = ctx.run_id;
    return Status::OK();
  }
  bool keeps_commit_markers() const override { return dest_->markers; }
  Result<std::map<std::string, SplitFigures>> CommittedSplits() override {
    std::lock_guard lock(dest_->mu);
    std::map<std::string, SplitFigures> out;
    for (const auto& [key, figures] : dest_->marker_rows) {
      if (key.first == run_id_) out[key.second] = figures;
    }
    return out;
  }
  Status Start(bool resuming) override {
    {
      std::lock_guard lock(dest_->mu);
      dest_->starts.push_back(resuming);
    }
    return dest_->on_start ? dest_->on_start(resuming) : Status::OK();
  }
  Result<std::unique_ptr<WriterTask>> OpenTask(const Split& split) override {
    std::lock_guard lock(dest_->mu);
    ++dest_->tasks_opened;
    int attempt = ++dest_->attempts[split.id];
    return std::unique_ptr<WriterTask>(new FaultWriterTask(dest_, run_id_, split.id, attempt));
  }
  Result<std::unique_ptr<WriterTask>> OpenStreamingTask(const Split& split) override {
    if (!dest_->streams) return OpenTask(split);
    std::lock_guard lock(dest_->mu);
    ++dest_->tasks_opened;
    ++dest_->streaming_tasks_opened;
    int attempt = ++dest_->attempts[split.id];
    return std::unique_ptr<WriterTask>(
        new FaultWriterTask(dest_, run_id_, split.id, attempt, /*streams=*/true));
  }
  size_t batch_rows() const override { return dest_->batch_rows; }
  Status Finalize(bool succeeded, const std::vector<std::string>& committed) override {
    std::lock_guard lock(dest_->mu);
    dest_->finalized_ok.push_back(succeeded);
    dest_->finalized_splits.push_back(committed);
    if (succeeded)
      std::erase_if(dest_->marker_rows, [&](const auto& m) { return m.first.first == run_id_; });
    return Status::OK();
  }

 private:
  FakeDestination* dest_;
  std::string run_id_;
};

// A registry holding only "memory" (reader) and "fault" (a writer that says it is
// transactional, or not: the engine then must not retry a split that wrote rows).
inline Registry MakeFaultRegistry(MemorySource* source, FakeDestination* dest,
                                  bool transactional = true) {
  Registry registry;
  PluginInfo memory;
  memory.name = "memory";
  memory.description = "rows 0..N-1 over K splits (tests)";
  memory.make_reader = [source] { return std::make_unique<MemoryReader>(source); };
  memory.reader_params = {
      {.name = "rows", .type = ParamType::kInteger, .required = true, .description = "rows"},
      {.name = "splits", .type = ParamType::kInteger, .default_value = 1, .description = "splits"},
  };
  registry.Add(std::move(memory));
  PluginInfo fault;
  fault.name = "fault";
  fault.description = "in-memory transactional destination with injected faults (tests)";
  fault.make_writer = [dest] { return std::make_unique<FaultWriter>(dest); };
  fault.transactional = transactional;
  dest->transactional = transactional;
  registry.Add(std::move(fault));
  return registry;
}

// A job from the memory source (`rows` rows over `splits` splits: split k holds
// [rows*k/splits, rows*(k+1)/splits)) to the fault destination, as MakeFaultRegistry names them.
inline JobModel MemoryToFaultJob(int64_t rows, int splits, int concurrent, std::string file) {
  JobModel job;
  job.file = std::move(file);
  job.layout = "dataworks";
  job.reader = {"Reader", "reader", "memory", {{"rows", rows}, {"splits", splits}}, "steps[0]"};
  job.writer = {"Writer", "writer", "fault", nlohmann::json::object(), "steps[1]"};
  job.setting.concurrent = concurrent;
  return job;
}

// Waits until `stop` is requested, for at most `limit` (so that a broken engine fails the test
// instead of hanging it). Returns whether the stop came.
inline bool WaitForStop(std::stop_token stop,
                        std::chrono::seconds limit = std::chrono::seconds(20)) {
  std::mutex mu;
  std::condition_variable_any cv;
  std::unique_lock lock(mu);
  return cv.wait_for(lock, stop, limit, [] { return false; }), stop.stop_requested();
}

}  // namespace ferry::testing
