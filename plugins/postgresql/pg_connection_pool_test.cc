// The connections a step's tasks share between splits (pg_connection_pool.h), against the real
// test server: a connection whose transaction ended serves the next task under the new task's
// name; one left inside a transaction or a COPY is closed, never handed on; one the server
// closed while it waited is replaced without an error; the pool keeps no more than its capacity.
#include "plugins/postgresql/pg_connection_pool.h"

#include <gtest/gtest.h>
#include <libpq-fe.h>

#include <chrono>
#include <string>
#include <thread>

#include "tests/support/pg_test_server.h"

namespace ferry::pg {
namespace {

using ::ferry::testing::PgRows;
using ::ferry::testing::PgTestSchema;
using ::ferry::testing::PgValue;

SqlSource TestSource() {
  const auto& server = ::ferry::testing::TestPgServer();
  SqlSource source;
  source.conn.type = "postgresql";
  source.conn.host = server.host;
  source.conn.port = server.port;
  source.conn.database = server.database;
  source.conn.user = server.user;
  source.conn.password = server.password;
  return source;
}

std::string One(PgConnection& conn, const std::string& sql) {
  auto r = conn.Query(sql);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? PQgetvalue(r->get(), 0, 0) : "";
}

PgConnectionPool::Lease Take(PgConnectionPool& pool, size_t key, const std::string& name) {
  auto lease = pool.Connect(key, TestSource(), name);
  EXPECT_TRUE(lease.ok()) << lease.status().ToString();
  return lease.ok() ? std::move(*lease) : PgConnectionPool::Lease{};
}

// Whether backend `pid` is still connected, waiting up to five seconds for it to go.
bool BackendGone(const std::string& pid) {
  for (int i = 0; i < 100; ++i) {
    if (PgValue("SELECT count(*) FROM pg_stat_activity WHERE pid = " + pid) == "0") return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return false;
}

TEST(PgConnectionPool, AConnectionWhoseTransactionEndedServesTheNextTaskUnderItsName) {
  PgConnectionPool pool(2);
  PgConnectionPool::Lease first = Take(pool, 0, "ferry/read/0000");
  EXPECT_FALSE(first.reused);
  const std::string pid = One(first.conn, "SELECT pg_backend_pid()");
  ASSERT_TRUE(first.conn.Exec("BEGIN; SELECT 1; COMMIT").ok());
  pool.Return(0, std::move(first.conn));

  PgConnectionPool::Lease second = Take(pool, 0, "ferry/read/0001");
  EXPECT_TRUE(second.reused);
  EXPECT_EQ(One(second.conn, "SELECT pg_backend_pid()"), pid);
  EXPECT_EQ(One(second.conn, "SELECT current_setting('application_name')"), "ferry/read/0001");
  EXPECT_EQ(PgValue("SELECT application_name FROM pg_stat_activity WHERE pid = " + pid),
            "ferry/read/0001");
  EXPECT_EQ(pool.opened(), 1u);
}

TEST(PgConnectionPool, AConnectionInsideATransactionOrACopyIsClosedNotHandedOn) {
  PgTestSchema s;
  ::ferry::testing::PgExec("CREATE TABLE " + (s / "t") + " (id int)");
  PgConnectionPool pool(2);
  PgConnectionPool::Lease in_tx = Take(pool, 0, "ferry/write/0000");
  PgConnectionPool::Lease in_copy = Take(pool, 0, "ferry/write/0001");
  PgConnectionPool::Lease in_copy_out = Take(pool, 0, "ferry/read/0002");
  const std::string tx_pid = One(in_tx.conn, "SELECT pg_backend_pid()");
  const std::string copy_pid = One(in_copy.conn, "SELECT pg_backend_pid()");
  const std::string copy_out_pid = One(in_copy_out.conn, "SELECT pg_backend_pid()");
  ASSERT_TRUE(in_tx.conn.Exec("BEGIN; INSERT INTO " + (s / "t") + " VALUES (1)").ok());
  ASSERT_TRUE(in_copy.conn.StartCopyIn("COPY " + (s / "t") + " FROM STDIN").ok());
  ASSERT_TRUE(in_copy.conn.PutCopyData("2\n").ok());
  // A reader task left before the end of its split: its COPY TO STDOUT still sending.
  ASSERT_TRUE(
      in_copy_out.conn.StartCopyOut("COPY (SELECT generate_series(1, 1000000)) TO STDOUT").ok());
  pool.Return(0, std::move(in_tx.conn));
  pool.Return(0, std::move(in_copy.conn));
  pool.Return(0, std::move(in_copy_out.conn));

  EXPECT_TRUE(BackendGone(tx_pid));
  EXPECT_TRUE(BackendGone(copy_pid));
  EXPECT_TRUE(BackendGone(copy_out_pid));
  PgConnectionPool::Lease next = Take(pool, 0, "ferry/write/0003");
  EXPECT_FALSE(next.reused);
  EXPECT_EQ(pool.opened(), 4u);
  // Neither the open transaction's row nor the COPY's was kept.
  EXPECT_EQ(PgValue("SELECT count(*) FROM " + (s / "t")), "0");
}

TEST(PgConnectionPool, AConnectionTheServerClosedWhileItWaitedIsReplacedWithoutAnError) {
  PgConnectionPool pool(2);
  PgConnectionPool::Lease first = Take(pool, 0, "ferry/write/0000");
  const std::string pid = One(first.conn, "SELECT pg_backend_pid()");
  pool.Return(0, std::move(first.conn));
  PgRows("SELECT pg_terminate_backend(" + pid + ")");
  ASSERT_TRUE(BackendGone(pid));

  auto next = pool.Connect(0, TestSource(), "ferry/write/0001");
  ASSERT_TRUE(next.ok()) << next.status().ToString();
  EXPECT_FALSE(next->reused);
  EXPECT_NE(One(next->conn, "SELECT pg_backend_pid()"), pid);
  EXPECT_EQ(One(next->conn, "SELECT current_setting('application_name')"), "ferry/write/0001");
  EXPECT_EQ(pool.opened(), 2u);
}

TEST(PgConnectionPool, AConnectionIdleForLongerThanMaxIdleIsClosedNotTrusted) {
  PgConnectionPool pool(2, std::chrono::milliseconds(200));
  PgConnectionPool::Lease first = Take(pool, 0, "ferry/write/0000");
  const std::string pid = One(first.conn, "SELECT pg_backend_pid()");
  pool.Return(0, std::move(first.conn));
  std::this_thread::sleep_for(std::chrono::milliseconds(400));

  PgConnectionPool::Lease next = Take(pool, 0, "ferry/write/0001");
  EXPECT_FALSE(next.reused);
  EXPECT_NE(One(next.conn, "SELECT pg_backend_pid()"), pid);
  EXPECT_TRUE(BackendGone(pid));
  EXPECT_EQ(pool.opened(), 2u);
}

// A step reading many databases keeps as many idle connections as it has channels, not one per
// database: the longest idle goes first.
TEST(PgConnectionPool, KeepsNoMoreThanItsCapacityOverAllDatabases) {
  PgConnectionPool pool(2);
  PgConnectionPool::Lease a = Take(pool, 0, "ferry/read/a");
  PgConnectionPool::Lease b = Take(pool, 1, "ferry/read/b");
  PgConnectionPool::Lease c = Take(pool, 1, "ferry/read/c");
  const std::string a_pid = One(a.conn, "SELECT pg_backend_pid()");
  pool.Return(0, std::move(a.conn));
  pool.Return(1, std::move(b.conn));
  pool.Return(1, std::move(c.conn));
  EXPECT_TRUE(BackendGone(a_pid));

  EXPECT_FALSE(Take(pool, 0, "ferry/read/d").reused);  // database 0's was closed
  EXPECT_TRUE(Take(pool, 1, "ferry/read/e").reused);
  EXPECT_TRUE(Take(pool, 1, "ferry/read/f").reused);
  EXPECT_FALSE(Take(pool, 1, "ferry/read/g").reused);  // both taken
  EXPECT_EQ(pool.opened(), 5u);
}

}  // namespace
}  // namespace ferry::pg
