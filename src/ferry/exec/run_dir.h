// RunDir: the run directory of one job run. It holds what a resume needs and what a user reads
// afterwards: job.json (the resolved job), plan.json (the splits; written once the writer's
// setup ran, so a directory with a plan is one to --resume), committed.log (one JSON line per
// committed split with its figures, appended and fsynced after each commit), dirty.jsonl and
// summary.json.
#pragma once

#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "ferry/common/status.h"
#include "ferry/exec/metrics.h"
#include "ferry/plugin/split.h"

namespace ferry {

class RunDir {
 public:
  // Creates the directory (and parents). An existing run directory with a plan is refused:
  // that is what --resume is for.
  static Result<RunDir> Create(const std::string& path);
  // Opens a run directory left by an earlier run, for --resume.
  static Result<RunDir> Open(const std::string& path);

  RunDir(RunDir&& other) noexcept : path_(std::move(other.path_)) {}

  const std::string& path() const { return path_; }
  std::string File(const char* name) const { return path_ + "/" + name; }
  std::string dirty_path() const { return File("dirty.jsonl"); }

  Status WriteJob(const nlohmann::json& job) const;
  Result<nlohmann::json> ReadJob() const;
  Status WritePlan(const std::vector<Split>& splits) const;
  Result<std::vector<Split>> ReadPlan() const;
  // Records that `split_id` committed. Thread-safe. A line left half-written by a crash is
  // ignored by the readers and never glued to the next one.
  Status MarkCommitted(const std::string& split_id, const SplitFigures& figures = {});
  // The committed splits with their figures.
  Result<std::map<std::string, SplitFigures>> ReadCommittedSplits() const;
  Result<std::set<std::string>> ReadCommitted() const;
  // Drops the dirty.jsonl lines of every split not in `splits` (a resumed run writes the
  // uncommitted splits again and logs their dirty records anew).
  Status KeepDirtyRecordsOf(const std::set<std::string>& splits) const;
  Status WriteSummary(const nlohmann::json& summary) const;

 private:
  explicit RunDir(std::string path) : path_(std::move(path)) {}
  std::string path_;
  std::mutex mu_;
};

// Writes a file atomically (temp file, fsync, rename).
Status WriteFileAtomic(const std::string& path, const std::string& content);
Result<std::string> ReadFile(const std::string& path);

}  // namespace ferry
