// Small POSIX file helpers for txtfile: expanding paths, directories and globs, durable renames,
// copying files. Every error names the path it is about.
#pragma once

#include <string>
#include <vector>

#include "ferry/common/status.h"

namespace ferry::txtfile {

// Expands files, directories (every non-hidden file beneath, as DataX reads them) and glob(3)
// patterns into regular files, in pattern order (each glob's or directory's files sorted),
// without duplicates. A missing or unreadable file, an empty directory or a glob that matches
// no file is an error (NotFound/FailedPrecondition) with field "path".
Result<std::vector<std::string>> ExpandPaths(const std::vector<std::string>& patterns);

// mkdir -p.
Status MakeDirectories(const std::string& dir);
// Names (not paths) of the regular files in `dir` whose names start with `prefix`, sorted.
Result<std::vector<std::string>> ListFilesWithPrefix(const std::string& dir,
                                                     const std::string& prefix);
bool PathExists(const std::string& path);
// The size of a regular file; NotFound when it does not exist.
Result<uint64_t> FileSize(const std::string& path);

// Opens for writing (created 0644, truncated or appended).
Result<int> OpenForWrite(const std::string& path, bool append);
// fsync(fd) then close(fd); the fd is closed even on error.
Status SyncAndClose(int fd, const std::string& path);
// Makes the directory entry of a rename or a new file durable.
Status SyncDirectory(const std::string& dir);
Status RenameFile(const std::string& from, const std::string& to);
// Removes a file; a missing file is not an error.
Status RemoveFile(const std::string& path);
// Appends the bytes of `path` from `offset` to its end onto `dst_fd`.
Status AppendFileTo(const std::string& path, uint64_t offset, int dst_fd,
                    const std::string& dst_path);
// Reads up to `n` bytes from the start of `path`.
Result<std::string> ReadPrefix(const std::string& path, size_t n);
// Cuts `path` back to its first `size` bytes.
Status TruncateFile(const std::string& path, uint64_t size);

std::string JoinPath(const std::string& dir, const std::string& name);
// The directory part of `path` ("." when it has none).
std::string DirName(const std::string& path);

}  // namespace ferry::txtfile
