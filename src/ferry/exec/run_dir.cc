#include "ferry/exec/run_dir.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

#include "ferry/common/file.h"

namespace ferry {
namespace fs = std::filesystem;

namespace {

std::string IoError(const std::string& what, const std::string& path, int err) {
  return what + " " + path + ": " + std::strerror(err);
}

// "dirty.jsonl" lines kept by `keep`, rewritten atomically when any is dropped.
template <typename Keep>
Status FilterLines(const std::string& path, Keep keep) {
  if (!fs::exists(path)) return Status::OK();
  ASSIGN_OR_RETURN(std::string text, ReadFile(path));
  std::string kept;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t end = text.find('\n', pos);
    if (end == std::string::npos) end = text.size();
    std::string_view line(text.data() + pos, end - pos);
    pos = end + 1;
    nlohmann::json j = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
    if (!j.is_object() || !j.contains("split") || !j["split"].is_string()) continue;
    if (!keep(j["split"].get<std::string>(), j.value("attempt", int64_t{0}))) continue;
    kept.append(line);
    kept.push_back('\n');
  }
  if (kept.size() == text.size()) return Status::OK();
  return WriteFileAtomic(path, kept);
}

}  // namespace

std::string NewRunId(const std::string& job_file) {
  std::string stem = fs::path(job_file).stem().string();
  if (stem.empty()) stem = "job";
  if (stem.size() > 64) stem.resize(64);
  std::time_t tt = std::time(nullptr);
  std::tm tm;
  localtime_r(&tt, &tm);
  char when[32];
  std::strftime(when, sizeof(when), "%Y%m%dT%H%M%S", &tm);
  std::random_device random;
  return fmt::format("{}-{}-{:08x}", stem, when, random());
}

Result<RunDir> RunDir::Create(const std::string& path) {
  std::error_code ec;
  fs::create_directories(path, ec);
  if (ec) return Status::IOError("cannot create the run directory " + path + ": " + ec.message());
  if (fs::exists(path + "/plan.json")) {
    return Status::InvalidArgument("run directory " + path + " already holds a run; use --resume " +
                                   path + " to finish it, or choose another --run-dir");
  }
  return RunDir(path);
}

Result<RunDir> RunDir::Open(const std::string& path) {
  if (!fs::exists(path + "/plan.json") || !fs::exists(path + "/job.json")) {
    return Status::InvalidArgument(path +
                                   " is not a run directory to resume (no plan.json/job.json)");
  }
  return RunDir(path);
}

RunDir::RunDir(RunDir&& other) noexcept : path_(std::move(other.path_)) {
  std::lock_guard lock(other.mu_);
  committed_fd_ = std::exchange(other.committed_fd_, -1);
}

RunDir::~RunDir() {
  if (committed_fd_ >= 0) ::close(committed_fd_);
}

Status RunDir::WriteInfo(const RunInfo& info) const {
  nlohmann::json j = {
      {"run_id", info.run_id}, {"job_file", info.job_file}, {"job_sha256", info.job_sha256}};
  return WriteFileAtomic(File("run.json"), j.dump(2) + "\n");
}

Result<RunInfo> RunDir::ReadInfo() const {
  RunInfo info;
  if (!fs::exists(File("run.json"))) {
    info.run_id = fs::path(path_).filename().string();
    return info;
  }
  ASSIGN_OR_RETURN(std::string text, ReadFile(File("run.json")));
  nlohmann::json j = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object() || !j.contains("run_id") || !j["run_id"].is_string()) {
    return Status::InvalidArgument(File("run.json") + " is damaged: no run_id");
  }
  info.run_id = j["run_id"].get<std::string>();
  info.job_file = j.value("job_file", "");
  info.job_sha256 = j.value("job_sha256", "");
  return info;
}

Status RunDir::WriteJob(const nlohmann::json& job) const {
  return WriteFileAtomic(File("job.json"), job.dump(2) + "\n");
}

Result<nlohmann::json> RunDir::ReadJob() const {
  ASSIGN_OR_RETURN(std::string text, ReadFile(File("job.json")));
  try {
    return nlohmann::json::parse(text);
  } catch (const nlohmann::json::exception& e) {
    return Status::InvalidArgument(File("job.json") + " is damaged: " + e.what());
  }
}

