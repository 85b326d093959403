#include "ferry/cli/store_flag.h"

#include <fmt/format.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>

#include "ferry/datasource/datasource_store.h"

namespace ferry {

void AddStoreFlag(CLI::App* cmd, std::string* store) {
  if (const char* env = std::getenv("FERRY_STORE")) *store = env;
  cmd->add_option("--store", *store,
                  "the scheduler's store: a SQLite file, postgresql://USER@HOST:PORT/DB[?schema=S] "
                  "(password from PGPASSWORD or ~/.pgpass) or datasource:NAME[?schema=S] "
                  "(default $FERRY_STORE or .ferry/scheduler.db)");
}

Result<std::unique_ptr<Store>> OpenStore(const std::string& path) {
  if (IsServerStoreLocation(path)) return Store::Open(path, &DefaultDataSourceCatalog());
  std::filesystem::path parent = std::filesystem::path(path).parent_path();
  std::error_code ec;
  if (!parent.empty()) std::filesystem::create_directories(parent, ec);
  if (ec)
    return Status::IOError(fmt::format("cannot create {}: {}", parent.string(), ec.message()));
  return Store::Open(path);
}

Result<Deployment> DeployedSchedule(Store* store) {
  ASSIGN_OR_RETURN(std::optional<Deployment> d, store->CurrentDeployment());
  if (!d)
    return Status::FailedPrecondition(
        fmt::format("nothing is deployed in {} (ferry deploy DIR)", store->location()));
  return std::move(*d);
}

std::string SelfBinary() {
  std::error_code ec;
  std::filesystem::path self = std::filesystem::read_symlink("/proc/self/exe", ec);
  return ec ? std::string("/proc/self/exe") : self.string();
}

}  // namespace ferry
