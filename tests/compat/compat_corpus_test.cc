// The compatibility corpus (tests/compat/README.md): published DataX and DataWorks jobs, each run
// by the real `ferry` binary against the throwaway servers, and checked the way their users check
// them — the rows at the destination or on standard output, the exit code, the error's location.
// The expected results are worked out from DataX's documentation and source, never from a Ferry
// run; SOURCE.md beside each job says where it comes from and how its result was derived.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <sstream>

#include "tests/support/ferry_cli.h"
#include "tests/support/mariadb_test_server.h"
#include "tests/support/pg_test_server.h"

namespace ferry::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

std::string CorpusFile(const std::string& relative) {
  return SourceDir() + "/tests/compat/" + relative;
}

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

std::vector<std::string> Sorted(std::vector<std::string> v) {
  std::sort(v.begin(), v.end());
  return v;
}

nlohmann::json Summary(const std::string& path) {
  return nlohmann::json::parse(ReadTextFile(path));
}

// Runs a corpus job with `params` (-p NAME=VALUE: the connection details the variant takes).
CliResult RunCorpusJob(const TempDir& dir, const std::string& job,
                       const std::vector<std::string>& params,
                       const std::vector<std::string>& extra = {}) {
  std::vector<std::string> args = {"run",
                                   CorpusFile(job),
                                   "--run-dir",
                                   dir / "run",
                                   "--summary-json",
                                   dir / "summary.json",
                                   "--progress-interval",
                                   "0"};
  for (const std::string& p : params) {
    args.push_back("-p");
    args.push_back(p);
  }
  args.insert(args.end(), extra.begin(), extra.end());
  return RunFerry(args);
}

// ---- DataX: core/src/main/job/job.json and userGuid.md (stream -> stream) -----------------

TEST(CompatDataX, CoreSelfCheckJobRunsTwoChannelsOfOneHundredRecords) {
  TempDir dir;
  CliResult r = RunCorpusJob(dir, "datax/core_job/job.json", {});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "");  // print: false
  nlohmann::json s = Summary(dir / "summary.json");
  EXPECT_EQ(s["records_read"], 200);  // sliceRecordCount is per channel: 100 x 2
  EXPECT_EQ(s["records_written"], 200);
  EXPECT_EQ(s["dirty_records"], 0);
}

TEST(CompatDataX, CoreSelfCheckRecordsPrintAsStreamwriterPrintsThem) {
  // The same columns printed: DataX's date carries its time, bytes print as their UTF-8 text.
  TempDir dir;
  std::string job = ReadTextFile(CorpusFile("datax/core_job/job.json"));
  job.replace(job.find("\"print\": false"), 14, "\"print\": true");
  job.replace(job.find("\"sliceRecordCount\": 100"), 23, "\"sliceRecordCount\": 1");
  WriteTextFile(dir / "job.json", job);
  CliResult r = RunFerry({"run", dir / "job.json", "--run-dir", dir / "run"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out,
            "DataX\t1724154616370\t2024-01-01 00:00:00\ttrue\tTestRawData\n"
            "DataX\t1724154616370\t2024-01-01 00:00:00\ttrue\tTestRawData\n");
}

TEST(CompatDataX, UserGuideStreamToStreamPrintsFiftyRecords) {
  TempDir dir;
  CliResult r = RunCorpusJob(dir, "datax/userguide_stream2stream/job.json", {});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  // 10 records per channel, 5 channels; the guide's log shows 50 records read.
  std::vector<std::string> expected(50, "10\thello，你好，世界-DataX");
  EXPECT_EQ(Lines(r.out), expected);
}

TEST(CompatDataX, UserGuideTemplateIsRefusedAsDataXRefusesIt) {
  // The skeleton `datax.py -r streamreader -w streamwriter` prints: DataX stops on the empty
  // column list (streamreader: "没有设置参数[column]") before reading anything; Ferry names the
  // empty sliceRecordCount first ("" is "not set", and it is required).
  TempDir dir;
  CliResult r = RunCorpusJob(dir, "datax/userguide_template/job.json", {});
  EXPECT_EQ(r.exit_code, 2);
  const std::string file = CorpusFile("datax/userguide_template/job.json");
  EXPECT_THAT(r.err, HasSubstr(file + ":7:34: job.content[0].reader.parameter: missing required "
                                      "parameter \"sliceRecordCount\""));
  EXPECT_THAT(r.err, Not(HasSubstr("encoding")));  // "" is DataX's "not set"
  EXPECT_FALSE(FileExists(dir / "run"));
}

// ---- DataX: mysqlreader.md ------------------------------------------------------------------

class CompatDataXMysql : public MariadbTest {
 protected:
  std::vector<std::string> Params() {
    return {"mysql_user=" + server_.user, "mysql_password=" + server_.password,
            "mysql_port=" + std::to_string(server_.port), "mysql_database=" + db()};
  }
  void SetUp() override {
    MariadbTest::SetUp();
    NewDatabase("compat");
  }
};

TEST_F(CompatDataXMysql, TableJobSplitsByDbIdAndPrintsEveryRowOnce) {
  Exec(db(),
       "CREATE TABLE datax_table (db_id BIGINT NULL, id BIGINT, name VARCHAR(64)) "
       "DEFAULT CHARSET=utf8mb4;"
       "INSERT INTO datax_table VALUES (1, 1, 'alice'), (2, -9223372036854775808, '中文名'),"
       " (3, 9223372036854775807, NULL), (NULL, 4, ''), (-7, 5, 'emoji 😀'),"
       " (1000000, 6, 'far key')");
  TempDir dir;
  CliResult r = RunCorpusJob(dir, "datax/mysqlreader_table/job.json", Params());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  // streamwriter: fields joined by a tab, NULL printed as "null"; the NULL key is read too.
  EXPECT_EQ(Sorted(Lines(r.out)),
            Sorted({"1\talice", "-9223372036854775808\t中文名", "9223372036854775807\tnull", "4\t",
                    "5\temoji 😀", "6\tfar key"}));
}

TEST_F(CompatDataXMysql, QuerySqlJobSkipsTheUnreachableAndMalformedJdbcUrls) {
  Exec(db(),
       "CREATE TABLE db_info (db_id INT NULL, on_line_flag TINYINT NULL);"
       "INSERT INTO db_info VALUES (-3, 1), (0, 0), (1, 1), (9, NULL), (10, 1), (11, 0),"
       " (NULL, 1)");
  TempDir dir;
  CliResult r = RunCorpusJob(dir, "datax/mysqlreader_querysql/job.json", Params());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "");  // print: false
  nlohmann::json s = Summary(dir / "summary.json");
  EXPECT_EQ(s["records_read"], 4);  // db_id < 10: -3, 0, 1, 9
  EXPECT_EQ(s["records_written"], 4);
}

