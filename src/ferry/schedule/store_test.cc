// The store's contract, run on both backends (a SQLite file and a schema of the PostgreSQL test
// server): instances are inserted once and every field reads back as written, filters and order,
// a failed transaction leaves nothing, writers in two processes never interleave, deployments,
// frozen nodes, backfills and meta. PostgreSQL alone: its location never shows the password.
#include "ferry/schedule/store.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <thread>

#include "tests/support/ferry_cli.h"
#include "tests/support/pg_test_server.h"
#include "tests/support/test_store.h"

namespace ferry {
namespace {

using ::ferry::testing::PgTestSchema;
using ::ferry::testing::TempDir;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

Instance Make(const std::string& node, const std::string& cyctime, int64_t backfill = 0) {
  Instance in;
  in.node = node;
  in.cyctime = *ParseCyctime(cyctime);
  in.fire_at = 1000 + static_cast<int64_t>(in.cyctime.hour) * 3600;
  in.backfill_id = backfill;
  in.bizdate = DayString(AddDays(in.cyctime, -1));
  in.state = InstanceState::kWaitingTime;
  return in;
}

class SchedStore : public ::testing::TestWithParam<std::string> {
 protected:
  std::unique_ptr<Store> Open() { return where_.Open(); }
  void SetUp() override {
    store_ = Open();
    ASSERT_TRUE(store_);
  }
  std::vector<std::string> Nodes(const InstanceFilter& f) {
    std::vector<std::string> out;
    auto found = store_->Instances(f);
    EXPECT_TRUE(found.ok()) << found.status().message();
    for (const Instance& in : found.ValueOr({})) {
      out.push_back(in.node + "@" + FormatCivilTime(in.cyctime).substr(11, 2));
    }
    return out;
  }

