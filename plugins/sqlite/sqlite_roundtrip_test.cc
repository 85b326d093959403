// sqlite -> sqlite round trips: whatever one SQLite file holds arrives byte for byte in another
// with the same schema, compared both with SQLite's own typeof()/quote() and with the raw bytes
// of each value (quote() prints reals with 15 digits, too few to prove a round trip).
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <cmath>
#include <cstring>

#include "plugins/sqlite/sqlite_reader.h"
#include "plugins/sqlite/sqlite_test_util.h"
#include "plugins/sqlite/sqlite_writer.h"

namespace ferry {
namespace {

using nlohmann::json;
using sqlite_test::RecordingDirtySink;
using sqlite_test::Step;
using sqlite_test::TempDb;
using Rows = std::vector<std::vector<std::string>>;

constexpr const char* kSchema =
    "CREATE TABLE v (id INTEGER PRIMARY KEY, u, t TEXT, i INTEGER, r REAL, n NUMERIC, b BLOB);";

// Each literal goes into every column, so each value meets every affinity.
const std::vector<std::string>& Literals() {
  static const std::vector<std::string> literals = {
      "NULL",
      "''",
      "'\\N'",
      "'NULL'",
      "'a' || char(13) || char(10) || 'b' || char(9) || 'c\"d''e\\f\\\\g'",
      "'  leading and trailing  '",
      "'中文字符 日本語 한국어'",
      "'😀👍🏽🇨🇳'",
      "'e' || char(769) || ' a' || char(778)",  // combining acute accent and ring above
      "-9223372036854775808",
      "9223372036854775807",
      "0",
      "-0.0",
      "1e308",
      "-1e308",
      "5e-324",
      "0.1",
      "9e999",   // +Inf
      "-9e999",  // -Inf
      "3.141592653589793",
      "x''",
      "x'00'",
      "x'0001ff00fe'",
      "'2025-10-31 12:00:00.000001'",
      "'0001-01-01 00:00:00'",
      "'9999-12-31 23:59:59.999999'",
      "'12345678901234567890123456789012345678'",
      "'-0.000000000000000000000000000000000001'",
      "'12abc'",
      "'1e5'",
      "' 42 '",
      "'0x1F'",
  };
  return literals;
}

void Fill(const TempDb& db) {
  std::string sql = std::string(kSchema) + "BEGIN;";
  for (const std::string& lit : Literals()) {
    sql += "INSERT INTO v (u, t, i, r, n, b) VALUES (" + lit + ", " + lit + ", " + lit + ", " +
           lit + ", " + lit + ", " + lit + ");";
  }
  db.Exec(sql + "COMMIT;");
}

// Raw representation of every cell: storage class and exact bytes (reals as their bit pattern).
Rows RawCells(const std::string& path) {
  sqlite3* db = nullptr;
  sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr);
  sqlite3_stmt* stmt = nullptr;
  sqlite3_prepare_v2(db, "SELECT * FROM v ORDER BY id", -1, &stmt, nullptr);
  Rows rows;
  while (sqlite3_step(stmt) == SQLITE_ROW) {
    std::vector<std::string> row;
    for (int c = 0; c < sqlite3_column_count(stmt); ++c) {
      switch (sqlite3_column_type(stmt, c)) {
        case SQLITE_INTEGER:
          row.push_back("i:" + std::to_string(sqlite3_column_int64(stmt, c)));
          break;
        case SQLITE_FLOAT: {
          double d = sqlite3_column_double(stmt, c);
          uint64_t bits;
          std::memcpy(&bits, &d, sizeof bits);
          row.push_back("r:" + std::to_string(bits));
          break;
        }
        case SQLITE_TEXT:
          row.push_back("t:" +
                        std::string(reinterpret_cast<const char*>(sqlite3_column_text(stmt, c)),
                                    sqlite3_column_bytes(stmt, c)));
          break;
        case SQLITE_BLOB: {
          const char* p = static_cast<const char*>(sqlite3_column_blob(stmt, c));
          row.push_back("b:" + std::string(p ? p : "", sqlite3_column_bytes(stmt, c)));
          break;
        }
        default:
          row.push_back("null");
      }
    }
    rows.push_back(std::move(row));
  }
  sqlite3_finalize(stmt);
  sqlite3_close(db);
  return rows;
}

std::string TypeofQuote(const char* column) {
  return std::string("SELECT id, typeof(") + column + "), quote(" + column + ") FROM v ORDER BY id";
}

Status Copy(const TempDb& from, const TempDb& to, json reader_extra, int concurrent) {
  json rp = {{"path", from.path()}, {"table", "v"}, {"column", {"*"}}};
  rp.update(reader_extra);
  Step rs(rp, concurrent);
  SqliteReader reader;
  RETURN_NOT_OK(reader.Prepare(rs.ctx));
  Step ws({{"path", to.path()}, {"table", "v"}, {"column", {"*"}}}, concurrent);
  SqliteWriter writer;
  RETURN_NOT_OK(writer.Prepare(ws.ctx, reader.OutputColumns()));
  RecordingDirtySink dirty;
  RETURN_NOT_OK(sqlite_test::CopyAll(reader, writer, dirty, concurrent, 7));
  if (!dirty.records.empty()) return Status::Internal(dirty.records[0].reason.ToString());
  return Status::OK();
}

class SqliteRoundTripTest : public ::testing::TestWithParam<bool> {};

TEST_P(SqliteRoundTripTest, EveryValueArrivesByteForByte) {
  const bool split = GetParam();
  TempDb from("from.db"), to("to.db");
  Fill(from);
  to.Exec(kSchema);
  json extra = split ? json({{"splitPk", "id"}}) : json::object();
  Status s = Copy(from, to, extra, split ? 3 : 1);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(RawCells(to.path()), RawCells(from.path()));
  for (const char* column : {"u", "t", "i", "r", "n", "b"}) {
    EXPECT_EQ(to.Query(TypeofQuote(column)), from.Query(TypeofQuote(column))) << column;
  }
  EXPECT_EQ(RawCells(to.path()).size(), Literals().size());
}

INSTANTIATE_TEST_SUITE_P(WholeTableAndSplitPk, SqliteRoundTripTest, ::testing::Bool());

// What SQLite itself does with -0.0, which the plugin passes through untouched: only an untyped
// (BLOB affinity) column keeps the sign. A REAL column stores integral reals as integers on disk
// and reads back +0.0; INTEGER and NUMERIC columns make it the integer 0; TEXT stores '0.0'.
TEST(SqliteNegativeZeroTest, WhatSqliteKeeps) {
  TempDb db;
  db.Exec(kSchema);
  SqliteWriter writer;
  Step ws({{"path", db.path()}, {"table", "v"}, {"column", {"u", "t", "i", "r", "n", "b"}}});
  ASSERT_TRUE(writer.Prepare(ws.ctx, std::vector<ColumnInfo>(6)).ok());
  RecordBatch batch(6);
  Value* row = batch.AppendRow();
  for (int c = 0; c < 6; ++c) row[c] = Value::Double(-0.0);
  auto task = writer.OpenTask(Split{"0000", json::object()});
  ASSERT_TRUE((*task)->Begin().ok());
  ASSERT_TRUE((*task)->Write(batch, 0, 1).ok());
  ASSERT_TRUE((*task)->Commit({}).ok());
  EXPECT_EQ(db.Query("SELECT typeof(u), typeof(t), t, typeof(i), typeof(r), typeof(n), typeof(b) "
                     "FROM v"),
            (Rows{{"real", "text", "0.0", "integer", "real", "integer", "real"}}));
  Rows raw = RawCells(db.path());
  const std::string negative_zero_bits = "r:" + std::to_string(1ULL << 63);
  EXPECT_EQ(raw[0][1], negative_zero_bits);  // u: sign kept
  EXPECT_EQ(raw[0][4], "r:0");               // r: +0.0
  EXPECT_EQ(raw[0][6], negative_zero_bits);  // b (BLOB affinity): sign kept

  // And the reader hands the untyped column's -0.0 on with its sign.
  SqliteReader reader;
  Step rs({{"path", db.path()}, {"table", "v"}, {"column", {"u", "r"}}});
  ASSERT_TRUE(reader.Prepare(rs.ctx).ok());
  auto rows = sqlite_test::ReadAll(reader, 1);
  ASSERT_TRUE(rows.ok());
  EXPECT_EQ(*rows, (Rows{{"double:-0", "double:0"}}));
}

// Types SQLite has no storage class for are stored as their canonical text.
TEST(SqliteWriterBindingTest, FerryTypesAreStoredAsText) {
  TempDb db;
  db.Exec("CREATE TABLE x (a, b, c, d, e, f, g, h);");
  SqliteWriter writer;
  Step ws({{"path", db.path()}, {"table", "x"}, {"column", {"*"}}});
  ASSERT_TRUE(writer.Prepare(ws.ctx, std::vector<ColumnInfo>(8)).ok());
  RecordBatch batch(8);
  Value* row = batch.AppendRow();
  row[0] = Value::Bool(true);
  row[1] = batch.CopyText(TypeId::kDecimal, "-12345678901234567890123456789.123456789");
  row[2] = Value::Date(-719162);                       // 0001-01-01
  row[3] = Value::Time(43'200'000'001);                // 12:00:00.000001
  row[4] = Value::Timestamp(1'761'912'000'000'001);    // 2025-10-31 12:00:00.000001
  row[5] = Value::TimestampTz(1'761'912'000'500'000);  // +00
  row[6] = batch.CopyText(TypeId::kBytes, std::string_view("\0a\0", 3));
  row[7] = batch.String("");
  auto task = writer.OpenTask(Split{"0000", json::object()});
  ASSERT_TRUE((*task)->Begin().ok());
  ASSERT_TRUE((*task)->Write(batch, 0, 1).ok());
  ASSERT_TRUE((*task)->Commit({}).ok());
  EXPECT_EQ(
      db.Query("SELECT quote(a), quote(b), quote(c), quote(d), quote(e), quote(f), "
               "quote(g), quote(h) FROM x"),
      (Rows{{"1", "'-12345678901234567890123456789.123456789'", "'0001-01-01'", "'12:00:00.000001'",
             "'2025-10-31 12:00:00.000001'", "'2025-10-31 12:00:00.5+00'", "X'006100'", "''"}}));
}

}  // namespace
}  // namespace ferry