TEST_F(CompatDataXMysql, QuerySqlJobWithNoReachableUrlNamesEveryUrlTried) {
  std::vector<std::string> params = Params();
  params.back() = "mysql_database=no_such_database";
  Exec(db(), "CREATE TABLE db_info (db_id INT, on_line_flag TINYINT)");
  TempDir dir;
  CliResult r = RunCorpusJob(dir, "datax/mysqlreader_querysql/job.json", params);
  EXPECT_NE(r.exit_code, 0);
  EXPECT_THAT(r.err, HasSubstr("bad_ip"));
  EXPECT_THAT(r.err, HasSubstr("bad_port"));
  EXPECT_THAT(r.err, HasSubstr("no_such_database"));
  EXPECT_THAT(r.err, Not(HasSubstr(server_.password)));
}

// ---- DataX: mysqlwriter.md (refused: 5 columns read, 2 written) -----------------------------

TEST_F(CompatDataXMysql, WriterJobWithFiveColumnsReadIntoTwoIsRefusedBeforePreSql) {
  // DataX fails this job on its first record ("源头读取字段数:5 与 目的表要写入的字段数:2 不相等").
  Exec(db(),
       "CREATE TABLE test (id BIGINT, name VARCHAR(32)); INSERT INTO test VALUES (7, 'keep')");
  TempDir dir;
  CliResult r = RunCorpusJob(dir, "datax/mysqlwriter_stream/job.json", Params());
  EXPECT_EQ(r.exit_code, 2) << r.err;
  const std::string file = CorpusFile("datax/mysqlwriter_stream/job.json");
  EXPECT_THAT(r.err, HasSubstr(file + ":"));
  EXPECT_THAT(r.err, HasSubstr("job.content[0].writer.parameter.column"));
  EXPECT_EQ(Rows(db(), "SELECT id, name FROM test"), std::vector<std::string>{"7|keep"});
}

// ---- DataX: postgresqlreader.md / postgresqlwriter.md -------------------------------------

class CompatDataXPostgresql : public ::testing::Test {
 protected:
  std::vector<std::string> Params() {
    const PgServer& s = TestPgServer();
    return {"pg_user=" + s.user, "pg_password=" + s.password, "pg_port=" + std::to_string(s.port),
            "pg_database=" + s.database, "pg_schema=" + schema_.name()};
  }
  PgTestSchema schema_;
};

