#include "ferry/exec/channel.h"

#include <fmt/format.h>

#include <algorithm>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>

#include "ferry/common/fault_point.h"
#include "ferry/common/log.h"
#include "ferry/exec/bounded_queue.h"

namespace ferry {
namespace {

using BatchPtr = std::unique_ptr<RecordBatch>;
using Clock = std::chrono::steady_clock;

int64_t ElapsedNs(Clock::time_point since) {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - since).count();
}

// What one attempt added to the job's counters, so a rolled-back attempt can take it back.
struct AttemptCounters {
  std::atomic<int64_t> read{0};
  std::atomic<int64_t> bytes{0};
  std::atomic<int64_t> written{0};
};

// Runs a plugin call; an exception escaping the plugin becomes an Internal error, so that one
// bad driver fails its job instead of terminating the process.
template <typename F>
Status Guarded(const char* side, F&& call) {
  try {
    return call();
  } catch (const std::exception& e) {
    return Status::Internal(fmt::format("unexpected exception in the {}: {}", side, e.what()));
  } catch (...) {
    return Status::Internal(fmt::format("unexpected exception in the {}", side));
  }
}

// The sink a reader task reports unreadable source records to. Such a record was read, so it
// counts as read (read = written + dirty, as the summary promises).
class SourceDirtySink : public DirtySink {
 public:
  SourceDirtySink(DirtySink* inner, Metrics* metrics, AttemptCounters* counters)
      : inner_(inner), metrics_(metrics), counters_(counters) {}
  Status AddRecord(const std::string& split_id, const Status& reason, const Value* row,
                   size_t num_columns) override {
    CountRead();
    return inner_->AddRecord(split_id, reason, row, num_columns);
  }
  Status AddRaw(const std::string& split_id, const Status& reason, const std::string& where,
                const std::string& raw) override {
    CountRead();
    return inner_->AddRaw(split_id, reason, where, raw);
  }

 private:
  void CountRead() {
    ++metrics_->records_read;
    ++counters_->read;
  }
  DirtySink* inner_;
  Metrics* metrics_;
  AttemptCounters* counters_;
};

// Batches the writer has finished with, reused by the reader so a split allocates a few
// batches, not one per step.
class BatchPool {
 public:
  BatchPtr Get(size_t num_columns) {
    std::lock_guard lock(mu_);
    if (free_.empty()) return std::make_unique<RecordBatch>(num_columns);
    BatchPtr b = std::move(free_.back());
    free_.pop_back();
    b->Reset(num_columns);
    return b;
  }
  void Put(BatchPtr b) {
    std::lock_guard lock(mu_);
    free_.push_back(std::move(b));
  }

 private:
  std::mutex mu_;
  std::vector<BatchPtr> free_;
};

size_t QueueBatches(const ChannelOptions& o) {
  const size_t by_rows = o.queue_rows / std::max<size_t>(o.batch_rows, 1);
  return std::clamp<size_t>(by_rows, std::min<size_t>(2, o.queue_batches), o.queue_batches);
}

// One try at one split: a reader thread feeding the queue, this thread writing, then commit.
class SplitAttempt {
 public:
  // `stream`: open the writer's streaming task (Writer::OpenStreamingTask).
  SplitAttempt(ChannelEnv& env, const Split& split, int64_t attempt, bool stream,
               std::stop_token job_stop, SplitDirtyRecorder* dirty, AttemptCounters* counters)
      : env_(env),
        split_(split),
        attempt_(attempt),
        stream_(stream),
        job_stop_(job_stop),
        forward_stop_(job_stop, [this] { attempt_stop_.request_stop(); }),
        dirty_(dirty),
        counters_(counters),
        queue_(QueueBatches(env.options), env.options.queue_bytes) {}

  // Runs the attempt to its end: committed (and recorded through on_committed at once), found
  // committed by an earlier attempt (committed_before()), or failed and rolled back. The reader
  // opens its task (a connection, a query started) while the writer opens and begins its own,
  // but reads no row before the writer's Begin said the split is to be written.
  Status Run() {
    std::jthread reader([this] { reader_status_ = ReadAll(); });
    std::unique_ptr<WriterTask> task;
    Status st = Guarded("writer", [&]() -> Status {
      ASSIGN_OR_RETURN(
          task, stream_ ? env_.writer->OpenStreamingTask(split_) : env_.writer->OpenTask(split_));
      streamed_ = stream_ && task->streams_writes();
      ASSIGN_OR_RETURN(committed_before_, task->Begin());
      return Status::OK();
    });
    if (st.ok() && !committed_before_) {
      OpenReadGate();
      st = Guarded("writer", [&] { return WriteAll(task.get()); });
    }
    if (!st.ok() || committed_before_) attempt_stop_.request_stop();
    reader.join();
    if (st.ok() && committed_before_) return RecordCommit(*committed_before_);
    if (st.ok()) st = reader_status_;
    if (st.ok() && job_stop_.stop_requested()) st = Status::Cancelled("stopped");
    // The dirty records go to dirty.jsonl before the commit, tagged with this attempt: a kill
    // right after the commit cannot lose them.
    if (st.ok()) st = dirty_->Flush();
    if (st.ok()) st = CommitAndRecord(task.get());
    if (!st.ok() && task != nullptr && !committed_) {
      Status aborted = Guarded("writer", [&] {
        task->Abort();
        return Status::OK();
      });
      if (!aborted.ok()) LogWarn("split {}: {}", split_.id, aborted.message());
    }
    return st;
  }

