// Named data sources end to end on the embedded default: `ferry datasource add/test` for a
// SQLite file, and jobs that name it with `"datasource"` instead of `path`.
#include <gtest/gtest.h>

#include <cstdlib>

#include "tests/support/ferry_cli.h"

namespace ferry::testing {
namespace {

class SqliteDatasourceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    setenv("FERRY_HOME", (dir_ / "home").c_str(), 1);
    SqliteExec(src_,
               "CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT);"
               "INSERT INTO t VALUES (1, 'a'), (2, NULL), (3, '');");
    SqliteExec(dst_, "CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT);");
  }
  void TearDown() override { unsetenv("FERRY_HOME"); }

  CliResult Add(const std::string& name, const std::string& file) {
    return RunFerry({"datasource", "add", name, "--type", "sqlite", "--database", file});
  }

  TempDir dir_;
  std::string src_ = dir_ / "src.db";
  std::string dst_ = dir_ / "dst.db";
};

TEST_F(SqliteDatasourceTest, TestConnectsAndPrintsTheVersion) {
  ASSERT_EQ(Add("local", src_).exit_code, 0);
  CliResult r = RunFerry({"datasource", "test", "local"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_TRUE(r.out.starts_with("local: OK (sqlite:" + src_ + ") SQLite 3.")) << r.out;
  EXPECT_NE(r.out.find(", round trip "), std::string::npos) << r.out;
  CliResult list = RunFerry({"datasource", "list"});
  EXPECT_NE(list.out.find("sqlite:" + src_), std::string::npos) << list.out;
}

TEST_F(SqliteDatasourceTest, TestNamesWhatFailed) {
  ASSERT_EQ(Add("gone", dir_ / "missing.db").exit_code, 0);
  CliResult r = RunFerry({"datasource", "test", "gone"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.out, "gone: FAILED (sqlite:" + (dir_ / "missing.db") +
                       ") database: database file \"" + (dir_ / "missing.db") +
                       "\" does not exist\n");
  CliResult unknown = RunFerry({"datasource", "test", "nope"});
  EXPECT_EQ(unknown.exit_code, 2);
  EXPECT_NE(unknown.err.find("no data source named 'nope'"), std::string::npos) << unknown.err;
}

TEST_F(SqliteDatasourceTest, JobReadsAndWritesThroughNamedSources) {
  ASSERT_EQ(Add("src", src_).exit_code, 0);
  ASSERT_EQ(Add("dst", dst_).exit_code, 0);
  const std::string job = dir_ / "job.json";
  WriteTextFile(job, R"({"type": "job", "version": "2.0", "steps": [
    {"stepType": "sqlite", "category": "reader", "name": "Reader",
     "parameter": {"datasource": "src", "table": "t", "column": ["*"]}},
    {"stepType": "sqlite", "category": "writer", "name": "Writer",
     "parameter": {"datasource": "dst", "table": "t", "column": ["*"]}}]})");
  CliResult r = RunFerry({"run", job, "--run-dir", dir_ / "run"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(SqliteRows(dst_, "SELECT id, quote(name) FROM t ORDER BY id"),
            (std::vector<std::string>{"1|'a'", "2|NULL", "3|''"}));
}

TEST_F(SqliteDatasourceTest, UnknownNameInAJobIsAnInvalidJob) {
  const std::string job = dir_ / "job.json";
  WriteTextFile(job, R"({"type": "job", "version": "2.0", "steps": [
    {"stepType": "sqlite", "category": "reader", "name": "Reader",
     "parameter": {"datasource": "nope", "table": "t", "column": ["*"]}},
    {"stepType": "sqlite", "category": "writer", "name": "Writer",
     "parameter": {"path": ")" +
                         dst_ + R"(", "table": "t", "column": ["*"]}}]})");
  CliResult r = RunFerry({"run", job, "--run-dir", dir_ / "run"});
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find(job + ":3:"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("no data source named 'nope'"), std::string::npos) << r.err;
  EXPECT_EQ(SqliteRows(dst_, "SELECT count(*) FROM t"), (std::vector<std::string>{"0"}));
}

}  // namespace
}  // namespace ferry::testing
