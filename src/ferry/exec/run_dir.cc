#include "ferry/exec/run_dir.h"

#include <fcntl.h>
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
  ::fsync(fd);
  ::close(fd);
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
    return Status::InvalidArgument("run directory " + path +
                                   " already holds a run; use --resume " + path +
                                   " to finish it, or choose another --run-dir");
  }
  return RunDir(path);
}

Result<RunDir> RunDir::Open(const std::string& path) {
  if (!fs::exists(path + "/plan.json") || !fs::exists(path + "/job.json")) {
    return Status::InvalidArgument(path + " is not a run directory to resume (no plan.json/job.json)");
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

Status RunDir::MarkCommitted(const std::string& split_id) {
  std::lock_guard lock(mu_);
  std::string path = File("committed.log");
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
  if (fd < 0) return Status::IOError("cannot write " + path + ": " + std::strerror(errno));
  std::string line = split_id + "\n";
  ssize_t n = ::write(fd, line.data(), line.size());
  ::fsync(fd);
  ::close(fd);
  if (n != static_cast<ssize_t>(line.size())) return Status::IOError("cannot write " + path);
  return Status::OK();
}

Result<std::set<std::string>> RunDir::ReadCommitted() const {
  std::set<std::string> ids;
  std::ifstream in(File("committed.log"));
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty()) ids.insert(line);
  }
  return ids;
}

Status RunDir::WriteSummary(const nlohmann::json& summary) const {
  return WriteFileAtomic(File("summary.json"), summary.dump(2) + "\n");
}

}  // namespace ferry