TEST_F(CompatDataXPostgresql, TableJobWithCommentsAndATrailingCommaPrintsEveryRowOnce) {
  PgExec("CREATE TABLE " + schema_ / "datax_table" +
         " (id bigint, name text);"
         "INSERT INTO " +
         schema_ / "datax_table" +
         " VALUES (1, 'alice'), (2, '中文名'),"
         " (-9223372036854775808, NULL), (9223372036854775807, ''), (NULL, 'no key'),"
         " (3, 'tab-free emoji 😀')");
  TempDir dir;
  CliResult r = RunCorpusJob(dir, "datax/postgresqlreader_table/job.json", Params());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(Sorted(Lines(r.out)),
            Sorted({"1\talice", "2\t中文名", "-9223372036854775808\tnull", "9223372036854775807\t",
                    "null\tno key", "3\ttab-free emoji 😀"}));
  nlohmann::json s = Summary(dir / "summary.json");
  EXPECT_EQ(s["records_written"], 6);
}

TEST_F(CompatDataXPostgresql, QuerySqlJobWithSpeedAsANumberIsRefused) {
  // "speed": 1048576 is not an object: DataX finds no channel, byte or record rate under it and
  // stops with "Job运行速度必须设置" before connecting.
  TempDir dir;
  CliResult r = RunCorpusJob(dir, "datax/postgresqlreader_querysql/job.json", Params());
  EXPECT_EQ(r.exit_code, 2);
  const std::string file = CorpusFile("datax/postgresqlreader_querysql/job.json");
  EXPECT_THAT(r.err, HasSubstr(file + ":4:22: job.setting.speed: expected an object"));
}

TEST_F(CompatDataXPostgresql, WriterJobWithFiveColumnsReadIntoTwoIsRefusedBeforePreSql) {
  PgExec("CREATE TABLE " + schema_ / "test" +
         " (id bigint, name text);"
         "INSERT INTO " +
         schema_ / "test" + " VALUES (7, 'keep')");
  TempDir dir;
  CliResult r = RunCorpusJob(dir, "datax/postgresqlwriter_stream/job.json", Params());
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_THAT(r.err, HasSubstr(CorpusFile("datax/postgresqlwriter_stream/job.json") + ":"));
  EXPECT_THAT(r.err, HasSubstr("job.content[0].writer.parameter.column"));
  EXPECT_EQ(PgRows("SELECT id, name FROM " + schema_ / "test"), std::vector<std::string>{"7|keep"});
}

// ---- DataX: txtfilereader.md / txtfilewriter.md --------------------------------------------

