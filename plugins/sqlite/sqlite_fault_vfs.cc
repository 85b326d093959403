#include "plugins/sqlite/sqlite_fault_vfs.h"

#include <sqlite3.h>

#include <cstring>
#include <mutex>

#include "ferry/common/fault_point.h"

namespace ferry {
namespace {

sqlite3_vfs* g_default = nullptr;
sqlite3_vfs g_fault_vfs;

bool IsJournal(const char* name) {
  static constexpr char kSuffix[] = "-journal";
  size_t n = std::strlen(name), k = sizeof(kSuffix) - 1;
  return n >= k && std::strcmp(name + n - k, kSuffix) == 0;
}

int DeleteWithFaultPoints(sqlite3_vfs*, const char* name, int sync_dir) {
  const bool journal = IsJournal(name);
  if (journal) FaultPoint("sqlite.journal_delete");
  int rc = g_default->xDelete(g_default, name, sync_dir);
  if (journal) FaultPoint("sqlite.journal_deleted");
  return rc;
}

}  // namespace

void InstallSqliteFaultVfsIfArmed() {
  static std::once_flag once;
  std::call_once(once, [] {
    if (!fault_point_internal::kArmed) return;
    g_default = sqlite3_vfs_find(nullptr);
    if (g_default == nullptr) return;
    g_fault_vfs = *g_default;
    g_fault_vfs.zName = "ferry-fault";
    g_fault_vfs.pNext = nullptr;
    g_fault_vfs.xDelete = DeleteWithFaultPoints;
    sqlite3_vfs_register(&g_fault_vfs, /*makeDflt=*/1);
  });
}

}  // namespace ferry
