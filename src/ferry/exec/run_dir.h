// RunDir: the run directory of one job run. It holds what a resume needs and what a user reads
// afterwards: run.json (the run's id, which names its commit markers in the destination, and
// the job file's sha256), job.json (the resolved job), plan.json (the splits; written once the
// writer's setup ran, so a directory with a plan is one to --resume), committed.log (one JSON
// line per committed split with its figures, appended as soon as the destination commit
// returns), dirty.jsonl and summary.json.
#pragma once

#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "ferry/common/file.h"  // WriteFileAtomic, ReadFile for the run directory's users
#include "ferry/common/status.h"
#include "ferry/exec/metrics.h"
#include "ferry/plugin/split.h"

namespace ferry {

// run.json: who the run is.
struct RunInfo {
  std::string run_id;      // "orders-20261206T071512-3f9a1c": unique, kept across resumes
  std::string job_file;    // the job file as given, "" when unknown
  std::string job_sha256;  // of the job file's bytes, "" when unknown
};

// A new run id for a job file: its stem, the local start time and 32 random bits.
std::string NewRunId(const std::string& job_file);

class RunDir {
 public:
  // Creates the directory (and parents). An existing run directory with a plan is refused:
  // that is what --resume is for.
  static Result<RunDir> Create(const std::string& path);
  // Opens a run directory left by an earlier run, for --resume.
  static Result<RunDir> Open(const std::string& path);

  RunDir(RunDir&& other) noexcept;
  ~RunDir();

  const std::string& path() const { return path_; }
  std::string File(const char* name) const { return path_ + "/" + name; }
  std::string dirty_path() const { return File("dirty.jsonl"); }

  Status WriteInfo(const RunInfo& info) const;
  // A directory from before run.json existed reads as its folder name for the id.
  Result<RunInfo> ReadInfo() const;
  Status WriteJob(const nlohmann::json& job) const;
  Result<nlohmann::json> ReadJob() const;
  Status WritePlan(const std::vector<Split>& splits) const;
  Result<std::vector<Split>> ReadPlan() const;
  // Records that `split_id` committed. Thread-safe; one channel's fsync never holds up another
  // channel's record (the line is written under a lock, synced outside it). A line left
  // half-written by a crash is ignored by the readers and never glued to the next one.
  Status MarkCommitted(const std::string& split_id, const SplitFigures& figures = {});
  // The committed splits with their figures.
  Result<std::map<std::string, SplitFigures>> ReadCommittedSplits() const;
  Result<std::set<std::string>> ReadCommitted() const;
  // Keeps only the dirty.jsonl lines of committed splits, and of each only those of the
  // attempt that committed: a resumed run writes the other splits again and logs their dirty
  // records anew.
  Status KeepDirtyRecordsOf(const std::map<std::string, SplitFigures>& committed) const;
  // Drops the dirty.jsonl lines of split attempts that were rolled back and retried.
  Status DropDirtyRecordsOf(const std::set<std::pair<std::string, int64_t>>& attempts) const;
  // summary.json: `text`, the run's SummaryJson (run_summary.h).
  Status WriteSummary(const std::string& text) const;

 private:
  explicit RunDir(std::string path) : path_(std::move(path)) {}
  Status OpenCommittedLog();

  std::string path_;
  std::mutex mu_;
  int committed_fd_ = -1;
};

}  // namespace ferry
