#include "plugins/sqlite/sqlite_sql.h"

#include <gtest/gtest.h>

#include "plugins/sqlite/sqlite_status.h"

namespace ferry {
namespace {

TEST(SqliteSqlTest, SelectQuotesAndClosesTheWhere) {
  EXPECT_EQ(SelectSql("t", {"a", "b c"}, "", ""), "SELECT \"a\", \"b c\" FROM \"t\"");
  EXPECT_EQ(SelectSql("t", {}, "", ""), "SELECT 1 FROM \"t\"");
  EXPECT_EQ(SelectSql("t", {"a"}, "a > 1 -- note", "k >= :ferry_lo"),
            "SELECT \"a\" FROM \"t\" WHERE (a > 1 -- note\n) AND (k >= :ferry_lo)");
  EXPECT_EQ(SelectSql("t", {"a"}, "", "k >= :ferry_lo"),
            "SELECT \"a\" FROM \"t\" WHERE k >= :ferry_lo");
}

TEST(SqliteSqlTest, KeyBoundsStayWithinTheInt64Range) {
  EXPECT_EQ(KeyBoundSql("t", "id", "", true),
            "SELECT max(\"id\") FROM \"t\" WHERE \"id\" >= :ferry_lo AND \"id\" <= :ferry_hi");
}

TEST(SqliteSqlTest, InsertPerWriteMode) {
  const std::vector<std::string> cols = {"id", "name"};
  EXPECT_EQ(InsertSql("t", cols, WriteMode::kInsert, {}),
            "INSERT INTO \"t\" (\"id\", \"name\") VALUES (?, ?)");
  EXPECT_EQ(InsertSql("t", cols, WriteMode::kReplace, {}),
            "INSERT OR REPLACE INTO \"t\" (\"id\", \"name\") VALUES (?, ?)");
  EXPECT_EQ(InsertSql("t", cols, WriteMode::kIgnore, {}),
            "INSERT INTO \"t\" (\"id\", \"name\") VALUES (?, ?) ON CONFLICT DO NOTHING");
  EXPECT_EQ(InsertSql("t", cols, WriteMode::kUpdate, {"ID"}),
            "INSERT INTO \"t\" (\"id\", \"name\") VALUES (?, ?) ON CONFLICT (\"ID\") DO UPDATE "
            "SET \"name\" = excluded.\"name\"");
  EXPECT_EQ(InsertSql("t", {"id"}, WriteMode::kUpdate, {"id"}),
            "INSERT INTO \"t\" (\"id\") VALUES (?) ON CONFLICT (\"id\") DO NOTHING");
}

TEST(SqliteStatusTest, ColumnNamedInError) {
  const std::vector<std::string> cols = {"id", "Name"};
  EXPECT_EQ(ColumnNamedInError("UNIQUE constraint failed: t.id", cols), "id");
  EXPECT_EQ(ColumnNamedInError("NOT NULL constraint failed: t.name", cols), "Name");
  EXPECT_EQ(ColumnNamedInError("cannot store TEXT value in INTEGER column t.id", cols), "id");
  EXPECT_EQ(ColumnNamedInError("UNIQUE constraint failed: t.id, t.name", cols), "");
  EXPECT_EQ(ColumnNamedInError("CHECK constraint failed: id > 0", cols), "");
  EXPECT_EQ(ColumnNamedInError("UNIQUE constraint failed: t.other", cols), "");
}

TEST(SqliteStatusTest, Codes) {
  EXPECT_EQ(SqliteStatusCode(5 /* SQLITE_BUSY */), StatusCode::kUnavailable);
  EXPECT_EQ(SqliteStatusCode(6 /* SQLITE_LOCKED */), StatusCode::kUnavailable);
  EXPECT_EQ(SqliteStatusCode(19 | (8 << 8) /* SQLITE_CONSTRAINT_PRIMARYKEY */),
            StatusCode::kDataError);
  EXPECT_EQ(SqliteStatusCode(20 /* SQLITE_MISMATCH */), StatusCode::kDataError);
  EXPECT_EQ(SqliteStatusCode(18 /* SQLITE_TOOBIG */), StatusCode::kDataError);
  EXPECT_EQ(SqliteStatusCode(10 | (4 << 8) /* SQLITE_IOERR_SHORT_READ */), StatusCode::kIOError);
  EXPECT_EQ(SqliteStatusCode(26 /* SQLITE_NOTADB */), StatusCode::kFailedPrecondition);
}

}  // namespace
}  // namespace ferry