  TempDir dir_;
  ::ferry::testing::TestStoreLocation where_{GetParam(), dir_.path()};  // outlives the stores
  std::unique_ptr<Store> store_;
};

TEST_P(SchedStore, InsertsEachInstanceOnceAndReadsEveryFieldBack) {
  auto added =
      store_->InsertInstances({Make("a", "2026-11-26 02:00:00"), Make("a", "2026-11-26 03:00:00"),
                               Make("a", "2026-11-26 02:00:00", /*backfill=*/7)});
  ASSERT_TRUE(added.ok()) << added.status().message();
  EXPECT_EQ(*added, 3);
  EXPECT_EQ(*store_->InsertInstances({Make("a", "2026-11-26 02:00:00")}), 0);

  Instance in = **store_->Find("a", *ParseCyctime("2026-11-26 02:00:00"), 0);
  EXPECT_EQ(in.bizdate, "20261125");
  EXPECT_EQ(in.state, InstanceState::kWaitingTime);
  EXPECT_FALSE(in.exit_code.has_value());
  in.state = InstanceState::kRunning;
  in.frozen = true;
  in.stop_requested = true;
  in.resume = true;
  in.runs = 3;
  in.failures = 2;
  in.next_try_at = 1795000000;
  in.pid = 4194303;
  in.pid_start = int64_t{1} << 42;
  in.host = "worker-7";
  in.timed_out_at = 1795000123;
  in.run_dir = "/data/instances/1/run-3/run";
  in.log_path = "/data/instances/1/run-3/log.txt";
  in.summary_path = "/data/instances/1/run-3/summary.json";
  in.started_at = 1795000001;
  in.finished_at = 1795000002;
  in.exit_code = 0;
  in.summary = R"({"status": "SUCCEEDED"})";
  in.message = "failed: 表 \"t\" 'quoted' ?; retry 1 of 2 😀";
  in.priority = -5;
  ASSERT_TRUE(store_->Update(in).ok());
  Instance back = **store_->Get(in.id);
  EXPECT_EQ(back.ToJson(), in.ToJson());
  EXPECT_EQ(back.stop_requested, true);
  EXPECT_EQ(back.resume, true);
  EXPECT_EQ(back.pid_start, in.pid_start);
  EXPECT_EQ(back.timed_out_at, in.timed_out_at);
  EXPECT_EQ(back.log_path, in.log_path);
  EXPECT_EQ(back.summary_path, in.summary_path);
  EXPECT_EQ(back.exit_code, std::optional<int>(0));
  back.exit_code.reset();
  ASSERT_TRUE(store_->Update(back).ok());
  EXPECT_FALSE((*store_->Get(in.id))->exit_code.has_value());
  EXPECT_FALSE(store_->Get(999)->has_value());
  EXPECT_FALSE(store_->Find("zz", in.cyctime, 0)->has_value());
}

TEST_P(SchedStore, FiltersAndOrdersInstances) {
  std::vector<Instance> all = {Make("b", "2026-11-26 03:00:00"), Make("a", "2026-11-26 01:00:00"),
                               Make("a", "2026-11-27 02:00:00"),
                               Make("c", "2026-11-26 02:00:00", 4)};
  all[2].fire_at = 999999;
  ASSERT_TRUE(store_->InsertInstances(all).ok());
  EXPECT_THAT(Nodes({}), ElementsAre("a@01", "c@02", "b@03", "a@02"));
  EXPECT_THAT(Nodes({.newest_first = true}), ElementsAre("a@02", "b@03", "c@02", "a@01"));
  EXPECT_THAT(Nodes({.node = "a"}), ElementsAre("a@01", "a@02"));
  EXPECT_THAT(Nodes({.bizdate = "20261126"}), ElementsAre("a@02"));
  EXPECT_THAT(Nodes({.backfill_id = 4}), ElementsAre("c@02"));
  EXPECT_THAT(Nodes({.limit = 2}), ElementsAre("a@01", "c@02"));
  Instance b = **store_->Find("b", *ParseCyctime("2026-11-26 03:00:00"), 0);
  b.state = InstanceState::kRunning;
  ASSERT_TRUE(store_->Update(b).ok());
  Instance a = **store_->Find("a", *ParseCyctime("2026-11-26 01:00:00"), 0);
  a.state = InstanceState::kSucceeded;
  ASSERT_TRUE(store_->Update(a).ok());
  EXPECT_THAT(Nodes({.running_only = true}), ElementsAre("b@03"));
  EXPECT_THAT(Nodes({.pending_only = true}), ElementsAre("c@02", "a@02"));
  EXPECT_THAT(Nodes({.state = InstanceState::kSucceeded}), ElementsAre("a@01"));
  EXPECT_THAT(*store_->Bizdates(10), ElementsAre("20261126", "20261125"));
  EXPECT_THAT(*store_->Bizdates(1), ElementsAre("20261126"));
}

TEST_P(SchedStore, AFailedTransactionLeavesNothing) {
  Status st = store_->Transaction([&]() -> Status {
    RETURN_NOT_OK(store_->InsertInstances({Make("a", "2026-11-26 02:00:00")}).status());
    RETURN_NOT_OK(store_->SetMeta("k", "v"));
    return Status::InvalidArgument("changed my mind");
  });
  EXPECT_EQ(st.message(), "changed my mind");
  EXPECT_TRUE(store_->Instances({})->empty());
  EXPECT_FALSE(store_->GetMeta("k")->has_value());
  // The store is usable after it.
  ASSERT_TRUE(store_->Transaction([&] { return store_->SetMeta("k", "w"); }).ok());
  EXPECT_EQ(**store_->GetMeta("k"), "w");
}

TEST_P(SchedStore, WritersOnTwoConnectionsNeverInterleave) {
  // Read, then write what was read plus one: lost updates would show as a smaller count.
  std::unique_ptr<Store> other = Open();
  ASSERT_TRUE(other);
  auto bump = [](Store* store) {
    for (int i = 0; i < 40; ++i) {
      Status st = store->Transaction([&]() -> Status {
        ASSIGN_OR_RETURN(std::optional<std::string> n, store->GetMeta("n"));
        return store->SetMeta("n", std::to_string(std::stoi(n.value_or("0")) + 1));
      });
      EXPECT_TRUE(st.ok()) << st.message();
    }
  };
  {
    std::jthread one(bump, store_.get());
    std::jthread two(bump, other.get());
  }
  EXPECT_EQ(**store_->GetMeta("n"), "80");
}

TEST_P(SchedStore, DeploymentsFrozenNodesBackfillsAndMeta) {
  EXPECT_EQ(*store_->CurrentDeploymentId(), 0);
  EXPECT_FALSE(store_->CurrentDeployment()->has_value());
  testing::WriteTextFile(dir_ / "a.json", "{}");
  auto spec = ParseSchedule("nodes:\n  - {name: a, job: a.json, cron: \"0 2 * * *\"}\n",
                            "schedule.yaml", dir_.path());
  ASSERT_TRUE(spec.ok());
  ASSERT_TRUE(store_->Deploy(*spec, 100).ok());
  ASSERT_TRUE(store_->Deploy(*spec, 200).ok());
  auto deployed = store_->CurrentDeployment();
  ASSERT_TRUE(deployed.ok() && deployed->has_value()) << deployed.status().message();
  EXPECT_EQ((*deployed)->id, *store_->CurrentDeploymentId());
  EXPECT_EQ((*deployed)->deployed_at, 200);
  EXPECT_EQ((*deployed)->spec.ToJson(), spec->ToJson());
  EXPECT_EQ(*store_->NodeSince("a"), 100);  // unchanged nodes keep their start
  EXPECT_EQ(*store_->NodeSince("zz"), 0);

  ASSERT_TRUE(store_->SetNodeFrozen("a", true).ok());
  ASSERT_TRUE(store_->SetNodeFrozen("a", true).ok());
  ASSERT_TRUE(store_->SetNodeFrozen("b", true).ok());
  ASSERT_TRUE(store_->SetNodeFrozen("b", false).ok());
  EXPECT_EQ(*store_->FrozenNodes(), std::set<std::string>{"a"});

  Backfill b{.created_at = 5,
             .nodes = {"a", "ü"},
             .from_bizdate = "20251001",
             .to_bizdate = "20251005",
             .newest_first = true,
             .parallel = 3};
  auto first = store_->AddBackfill(b);
  auto second = store_->AddBackfill(b);
  ASSERT_TRUE(first.ok() && second.ok());
  EXPECT_LT(*first, *second);
  auto backfills = *store_->Backfills();
  ASSERT_EQ(backfills.size(), 2u);
  EXPECT_EQ(backfills[0].id, *first);
  EXPECT_EQ(backfills[0].nodes, (std::vector<std::string>{"a", "ü"}));
  EXPECT_EQ(backfills[0].to_bizdate, "20251005");
  EXPECT_TRUE(backfills[0].newest_first);
  EXPECT_EQ(backfills[0].parallel, 3);

  ASSERT_TRUE(store_->SetMeta("k", "1").ok());
  ASSERT_TRUE(store_->SetMeta("k", "2").ok());
  EXPECT_EQ(**store_->GetMeta("k"), "2");
}

TEST_P(SchedStore, ReopeningKeepsEverything) {
  ASSERT_TRUE(store_->InsertInstances({Make("a", "2026-11-26 02:00:00")}).ok());
  std::string id = *store_->Id();
  EXPECT_EQ(id.size(), 16u);
  store_.reset();
  store_ = Open();
  ASSERT_TRUE(store_);
  EXPECT_THAT(Nodes({}), ElementsAre("a@02"));
  EXPECT_EQ(*store_->Id(), id);
}

TEST(SchedSqliteStore, AStoreFromBeforeTheNewColumnsIsUpgraded) {
  TempDir dir;
  // The instances table as the first release made it, with one instance.
  testing::SqliteExec(
      dir / "old.db",
      "CREATE TABLE instances (id INTEGER PRIMARY KEY, node TEXT NOT NULL, cyctime TEXT NOT NULL,"
      " fire_at INTEGER NOT NULL, backfill_id INTEGER NOT NULL DEFAULT 0,"
      " backfill_seq INTEGER NOT NULL DEFAULT 0, bizdate TEXT NOT NULL, state TEXT NOT NULL,"
      " priority INTEGER NOT NULL DEFAULT 0, frozen INTEGER NOT NULL DEFAULT 0,"
      " stop_requested INTEGER NOT NULL DEFAULT 0, resume INTEGER NOT NULL DEFAULT 0,"
      " runs INTEGER NOT NULL DEFAULT 0, failures INTEGER NOT NULL DEFAULT 0,"
      " next_try_at INTEGER NOT NULL DEFAULT 0, pid INTEGER NOT NULL DEFAULT 0,"
      " pid_start INTEGER NOT NULL DEFAULT 0, run_dir TEXT NOT NULL DEFAULT '',"
      " log_path TEXT NOT NULL DEFAULT '', summary_path TEXT NOT NULL DEFAULT '',"
      " started_at INTEGER NOT NULL DEFAULT 0, finished_at INTEGER NOT NULL DEFAULT 0,"
      " exit_code INTEGER, summary TEXT NOT NULL DEFAULT '', message TEXT NOT NULL DEFAULT '',"
      " UNIQUE (node, cyctime, backfill_id));"
      "INSERT INTO instances (node, cyctime, fire_at, bizdate, state, runs) VALUES"
      " ('a', '2026-11-26 02:00:00', 5, '20261125', 'succeeded', 1);");
  auto store = Store::Open(dir / "old.db");
  ASSERT_TRUE(store.ok()) << store.status().message();
  Instance in = **(*store)->Get(1);
  EXPECT_EQ(in.state, InstanceState::kSucceeded);
  EXPECT_EQ(in.host, "");
  in.host = "h";
  in.timed_out_at = 7;
  ASSERT_TRUE((*store)->Update(in).ok());
  EXPECT_EQ((*(*store)->Get(1))->timed_out_at, 7);
  // Opening it again finds the columns there.
  EXPECT_TRUE(Store::Open(dir / "old.db").ok());
}

INSTANTIATE_TEST_SUITE_P(Stores, SchedStore, ::testing::Values("sqlite", "postgresql"),
                         [](const auto& info) { return info.param; });

TEST(SchedPgStore, ThePasswordIsNeverInTheLocationOrAnError) {
  const auto& pg = ::ferry::testing::TestPgServer();
  PgTestSchema schema;
  auto store = Store::Open(pg.Url() + "?schema=" + schema.name());
  ASSERT_TRUE(store.ok()) << store.status().message();
  EXPECT_EQ((*store)->location(), fmt::format("postgresql://{}@{}:{}/{}?schema={}", pg.user,
                                              pg.host, pg.port, pg.database, schema.name()));
  std::string wrong = fmt::format("postgresql://{}:N0t-The-Passw0rd@{}:{}/{}", pg.user, pg.host,
                                  pg.port, pg.database);
  auto refused = Store::Open(wrong);
  ASSERT_FALSE(refused.ok());
  EXPECT_THAT(refused.status().message(),
              HasSubstr(fmt::format("store postgresql://{}@{}:{}/{}: cannot connect: ", pg.user,
                                    pg.host, pg.port, pg.database)));
  EXPECT_THAT(refused.status().message(), ::testing::Not(HasSubstr("N0t-The-Passw0rd")));
  auto garbled = Store::Open("postgresql://[oops");
  ASSERT_FALSE(garbled.ok());
  EXPECT_THAT(garbled.status().message(), HasSubstr("--store: not a PostgreSQL URL"));
}

TEST(SchedPgStore, LocationKinds) {
  EXPECT_TRUE(IsServerStoreLocation("postgresql://u@h/db"));
  EXPECT_TRUE(IsServerStoreLocation("postgres://u@h/db"));
  EXPECT_TRUE(IsServerStoreLocation("datasource:dw"));
  EXPECT_FALSE(IsServerStoreLocation(".ferry/scheduler.db"));
  EXPECT_FALSE(IsServerStoreLocation("/var/lib/postgresql/state.db"));
}

}  // namespace
}  // namespace ferry