  // Set when Begin found the split committed by an earlier attempt.
  const std::optional<SplitFigures>& committed_before() const { return committed_before_; }
  // Whether the attempt failed because the destination refused a row of its streamed writes:
  // the attempt is undone whole, and the split is to be written again with each write checked.
  bool refused_in_stream() const { return refused_in_stream_; }

 private:
  Status CommitAndRecord(WriterTask* task) {
    SplitFigures figures{counters_->read, counters_->bytes, counters_->written, dirty_->count(),
                         attempt_};
    FaultPoint("writer.before_commit");
    Status st = Guarded("writer", [&] { return task->Commit(figures); });
    if (st.code() == StatusCode::kDataError && streamed_) refused_in_stream_ = true;
    RETURN_NOT_OK(st);
    committed_ = true;
    FaultPoint("writer.after_commit");
    return RecordCommit(figures);
  }

  // The rows are in the destination: recorded before anything else can fail or be freed, so
  // that a resume never writes them twice (the commit marker covers the rest of the window).
  Status RecordCommit(const SplitFigures& figures) {
    committed_ = true;
    Status recorded = env_.on_committed(split_, figures);
    if (!recorded.ok()) {
      return Status::IOError(fmt::format("split {} committed, but recording it failed: {}",
                                         split_.id, recorded.message()));
    }
    return Status::OK();
  }

  Status ReadAll() {
    Status st = Guarded("reader", [this] { return ReadBatches(); });
    queue_.Close();
    return st;
  }

  Status ReadBatches() {
    ASSIGN_OR_RETURN(std::unique_ptr<ReaderTask> task, env_.reader->OpenTask(split_));
    if (!WaitForReadGate()) return Status::Cancelled("stopped");
    SourceDirtySink source_dirty(dirty_, env_.metrics, counters_);
    TaskContext ctx{&split_, &source_dirty, attempt_stop_.get_token()};
    size_t max_rows =
        std::min(std::max<size_t>(env_.options.batch_rows, 1), ChannelOptions::kDefaultBatchRows);
    for (bool more = true; more;) {
      if (attempt_stop_.stop_requested()) return Status::Cancelled("stopped");
      BatchPtr batch = pool_.Get(env_.num_columns);
      ASSIGN_OR_RETURN(more, task->Next(batch.get(), max_rows, ctx));
      if (batch->empty()) {
        pool_.Put(std::move(batch));
        continue;
      }
      max_rows = NextBatchRows(*batch);
      int64_t rows = static_cast<int64_t>(batch->num_rows());
      int64_t bytes = static_cast<int64_t>(batch->ByteSize());
      env_.metrics->records_read += rows;
      env_.metrics->bytes_read += bytes;
      counters_->read += rows;
      counters_->bytes += bytes;
      if (!env_.throttle->Acquire(bytes, rows, ctx.stop)) return Status::Cancelled("stopped");
      size_t mem = batch->MemoryUsage();
      auto t0 = Clock::now();
      bool pushed = queue_.Push(std::move(batch), mem, ctx.stop);
      env_.metrics->wait_writer_ns += ElapsedNs(t0);
      if (!pushed) return Status::Cancelled("stopped");
    }
    return Status::OK();
  }

  // The writer's Begin lets the reader go on past opening its task.
  void OpenReadGate() {
    std::lock_guard lock(gate_mu_);
    gate_open_ = true;
    gate_cv_.notify_all();
  }
  // False when the attempt stopped before the gate opened.
  bool WaitForReadGate() {
    std::unique_lock lock(gate_mu_);
    return gate_cv_.wait(lock, attempt_stop_.get_token(), [this] { return gate_open_; });
  }

