// RunSummary: the final figures of a run (DESIGN 1 and 6), exact counts. A run fills one; the
// --summary-json text (SummaryJson) and the human block on stderr (SummaryText) are both made
// from it here, and nowhere else.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "ferry/common/status.h"
#include "ferry/exec/metrics.h"

namespace ferry {

// What one worker host of a distributed run did (DESIGN 8).
struct HostSummary {
  std::string host;
  int rank = 0;
  int channels = 0;
  int64_t splits = 0;
  int64_t records_read = 0;
  int64_t records_written = 0;
  int64_t bytes_read = 0;
  double seconds = 0;
  int64_t peak_rss_bytes = 0;
};

// What coordinating a distributed run cost: the messages rank 0 sent and received.
struct CoordinationSummary {
  int64_t messages = 0;
  int64_t bytes = 0;
  double messages_per_split = 0;
  double bytes_per_split = 0;
};

// The figures of a distributed run, beside those every run has.
struct DistributedSummary {
  // false: the coordinator was lost, and with it what the hosts did (the figures above come
  // from committed.log).
  bool coordinated = true;
  std::vector<HostSummary> hosts;
  CoordinationSummary coordination;
};

struct RunSummary {
  bool succeeded = false;
  std::string job;  // the job file as the run named it
  std::chrono::system_clock::time_point started_at;
  std::chrono::system_clock::time_point finished_at;
  double elapsed_seconds = 0;  // to the millisecond
  int64_t records_read = 0;
  int64_t records_written = 0;
  int64_t dirty_records = 0;
  int64_t bytes_read = 0;
  int64_t splits_total = 0;
  int64_t splits_done = 0;
  int64_t split_retries = 0;
  double wait_reader_seconds = 0;  // to the millisecond
  double wait_writer_seconds = 0;
  std::string run_dir;
  std::string dirty_log;             // empty when there was no dirty record
  std::optional<std::string> error;  // what failed the run, secrets masked; none: succeeded
  std::optional<DistributedSummary> distributed;
  std::vector<std::string> dirty_samples;  // the reasons of the first dirty records
  // setting.verify's result, a JSON object made by verify/ (which the engine does not know);
  // empty: no verification ran.
  std::string verify_json;

  // Marks the run failed with `status`'s message (masked).
  void Fail(const Status& status);
};

// The summary of the run of `job_file` that ended with `status`, from its counters.
RunSummary SummarizeRun(const std::string& job_file, const Metrics& metrics, const Status& status,
                        std::chrono::system_clock::time_point started,
                        std::chrono::system_clock::time_point finished, const std::string& run_dir,
                        const std::string& dirty_path);

// The --summary-json object (DESIGN 1), in its order, indented by two, ending in a newline.
std::string SummaryJson(const RunSummary& summary);

// The human summary block printed at the end of a run.
std::string SummaryText(const RunSummary& summary);

}  // namespace ferry
