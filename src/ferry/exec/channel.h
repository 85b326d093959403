// Channel: one reader->writer pipeline. It takes splits from the shared queue until none is
// left; for each split a reader thread fills a bounded batch queue that this channel's writer
// drains, then commits. Refused batches are bisected down to the refused rows (dirty records);
// transient failures retry the split from its start, with backoff.
#pragma once

#include <chrono>
#include <functional>
#include <stop_token>
#include <string>

#include "ferry/exec/dirty_log.h"
#include "ferry/exec/first_error.h"
#include "ferry/exec/metrics.h"
#include "ferry/exec/split_queue.h"
#include "ferry/exec/throttle.h"
#include "ferry/plugin/reader.h"
#include "ferry/plugin/writer.h"

namespace ferry {

struct ChannelOptions {
  static constexpr size_t kDefaultBatchRows = 4096;
  size_t batch_rows = 0;  // records per batch; 0: the writer's batch_rows(), else the default
  // Wide rows make smaller batches: each batch after the first is cut to about this many bytes
  // (the first, before any row was seen, holds at most kDefaultBatchRows).
  size_t batch_bytes = 16u << 20;
  // The queue between a channel's reader and writer holds at most queue_batches batches,
  // queue_bytes bytes and, for large batches, about queue_rows rows (never fewer than two
  // batches), so a larger batch size does not multiply the memory of a run.
  size_t queue_batches = 8;
  size_t queue_rows = 8 * kDefaultBatchRows;
  size_t queue_bytes = 64u << 20;
  int max_retries = 3;
  std::chrono::milliseconds retry_backoff{500};  // doubled after each retry
};

// Everything the channels share; all of it outlives them.
struct ChannelEnv {
  Reader* reader = nullptr;
  Writer* writer = nullptr;
  size_t num_columns = 0;
  SplitSource* splits = nullptr;
  RateLimiter* throttle = nullptr;
  Metrics* metrics = nullptr;
  DirtyLog* dirty = nullptr;
  FirstError* first_error = nullptr;
  // Whether an aborted split leaves nothing in the destination (PluginInfo::transactional).
  // When not, a split that already wrote rows is not retried: the retry would duplicate them.
  bool writer_transactional = true;
  // Whether the writer records each split's commit in the destination: a COMMIT whose outcome
  // is unknown is then settled by the next attempt (its Begin asks the marker); without
  // markers such a split fails the job rather than risk writing its rows twice.
  bool commit_markers = false;
  // Called after a split committed, with what it added to the figures (records it in the run
  // directory). May be called from several channels at once.
  std::function<Status(const Split&, const SplitFigures&)> on_committed;
  // Called when an attempt that had already logged dirty records was rolled back and is retried
  // (its lines in dirty.jsonl are to be dropped). May be empty.
  std::function<void(const Split&, int64_t attempt)> on_rolled_back;
  ChannelOptions options;
};

// Runs until the split queue is empty or `stop` is requested. Errors go to env.first_error
// (a plugin's exception becomes an Internal error there). A split's tasks are committed or
// aborted before this returns.
void RunChannel(ChannelEnv& env, std::stop_token stop);

}  // namespace ferry
