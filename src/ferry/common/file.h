// Whole-file reads and crash-safe whole-file writes, the one place for them: the run directory's
// JSON files, the data-source catalog, resource groups, the studio's saves and the txtfile
// plugin's publish journal all go through WriteFileAtomic.
#pragma once

#include <string>
#include <string_view>

#include "ferry/common/status.h"

namespace ferry {

// Replaces `path` with `content` so that a crash leaves the old file or the new one, never a mix:
// written to `path`.tmp (through EINTR and short writes) with `mode`, fsynced, renamed over
// `path`, and the directory fsynced so that the rename itself survives a power loss.
Status WriteFileAtomic(const std::string& path, std::string_view content, int mode = 0644);

// The whole of `path`; NotFound when it does not exist, IOError when it cannot be read.
Result<std::string> ReadFile(const std::string& path);

// write(2) of all of `data` to `fd`, through EINTR and short writes; `path` names it in the error.
Status WriteAll(int fd, std::string_view data, const std::string& path);

// fsync of the directory `dir`, so that a rename or a new file in it is durable.
Status SyncDirectory(const std::string& dir);

}  // namespace ferry
