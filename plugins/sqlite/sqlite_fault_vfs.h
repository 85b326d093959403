// The fault points inside SQLite's own commit (ferry/common/fault_point.h): with FERRY_FAULT set,
// every connection of this process opens through a VFS that wraps the default one and calls
// FaultPoint("sqlite.journal_delete") just before a rollback journal is deleted — the moment a
// rollback-journal transaction commits — and FaultPoint("sqlite.journal_deleted") just after.
// Without FERRY_FAULT nothing is installed.
#pragma once

namespace ferry {

// Idempotent and thread-safe; call before opening a connection.
void InstallSqliteFaultVfsIfArmed();

}  // namespace ferry
