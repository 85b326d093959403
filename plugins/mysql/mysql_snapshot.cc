#include "plugins/mysql/mysql_snapshot.h"

namespace ferry {
namespace {

Status StartSnapshots(MysqlConnection& locker, std::vector<MysqlConnection>& conns) {
  Status s = locker.Exec("FLUSH TABLES WITH READ LOCK");
  if (!s.ok()) {
    return s.WithPrefix(
        "consistentSnapshot: FLUSH TABLES WITH READ LOCK failed (the user needs the RELOAD "
        "privilege)");
  }
  for (MysqlConnection& c : conns) {
    s = c.Exec("SET SESSION TRANSACTION ISOLATION LEVEL REPEATABLE READ");
    if (s.ok()) s = c.Exec("START TRANSACTION WITH CONSISTENT SNAPSHOT, READ ONLY");
    if (!s.ok()) break;
  }
  Status unlocked = locker.Exec("UNLOCK TABLES");
  if (!s.ok()) return s.WithPrefix("consistentSnapshot: starting the snapshot transactions");
  return unlocked;
}

}  // namespace

Result<std::shared_ptr<MysqlSnapshotPool>> MysqlSnapshotPool::Open(
    const ConnectionSpec& conn, const std::vector<ConnectionSpec>& fallbacks,
    const MysqlSessionSettings& session, int connections) {
  auto pool = std::make_shared<MysqlSnapshotPool>();
  for (int i = 0; i < connections; ++i) {
    ASSIGN_OR_RETURN(MysqlConnection c, MysqlConnection::ConnectAny(conn, fallbacks));
    RETURN_NOT_OK(SetUpSession(c, session));
    pool->free_.push_back(std::move(c));
  }
  ASSIGN_OR_RETURN(MysqlConnection locker, MysqlConnection::ConnectAny(conn, fallbacks));
  RETURN_NOT_OK(StartSnapshots(locker, pool->free_));
  return pool;
}

Result<MysqlConnection> MysqlSnapshotPool::Borrow() {
  std::lock_guard lock(mu_);
  if (free_.empty()) {
    return Status::FailedPrecondition(
        "consistentSnapshot: a snapshot connection was lost, and a new one would read another "
        "point in time; run the job again");
  }
  MysqlConnection c = std::move(free_.back());
  free_.pop_back();
  return c;
}

void MysqlSnapshotPool::Return(MysqlConnection conn, bool healthy) {
  if (!healthy) return;
  std::lock_guard lock(mu_);
  free_.push_back(std::move(conn));
}

}  // namespace ferry
