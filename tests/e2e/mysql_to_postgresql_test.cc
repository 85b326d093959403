// MySQL -> PostgreSQL end to end, both throwaway servers real: every mapped MySQL type lands in
// its natural PostgreSQL column with the value a user would compare, splits read in parallel,
// rows PostgreSQL refuses (a NUL byte in text, a string too long, a zero date) end in
// dirty.jsonl with PostgreSQL's or the reader's own reason while the rest is written, and an
// upsert over stale rows.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <sstream>

#include "tests/support/ferry_cli.h"
#include "tests/support/mariadb_test_server.h"
#include "tests/support/pg_test_server.h"

namespace ferry::testing {
namespace {

using json = nlohmann::json;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

class MysqlToPostgresql : public MariadbTest {
 protected:
  CliResult Run(const std::string& job_text) {
    WriteTextFile(dir_ / "job.json", job_text);
    return RunFerry({"run", dir_ / "job.json", "--summary-json", dir_ / "summary.json", "--run-dir",
                     dir_ / "run", "--progress-interval", "0"});
  }
  json Summary() const { return json::parse(ReadTextFile(dir_ / "summary.json")); }
  std::vector<json> DirtyLines() const {
    std::vector<json> lines;
    std::istringstream in(ReadTextFile(dir_ / "run/dirty.jsonl"));
    for (std::string line; std::getline(in, line);) {
      if (!line.empty()) lines.push_back(json::parse(line));
    }
    return lines;
  }
  json MysqlReader(json extra) const {
    json p = {{"connection", Connection(db())}};
    p.update(extra);
    return p;
  }
  json PgWriter(const std::string& table, json extra) const {
    json p = {{"connection", TestPgServer().ConnectionJson()}, {"table", table}};
    p.update(extra);
    return p;
  }

