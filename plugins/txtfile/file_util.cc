#include "plugins/txtfile/file_util.h"

#include <dirent.h>
#include <fcntl.h>
#include <glob.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <set>

namespace ferry::txtfile {
namespace {

std::string ErrnoText() { return std::strerror(errno); }

Status ErrnoStatus(const std::string& what, const std::string& path) {
  std::string message = what + " " + path + ": " + ErrnoText();
  if (errno == ENOENT) return Status::NotFound(std::move(message));
  return Status::IOError(std::move(message));
}

bool HasGlobCharacters(const std::string& pattern) {
  return pattern.find_first_of("*?[") != std::string::npos;
}

Status CheckReadable(const std::string& path) {
  if (::access(path.c_str(), R_OK) != 0) {
    return Status::FailedPrecondition("cannot read " + path + ": " + ErrnoText()).WithField("path");
  }
  return Status::OK();
}

// Every regular file under `dir`, recursively, sorted; hidden names (".x") are skipped, as
// they are by globs, so a writer's temp files in the same directory are never read.
Result<std::vector<std::string>> FilesUnder(const std::string& dir) {
  namespace fs = std::filesystem;
  std::vector<std::string> files;
  std::error_code ec;
  fs::recursive_directory_iterator it(dir, fs::directory_options::follow_directory_symlink, ec);
  for (; !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    bool hidden = it->path().filename().string().starts_with(".");
    if (hidden && it->is_directory(ec)) it.disable_recursion_pending();
    if (!hidden && it->is_regular_file(ec)) files.push_back(it->path().string());
  }
  if (ec) {
    return Status::FailedPrecondition("cannot list " + dir + ": " + ec.message()).WithField("path");
  }
  if (files.empty()) {
    return Status::NotFound("directory " + dir + " holds no file").WithField("path");
  }
  std::sort(files.begin(), files.end());
  return files;
}

// The files `path` names: itself, or every file under it when it is a directory.
Result<std::vector<std::string>> FilesAt(const std::string& path) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) {
    if (errno == ENOENT) {
      return Status::NotFound("file " + path + " does not exist").WithField("path");
    }
    return Status::FailedPrecondition("cannot access " + path + ": " + ErrnoText())
        .WithField("path");
  }
  if (S_ISDIR(st.st_mode)) return FilesUnder(path);
  return std::vector<std::string>{path};
}

Result<std::vector<std::string>> Glob(const std::string& pattern) {
  glob_t g;
  std::memset(&g, 0, sizeof(g));
  int rc = ::glob(pattern.c_str(), GLOB_MARK, nullptr, &g);
  std::vector<std::string> out;
  if (rc == 0) {
    for (size_t k = 0; k < g.gl_pathc; ++k) {
      std::string match = g.gl_pathv[k];
      if (!match.empty() && match.back() != '/') out.push_back(std::move(match));  // no dirs
    }
  }
  ::globfree(&g);
  if (rc != 0 && rc != GLOB_NOMATCH) {
    return Status::IOError("cannot expand " + pattern).WithField("path");
  }
  if (out.empty()) return Status::NotFound("no file matches " + pattern).WithField("path");
  return out;
}

// Copies `src_fd` from *pos to its end onto `dst_fd` by reading and writing.
Status CopyByReading(int src_fd, off_t* pos, int dst_fd, const std::string& src_path,
                     const std::string& dst_path) {
  std::string buf(1 << 20, '\0');
  for (;;) {
    ssize_t n = ::pread(src_fd, buf.data(), buf.size(), *pos);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return ErrnoStatus("cannot read", src_path);
    if (n == 0) return Status::OK();
    *pos += n;
    for (ssize_t done = 0; done < n;) {
      ssize_t w = ::write(dst_fd, buf.data() + done, static_cast<size_t>(n - done));
      if (w < 0 && errno == EINTR) continue;
      if (w < 0) return ErrnoStatus("cannot write", dst_path);
      done += w;
    }
  }
}

// Like CopyByReading, but in the kernel (a reflink where the filesystem can). Falls back to
// reading where copy_file_range is refused: O_APPEND targets, across filesystems, old kernels.
Status CopyInKernel(int src_fd, off_t* pos, int dst_fd, const std::string& src_path,
                    const std::string& dst_path) {
  for (;;) {
    ssize_t n = ::copy_file_range(src_fd, pos, dst_fd, nullptr, size_t{1} << 30, 0);
    if (n > 0) continue;
    if (n == 0) return Status::OK();
    if (errno == EINTR) continue;
    if (errno == EXDEV || errno == EINVAL || errno == ENOSYS || errno == EBADF ||
        errno == EOPNOTSUPP) {
      return CopyByReading(src_fd, pos, dst_fd, src_path, dst_path);
    }
    return ErrnoStatus("cannot copy " + src_path + " to", dst_path);
  }
}

}  // namespace

