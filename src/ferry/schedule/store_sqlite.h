// The scheduler's store in one SQLite file (WAL), the default: several processes on this host
// (the server, `ferry ops`, `ferry deploy`) may use it at once; BEGIN IMMEDIATE serializes their
// writes.
#pragma once

#include <memory>
#include <string>

#include "ferry/schedule/store_backend.h"

namespace ferry {

// Opens (creating when missing) the SQLite store at `path`; its folder must exist.
Result<std::unique_ptr<StoreBackend>> OpenSqliteStore(const std::string& path);

}  // namespace ferry
