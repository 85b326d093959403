// The pieces a streamed split (pg_writer_task.h) relies on, against the real test server: a COPY
// FROM STDIN that stays open says nothing while its rows are good; once the server refused a row
// it has answered before the COPY ends (ServerSpokeDuringCopy), so a long split stops early; and
// a COPY abandoned half way (AbortCopyIn) keeps none of its rows and leaves the connection usable.
#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <thread>

#include "plugins/postgresql/pg_connection.h"
#include "tests/support/pg_test_server.h"

namespace ferry::pg {
namespace {

using ::ferry::testing::PgTestSchema;
using ::ferry::testing::PgValue;

PgConnection Connect() {
  const auto& server = ::ferry::testing::TestPgServer();
  ConnectionSpec spec;
  spec.type = "postgresql";
  spec.host = server.host;
  spec.port = server.port;
  spec.database = server.database;
  spec.user = server.user;
  spec.password = server.password;
  Result<PgConnection> conn = PgConnection::Connect(spec, "ferry/test");
  EXPECT_TRUE(conn.ok()) << conn.status().ToString();
  return conn.ok() ? std::move(*conn) : PgConnection();
}

// Polls for up to five seconds: the server's answer travels over loopback.
bool SpeaksWithin5s(const PgConnection& conn) {
  for (int i = 0; i < 500; ++i) {
    if (conn.ServerSpokeDuringCopy()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return false;
}

std::string Rows(int from, int to) {
  std::string out;
  for (int i = from; i < to; ++i) out += std::to_string(i) + "\tv" + std::to_string(i) + "\n";
  return out;
}

TEST(PgCopyStream, GoodRowsGetNoAnswerUntilTheCopyEnds) {
  PgTestSchema s;
  ::ferry::testing::PgExec("CREATE TABLE " + (s / "t") + " (id int PRIMARY KEY, v text)");
  PgConnection conn = Connect();
  ASSERT_TRUE(conn);
  ASSERT_TRUE(conn.StartCopyIn("COPY " + (s / "t") + " (id, v) FROM STDIN").ok());
  ASSERT_TRUE(conn.PutCopyData(Rows(0, 5000)).ok());
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  EXPECT_FALSE(conn.ServerSpokeDuringCopy());
  ASSERT_TRUE(conn.PutCopyData(Rows(5000, 10000)).ok());
  Status ended = conn.EndCopyIn();
  EXPECT_TRUE(ended.ok()) << ended.ToString();
  EXPECT_EQ(PgValue("SELECT count(*) || ':' || sum(id) FROM " + (s / "t")), "10000:49995000");
}

TEST(PgCopyStream, ARefusedRowIsAnsweredBeforeTheCopyEndsAndIsADataError) {
  PgTestSchema s;
  ::ferry::testing::PgExec("CREATE TABLE " + (s / "t") +
                           " (id int PRIMARY KEY, v text CHECK (v <> 'v7'))");
  PgConnection conn = Connect();
  ASSERT_TRUE(conn);
  ASSERT_TRUE(conn.StartCopyIn("COPY " + (s / "t") + " (id, v) FROM STDIN").ok());
  // Row 7 is refused; the server reads the rest of the COPY without a word more.
  ASSERT_TRUE(conn.PutCopyData(Rows(0, 2000)).ok());
  // libpq sends what it buffered once the COPY has 8 KB or more waiting; these rows pass that.
  EXPECT_TRUE(SpeaksWithin5s(conn));
  ASSERT_TRUE(conn.PutCopyData(Rows(2000, 3000)).ok());
  Status ended = conn.EndCopyIn();
  EXPECT_EQ(ended.code(), StatusCode::kDataError) << ended.ToString();
  EXPECT_NE(ended.message().find("violates check constraint"), std::string::npos)
      << ended.message();
  EXPECT_EQ(PgValue("SELECT count(*) FROM " + (s / "t")), "0");
  EXPECT_TRUE(conn.Exec("SELECT 1").ok());
}

TEST(PgCopyStream, AnAbandonedCopyKeepsNoRowAndTheConnectionGoesOn) {
  PgTestSchema s;
  ::ferry::testing::PgExec("CREATE TABLE " + (s / "t") + " (id int, v text)");
  PgConnection conn = Connect();
  ASSERT_TRUE(conn);
  ASSERT_TRUE(conn.Exec("BEGIN").ok());
  ASSERT_TRUE(conn.StartCopyIn("COPY " + (s / "t") + " (id, v) FROM STDIN").ok());
  ASSERT_TRUE(conn.PutCopyData(Rows(0, 3000)).ok());
  conn.AbortCopyIn("ferry: abandoned");
  EXPECT_TRUE(conn.in_transaction());
  EXPECT_TRUE(conn.Exec("ROLLBACK").ok());
  EXPECT_FALSE(conn.in_transaction());
  EXPECT_TRUE(conn.Exec("INSERT INTO " + (s / "t") + " VALUES (1, 'after')").ok());
  EXPECT_EQ(PgValue("SELECT string_agg(id || v, ',') FROM " + (s / "t")), "1after");
}

}  // namespace
}  // namespace ferry::pg
