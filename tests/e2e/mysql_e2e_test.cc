// End-to-end jobs against the real MariaDB test server, run through the `ferry` binary and checked
// the way a user checks them: the destination's rows byte for byte, the summary's counts, the exit
// code. MySQL -> MySQL (every mapped type), MySQL -> CSV, CSV -> MySQL, MySQL -> SQLite, sharded
// tables in two databases into one table, upsert with updateColumn, splitPk over skewed and NULL
// keys.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "tests/support/ferry_cli.h"
#include "tests/support/mariadb_test_server.h"

namespace ferry::testing {
namespace {

using json = nlohmann::json;

constexpr const char* kTypesTable = R"SQL(
CREATE TABLE types (
  id INT PRIMARY KEY,
  ti TINYINT, si SMALLINT, mi MEDIUMINT, i INT, bi BIGINT,
  tiu TINYINT UNSIGNED, iu INT UNSIGNED, biu BIGINT UNSIGNED,
  dc DECIMAL(65,30), f FLOAT, d DOUBLE,
  c CHAR(10), vc VARCHAR(100), tx TEXT, bn BINARY(4), vb VARBINARY(10), bl BLOB,
  dt DATE, tm TIME(6), dtm DATETIME(6), ts TIMESTAMP(6) NULL DEFAULT NULL, y YEAR, bt BIT(10),
  e ENUM('a','b c'), st SET('x','y'), j JSON
) ENGINE=InnoDB)SQL";

constexpr const char* kTypesRows = R"SQL(
INSERT INTO types VALUES
 (1, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
  NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
 (2, -128, -32768, -8388608, -2147483648, -9223372036854775808, 0, 0, 0,
  -99999999999999999999999999999999999.999999999999999999999999999999, -3.40282e38, -1.7976931348623157e308,
  '', '', '', x'00000000', x'', x'', '1000-01-01', '-838:59:59.000000', '1000-01-01 00:00:00.000000',
  '1970-01-01 00:00:01.000000', 1901, b'0', 'a', '', '[]'),
 (3, 127, 32767, 8388607, 2147483647, 9223372036854775807, 255, 4294967295, 18446744073709551615,
  99999999999999999999999999999999999.999999999999999999999999999999, 1.17549e-38, 5e-324,
  'ten chars!', 'quote '' back\\slash tab\t nl\n', '中文 😀 e\u0301', x'ff00ff00', x'00ff', x'deadbeef00',
  '9999-12-31', '838:59:59.000000', '9999-12-31 23:59:59.999999', '2038-01-19 03:14:07.999999', 2155,
  b'1111111111', 'b c', 'x,y', '{"k": [1, "two", null]}'),
 (4, 0, 1, 2, 3, 4, 5, 6, 9223372036854775808, 0.000000000000000000000000000001, 0.1, 0.1,
  'NULL', '\\N', ' padded ', x'5c4e0000', x'0a0d2c22', x'00', '2024-02-29', '12:34:56.000001',
  '2025-10-31 12:00:00.000001', '2025-10-31 12:00:00.500000', 2000, b'1010', 'a', 'y', '"text"')
)SQL";

const char* kAllColumns =
    "SELECT id, ti, si, mi, i, bi, tiu, iu, biu, dc, f, d, c, vc, tx, HEX(bn), HEX(vb), HEX(bl), "
    "dt, tm, dtm, ts, y, bt + 0, e, st, j FROM types ORDER BY id";

class MysqlE2e : public MariadbTest {
 protected:
  CliResult Run(const std::string& job_text, json* summary = nullptr) {
    const std::string job = dir_ / "job.json";
    WriteTextFile(job, job_text);
    CliResult r = RunFerry({"run", job, "--summary-json", dir_ / "summary.json", "--run-dir",
                            dir_ / ("run" + std::to_string(runs_++))});
    if (summary != nullptr && FileExists(dir_ / "summary.json")) {
      *summary = json::parse(ReadTextFile(dir_ / "summary.json"));
    }
    return r;
  }

  void CheckEveryType(bool bulk_load);

  json Reader(const std::string& database, json extra) {
    json p = {{"connection", Connection(database)}};
    p.update(extra);
    return p;
  }

