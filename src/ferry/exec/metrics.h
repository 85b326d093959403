// Metrics: the job's live counters, updated by every channel, read by progress and the summary.
// Counts are exact.
#pragma once

#include <atomic>
#include <cstdint>

#include "ferry/plugin/split.h"

namespace ferry {

struct Metrics {
  std::atomic<int64_t> records_read{0};
  std::atomic<int64_t> bytes_read{0};
  std::atomic<int64_t> records_written{0};
  std::atomic<int64_t> bytes_written{0};
  std::atomic<int64_t> dirty_records{0};
  std::atomic<int64_t> splits_total{0};
  std::atomic<int64_t> splits_done{0};
  std::atomic<int64_t> split_retries{0};
  // Time the writer waited for the reader (queue empty) and the reader for the writer (full).
  std::atomic<int64_t> wait_reader_ns{0};
  std::atomic<int64_t> wait_writer_ns{0};
};

}  // namespace ferry
