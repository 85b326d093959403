// The project folder the Data Studio edits: the job files and the schedule file under one root,
// read with a version (the text's SHA-256) and written atomically only when the version the
// editor opened is still the one on disk. Paths are relative to the root; `..`, absolute paths
// and symbolic links leading out of the root are refused.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "ferry/common/status.h"

namespace ferry {

struct ProjectFile {
  std::string path;  // relative, with '/'
  std::string kind;  // "job" or "schedule"
};

struct FileVersion {
  std::string text;
  std::string sha256;  // of text
};

class ProjectFolder {
 public:
  // `root` must exist; it is made absolute and canonical.
  static Result<ProjectFolder> Open(const std::string& root);

  const std::string& root() const { return root_; }
  // The schedule file's relative path (schedule.yaml|yml|json), or "" when there is none.
  std::string ScheduleFile() const;
  // Job files (*.json other than the schedule) and the schedule file, sorted; hidden folders,
  // node_modules and the scheduler's .ferry are skipped.
  Result<std::vector<ProjectFile>> List() const;
  // The absolute path of `relative` inside the root. InvalidArgument for an empty, absolute or
  // `..` path, or one whose real location (symbolic links followed) is outside the root.
  Result<std::string> Resolve(const std::string& relative) const;
  // NotFound when the file does not exist.
  Result<FileVersion> Read(const std::string& relative) const;
  // Writes `text` atomically (temporary file, fsync, rename, fsync of the folder). `base_sha256`
  // is the version the editor opened, "" for a file it creates: FailedPrecondition (a conflict)
  // when the file on disk is another version, or exists when it should not. Returns the new
  // version's SHA-256.
  Result<std::string> Write(const std::string& relative, const std::string& text,
                            const std::string& base_sha256) const;

 private:
  explicit ProjectFolder(std::string root) : root_(std::move(root)) {}
  std::string root_;
};

// The schedule file's text with node `node["name"]` set to `node` (a JSON object of the
// schedule keys: job, cron, timezone, params, upstream, retries, timeout, resource_group,
// priority; an empty value removes the key), added at the end when the schedule has no such
// node. `file_name` chooses the format: .json is written as JSON, otherwise YAML (comments in a
// YAML file are not kept). InvalidArgument for a text that is not a schedule.
Result<std::string> SetScheduleNode(const std::string& text, const std::string& file_name,
                                    const nlohmann::json& node);
// Whether a YAML schedule text holds a `#` comment (outside quotes); false for a JSON file.
// Saving a node through the form re-emits the file with yaml-cpp, which does not keep comments,
// so the caller asks first.
bool ScheduleHasComments(const std::string& text, const std::string& file_name);
// The schedule text with its top-level `alerts:` list set to `alerts` (JSON objects as written
// in the file: on, node, at, threshold, webhook); an empty list removes the key.
Result<std::string> SetScheduleAlerts(const std::string& text, const std::string& file_name,
                                      const nlohmann::json& alerts);
// The top-level alert rules of a schedule text as written (an empty list when there are none).
Result<nlohmann::json> ScheduleAlerts(const std::string& text, const std::string& file_name);
// The nodes of a schedule text as JSON objects, as written (before any checking).
Result<nlohmann::json> ScheduleNodes(const std::string& text, const std::string& file_name);

}  // namespace ferry
