#include "ferry/common/file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

namespace ferry {
namespace {

Status ErrnoError(const std::string& what, const std::string& path, int err) {
  std::string message = what + " " + path + ": " + std::strerror(err);
  if (err == ENOENT) return Status::NotFound(std::move(message));
  return Status::IOError(std::move(message));
}

}  // namespace

Status WriteAll(int fd, std::string_view data, const std::string& path) {
  while (!data.empty()) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return ErrnoError("cannot write", path, errno);
    if (n == 0) return Status::IOError("cannot write " + path + ": no byte written");
    data.remove_prefix(static_cast<size_t>(n));
  }
  return Status::OK();
}

Status SyncDirectory(const std::string& dir) {
  const std::string name = dir.empty() ? "." : dir;
  int fd = ::open(name.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return ErrnoError("cannot open directory", name, errno);
  Status st;
  if (::fsync(fd) != 0 && errno != EINVAL) st = ErrnoError("cannot fsync directory", name, errno);
  ::close(fd);
  return st;
}

Status WriteFileAtomic(const std::string& path, std::string_view content, int mode) {
  const std::string tmp = path + ".tmp";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
  if (fd < 0) return ErrnoError("cannot write", tmp, errno);
  Status st;
  if (::fchmod(fd, static_cast<mode_t>(mode)) != 0) {  // an old temp file keeps its mode otherwise
    st = ErrnoError("cannot chmod", tmp, errno);
  }
  if (st.ok()) st = WriteAll(fd, content, tmp);
  if (st.ok() && ::fsync(fd) != 0) st = ErrnoError("cannot fsync", tmp, errno);
  if (::close(fd) != 0 && st.ok()) st = ErrnoError("cannot close", tmp, errno);
  if (st.ok() && ::rename(tmp.c_str(), path.c_str()) != 0) {
    st = ErrnoError("cannot rename " + tmp + " to", path, errno);
  }
  if (!st.ok()) {
    ::unlink(tmp.c_str());
    return st;
  }
  return SyncDirectory(std::filesystem::path(path).parent_path().string());
}

Result<std::string> ReadFile(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return ErrnoError("cannot read", path, errno);
  std::string out;
  char buf[1 << 16];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof(buf));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      Status st = ErrnoError("cannot read", path, errno);
      ::close(fd);
      return st;
    }
    if (n == 0) break;
    out.append(buf, static_cast<size_t>(n));
  }
  ::close(fd);
  return out;
}

}  // namespace ferry
