#include "plugins/mysql/mysql_snapshot.h"

namespace ferry {
namespace {

Status FlushWithReadLock(MysqlConnection& locker) {
  Status s = locker.Exec("FLUSH TABLES WITH READ LOCK");
  if (s.ok()) return s;
  return s.WithPrefix(
      "consistentSnapshot: FLUSH TABLES WITH READ LOCK failed (the user needs the RELOAD "
      "privilege)");
}

Status BeginSnapshots(std::vector<MysqlConnection>& conns) {
  for (MysqlConnection& c : conns) {
    Status s = c.Exec("SET SESSION TRANSACTION ISOLATION LEVEL REPEATABLE READ");
    if (s.ok()) s = c.Exec("START TRANSACTION WITH CONSISTENT SNAPSHOT, READ ONLY");
    if (!s.ok()) return s.WithPrefix("consistentSnapshot: starting the snapshot transactions");
  }
  return Status::OK();
}

Status StartSnapshots(MysqlConnection& locker, std::vector<MysqlConnection>& conns) {
  RETURN_NOT_OK(FlushWithReadLock(locker));
  Status s = BeginSnapshots(conns);
  Status unlocked = locker.Exec("UNLOCK TABLES");
  return s.ok() ? unlocked : s;
}

Result<std::vector<MysqlConnection>> ConnectAll(const ConnectionSpec& conn,
                                                const std::vector<ConnectionSpec>& fallbacks,
                                                const MysqlSessionSettings& session,
                                                int connections) {
  std::vector<MysqlConnection> out;
  for (int i = 0; i < connections; ++i) {
    ASSIGN_OR_RETURN(MysqlConnection c, MysqlConnection::ConnectAny(conn, fallbacks));
    RETURN_NOT_OK(SetUpSession(c, session));
    out.push_back(std::move(c));
  }
  return out;
}

}  // namespace

Result<std::shared_ptr<MysqlSnapshotPool>> MysqlSnapshotPool::Open(
    const ConnectionSpec& conn, const std::vector<ConnectionSpec>& fallbacks,
    const MysqlSessionSettings& session, int connections) {
  auto pool = std::make_shared<MysqlSnapshotPool>();
  ASSIGN_OR_RETURN(pool->free_, ConnectAll(conn, fallbacks, session, connections));
  ASSIGN_OR_RETURN(MysqlConnection locker, MysqlConnection::ConnectAny(conn, fallbacks));
  RETURN_NOT_OK(StartSnapshots(locker, pool->free_));
  return pool;
}

Result<MysqlConnection> MysqlSnapshotPool::Lock(const ConnectionSpec& conn,
                                                const std::vector<ConnectionSpec>& fallbacks) {
  ASSIGN_OR_RETURN(MysqlConnection locker, MysqlConnection::ConnectAny(conn, fallbacks));
  RETURN_NOT_OK(FlushWithReadLock(locker));
  return locker;
}

Result<std::shared_ptr<MysqlSnapshotPool>> MysqlSnapshotPool::OpenUnderHeldLock(
    const ConnectionSpec& conn, const std::vector<ConnectionSpec>& fallbacks,
    const MysqlSessionSettings& session, int connections) {
  auto pool = std::make_shared<MysqlSnapshotPool>();
  ASSIGN_OR_RETURN(pool->free_, ConnectAll(conn, fallbacks, session, connections));
  RETURN_NOT_OK(BeginSnapshots(pool->free_));
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