  PgTestSchema pg_;
  TempDir dir_;
};

TEST_F(MysqlToPostgresql, EveryMappedTypeLandsInItsPostgresqlColumn) {
  Exec(db(), R"SQL(
    CREATE TABLE o (
      id BIGINT PRIMARY KEY, ti TINYINT, si SMALLINT, i INT, bi BIGINT, iu INT UNSIGNED,
      biu BIGINT UNSIGNED, dc DECIMAL(65,30), d DOUBLE, c CHAR(10), vc VARCHAR(100), tx TEXT,
      bl BLOB, dt DATE, tm TIME(6), dtm DATETIME(6), ts TIMESTAMP(6) NULL DEFAULT NULL, y YEAR,
      bt BIT(10), e ENUM('a','b c'), st SET('x','y'), j JSON, flag TINYINT(1));
    INSERT INTO o VALUES
     (1, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
      NULL, NULL, NULL, NULL, NULL, NULL, NULL),
     (2, -128, -32768, -2147483648, -9223372036854775808, 0, 0,
      -99999999999999999999999999999999999.999999999999999999999999999999, -1.7976931348623157e308,
      '', '', '', x'', '1000-01-01', '00:00:00.000000', '1000-01-01 00:00:00.000000',
      '1970-01-01 00:00:01.000000', 1901, b'0', 'a', '', '[]', 0),
     (3, 127, 32767, 2147483647, 9223372036854775807, 4294967295, 18446744073709551615,
      99999999999999999999999999999999999.999999999999999999999999999999, 5e-324,
      'ten chars!', 'quote '' back\\slash tab\t nl\n', CONCAT('中文 😀 e', x'CC81'), x'deadbeef00',
      '9999-12-31', '23:59:59.999999', '9999-12-31 23:59:59.999999', '2038-01-19 03:14:07.999999',
      2155, b'1111111111', 'b c', 'x,y', '{"k": [1, "two", null]}', 1),
     (4, 0, 1, 2, 3, 6, 9223372036854775808, 0.000000000000000000000000000001, 0.1,
      'NULL', '\\N', ' padded ', x'5c4e0a0d2c22', '2024-02-29', '12:34:56.000001',
      '2025-10-31 12:00:00.000001', '2025-10-31 12:00:00.500000', 2000, b'1010', 'a', 'y',
      '"text"', 1))SQL");
  PgExec("CREATE TABLE " + (pg_ / "o") + R"SQL( (
      id bigint PRIMARY KEY, ti smallint, si smallint, i integer, bi bigint, iu bigint,
      biu numeric(20), dc numeric(65,30), d double precision, c char(10), vc varchar(100),
      tx text, bl bytea, dt date, tm time(6), dtm timestamp(6), ts timestamptz(6), y smallint,
      bt integer, e text, st text, j jsonb, flag smallint))SQL");
  CliResult r =
      Run(TwoStepJob("mysql", MysqlReader({{"table", "o"}, {"column", {"*"}}, {"splitPk", "id"}}),
                     "postgresql", PgWriter(pg_ / "o", {{"column", {"*"}}}), 2));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(Summary()["records_read"], 4);
  EXPECT_EQ(Summary()["records_written"], 4);
  EXPECT_EQ(Summary()["dirty_records"], 0);
  EXPECT_THAT(
      PgRows(
          "SET TIME ZONE 'UTC'; SELECT id, ti, si, i, bi, iu, biu, dc, float8send(d), c, vc, tx, "
          "encode(bl, 'hex'), dt, tm, dtm, ts AT TIME ZONE 'UTC', y, bt, e, st, j, flag FROM " +
          (pg_ / "o") + " ORDER BY id"),
      ElementsAre(
          "1|NULL|NULL|NULL|NULL|NULL|NULL|NULL|NULL|NULL|NULL|NULL|NULL|NULL|NULL|NULL|NULL|NULL|"
          "NULL|NULL|NULL|NULL|NULL",
          "2|-128|-32768|-2147483648|-9223372036854775808|0|0|"
          "-99999999999999999999999999999999999.999999999999999999999999999999|"
          "\\xffefffffffffffff|          ||||1000-01-01|00:00:00|1000-01-01 00:00:00|"
          "1970-01-01 00:00:01|1901|0|a||[]|0",
          "3|127|32767|2147483647|9223372036854775807|4294967295|18446744073709551615|"
          "99999999999999999999999999999999999.999999999999999999999999999999|"
          "\\x0000000000000001|ten chars!|quote ' back\\slash tab\t nl\n|中文 😀 e\u0301|deadbeef00|"
          "9999-12-31|23:59:59.999999|9999-12-31 23:59:59.999999|2038-01-19 03:14:07.999999|2155|"
          "1023|b c|x,y|{\"k\": [1, \"two\", null]}|1",
          "4|0|1|2|3|6|9223372036854775808|0.000000000000000000000000000001|"
          "\\x3fb999999999999a|NULL      |\\N| padded |5c4e0a0d2c22|2024-02-29|12:34:56.000001|"
          "2025-10-31 12:00:00.000001|2025-10-31 12:00:00.5|2000|10|a|y|\"text\"|1"));
}

TEST_F(MysqlToPostgresql, RowsPostgresqlRefusesAreDirtyWithItsReasonAndTheRestIsWritten) {
  Exec(db(), R"SQL(
    SET SESSION sql_mode = '';
    CREATE TABLE o (id INT PRIMARY KEY, name VARCHAR(20), note TEXT, day DATE);
    INSERT INTO o VALUES (1, 'ok', 'fine', '2025-10-31'),
                         (2, 'much too long for pg', 'fine', '2025-10-31'),
                         (3, 'ok', CONCAT('nul', CHAR(0), 'byte'), '2025-10-31'),
                         (4, 'ok', 'fine', '0000-00-00'),
                         (5, NULL, NULL, NULL))SQL");
  PgExec("CREATE TABLE " + (pg_ / "o") +
         " (id int PRIMARY KEY, name varchar(10), note text, day date)");
  CliResult r = Run(TwoStepJob("mysql", MysqlReader({{"table", "o"}, {"column", {"*"}}}),
                               "postgresql", PgWriter(pg_ / "o", {{"column", {"*"}}}), 1, 10));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(Summary()["records_read"], 5);
  EXPECT_EQ(Summary()["records_written"], 2);
  EXPECT_EQ(Summary()["dirty_records"], 3);
  EXPECT_THAT(PgRows("SELECT * FROM " + (pg_ / "o") + " ORDER BY id"),
              ElementsAre("1|ok|fine|2025-10-31", "5|NULL|NULL|NULL"));
  std::vector<json> dirty = DirtyLines();
  ASSERT_EQ(dirty.size(), 3u);
  std::string reasons;
  for (const json& d : dirty) reasons += d.dump() + "\n";
  EXPECT_THAT(reasons, HasSubstr("value too long for type character varying(10)"));
  EXPECT_THAT(reasons, HasSubstr("0x00"));
  EXPECT_THAT(reasons, HasSubstr("zero date"));
}

TEST_F(MysqlToPostgresql, UpdateModeUpsertsOverStaleRows) {
  Exec(db(),
       "CREATE TABLE o (id INT PRIMARY KEY, v VARCHAR(10), n INT);"
       "INSERT INTO o VALUES (1,'new',10),(2,'new',20),(3,'new',30)");
  PgExec("CREATE TABLE " + (pg_ / "o") + " (id int PRIMARY KEY, v text, n int);" + "INSERT INTO " +
         (pg_ / "o") + " VALUES (1,'stale',1),(4,'keep',4)");
  CliResult r =
      Run(TwoStepJob("mysql", MysqlReader({{"table", "o"}, {"column", {"*"}}}), "postgresql",
                     PgWriter(pg_ / "o", {{"column", {"*"}}, {"writeMode", "update"}}), 1));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(PgRows("SELECT * FROM " + (pg_ / "o") + " ORDER BY id"),
              ElementsAre("1|new|10", "2|new|20", "3|new|30", "4|keep|4"));
}

}  // namespace
}  // namespace ferry::testing
