#include "ferry/exec/run_dir.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace ferry {
namespace fs = std::filesystem;

Status WriteFileAtomic(const std::string& path, const std::string& content) {
  std::string tmp = path + ".tmp";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd < 0) return Status::IOError("cannot write " + tmp + ": " + std::strerror(errno));
  size_t off = 0;
  while (off < content.size()) {
    ssize_t n = ::write(fd, content.data() + off, content.size() - off);
    if (n < 0) {
      int e = errno;
      ::close(fd);
      return Status::IOError("cannot write " + tmp + ": " + std::strerror(e));
    }
    off += static_cast<size_t>(n);
  }
  bool synced = ::fsync(fd) == 0;
  bool closed = ::close(fd) == 0;
  if (!synced || !closed)
    return Status::IOError("cannot write " + tmp + ": " + std::strerror(errno));
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    return Status::IOError("cannot rename " + tmp + ": " + std::strerror(errno));
  }
  return Status::OK();
}

Result<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::NotFound("cannot read " + path + ": " + std::strerror(errno));
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
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

Status RunDir::MarkCommitted(const std::string& split_id, const SplitFigures& figures) {
  nlohmann::json record = {{"split", split_id},
                           {"records_read", figures.records_read},
                           {"bytes_read", figures.bytes_read},
                           {"records_written", figures.records_written},
                           {"dirty_records", figures.dirty_records}};
  std::string line = record.dump() + "\n";
  std::lock_guard lock(mu_);
  std::string path = File("committed.log");
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_APPEND, 0644);
  if (fd < 0) return Status::IOError("cannot write " + path + ": " + std::strerror(errno));
  // A crash may have left half a line: start on a line of our own.
  struct stat st;
  char last = '\n';
  if (::fstat(fd, &st) == 0 && st.st_size > 0 && ::pread(fd, &last, 1, st.st_size - 1) == 1 &&
      last != '\n') {
    line.insert(line.begin(), '\n');
  }
  ssize_t n = ::write(fd, line.data(), line.size());
  int err = n < 0 ? errno : 0;
  bool synced = ::fsync(fd) == 0;
  ::close(fd);
  if (n != static_cast<ssize_t>(line.size()) || !synced) {
    return Status::IOError("cannot write " + path +
                           (err ? std::string(": ") + std::strerror(err) : ""));
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

Status RunDir::KeepDirtyRecordsOf(const std::set<std::string>& splits) const {
  std::string path = dirty_path();
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
    if (j.is_object() && j.contains("split") && j["split"].is_string() &&
        splits.count(j["split"].get<std::string>())) {
      kept.append(line);
      kept.push_back('\n');
    }
  }
  if (kept.size() == text.size()) return Status::OK();
  return WriteFileAtomic(path, kept);
}

Status RunDir::WriteSummary(const nlohmann::json& summary) const {
  return WriteFileAtomic(File("summary.json"), summary.dump(2) + "\n");
}

}  // namespace ferry
