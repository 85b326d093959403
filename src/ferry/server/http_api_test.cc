// The HTTP API in-process: bad input gets a 4xx with a message (never a 500), a token is asked
// for when configured, and state changes need the anti-CSRF header and a same-origin Origin.
#include "ferry/server/http_api.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <httplib.h>

#include <thread>

#include "tests/support/ferry_cli.h"

namespace ferry {
namespace {

using ::testing::HasSubstr;

class FixedClock : public Clock {
 public:
  SysSeconds Now() const override { return SysSeconds{std::chrono::seconds{1795000000}}; }
};

class NoLauncher : public Launcher {
 public:
  Result<ProcessId> Start(const LaunchRequest&) override { return Status::Internal("unused"); }
  ProcessExit Poll(const ProcessId&) override { return {}; }
  Status Signal(const ProcessId&, int) override { return Status::OK(); }
  std::optional<ProcessId> FindByRunDir(const std::string&) override { return std::nullopt; }
};

class SchedHttpApi : public ::testing::Test {
 protected:
  void Start(const std::string& token) {
    testing::WriteTextFile(dir_ / "a.json", "{}");
    auto spec = ParseSchedule("nodes:\n  - {name: a, job: a.json, cron: \"0 2 * * *\"}\n", "s.yaml",
                              dir_.path());
    ASSERT_TRUE(spec.ok()) << spec.status().message();
    auto store = Store::Open(dir_ / "s.db");
    ASSERT_TRUE(store.ok());
    store_ = std::move(store).value();
    ASSERT_TRUE(store_->Deploy(*spec, 1).ok());
    ops_ = std::make_unique<Operations>(store_.get(), &launcher_, &clock_);
    ASSERT_TRUE(
        ops_->Backfill({.nodes = {"a"}, .from_bizdate = "20251001", .to_bizdate = "20251001"})
            .ok());
    server_ = std::make_unique<HttpServer>(store_.get(), ops_.get(), ApiOptions{token});
    ASSERT_TRUE(server_->Bind("127.0.0.1", 0).ok());
    thread_ = std::jthread([this] { server_->Serve(); });
    client_ = std::make_unique<httplib::Client>("127.0.0.1", server_->port());
    client_->set_connection_timeout(5);
  }
  void TearDown() override {
    if (server_) server_->Stop();
  }
  httplib::Headers Post() { return {{"X-Ferry-Request", "1"}}; }