  // The configured rows per batch, fewer when the rows of `last` are so wide that a batch would
  // pass batch_bytes.
  size_t NextBatchRows(const RecordBatch& last) const {
    const size_t row_bytes =
        last.ByteSize() / last.num_rows() + last.num_columns() * sizeof(Value) + 1;
    const size_t fit = std::max<size_t>(env_.options.batch_bytes / row_bytes, 1);
    return std::min(std::max<size_t>(env_.options.batch_rows, 1), fit);
  }

  Status WriteAll(WriterTask* task) {
    for (;;) {
      auto t0 = Clock::now();
      std::optional<BatchPtr> batch = queue_.Pop(attempt_stop_.get_token());
      env_.metrics->wait_reader_ns += ElapsedNs(t0);
      if (!batch) {
        return attempt_stop_.stop_requested() ? Status::Cancelled("stopped") : Status::OK();
      }
      RETURN_NOT_OK(WriteRange(task, **batch, 0, (*batch)->num_rows()));
      pool_.Put(std::move(*batch));
    }
  }

  // Writes [begin, end); when the destination refuses the range, halves it until each refused
  // row stands alone and becomes a dirty record, so every other row is still written. A
  // streamed write cannot be halved (the refusal may be of an earlier write's row): the
  // attempt ends and the split is written again, checked.
  Status WriteRange(WriterTask* task, const RecordBatch& batch, size_t begin, size_t end) {
    if (begin == end) return Status::OK();
    Status st = task->Write(batch, begin, end);
    if (st.ok()) {
      env_.metrics->records_written += static_cast<int64_t>(end - begin);
      counters_->written += static_cast<int64_t>(end - begin);
      return st;
    }
    if (st.code() != StatusCode::kDataError) return st;
    if (streamed_) {
      refused_in_stream_ = true;
      return st;
    }
    if (end - begin == 1) return AddDirty(batch, begin, st);
    size_t mid = begin + (end - begin) / 2;
    RETURN_NOT_OK(WriteRange(task, batch, begin, mid));
    return WriteRange(task, batch, mid, end);
  }

  // The refused row `r` as a dirty record; a pre-encoded row is decoded for it.
  Status AddDirty(const RecordBatch& batch, size_t r, const Status& reason) {
    if (batch.encoding() == nullptr) {
      return dirty_->AddRecord(split_.id, reason, batch.row(r), batch.num_columns());
    }
    RecordBatch decoded(batch.num_columns());
    Status st = decoded.DecodeRow(batch, r);
    if (!st.ok()) {
      return dirty_->AddRaw(split_.id, reason, batch.encoding()->Describe() + ": " + st.message(),
                            std::string(batch.encoded_row(r)));
    }
    return dirty_->AddRecord(split_.id, reason, decoded.row(0), decoded.num_columns());
  }