// Both documents carry the same job; the reader's spells the writer's date pattern "format".
void RunTxtfileCase(const std::string& name) {
  TempDir dir;
  std::filesystem::create_directories(dir / "data");
  std::filesystem::copy_file(CorpusFile("datax/" + name + "/data"), dir / "data/data");
  CliResult r = RunCorpusJob(dir, "datax/" + name + "/job.json", {"data_dir=" + dir.path()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::vector<std::string> outputs;
  for (const auto& e : std::filesystem::directory_iterator(dir / "result")) {
    outputs.push_back(e.path().filename().string());
  }
  ASSERT_EQ(outputs.size(), 1u);
  EXPECT_TRUE(outputs[0].starts_with("luohw")) << outputs[0];
  EXPECT_EQ(ReadTextFile(dir / "result/" + outputs[0]),
            ReadTextFile(CorpusFile("datax/" + name + "/expected.txt")));
  // "setting" beside "job" is not DataX's either: it is ignored with a warning.
  EXPECT_THAT(r.err, HasSubstr(":2:5: warning: setting: unknown key, ignored"));
}

TEST(CompatDataX, TxtfileReaderJobWritesTheFileDataXWrites) { RunTxtfileCase("txtfilereader"); }
TEST(CompatDataX, TxtfileWriterJobWritesTheFileDataXWrites) { RunTxtfileCase("txtfilewriter"); }

// ---- DataWorks: code-editor demos (steps layout) -------------------------------------------

TEST(CompatDataWorks, StreamReaderDemoPrintsTenRecords) {
  TempDir dir;
  CliResult r = RunCorpusJob(dir, "dataworks/stream_reader/job.json", {});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::vector<std::string> expected(10, "field,100,2019-12-12 12:12:12,true,byte string");
  EXPECT_EQ(Lines(r.out), expected);
}

class CompatDataWorksMysql : public MariadbTest {
 protected:
  void SetUp() override {
    MariadbTest::SetUp();
    NewDatabase("compat_dw");
    setenv("FERRY_HOME", (home_ / "home").c_str(), 1);
    setenv("FERRY_COMPAT_MYSQL_PW", server_.password.c_str(), 1);
    CliResult add =
        RunFerry({"datasource", "add", "compat_mysql", "--type", "mysql", "--host", server_.host,
                  "--port", std::to_string(server_.port), "--database", db(), "--user",
                  server_.user, "--password-env", "FERRY_COMPAT_MYSQL_PW"});
    ASSERT_EQ(add.exit_code, 0) << add.err;
  }
  void TearDown() override {
    unsetenv("FERRY_HOME");
    MariadbTest::TearDown();
  }
  TempDir home_;
};

TEST_F(CompatDataWorksMysql, ReaderDemoReadsTheQueryInsteadOfTableAndColumn) {
  Exec(db(),
       "CREATE TABLE join1 (id INT, a VARCHAR(16)) DEFAULT CHARSET=utf8mb4;"
       "CREATE TABLE join2 (id INT, b VARCHAR(16)) DEFAULT CHARSET=utf8mb4;"
       "INSERT INTO join1 VALUES (1, 'x'), (2, '中'), (3, NULL), (5, NULL);"
       "INSERT INTO join2 VALUES (1, 'y'), (2, ''), (4, 'z'), (5, 'w')");
  TempDir dir;
  CliResult r = RunCorpusJob(dir, "dataworks/mysql_reader/job.json", {});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(Sorted(Lines(r.out)), Sorted({"x\ty", "中\t", "null\tw"}));
  const std::string file = CorpusFile("dataworks/mysql_reader/job.json");
  EXPECT_THAT(r.err, HasSubstr(file + ":8:17: warning: steps[0].parameter.column: ignored: "
                                      "querySql is read instead of column"));
  EXPECT_THAT(r.err, HasSubstr("warning: steps[0].parameter.connection[0].table: ignored"));
  EXPECT_THAT(r.err, HasSubstr("warning: steps[0].parameter.encoding: ignored parameter"));

  CliResult strict = RunCorpusJob(dir, "dataworks/mysql_reader/job.json", {}, {"--strict"});
  EXPECT_EQ(strict.exit_code, 2);
  EXPECT_THAT(strict.err, HasSubstr(file + ":8:17: steps[0].parameter.column: ignored"));
}

TEST_F(CompatDataWorksMysql, WriterDemoWithAnEmptyStreamReaderIsRefused) {
  Exec(db(),
       "CREATE TABLE compat_target (id INT, value VARCHAR(8));"
       "INSERT INTO compat_target VALUES (1, 'keep')");
  TempDir dir;
  CliResult r = RunCorpusJob(dir, "dataworks/mysql_writer/job.json", {});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr(CorpusFile("dataworks/mysql_writer/job.json") +
                               ":7:25: steps[0].parameter: missing required parameter \"column\""));
  EXPECT_EQ(Rows(db(), "SELECT id, value FROM compat_target"), std::vector<std::string>{"1|keep"});
}

// Not a published demo: a job as DataWorks generates it, with the keys the issue lists
// (envType, encoding, indexes, tableComment, useSpecialSecret, skipNullColumn, extend), an empty
// processor step between reader and writer, "errorLimit": {"record": ""} and numbers as text;
// its parameters given the way datax.py takes them.
TEST_F(CompatDataWorksMysql, GeneratedJobRunsWithItsExtraKeysAsWarnings) {
  Exec(db(),
       "CREATE TABLE orders (id BIGINT PRIMARY KEY, name VARCHAR(32), gmt_day CHAR(8)) "
       "DEFAULT CHARSET=utf8mb4;"
       "INSERT INTO orders VALUES (1, '甲', '20251031'), (2, NULL, '20251031'),"
       " (3, 'old', '20251030'), (4, '', '20251031');"
       "CREATE TABLE orders_ods (id BIGINT, name VARCHAR(32), region VARCHAR(8), bizdate CHAR(8)) "
       "DEFAULT CHARSET=utf8mb4;"
       "INSERT INTO orders_ods VALUES (9, 'stale', 'cn', '20251031'), (8, 'kept', 'cn', "
       "'20251030')");
  TempDir dir;
  const std::string job = "dataworks/generated_job/job.json";
  CliResult r = RunCorpusJob(dir, job, {"-Dbizdate=20251031 -Dregion=cn"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(Rows(db(), "SELECT id, name, region, bizdate FROM orders_ods ORDER BY id"),
            (std::vector<std::string>{"1|甲|cn|20251031", "2|NULL|cn|20251031", "4||cn|20251031",
                                      "8|kept|cn|20251030"}));
  const std::string file = CorpusFile(job);
  for (const char* key :
       {"8:17: warning: steps[0].parameter.envType", "13:17: warning: steps[0].parameter.encoding",
        "14:17: warning: steps[0].parameter.indexes",
        "15:17: warning: steps[0].parameter.tableComment",
        "16:17: warning: steps[0].parameter.useSpecialSecret",
        "37:17: warning: steps[2].parameter.skipNullColumn"}) {
    EXPECT_THAT(r.err, HasSubstr(file + ":" + key)) << key;
  }
  EXPECT_THAT(r.err, Not(HasSubstr("Processor")));  // an empty processor step is no news

  TempDir strict_dir;
  CliResult strict =
      RunCorpusJob(strict_dir, job, {"-Dbizdate=20251031 -Dregion=cn"}, {"--strict"});
  EXPECT_EQ(strict.exit_code, 2);
  EXPECT_THAT(strict.err, HasSubstr(file + ":8:17: steps[0].parameter.envType: ignored parameter"));
  EXPECT_THAT(strict.err, HasSubstr("(an error under --strict)"));
  EXPECT_FALSE(FileExists(strict_dir / "run"));
}

// ---- DataWorks: PostgreSQL Reader / Writer (reconstructed, see README.md) -------------------

class CompatDataWorksPostgresql : public ::testing::Test {
 protected:
  void SetUp() override {
    const PgServer& s = TestPgServer();
    setenv("FERRY_HOME", (home_ / "home").c_str(), 1);
    setenv("FERRY_COMPAT_PG_PW", s.password.c_str(), 1);
    // The data source's search_path is the test's schema, so the job's unqualified names
    // resolve there, as a DataWorks data source names its schema.
    CliResult add = RunFerry({"datasource", "add", "compat_pg", "--type", "postgresql", "--host",
                              s.host, "--port", std::to_string(s.port), "--database", s.database,
                              "--user", s.user, "--password-env", "FERRY_COMPAT_PG_PW", "--option",
                              "options=-c search_path=" + schema_.name()});
    ASSERT_EQ(add.exit_code, 0) << add.err;
  }
  void TearDown() override { unsetenv("FERRY_HOME"); }
  TempDir home_;
  PgTestSchema schema_;
};

TEST_F(CompatDataWorksPostgresql, ReaderWriterDemoCopiesTheFilteredRowsBetweenPreAndPostSql) {
  PgExec("CREATE TABLE " + schema_ / "compat_src" +
         " (id bigint PRIMARY KEY, name text, amount numeric(38, 10), gmt_create timestamp);"
         "INSERT INTO " +
         schema_ / "compat_src" +
         " VALUES"
         " (1, 'alice', 12345678901234567890.0123456789, '2025-10-31 23:59:59.123456'),"
         " (2, '中文 ünï 😀', -0.0000000001, '0001-01-01 00:00:00'),"
         " (3, NULL, NULL, NULL), (4, '', 0, '9999-12-31 23:59:59.999999'),"
         " (9223372036854775807, 'max', 1, '2000-02-29 12:00:00'),"
         " (-5, 'filtered out', 1, NULL), (0, 'filtered out too', 1, NULL);"
         "CREATE TABLE " +
         schema_ / "compat_dst" +
         " (id bigint, name text, amount numeric(38, 10), gmt_create timestamp);"
         "INSERT INTO " +
         schema_ / "compat_dst" + " VALUES (7, 'stale', 0, NULL), (-1, 'kept', 0, NULL)");
  TempDir dir;
  CliResult r = RunCorpusJob(dir, "dataworks/postgresql_reader_writer/job.json", {});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  // preSql removed the stale positive row, the where clause kept ids > 0, postSql upper-cased 1.
  EXPECT_EQ(PgRows("SELECT id, coalesce(name, 'NULL'), coalesce(amount::text, 'NULL'), "
                   "coalesce(gmt_create::text, 'NULL') FROM " +
                   schema_ / "compat_dst" + " ORDER BY id"),
            (std::vector<std::string>{
                "-1|kept|0.0000000000|NULL",
                "1|ALICE|12345678901234567890.0123456789|2025-10-31 23:59:59.123456",
                "2|中文 ünï 😀|-0.0000000001|0001-01-01 00:00:00", "3|NULL|NULL|NULL",
                "4||0.0000000000|9999-12-31 23:59:59.999999",
                "9223372036854775807|max|1.0000000000|2000-02-29 12:00:00"}));
  EXPECT_EQ(Summary(dir / "summary.json")["records_written"], 5);
}

}  // namespace
}  // namespace ferry::testing