Status RunDir::WritePlan(const std::vector<Split>& splits) const {
  nlohmann::json j = splits;
  return WriteFileAtomic(File("plan.json"), j.dump() + "\n");
}

Result<std::vector<Split>> RunDir::ReadPlan() const {
  ASSIGN_OR_RETURN(std::string text, ReadFile(File("plan.json")));
  try {
    return nlohmann::json::parse(text).get<std::vector<Split>>();
  } catch (const nlohmann::json::exception& e) {
    return Status::InvalidArgument(File("plan.json") + " is damaged: " + e.what());
  }
}

// Opens committed.log for appending, once; a line a crash left half-written is closed with a
// newline so the next record starts on a line of its own. Called with mu_ held.
Status RunDir::OpenCommittedLog() {
  if (committed_fd_ >= 0) return Status::OK();
  std::string path = File("committed.log");
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd < 0) return Status::IOError(IoError("cannot write", path, errno));
  struct stat st;
  char last = '\n';
  if (::fstat(fd, &st) == 0 && st.st_size > 0 && ::pread(fd, &last, 1, st.st_size - 1) == 1 &&
      last != '\n') {
    if (Status written = WriteAll(fd, "\n", path); !written.ok()) {
      ::close(fd);
      return written;
    }
  }
  committed_fd_ = fd;
  return Status::OK();
}

Status RunDir::MarkCommitted(const std::string& split_id, const SplitFigures& figures) {
  nlohmann::json record = {{"split", split_id},
                           {"attempt", figures.attempt},
                           {"records_read", figures.records_read},
                           {"bytes_read", figures.bytes_read},
                           {"records_written", figures.records_written},
                           {"dirty_records", figures.dirty_records}};
  std::string line = record.dump() + "\n";
  int fd;
  {
    // One write(2) of the whole line under the lock: lines never interleave.
    std::lock_guard lock(mu_);
    RETURN_NOT_OK(OpenCommittedLog());
    fd = committed_fd_;
    RETURN_NOT_OK(WriteAll(fd, line, File("committed.log")));
  }
  // Outside the lock: channels that commit together share the disk's flush instead of queueing
  // behind each other's (the kernel syncs every line written so far).
  if (::fdatasync(fd) != 0) {
    return Status::IOError(IoError("cannot sync", File("committed.log"), errno));
  }
  return Status::OK();
}

Result<std::map<std::string, SplitFigures>> RunDir::ReadCommittedSplits() const {
  std::map<std::string, SplitFigures> out;
  std::ifstream in(File("committed.log"));
  std::string line;
  while (std::getline(in, line)) {
    // Lines that do not parse were cut short by a crash before their split was recorded.
    nlohmann::json j = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
    if (!j.is_object() || !j.contains("split") || !j["split"].is_string()) continue;
    SplitFigures f;
    f.records_read = j.value("records_read", int64_t{0});
    f.bytes_read = j.value("bytes_read", int64_t{0});
    f.records_written = j.value("records_written", int64_t{0});
    f.dirty_records = j.value("dirty_records", int64_t{0});
    f.attempt = j.value("attempt", int64_t{0});
    out[j["split"].get<std::string>()] = f;
  }
  return out;
}

Result<std::set<std::string>> RunDir::ReadCommitted() const {
  ASSIGN_OR_RETURN(auto splits, ReadCommittedSplits());
  std::set<std::string> ids;
  for (const auto& [id, figures] : splits) ids.insert(id);
  return ids;
}

Status RunDir::KeepDirtyRecordsOf(const std::map<std::string, SplitFigures>& committed) const {
  return FilterLines(dirty_path(), [&](const std::string& split, int64_t attempt) {
    auto it = committed.find(split);
    if (it == committed.end()) return false;
    // Attempt 0: recorded before attempts were numbered; keep what there is.
    return it->second.attempt == 0 || attempt == 0 || attempt == it->second.attempt;
  });
}

Status RunDir::DropDirtyRecordsOf(const std::set<std::pair<std::string, int64_t>>& attempts) const {
  if (attempts.empty()) return Status::OK();
  return FilterLines(dirty_path(), [&](const std::string& split, int64_t attempt) {
    return attempts.count({split, attempt}) == 0;
  });
}

Status RunDir::WriteSummary(const std::string& text) const {
  return WriteFileAtomic(File("summary.json"), text);
}

}  // namespace ferry