  TempDir dir_;
  int runs_ = 0;
};

void MysqlE2e::CheckEveryType(bool bulk_load) {
  const std::string dst = NewDatabase("dst");
  Exec(db(), std::string(kTypesTable) + ";" + kTypesRows);
  Exec(dst, kTypesTable);
  json summary;
  CliResult r =
      Run(TwoStepJob(
              "mysql", Reader(db(), {{"table", {"types"}}, {"column", {"*"}}, {"splitPk", "id"}}),
              "mysql",
              Reader(dst, {{"table", "types"}, {"column", {"*"}}, {"bulkLoad", bulk_load}}), 3),
          &summary);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(summary["records_written"], 4);
  EXPECT_EQ(summary["dirty_records"], 0);
  EXPECT_EQ(Rows(dst, kAllColumns), Rows(db(), kAllColumns));
  ASSERT_EQ(Rows(dst, kAllColumns).size(), 4u);
}

TEST_F(MysqlE2e, MysqlToMysqlKeepsEveryMappedTypeByteForByte) { CheckEveryType(false); }

TEST_F(MysqlE2e, BulkLoadKeepsEveryMappedTypeByteForByte) { CheckEveryType(true); }

TEST_F(MysqlE2e, DataxConnectionListWithJdbcUrlAndUsername) {
  const std::string dst = NewDatabase("dst");
  Exec(db(),
       "CREATE TABLE t (id INT PRIMARY KEY, v VARCHAR(10)); INSERT INTO t VALUES (1,'a'),(2,'b')");
  Exec(dst, "CREATE TABLE t (id INT PRIMARY KEY, v VARCHAR(10))");
  json reader = {{"username", server_.user},
                 {"password", server_.password},
                 {"column", {"id", "v"}},
                 {"connection", {{{"table", {"t"}}, {"jdbcUrl", {JdbcUrl(db())}}}}}};
  json writer = {{"username", server_.user},
                 {"password", server_.password},
                 {"column", {"id", "v"}},
                 {"connection", {{{"table", {"t"}}, {"jdbcUrl", JdbcUrl(dst)}}}}};
  CliResult r = Run(TwoStepJob("mysql", reader, "mysql", writer, 1));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(Rows(dst, "SELECT * FROM t ORDER BY id"), ::testing::ElementsAre("1|a", "2|b"));
  EXPECT_THAT(r.err + r.out, ::testing::Not(::testing::HasSubstr(server_.password)));
}

TEST_F(MysqlE2e, MysqlToCsvWritesEachValueAsItsCanonicalText) {
  Exec(db(), R"SQL(
    SET time_zone = '+00:00';
    CREATE TABLE o (id BIGINT PRIMARY KEY, n INT, amount DECIMAL(12,2), note VARCHAR(50),
                    day DATE, at DATETIME(6), ts TIMESTAMP(6) NULL, big BIGINT UNSIGNED);
    INSERT INTO o VALUES
      (1, -5, 12.50, 'plain', '2025-10-31', '2025-10-31 12:00:00.000001', '2025-10-31 12:00:00', 1),
      (2, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
      (3, 0, -0.01, 'comma, "quote"\nline', '0001-01-01', '9999-12-31 23:59:59.999999',
       '1970-01-01 00:00:01', 18446744073709551615),
      (4, 7, 0.00, '', '2000-02-29', '2000-01-01 00:00:00', NULL, 0))SQL");
  json summary;
  CliResult r =
      Run(TwoStepJob("mysql", Reader(db(), {{"table", "o"}, {"column", {"*"}}, {"splitPk", "id"}}),
                     "txtfile",
                     {{"path", dir_ / "out"}, {"fileName", "o.csv"}, {"writeMode", "truncate"}}, 2),
          &summary);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(summary["records_written"], 4);
  EXPECT_EQ(ReadTextFile(dir_ / "out/o.csv"),
            "1,-5,12.50,plain,2025-10-31,2025-10-31 12:00:00.000001,2025-10-31 12:00:00+00,1\n"
            "2,\\N,\\N,\\N,\\N,\\N,\\N,\\N\n"
            "3,0,-0.01,\"comma, \"\"quote\"\"\nline\",0001-01-01,9999-12-31 23:59:59.999999,"
            "1970-01-01 00:00:01+00,18446744073709551615\n"
            "4,7,0.00,,2000-02-29,2000-01-01 00:00:00,\\N,0\n");
}

TEST_F(MysqlE2e, CsvToMysqlLoadsTypedColumns) {
  Exec(db(),
       "CREATE TABLE o (id BIGINT PRIMARY KEY, amount DECIMAL(12,2), note VARCHAR(50), "
       "day DATE, at DATETIME(6))");
  WriteTextFile(dir_ / "in.csv",
                "1,12.50,plain,2025-10-31,2025-10-31 12:00:00.000001\n"
                "2,\\N,\\N,\\N,\\N\n"
                "3,-0.01,\"comma, \"\"quote\"\"\nline\",0001-01-01,9999-12-31 23:59:59.999999\n"
                "4,0.00,\"\",2000-02-29,2000-01-01 00:00:00\n");
  json columns = json::array();
  const char* types[] = {"long", "decimal", "string", "date", "timestamp"};
  for (int k = 0; k < 5; ++k) columns.push_back({{"index", k}, {"type", types[k]}});
  json summary;
  CliResult r = Run(TwoStepJob("txtfile", {{"path", dir_ / "in.csv"}, {"column", columns}}, "mysql",
                               Reader(db(), {{"table", "o"}, {"column", {"*"}}}), 1),
                    &summary);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(summary["records_written"], 4);
  EXPECT_THAT(Rows(db(), "SELECT * FROM o ORDER BY id"),
              ::testing::ElementsAre("1|12.50|plain|2025-10-31|2025-10-31 12:00:00.000001",
                                     "2|NULL|NULL|NULL|NULL",
                                     "3|-0.01|comma, \"quote\"\nline|0001-01-01|"
                                     "9999-12-31 23:59:59.999999",
                                     "4|0.00||2000-02-29|2000-01-01 00:00:00.000000"));
}

TEST_F(MysqlE2e, MysqlToSqliteKeepsValuesInTheirStorageClass) {
  Exec(db(), R"SQL(
    CREATE TABLE o (id INT PRIMARY KEY, n BIGINT, d DOUBLE, s VARCHAR(40), b VARBINARY(8), day DATE);
    INSERT INTO o VALUES (1, 9223372036854775807, 1e308, 'a''b', x'00ff', '2025-10-31'),
                         (2, NULL, NULL, NULL, NULL, NULL),
                         (3, -9223372036854775808, 5e-324, '中文 😀', x'', '0001-01-01'))SQL");
  const std::string sqlite = dir_ / "dst.db";
  SqliteExec(sqlite,
             "CREATE TABLE o (id INTEGER PRIMARY KEY, n INTEGER, d REAL, s TEXT, b BLOB, "
             "day TEXT)");
  CliResult r = Run(TwoStepJob("mysql", Reader(db(), {{"table", "o"}, {"column", {"*"}}}), "sqlite",
                               {{"path", sqlite}, {"table", "o"}, {"column", {"*"}}}));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(SqliteRows(sqlite,
                         "SELECT id, quote(n), typeof(d), d = 1e308, d = 4.9406564584124654e-324, "
                         "quote(s), quote(b), quote(day) FROM o ORDER BY id"),
              ::testing::ElementsAre("1|9223372036854775807|real|1|0|'a''b'|X'00FF'|'2025-10-31'",
                                     "2|NULL|null|NULL|NULL|NULL|NULL|NULL",
                                     "3|-9223372036854775808|real|0|1|'中文 😀'|X''|'0001-01-01'"));
}

TEST_F(MysqlE2e, FourShardedTablesInTwoDatabasesMergeIntoOneTable) {
  const std::string db2 = NewDatabase("shard2");
  const std::string dst = NewDatabase("dst");
  int id = 0;
  for (const std::string& database : {db(), db2}) {
    for (const char* t : {"orders_00", "orders_01"}) {
      std::string sql =
          std::string("CREATE TABLE ") + t + " (id INT PRIMARY KEY, shard VARCHAR(40));";
      sql += std::string("INSERT INTO ") + t + " VALUES ";
      for (int k = 0; k < 25; ++k) {
        sql += (k ? "," : "") + std::string("(") + std::to_string(++id) + ",'" + database + "." +
               t + "')";
      }
      Exec(database, sql);
    }
  }
  Exec(dst, "CREATE TABLE orders (id INT PRIMARY KEY, shard VARCHAR(40))");
  json reader = {{"username", server_.user},
                 {"password", server_.password},
                 {"column", {"id", "shard"}},
                 {"splitPk", "id"},
                 {"connection",
                  {{{"table", {"orders_[00-01]"}}, {"jdbcUrl", {JdbcUrl(db())}}},
                   {{"table", {"orders_[00-01]"}}, {"jdbcUrl", {JdbcUrl(db2)}}}}}};
  json summary;
  CliResult r = Run(TwoStepJob("mysql", reader, "mysql",
                               Reader(dst, {{"table", "orders"}, {"column", {"id", "shard"}}}), 3),
                    &summary);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(summary["records_written"], 100);
  EXPECT_THAT(Rows(dst,
                   "SELECT COUNT(*), COUNT(DISTINCT id), MIN(id), MAX(id), "
                   "COUNT(DISTINCT shard) FROM orders"),
              ::testing::ElementsAre("100|100|1|100|4"));
  EXPECT_THAT(Rows(dst, "SELECT shard FROM orders WHERE id IN (1, 26, 51, 76) ORDER BY id"),
              ::testing::ElementsAre(db() + ".orders_00", db() + ".orders_01", db2 + ".orders_00",
                                     db2 + ".orders_01"));
}

TEST_F(MysqlE2e, UpdateModeUpdatesOnlyTheUpdateColumns) {
  const std::string dst = NewDatabase("dst");
  Exec(db(),
       "CREATE TABLE p (id INT PRIMARY KEY, name VARCHAR(20), price INT, note VARCHAR(20));"
       "INSERT INTO p VALUES (1, 'new1', 100, 'src'), (2, 'new2', 200, 'src'), "
       "(3, 'new3', 300, 'src')");
  Exec(dst,
       "CREATE TABLE p (id INT PRIMARY KEY, name VARCHAR(20), price INT, note VARCHAR(20));"
       "INSERT INTO p VALUES (1, 'old1', 1, 'dst'), (2, 'old2', 2, 'dst')");
  json summary;
  CliResult r = Run(TwoStepJob("mysql", Reader(db(), {{"table", "p"}, {"column", {"*"}}}), "mysql",
                               Reader(dst, {{"table", "p"},
                                            {"column", {"*"}},
                                            {"writeMode", "update"},
                                            {"updateColumn", {"price"}}})),
                    &summary);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(Rows(dst, "SELECT * FROM p ORDER BY id"),
              ::testing::ElementsAre("1|old1|100|dst", "2|old2|200|dst", "3|new3|300|src"));
}

TEST_F(MysqlE2e, ReplaceAndIgnoreModes) {
  const std::string dst = NewDatabase("dst");
  Exec(db(),
       "CREATE TABLE p (id INT PRIMARY KEY, v VARCHAR(20));"
       "INSERT INTO p VALUES (1, 'src'), (2, 'src'), (3, 'toolong')");
  for (const char* mode : {"replace", "ignore"}) {
    Exec(dst,
         "DROP TABLE IF EXISTS p; CREATE TABLE p (id INT PRIMARY KEY, v VARCHAR(5));"
         "INSERT INTO p VALUES (1, 'dst')");
    json summary;
    CliResult r =
        Run(TwoStepJob("mysql", Reader(db(), {{"table", "p"}, {"column", {"*"}}}), "mysql",
                       Reader(dst, {{"table", "p"}, {"column", {"*"}}, {"writeMode", mode}}), 1,
                       nullptr),
            &summary);
    ASSERT_EQ(r.exit_code, 0) << mode << ": " << r.err;
    // 'toolong' does not fit VARCHAR(5): dirty in both modes (ignore skips duplicates only).
    EXPECT_EQ(summary["dirty_records"], 1) << mode;
    EXPECT_THAT(
        Rows(dst, "SELECT * FROM p ORDER BY id"),
        ::testing::ElementsAre(std::string("1|") + (mode[0] == 'r' ? "src" : "dst"), "2|src"))
        << mode;
  }
}

TEST_F(MysqlE2e, SplitPkReadsSkewedNegativeAndNullKeysExactlyOnce) {
  const std::string dst = NewDatabase("dst");
  std::string sql =
      "CREATE TABLE k (id BIGINT NULL, v INT, UNIQUE KEY (id, v)); INSERT INTO k VALUES ";
  int v = 0;
  std::vector<std::string> values;
  for (long long key : {-9223372036854775807LL - 1, -5LL, 0LL, 1LL, 2LL, 3LL, 1000000000000LL,
                        9223372036854775807LL}) {
    values.push_back("(" + std::to_string(key) + "," + std::to_string(++v) + ")");
  }
  for (int k = 0; k < 500; ++k) values.push_back("(7," + std::to_string(++v) + ")");  // skew
  for (int k = 0; k < 5; ++k) values.push_back("(NULL," + std::to_string(++v) + ")");
  for (size_t k = 0; k < values.size(); ++k) sql += (k ? "," : "") + values[k];
  Exec(db(), sql);
  Exec(dst, "CREATE TABLE k (id BIGINT NULL, v INT PRIMARY KEY)");
  json summary;
  CliResult r = Run(
      TwoStepJob(
          "mysql",
          Reader(db(), {{"table", "k"}, {"column", {"*"}}, {"splitPk", "id"}, {"splitFactor", 4}}),
          "mysql", Reader(dst, {{"table", "k"}, {"column", {"*"}}}), 3),
      &summary);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(summary["records_written"], 513);
  EXPECT_GT(summary["splits_total"].get<int>(), 3);
  EXPECT_EQ(Rows(dst, "SELECT COUNT(*), COUNT(id), SUM(v) FROM k"),
            Rows(db(), "SELECT COUNT(*), COUNT(id), SUM(v) FROM k"));
  EXPECT_EQ(Rows(dst, "SELECT id, v FROM k ORDER BY v"),
            Rows(db(), "SELECT id, v FROM k ORDER BY v"));
}

TEST_F(MysqlE2e, WhereAndQuerySql) {
  const std::string dst = NewDatabase("dst");
  Exec(db(),
       "CREATE TABLE o (id INT PRIMARY KEY, day DATE);"
       "INSERT INTO o VALUES (1, '2025-10-30'), (2, '2025-10-31'), (3, '2025-10-31')");
  Exec(dst, "CREATE TABLE o (id INT PRIMARY KEY, day DATE)");
  // The comment ends the user's where; the splitPk range after it must still apply.
  CliResult r = Run(TwoStepJob("mysql",
                               Reader(db(), {{"table", "o"},
                                             {"column", {"*"}},
                                             {"splitPk", "id"},
                                             {"where", "day = '2025-10-31' -- note"}}),
                               "mysql", Reader(dst, {{"table", "o"}, {"column", {"*"}}})));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(Rows(dst, "SELECT id FROM o ORDER BY id"), ::testing::ElementsAre("2", "3"));

  Exec(dst, "DELETE FROM o");
  json reader = {
      {"username", server_.user},
      {"password", server_.password},
      {"connection",
       {{{"querySql", {"SELECT id, day FROM o WHERE id < 3"}}, {"jdbcUrl", {JdbcUrl(db())}}}}}};
  r = Run(TwoStepJob("mysql", reader, "mysql", Reader(dst, {{"table", "o"}, {"column", {"*"}}})));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(Rows(dst, "SELECT id FROM o ORDER BY id"), ::testing::ElementsAre("1", "2"));
}

TEST_F(MysqlE2e, PreSqlPostSqlSessionAndSkipNull) {
  const std::string dst = NewDatabase("dst");
  Exec(db(),
       "CREATE TABLE t (id INT PRIMARY KEY, v VARCHAR(10)); "
       "INSERT INTO t VALUES (1, 'a'), (2, NULL)");
  Exec(dst,
       "CREATE TABLE t (id INT PRIMARY KEY, v VARCHAR(10) NOT NULL DEFAULT 'dflt', "
       "who VARCHAR(40));"
       "CREATE TABLE log (what VARCHAR(20)); INSERT INTO t (id, v) VALUES (9, 'stale')");
  for (bool bulk : {false, true}) {
    Exec(dst, "DELETE FROM log");
    json writer = Reader(dst, {{"table", "t"},
                               {"column", {"id", "v", "who"}},
                               {"nullMode", "skipNull"},
                               {"bulkLoad", bulk},
                               {"preSql", {"DELETE FROM @table", "INSERT INTO log VALUES ('pre')"}},
                               {"postSql", "INSERT INTO log VALUES ('post')"},
                               {"session", {"SET @who = 'session ran'"}}});
    json reader = Reader(db(), {{"table", "t"}, {"column", {"id", "v", "'constant'"}}});
    CliResult r = Run(TwoStepJob("mysql", reader, "mysql", writer));
    ASSERT_EQ(r.exit_code, 0) << r.err;
    // skipNull writes DEFAULT for the NULL (LOAD DATA cannot: bulkLoad falls back to INSERT).
    EXPECT_THAT(Rows(dst, "SELECT * FROM t ORDER BY id"),
                ::testing::ElementsAre("1|a|constant", "2|dflt|constant"));
    EXPECT_THAT(Rows(dst, "SELECT what FROM log ORDER BY what"),
                ::testing::ElementsAre("post", "pre"));
  }
  Exec(dst, "CREATE TABLE s (who VARCHAR(40))");
  CliResult r = Run(TwoStepJob(
      "mysql", Reader(db(), {{"querySql", {"SELECT 'x'"}}}), "mysql",
      Reader(dst,
             {{"table", "s"},
              {"column", {"who"}},
              {"session", {"SET @w = 1"}},
              {"postSql",
               {"UPDATE s SET who = CONCAT('time zone ', @@session.time_zone, ' w=', @w)"}}})));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(Rows(dst, "SELECT who FROM s"), ::testing::ElementsAre("time zone +00:00 w=1"));
}

// A TIMESTAMP is an instant: read through timeZone +08:00 and written through -05:00 it is the
// same instant; into a DATETIME it is the wall-clock time of the writer's timeZone.
TEST_F(MysqlE2e, TimestampsAreConvertedThroughTheSessionTimeZonesNeverShifted) {
  const std::string dst = NewDatabase("dst");
  Exec(db(),
       "SET time_zone = '+00:00'; CREATE TABLE t (id INT PRIMARY KEY, ts TIMESTAMP(6) NULL);"
       "INSERT INTO t VALUES (1, '2025-10-31 00:00:00.000001'), (2, NULL)");
  Exec(dst, "CREATE TABLE t (id INT PRIMARY KEY, ts TIMESTAMP(6) NULL, wall DATETIME(6))");
  CliResult r = Run(TwoStepJob(
      "mysql",
      Reader(db(), {{"table", "t"}, {"column", {"id", "ts", "ts"}}, {"timeZone", "+08:00"}}),
      "mysql",
      Reader(dst, {{"table", "t"}, {"column", {"id", "ts", "wall"}}, {"timeZone", "-05:00"}})));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(Rows(dst, "SET time_zone = '+00:00'; SELECT * FROM t ORDER BY id"),
              ::testing::ElementsAre("1|2025-10-31 00:00:00.000001|2025-10-30 19:00:00.000001",
                                     "2|NULL|NULL"));
}

TEST_F(MysqlE2e, ConsistentSnapshotReadsEveryRowOnce) {
  const std::string dst = NewDatabase("dst");
  std::string sql = "CREATE TABLE s (id INT PRIMARY KEY); INSERT INTO s VALUES (1)";
  for (int k = 2; k <= 300; ++k) sql += ",(" + std::to_string(k) + ")";
  Exec(db(), sql);
  Exec(dst, "CREATE TABLE s (id INT PRIMARY KEY)");
  json summary;
  CliResult r = Run(TwoStepJob("mysql",
                               Reader(db(), {{"table", "s"},
                                             {"column", {"*"}},
                                             {"splitPk", "id"},
                                             {"consistentSnapshot", true}}),
                               "mysql", Reader(dst, {{"table", "s"}, {"column", {"*"}}}), 3),
                    &summary);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(summary["records_written"], 300);
  EXPECT_THAT(Rows(dst, "SELECT COUNT(*), SUM(id) FROM s"), ::testing::ElementsAre("300|45150"));
}

// Rows committed in the source while the job runs (after the snapshot started) are not read, even
// by splits that start later.
TEST_F(MysqlE2e, ConsistentSnapshotDoesNotSeeRowsCommittedDuringTheRun) {
  const std::string dst = NewDatabase("dst");
  Exec(db(),
       "CREATE TABLE s (id INT PRIMARY KEY) ENGINE=InnoDB;"
       "INSERT INTO s SELECT seq * 2 FROM seq_1_to_3000");
  Exec(dst, "CREATE TABLE s (id INT PRIMARY KEY)");
  json job = json::parse(TwoStepJob(
      "mysql",
      Reader(db(),
             {{"table", "s"}, {"column", {"*"}}, {"splitPk", "id"}, {"consistentSnapshot", true}}),
      "mysql", Reader(dst, {{"table", "s"}, {"column", {"*"}}}), 2));
  job["setting"]["speed"]["record"] = 1500;  // about 2 s
  std::jthread writer([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(700));
    Exec(db(), "INSERT INTO s SELECT seq * 2 - 1 FROM seq_1_to_3000");
  });
  json summary;
  CliResult r = Run(job.dump(2), &summary);
  writer.join();
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(Rows(db(), "SELECT COUNT(*) FROM s"), ::testing::ElementsAre("6000"));
  EXPECT_THAT(Rows(dst, "SELECT COUNT(*), SUM(id % 2) FROM s"), ::testing::ElementsAre("3000|0"));
}

}  // namespace
}  // namespace ferry::testing
