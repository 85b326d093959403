#include <gtest/gtest.h>

#include "ferry/plugin/registry.h"
#include "plugins/sqlite/sqlite_test_util.h"

namespace ferry {

PluginInfo SqlitePluginInfo();

namespace {

TEST(SqlitePluginTest, DeclaresReaderAndWriter) {
  PluginInfo info = SqlitePluginInfo();
  EXPECT_EQ(info.name, "sqlite");
  ASSERT_TRUE(info.make_reader);
  ASSERT_TRUE(info.make_writer);
  EXPECT_NE(info.make_reader(), nullptr);
  EXPECT_NE(info.make_writer(), nullptr);
  EXPECT_TRUE(info.split_pk);
  EXPECT_TRUE(info.transactional);
  EXPECT_EQ(info.write_modes, (std::vector<std::string>{"insert", "replace", "update", "ignore"}));
}

TEST(SqlitePluginTest, ParametersAndDefaults) {
  PluginInfo info = SqlitePluginInfo();
  for (const char* name :
       {"path", "table", "column", "where", "splitPk", "splitFactor", "querySql", "fetchSize"}) {
    EXPECT_NE(FindParam(info.reader_params, name), nullptr) << name;
  }
  for (const char* name : {"path", "table", "column", "writeMode", "conflictColumns", "preSql",
                           "postSql", "batchSize", "busyTimeoutMs"}) {
    EXPECT_NE(FindParam(info.writer_params, name), nullptr) << name;
  }
  EXPECT_NE(FindParam(info.reader_params, "datasource"), nullptr);
  EXPECT_NE(FindParam(info.writer_params, "datasource"), nullptr);
  EXPECT_EQ(FindParam(info.reader_params, "splitFactor")->default_value, 5);
  EXPECT_EQ(FindParam(info.writer_params, "writeMode")->default_value, "insert");
  EXPECT_EQ(FindParam(info.writer_params, "batchSize")->default_value, 1024);
  EXPECT_EQ(FindParam(info.writer_params, "busyTimeoutMs")->default_value, 5000);
}

TEST(SqlitePluginTest, ReaderTaskStopsWhenTheJobStops) {
  sqlite_test::TempDb db;
  db.Exec("CREATE TABLE t (a INTEGER); INSERT INTO t VALUES (1), (2);");
  auto reader = SqlitePluginInfo().make_reader();
  sqlite_test::Step step({{"path", db.path()}, {"table", "t"}, {"column", {"a"}}});
  ASSERT_TRUE(reader->Prepare(step.ctx).ok());
  auto splits = reader->PlanSplits(1);
  auto task = reader->OpenTask((*splits)[0]);
  ASSERT_TRUE(task.ok());
  std::stop_source stop;
  sqlite_test::RecordingDirtySink dirty;
  TaskContext ctx{&(*splits)[0], &dirty, stop.get_token()};
  RecordBatch batch(1);
  ASSERT_TRUE((*task)->Next(&batch, 1, ctx).ok());
  stop.request_stop();
  EXPECT_EQ((*task)->Next(&batch, 1, ctx).status().code(), StatusCode::kCancelled);
}

}  // namespace
}  // namespace ferry
