#include "ferry/exec/channel.h"

#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>

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

// One try at one split: a reader thread feeding the queue, this thread writing, then commit.
class SplitAttempt {
 public:
  SplitAttempt(ChannelEnv& env, const Split& split, std::stop_token job_stop,
               SplitDirtyRecorder* dirty, AttemptCounters* counters)
      : env_(env),
        split_(split),
        job_stop_(job_stop),
        forward_stop_(job_stop, [this] { attempt_stop_.request_stop(); }),
        dirty_(dirty),
        counters_(counters),
        queue_(env.options.queue_batches, env.options.queue_bytes) {}

  Status Run() {
    ASSIGN_OR_RETURN(std::unique_ptr<WriterTask> task, env_.writer->OpenTask(split_));
    Status st = task->Begin();
    if (st.ok()) {
      std::jthread reader([this] { reader_status_ = ReadAll(); });
      st = WriteAll(task.get());
      if (!st.ok()) attempt_stop_.request_stop();
      reader.join();
      if (st.ok()) st = reader_status_;
      if (st.ok() && job_stop_.stop_requested()) st = Status::Cancelled("stopped");
      if (st.ok()) st = task->Commit();
    }
    if (!st.ok()) task->Abort();
    return st;
  }

 private:
  Status ReadAll() {
    Status st = ReadBatches();
    queue_.Close();
    return st;
  }

  Status ReadBatches() {
    ASSIGN_OR_RETURN(std::unique_ptr<ReaderTask> task, env_.reader->OpenTask(split_));
    TaskContext ctx{&split_, dirty_, attempt_stop_.get_token()};
    for (bool more = true; more;) {
      if (attempt_stop_.stop_requested()) return Status::Cancelled("stopped");
      BatchPtr batch = pool_.Get(env_.num_columns);
      ASSIGN_OR_RETURN(more, task->Next(batch.get(), env_.options.batch_rows, ctx));
      if (batch->empty()) continue;
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
  // row stands alone and becomes a dirty record, so every other row is still written.
  Status WriteRange(WriterTask* task, const RecordBatch& batch, size_t begin, size_t end) {
    if (begin == end) return Status::OK();
    Status st = task->Write(batch, begin, end);
    if (st.ok()) {
      env_.metrics->records_written += static_cast<int64_t>(end - begin);
      counters_->written += static_cast<int64_t>(end - begin);
      return st;
    }
    if (st.code() != StatusCode::kDataError) return st;
    if (end - begin == 1) {
      return dirty_->AddRecord(split_.id, st, batch.row(begin), batch.num_columns());
    }
    size_t mid = begin + (end - begin) / 2;
    RETURN_NOT_OK(WriteRange(task, batch, begin, mid));
    return WriteRange(task, batch, mid, end);
  }

  ChannelEnv& env_;
  const Split& split_;
  std::stop_token job_stop_;
  std::stop_source attempt_stop_;
  std::stop_callback<std::function<void()>> forward_stop_;
  SplitDirtyRecorder* dirty_;
  AttemptCounters* counters_;
  BoundedQueue<BatchPtr> queue_;
  BatchPool pool_;
  Status reader_status_;
};

// Waits `d` unless the job stops first.
void WaitFor(std::chrono::milliseconds d, std::stop_token stop) {
  std::mutex mu;
  std::condition_variable_any cv;
  std::unique_lock lock(mu);
  cv.wait_for(lock, stop, d, [] { return false; });
}

Status RunSplit(ChannelEnv& env, const Split& split, std::stop_token stop) {
  std::chrono::milliseconds backoff = env.options.retry_backoff;
  for (int attempt = 0;; ++attempt) {
    SplitDirtyRecorder dirty(env.dirty);
    AttemptCounters counters;
    Status st = SplitAttempt(env, split, stop, &dirty, &counters).Run();
    if (st.ok()) {
      RETURN_NOT_OK(dirty.Flush());
      RETURN_NOT_OK(env.on_committed(split));
      ++env.metrics->splits_done;
      return st;
    }
    // The attempt's writes were rolled back: the destination holds none of its rows.
    env.metrics->records_written -= counters.written;
    bool retry = st.IsTransient() && attempt < env.options.max_retries && !stop.stop_requested();
    if (!retry) {
      Status flushed = dirty.Flush();
      return st.ok() ? flushed : st;
    }
    dirty.Discard();
    env.metrics->records_read -= counters.read;
    env.metrics->bytes_read -= counters.bytes;
    ++env.metrics->split_retries;
    LogWarn("split {} failed ({}), retry {} of {} in {} ms", split.id, st.message(), attempt + 1,
            env.options.max_retries, backoff.count());
    WaitFor(backoff, stop);
    backoff *= 2;
  }
}

}  // namespace

void RunChannel(ChannelEnv& env, std::stop_token stop) {
  while (!stop.stop_requested()) {
    std::optional<Split> split = env.splits->Next();
    if (!split) return;
    Status st = RunSplit(env, *split, stop);
    if (!st.ok()) {
      if (st.code() != StatusCode::kCancelled) env.first_error->Set(st);
      return;
    }
  }
}

}  // namespace ferry
