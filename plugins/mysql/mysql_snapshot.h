// MysqlSnapshotPool: consistentSnapshot. Opens one connection per channel at plan time and
// starts a transaction WITH CONSISTENT SNAPSHOT on each while one of them holds
// FLUSH TABLES WITH READ LOCK, so every channel reads the same point in time; the lock is held
// only while the transactions start (it needs the RELOAD privilege). Reader tasks borrow a
// connection for their split and give it back; a connection that failed is dropped, and a task
// that finds the pool empty fails with FailedPrecondition (the snapshot cannot be rebuilt).
// Thread-safe.
#pragma once

#include <mutex>
#include <vector>

#include "ferry/common/status.h"
#include "plugins/mysql/mysql_connection.h"
#include "plugins/mysql/mysql_session.h"

namespace ferry {

class MysqlSnapshotPool {
 public:
  // `connections` connections to `conn` (falling back along `fallbacks`), each set up by `session`.
  static Result<std::shared_ptr<MysqlSnapshotPool>> Open(
      const ConnectionSpec& conn, const std::vector<ConnectionSpec>& fallbacks,
      const MysqlSessionSettings& session, int connections);

  // Distributed runs (DESIGN 8): the coordinator holds FLUSH TABLES WITH READ LOCK on the
  // connection Lock returns (UNLOCK TABLES, or closing it, releases it) while every host opens
  // its pool with OpenUnderHeldLock, so that the hosts' snapshots are one point in time.
  static Result<MysqlConnection> Lock(const ConnectionSpec& conn,
                                      const std::vector<ConnectionSpec>& fallbacks);
  static Result<std::shared_ptr<MysqlSnapshotPool>> OpenUnderHeldLock(
      const ConnectionSpec& conn, const std::vector<ConnectionSpec>& fallbacks,
      const MysqlSessionSettings& session, int connections);

  Result<MysqlConnection> Borrow();
  // `healthy`: the connection is still inside its snapshot transaction and idle.
  void Return(MysqlConnection conn, bool healthy);

 private:
  std::mutex mu_;
  std::vector<MysqlConnection> free_;
};

}  // namespace ferry