Result<std::vector<std::string>> ExpandPaths(const std::vector<std::string>& patterns) {
  if (patterns.empty()) return Status::InvalidArgument("no file given").WithField("path");
  std::vector<std::string> files;
  std::set<std::string> seen;
  for (const std::string& pattern : patterns) {
    std::vector<std::string> matches;
    if (HasGlobCharacters(pattern)) {
      ASSIGN_OR_RETURN(matches, Glob(pattern));
    } else {
      ASSIGN_OR_RETURN(matches, FilesAt(pattern));
    }
    for (std::string& file : matches) {
      RETURN_NOT_OK(CheckReadable(file));
      if (seen.insert(file).second) files.push_back(std::move(file));
    }
  }
  return files;
}

Status MakeDirectories(const std::string& dir) {
  std::string partial;
  size_t pos = 0;
  while (pos != std::string::npos) {
    pos = dir.find('/', pos + 1);
    partial = dir.substr(0, pos);
    if (partial.empty()) continue;
    if (::mkdir(partial.c_str(), 0755) != 0 && errno != EEXIST) {
      return ErrnoStatus("cannot create directory", partial);
    }
  }
  struct stat st;
  if (::stat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
    return Status::FailedPrecondition(dir + " is not a directory");
  }
  return Status::OK();
}

Result<std::vector<std::string>> ListFilesWithPrefix(const std::string& dir,
                                                     const std::string& prefix) {
  std::vector<std::string> names;
  DIR* d = ::opendir(dir.c_str());
  if (d == nullptr) {
    if (errno == ENOENT) return names;
    return ErrnoStatus("cannot list", dir);
  }
  while (struct dirent* e = ::readdir(d)) {
    std::string name = e->d_name;
    if (!name.starts_with(prefix)) continue;
    struct stat st;
    if (::stat(JoinPath(dir, name).c_str(), &st) == 0 && S_ISREG(st.st_mode)) {
      names.push_back(std::move(name));
    }
  }
  ::closedir(d);
  std::sort(names.begin(), names.end());
  return names;
}

bool PathExists(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0;
}

Result<uint64_t> FileSize(const std::string& path) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) return ErrnoStatus("cannot stat", path);
  return static_cast<uint64_t>(st.st_size);
}

Result<int> OpenForWrite(const std::string& path, bool append) {
  int flags = O_WRONLY | O_CREAT | O_CLOEXEC | (append ? O_APPEND : O_TRUNC);
  int fd = ::open(path.c_str(), flags, 0644);
  if (fd < 0) return ErrnoStatus("cannot create", path);
  return fd;
}

Status SyncAndClose(int fd, const std::string& path) {
  Status st;
  if (::fsync(fd) != 0) st = ErrnoStatus("cannot fsync", path);
  if (::close(fd) != 0 && st.ok()) st = ErrnoStatus("cannot close", path);
  return st;
}

Status SyncDirectory(const std::string& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return ErrnoStatus("cannot open directory", dir);
  return SyncAndClose(fd, dir);
}

Status RenameFile(const std::string& from, const std::string& to) {
  if (::rename(from.c_str(), to.c_str()) != 0) {
    return ErrnoStatus("cannot rename " + from + " to", to);
  }
  return Status::OK();
}

Status RemoveFile(const std::string& path) {
  if (::unlink(path.c_str()) != 0 && errno != ENOENT) return ErrnoStatus("cannot remove", path);
  return Status::OK();
}

Status AppendFileTo(const std::string& path, uint64_t offset, int dst_fd,
                    const std::string& dst_path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return ErrnoStatus("cannot open", path);
  off_t pos = static_cast<off_t>(offset);
  Status st = CopyInKernel(fd, &pos, dst_fd, path, dst_path);
  ::close(fd);
  return st;
}

Result<std::string> ReadPrefix(const std::string& path, size_t n) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return ErrnoStatus("cannot open", path);
  std::string out(n, '\0');
  ssize_t got = ::pread(fd, out.data(), n, 0);
  ::close(fd);
  if (got < 0) return ErrnoStatus("cannot read", path);
  out.resize(static_cast<size_t>(got));
  return out;
}

Status TruncateFile(const std::string& path, uint64_t size) {
  if (::truncate(path.c_str(), static_cast<off_t>(size)) != 0) {
    return ErrnoStatus("cannot truncate", path);
  }
  return Status::OK();
}

std::string DirName(const std::string& path) {
  size_t slash = path.find_last_of('/');
  if (slash == std::string::npos) return ".";
  return slash == 0 ? "/" : path.substr(0, slash);
}

std::string JoinPath(const std::string& dir, const std::string& name) {
  if (dir.empty()) return name;
  return dir.back() == '/' ? dir + name : dir + "/" + name;
}

}  // namespace ferry::txtfile