  ChannelEnv& env_;
  const Split& split_;
  const int64_t attempt_;
  const bool stream_;
  bool streamed_ = false;  // the task streams its writes
  bool refused_in_stream_ = false;
  std::stop_token job_stop_;
  std::stop_source attempt_stop_;
  std::stop_callback<std::function<void()>> forward_stop_;
  SplitDirtyRecorder* dirty_;
  AttemptCounters* counters_;
  BoundedQueue<BatchPtr> queue_;
  BatchPool pool_;
  Status reader_status_;
  std::optional<SplitFigures> committed_before_;
  bool committed_ = false;
  std::mutex gate_mu_;
  std::condition_variable_any gate_cv_;
  bool gate_open_ = false;
};

// Waits `d` unless the job stops first.
void WaitFor(std::chrono::milliseconds d, std::stop_token stop) {
  std::mutex mu;
  std::condition_variable_any cv;
  std::unique_lock lock(mu);
  cv.wait_for(lock, stop, d, [] { return false; });
}

// Adds what an attempt found already committed (by an earlier attempt) to the job's figures.
void CountCommittedBefore(ChannelEnv& env, const SplitFigures& f) {
  env.metrics->records_read += f.records_read;
  env.metrics->bytes_read += f.bytes_read;
  env.metrics->records_written += f.records_written;
  env.metrics->dirty_records += f.dirty_records;
}

// The error a split that is not retried (again) ends the job with.
Status FailedSplit(const ChannelEnv& env, const Split& split, Status st, int attempt, bool undone,
                   int64_t written) {
  if (st.code() == StatusCode::kCommitUnknown && env.commit_markers) {
    return Status::Unavailable(fmt::format(
        "split {}: the outcome of its COMMIT is unknown ({}) and the destination could not be "
        "asked after {} retries; `ferry run --resume` settles it from the split's commit marker",
        split.id, st.message(), attempt));
  }
  if (st.code() == StatusCode::kCommitUnknown) {
    return Status::FailedPrecondition(fmt::format(
        "split {}: the outcome of its COMMIT is unknown ({}); its rows may or may not be in the "
        "destination, and without commit markers Ferry cannot tell, so it was not retried. "
        "Check the destination before running it again",
        split.id, st.message()));
  }
  if (st.IsTransient() && !undone) {
    return st.WithPrefix(fmt::format(
        "split {} not retried: {} records were already written to a destination that cannot "
        "roll them back",
        split.id, written));
  }
  if (st.IsTransient()) {
    return st.WithPrefix(attempt == 0
                             ? fmt::format("split {}", split.id)
                             : fmt::format("split {} failed after {} retries", split.id, attempt));
  }
  return st;
}

// Takes back what a rolled-back attempt added to the job's figures and its dirty records.
void UndoAttempt(ChannelEnv& env, const Split& split, int64_t attempt, SplitDirtyRecorder& dirty,
                 const AttemptCounters& counters) {
  if (dirty.Discard() && env.on_rolled_back) env.on_rolled_back(split, attempt);
  env.metrics->records_read -= counters.read;
  env.metrics->bytes_read -= counters.bytes;
}

Status RunSplit(ChannelEnv& env, const Split& split, std::stop_token stop) {
  std::chrono::milliseconds backoff = env.options.retry_backoff;
  // A transactional writer may stream the split: a refused stream leaves nothing behind, and
  // the split is then written again with each write checked (not a retry: nothing failed).
  bool stream = env.writer_transactional;
  int64_t attempt = 0;
  for (int retry = 0;;) {
    ++attempt;
    SplitDirtyRecorder dirty(env.dirty, attempt);
    AttemptCounters counters;
    SplitAttempt run(env, split, attempt, stream, stop, &dirty, &counters);
    Status st = run.Run();
    if (st.ok()) {
      if (run.committed_before()) {
        CountCommittedBefore(env, *run.committed_before());
        LogInfo("split {}: its attempt {} had committed (commit marker); not written again",
                split.id, run.committed_before()->attempt);
      }
      ++env.metrics->splits_done;
      return st;
    }
    // A transactional destination rolled the attempt back and holds none of its rows; after an
    // unknown COMMIT the next attempt's Begin asks the split's commit marker which it was.
    const bool unknown = st.code() == StatusCode::kCommitUnknown;
    const bool undone = env.writer_transactional || counters.written == 0;
    if (env.writer_transactional) env.metrics->records_written -= counters.written;
    if (run.refused_in_stream()) {
      if (stop.stop_requested()) return Status::Cancelled("stopped");
      UndoAttempt(env, split, attempt, dirty, counters);
      LogInfo(
          "split {}: the destination refused a row of its streamed write ({}); writing the split "
          "again with each batch checked, to find the refused rows",
          split.id, st.message());
      stream = false;
      continue;
    }
    bool retryable = st.IsTransient() || (unknown && env.commit_markers);
    if (retryable && stop.stop_requested()) st = Status::Cancelled("stopped");
    if (!retryable || stop.stop_requested() || retry >= env.options.max_retries || !undone) {
      // Kept for the user to see why the job failed; a resume drops them and runs the split again.
      Status flushed = dirty.Flush();
      if (!flushed.ok()) LogError("split {}: {}", split.id, flushed.message());
      return FailedSplit(env, split, st, retry, undone, counters.written.load());
    }
    UndoAttempt(env, split, attempt, dirty, counters);
    ++env.metrics->split_retries;
    if (unknown) {
      LogWarn("split {}: {}; its commit marker decides at retry {} of {}", split.id, st.message(),
              retry + 1, env.options.max_retries);
    } else {
      LogWarn("split {} failed ({}), retry {} of {} in {} ms", split.id, st.message(), retry + 1,
              env.options.max_retries, backoff.count());
    }
    WaitFor(backoff, stop);
    if (stop.stop_requested()) return Status::Cancelled("stopped");
    backoff *= 2;
    ++retry;
  }
}

}  // namespace

void RunChannel(ChannelEnv& env, std::stop_token stop) {
  while (!stop.stop_requested()) {
    std::optional<Split> split = env.splits->Next();
    if (!split) return;
    Status st = RunSplit(env, *split, stop);
    if (!st.ok()) {
      // Cancelled is the echo of a stop someone else asked for; a Cancelled nobody asked for
      // (a plugin's own) is an error like any other, or the split would be silently lost.
      if (st.code() != StatusCode::kCancelled || !stop.stop_requested()) {
        env.first_error->Set(st);
      }
      return;
    }
  }
}

}  // namespace ferry