  testing::TempDir dir_;
  FixedClock clock_;
  NoLauncher launcher_;
  std::unique_ptr<Store> store_;
  std::unique_ptr<Operations> ops_;
  std::unique_ptr<HttpServer> server_;
  std::jthread thread_;
  std::unique_ptr<httplib::Client> client_;
};

TEST_F(SchedHttpApi, BadInputGetsA4xxWithAMessage) {
  Start("");
  struct Case {
    const char* method;
    const char* path;
    std::string body;
    int code;
    const char* message;
  } cases[] = {
      {"GET", "/api/instances/xyz", "", 400, "bad instance id \"xyz\""},
      {"GET", "/api/instances/77", "", 404, "instance 77 does not exist"},
      {"GET", "/api/instances?state=bogus", "", 400, "unknown state \"bogus\""},
      {"GET", "/api/instances?bizdate=20251340", "", 400, "bizdate: "},
      {"GET", "/api/instances/1/log?offset=x", "", 400, "offset must be a whole number"},
      {"GET", "/api/nodes/zz/graph", "", 404, "node \"zz\" is not deployed"},
      {"GET", "/api/nodes/zz/history", "", 404, "node \"zz\" is not deployed and has no instances"},
      {"GET", "/api/nodes/a/history", "", 200, ""},
      {"GET", "/api/instances?node=zz", "", 404,
       "node \"zz\" is not deployed and has no instances"},
      {"POST", "/api/nodes/zz/freeze", "", 404, "node \"zz\" is not deployed"},
      {"POST", "/api/backfill", R"({"nodes": [], "from": "20251001", "to": "20251001"})", 400,
       "backfill: name at least one node"},
      {"POST", "/api/backfill",
       R"({"nodes": ["a"], "from": "20251001", "to": "20251001", "parallel": "2"})", 400,
       "backfill: expected"},
      {"POST", "/api/backfill", R"({"nodes": ["a"], "from": "2025", "to": "20251001"})", 400,
       "backfill: from"},
      {"GET", "/api/instances/99999999999999999999", "", 400, "bad instance id"},
      {"GET", "/api/instances/1/log?offset=99999999999999999999", "", 400,
       "offset must be a whole number"},
      {"POST", "/api/backfill", "[1,2", 400, "the body must be a JSON object"},
      {"POST", "/api/backfill", R"({"nodes": "a", "from": 1})", 400, "backfill: expected"},
      {"POST", "/api/backfill", R"({"nodes": ["a"], "from": "20251002", "to": "20251001"})", 400,
       "runs backwards"},
      {"POST", "/api/backfill",
       R"({"nodes": ["a"], "from": "20251001", "to": "20251001", "order": "up"})", 400,
       "order must be"},
      {"POST", "/api/instances/1/set-succeeded", "", 200, ""},
      {"POST", "/api/instances/1/freeze", "", 409,
       "only an instance that has not run can be frozen"},
      {"POST", "/api/instances/1/fly", "", 404, "unknown operation \"fly\""},
      {"GET", "/api/nowhere", "", 404, "no such page: GET /api/nowhere"},
  };
  for (const Case& c : cases) {
    auto res = std::string(c.method) == "GET"
                   ? client_->Get(c.path)
                   : client_->Post(c.path, Post(), c.body, "application/json");
    ASSERT_TRUE(res) << c.path;
    EXPECT_EQ(res->status, c.code) << c.path << " " << res->body;
    if (c.code != 200) {
      auto body = nlohmann::json::parse(res->body, nullptr, false);
      ASSERT_TRUE(body.is_object()) << res->body;
      EXPECT_THAT(body.value("error", ""), HasSubstr(c.message)) << c.path;
    }
  }
  auto page = client_->Get("/");
  ASSERT_TRUE(page);
  EXPECT_EQ(page->status, 200);
  EXPECT_THAT(page->body, HasSubstr("<title>Ferry</title>"));
  EXPECT_THAT(page->body, ::testing::Not(HasSubstr("http://")));  // nothing fetched from elsewhere
  // The page's script and style, bundled at build time (web/), come from the binary.
  for (const char* asset : {"/assets/app.js", "/assets/app.css"}) {
    auto a = client_->Get(asset);
    ASSERT_TRUE(a);
    EXPECT_EQ(a->status, 200) << asset;
    EXPECT_GT(a->body.size(), 1000u) << asset;
  }
}

TEST_F(SchedHttpApi, StateChangesNeedTheHeaderAndTheSameOrigin) {
  Start("");
  auto bare = client_->Post("/api/instances/1/rerun", "", "application/json");
  ASSERT_TRUE(bare);
  EXPECT_EQ(bare->status, 403);
  httplib::Headers cross = {{"X-Ferry-Request", "1"}, {"Origin", "http://evil.example"}};
  auto evil = client_->Post("/api/instances/1/rerun", cross, "", "application/json");
  ASSERT_TRUE(evil);
  EXPECT_EQ(evil->status, 403);
  EXPECT_THAT(evil->body, HasSubstr("cross-site request refused"));
  EXPECT_EQ(StateName((*store_->Get(1))->state), std::string("not_run"));
  auto same = client_->Post("/api/instances/1/stop", Post(), "", "application/json");
  ASSERT_TRUE(same);
  EXPECT_EQ(same->status, 200) << same->body;
  EXPECT_EQ(StateName((*store_->Get(1))->state), std::string("stopped"));
}

TEST_F(SchedHttpApi, WithoutATokenOnlyLoopbackHostsAreServed) {
  Start("");
  // A page on another name that resolves to 127.0.0.1 (DNS rebinding) is refused.
  auto rebound = client_->Get("/api/nodes", {{"Host", "evil.example:8321"}});
  ASSERT_TRUE(rebound);
  EXPECT_EQ(rebound->status, 403);
  EXPECT_THAT(nlohmann::json::parse(rebound->body).value("error", ""),
              HasSubstr("Host \"evil.example:8321\" refused: without --token-file"));
  for (const char* host : {"localhost:8321", "127.0.0.1", "[::1]:8321"}) {
    auto ok = client_->Get("/api/nodes", {{"Host", host}});
    ASSERT_TRUE(ok);
    EXPECT_EQ(ok->status, 200) << host;
  }
}

TEST_F(SchedHttpApi, TokenIsAskedForWhenConfigured) {
  Start("0123456789abcdef0123");
  auto none = client_->Get("/api/nodes");
  ASSERT_TRUE(none);
  EXPECT_EQ(none->status, 401);
  client_->set_bearer_token_auth("0123456789abcdef0124");
  auto wrong = client_->Get("/api/nodes");
  ASSERT_TRUE(wrong);
  EXPECT_EQ(wrong->status, 401);
  client_->set_bearer_token_auth("0123456789abcdef0123");
  auto ok = client_->Get("/api/nodes");
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->status, 200);
  EXPECT_THAT(ok->body, HasSubstr("\"name\":\"a\""));
}

TEST_F(SchedHttpApi, LogIsTailedFromAnOffset) {
  Start("");
  Instance in = *(*store_->Get(1));
  in.state = InstanceState::kRunning;
  in.log_path = dir_ / "log.txt";
  ASSERT_TRUE(store_->Update(in).ok());
  testing::WriteTextFile(in.log_path, "first line\n");
  auto first = client_->Get("/api/instances/1/log?offset=0");
  ASSERT_TRUE(first);
  auto a = nlohmann::json::parse(first->body);
  EXPECT_EQ(a["text"], "first line\n");
  EXPECT_EQ(a["running"], true);
  testing::WriteTextFile(in.log_path, "first line\nsecond line\n");
  auto second = client_->Get("/api/instances/1/log?offset=" +
                             std::to_string(a["next_offset"].get<int64_t>()));
  ASSERT_TRUE(second);
  auto b = nlohmann::json::parse(second->body);
  EXPECT_EQ(b["text"], "second line\n");
  EXPECT_EQ(b["next_offset"], 23);
  // A negative offset is the end of the log.
  auto tail = client_->Get("/api/instances/1/log?offset=-5");
  EXPECT_EQ(nlohmann::json::parse(tail->body)["text"], "line\n");
}

TEST_F(SchedHttpApi, RerunResumesAFailedRunUnlessAskedFromScratch) {
  Start("");
  // Instance 1 failed after planning: its run directory holds a plan.
  std::string run_dir = dir_ / "instances/1/run-1/run";
  testing::WriteTextFile(run_dir + "/plan.json", "[]");
  auto fail = [&] {
    Instance in = *(*store_->Get(1));
    in.state = InstanceState::kFailed;
    in.runs = 1;
    in.run_dir = run_dir;
    in.summary = R"({"status": "FAILED", "error": "boom"})";
    in.exit_code = 1;
    ASSERT_TRUE(store_->Update(in).ok());
  };
  struct Case {
    std::string path;
    std::string body;
    bool resumes;
  } cases[] = {
      {"/api/instances/1/rerun", "", true},
      {"/api/instances/1/rerun", "{}", true},
      {"/api/instances/1/rerun", R"({"from_scratch": false})", true},
      {"/api/instances/1/rerun?from_scratch=0", "", true},
      {"/api/instances/1/rerun?from_scratch=1", "", false},
      {"/api/instances/1/rerun?from_scratch=true", "{}", false},
      {"/api/instances/1/rerun", R"({"from_scratch": true})", false},
      {"/api/instances/1/rerun-downstream", R"({"from_scratch": true})", false},
      {"/api/instances/1/rerun-downstream", "", true},
  };
  for (const Case& c : cases) {
    fail();
    auto res = client_->Post(c.path, Post(), c.body, "application/json");
    ASSERT_TRUE(res) << c.path;
    ASSERT_EQ(res->status, 200) << c.path << " " << c.body << " " << res->body;
    auto body = nlohmann::json::parse(res->body);
    EXPECT_EQ(body["instances"], nlohmann::json::array({1})) << c.path << " " << c.body;
    EXPECT_EQ(body["resuming"], c.resumes ? nlohmann::json::array({1}) : nlohmann::json::array())
        << c.path << " " << c.body;
    Instance in = *(*store_->Get(1));
    EXPECT_EQ(StateName(in.state), std::string("not_run"));
    EXPECT_EQ(in.resume, c.resumes) << c.path << " " << c.body;
    EXPECT_THAT(in.message, HasSubstr(c.resumes ? "resuming " + run_dir : "from scratch"))
        << c.path << " " << c.body;
  }
  struct Bad {
    std::string path;
    std::string body;
    const char* message;
  } bad[] = {
      {"/api/instances/1/rerun?from_scratch=yes", "", "from_scratch must be true or false"},
      {"/api/instances/1/rerun", R"({"from_scratch": "yes"})",
       "from_scratch must be true or false"},
      {"/api/instances/1/rerun", R"({"from_scratch": 2})", "from_scratch must be true or false"},
      {"/api/instances/1/rerun-downstream", "[1,", "the body must be a JSON object"},
  };
  for (const Bad& b : bad) {
    fail();
    auto res = client_->Post(b.path, Post(), b.body, "application/json");
    ASSERT_TRUE(res) << b.path;
    EXPECT_EQ(res->status, 400) << b.path << " " << b.body << " " << res->body;
    EXPECT_THAT(nlohmann::json::parse(res->body).value("error", ""), HasSubstr(b.message));
    EXPECT_EQ(StateName((*store_->Get(1))->state), std::string("failed")) << b.path;
  }
}

TEST_F(SchedHttpApi, HistoryHoldsTheFiguresOfTheLast30Runs) {
  Start("");
  std::vector<Instance> runs;
  for (int day = 1; day <= 35; ++day) {
    Instance in;
    in.node = "a";
    in.cyctime = CivilTime{2025, 1, day > 31 ? day - 31 : day, 2, 0, 0};
    if (day > 31) in.cyctime.month = 2;
    in.fire_at = 1700000000 + day * 86400;
    in.bizdate = DayString(AddDays(in.cyctime, -1));
    runs.push_back(in);
  }
  ASSERT_EQ(*store_->InsertInstances(runs), 35);
  // Held in a variable: a range-for over *store_->Instances(...) would read the vector of a
  // Result destroyed before the loop's first iteration.
  auto instances = store_->Instances({.node = "a"});
  ASSERT_TRUE(instances.ok()) << instances.status().message();
  for (Instance in : *instances) {
    if (in.backfill_id != 0) continue;  // the fixture's backfilled instance has not run
    in.state = InstanceState::kSucceeded;
    int k = in.cyctime.month == 1 ? in.cyctime.day : in.cyctime.day + 31;
    in.summary = nlohmann::json{
        {"status", "SUCCEEDED"},
        {"records_written", k * 1000},
        {"bytes_read", k * 10},
        {"dirty_records", k % 2},
        {"elapsed_seconds",
         2.0}}.dump();
    ASSERT_TRUE(store_->Update(in).ok());
  }
  auto res = client_->Get("/api/nodes/a/history");
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200) << res->body;
  auto body = nlohmann::json::parse(res->body);
  ASSERT_EQ(body["runs"].size(), 30u);
  // Newest first: the 35th run down to the 6th.
  EXPECT_EQ(body["runs"][0]["records"], 35000);
  EXPECT_EQ(body["runs"][0]["bytes"], 350);
  EXPECT_EQ(body["runs"][0]["dirty"], 1);
  EXPECT_EQ(body["runs"][0]["records_per_second"], 17500.0);
  EXPECT_EQ(body["runs"][29]["records"], 6000);
}

TEST(SchedListen, ParsesHostAndPort) {
  EXPECT_EQ(ParseListen("127.0.0.1:8321")->second, 8321);
  EXPECT_EQ(ParseListen("[::1]:80")->first, "::1");
  EXPECT_EQ(ParseListen("localhost").status().message(),
            "--listen \"localhost\": expected HOST:PORT, e.g. 127.0.0.1:8321");
  EXPECT_EQ(ParseListen("0.0.0.0:99999").status().message(),
            "--listen \"0.0.0.0:99999\": bad port \"99999\"");
  EXPECT_TRUE(IsLoopback("127.0.0.1"));
  EXPECT_FALSE(IsLoopback("0.0.0.0"));
}

}  // namespace
}  // namespace ferry
