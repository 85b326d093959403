// The Data Studio API in-process against the real ferry binary: atomic saves with conflict
// detection, paths confined to the project folder, `ferry check` diagnostics at line:col,
// templates, schedule properties, publish with a preview of what changes, and data source
// secrets that never come back.
#include "ferry/server/studio_api.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <httplib.h>

#include <filesystem>
#include <thread>

#include "ferry/schedule/schedule_spec.h"
#include "ferry/server/http_api.h"
#include "tests/support/ferry_cli.h"

namespace ferry {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using json = nlohmann::json;
namespace fs = std::filesystem;

class NoLauncher : public Launcher {
 public:
  Result<ProcessId> Start(const LaunchRequest&) override { return Status::Internal("unused"); }
  ProcessExit Poll(const ProcessId&) override { return {}; }
  Status Signal(const ProcessId&, int) override { return Status::OK(); }
  std::optional<ProcessId> FindByRunDir(const std::string&) override { return std::nullopt; }
};

std::string StreamJob(int records) {
  return testing::StepsJob("stream",
                           {{"column", json::array({{{"type", "long"}, {"value", "1"}}})},
                            {"sliceRecordCount", records}},
                           "stream", {{"print", false}}, {{"speed", {{"concurrent", 1}}}})
      .dump(2);
}

class StudioApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    project_ = dir_ / "project";
    fs::create_directories(project_);
    testing::WriteTextFile(project_ + "/a.json", StreamJob(5));
    testing::WriteTextFile(project_ + "/schedule.yaml",
                           "nodes:\n  - {name: a, job: a.json, cron: \"0 2 * * *\"}\n");
    auto store = Store::Open(dir_ / "s.db");
    ASSERT_TRUE(store.ok());
    store_ = std::move(store).value();
    ops_ = std::make_unique<Operations>(store_.get(), &launcher_, &clock_);
    ApiOptions options;
    options.studio = {.project_dir = project_,
                      .ferry_binary = testing::FerryBinary(),
                      .work_dir = dir_ / "studio",
                      .datasource_home = dir_ / "home"};
    server_ = std::make_unique<HttpServer>(store_.get(), ops_.get(), options);
    ASSERT_TRUE(server_->Bind("127.0.0.1", 0).ok());
    thread_ = std::jthread([this] { server_->Serve(); });
    client_ = std::make_unique<httplib::Client>("127.0.0.1", server_->port());
    client_->set_read_timeout(60);
  }
  void TearDown() override {
    if (server_) server_->Stop();
  }
  std::pair<int, json> Call(const std::string& method, const std::string& path,
                            const json& body = nullptr) {
    httplib::Result res =
        method == "GET" ? client_->Get(path)
                        : client_->Post(path, {{"X-Ferry-Request", "1"}},
                                        body.is_null() ? "" : body.dump(), "application/json");
    if (!res) return {0, json()};
    return {res->status, json::parse(res->body, nullptr, false)};
  }

  testing::TempDir dir_;
  std::string project_;
  SystemClock clock_;
  NoLauncher launcher_;
  std::unique_ptr<Store> store_;
  std::unique_ptr<Operations> ops_;
  std::unique_ptr<HttpServer> server_;
  std::jthread thread_;
  std::unique_ptr<httplib::Client> client_;
};

TEST_F(StudioApiTest, SaveIsAtomicAndRefusesAFileChangedOnDiskSinceItWasOpened) {
  auto [code, created] = Call("POST", "/api/project/file",
                              {{"path", "jobs/new.json"}, {"text", "{}\n"}, {"sha256", ""}});
  ASSERT_EQ(code, 200) << created;
  EXPECT_EQ(testing::ReadTextFile(project_ + "/jobs/new.json"), "{}\n");
  // Creating it again is a conflict: it exists now.
  auto [again, again_body] = Call("POST", "/api/project/file",
                                  {{"path", "jobs/new.json"}, {"text", "{ }"}, {"sha256", ""}});
  EXPECT_EQ(again, 409);
  EXPECT_THAT(again_body.value("error", ""), HasSubstr("jobs/new.json already exists"));
  // Opened, saved with the version seen: fine.
  auto [read_code, opened] = Call("GET", "/api/project/file?path=jobs/new.json");
  ASSERT_EQ(read_code, 200);
  EXPECT_EQ(opened["sha256"], created["sha256"]);
  auto [saved, saved_body] =
      Call("POST", "/api/project/file",
           {{"path", "jobs/new.json"}, {"text", "{\"a\": 1}\n"}, {"sha256", opened["sha256"]}});
  ASSERT_EQ(saved, 200) << saved_body;
  // Someone else changes the file (git pull, another editor): the old version is refused.
  testing::WriteTextFile(project_ + "/jobs/new.json", "{\"b\": 2}\n");
  auto [conflict, conflict_body] =
      Call("POST", "/api/project/file",
           {{"path", "jobs/new.json"}, {"text", "{\"c\": 3}\n"}, {"sha256", saved_body["sha256"]}});
  EXPECT_EQ(conflict, 409);
  EXPECT_THAT(conflict_body.value("error", ""), HasSubstr("changed on disk since it was opened"));
  EXPECT_TRUE(conflict_body.contains("current_sha256"));
  EXPECT_EQ(testing::ReadTextFile(project_ + "/jobs/new.json"), "{\"b\": 2}\n");
  EXPECT_FALSE(fs::exists(project_ + "/jobs/new.json.tmp"));
}

TEST_F(StudioApiTest, PathsOutsideTheProjectFolderAreRefused) {
  fs::create_directories(dir_ / "outside");
  testing::WriteTextFile(dir_ / "outside/secret.json", "{\"password\": \"x\"}");
  fs::create_directory_symlink(dir_ / "outside", project_ + "/out");
  fs::create_symlink(dir_ / "outside/secret.json", project_ + "/link.json");
  for (const char* path : {"../outside/secret.json", "a/../../outside/secret.json",
                           "out/secret.json", "link.json", "/etc/passwd", ""}) {
    auto [read, read_body] = Call("GET", std::string("/api/project/file?path=") + path);
    EXPECT_EQ(read, 400) << path << " " << read_body;
    auto [write, write_body] =
        Call("POST", "/api/project/file", {{"path", path}, {"text", "{}"}, {"sha256", ""}});
    EXPECT_EQ(write, 400) << path << " " << write_body;
  }
  auto [txt, txt_body] =
      Call("POST", "/api/project/file", {{"path", "run.sh"}, {"text", "rm -rf /"}, {"sha256", ""}});
  EXPECT_EQ(txt, 400);
  EXPECT_THAT(txt_body.value("error", ""), HasSubstr("only .json, .yaml and .yml"));
  EXPECT_EQ(testing::ReadTextFile(dir_ / "outside/secret.json"), "{\"password\": \"x\"}");
  // The file list shows neither the link nor what it leads to as a job of its own folder.
  auto [list_code, list] = Call("GET", "/api/project");
  ASSERT_EQ(list_code, 200);
  for (const json& f : list["files"]) EXPECT_NE(f["path"], "out/secret.json");
}

TEST_F(StudioApiTest, MutatingCallsNeedTheHeaderAndTheSameOrigin) {
  json body{{"path", "b.json"}, {"text", "{}"}, {"sha256", ""}};
  auto bare = client_->Post("/api/project/file", body.dump(), "application/json");
  ASSERT_TRUE(bare);
  EXPECT_EQ(bare->status, 403);
  auto evil = client_->Post("/api/project/file",
                            {{"X-Ferry-Request", "1"}, {"Origin", "http://evil.example"}},
                            body.dump(), "application/json");
  ASSERT_TRUE(evil);
  EXPECT_EQ(evil->status, 403);
  for (const char* path : {"/api/publish", "/api/datasources", "/api/debug-runs",
                           "/api/project/schedule/node", "/api/validate"}) {
    auto r = client_->Post(path, "{}", "application/json");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 403) << path;
  }
  EXPECT_FALSE(fs::exists(project_ + "/b.json"));
}

TEST_F(StudioApiTest, ValidateGivesTheMessagesOfFerryCheckAtLineAndColumn) {
  std::string text =
      "{\n"
      "  // a comment and a trailing comma, as DataX accepts\n"
      "  \"type\": \"job\", \"version\": \"2.0\",\n"
      "  \"steps\": [\n"
      "    {\"stepType\": \"stream\", \"category\": \"reader\", \"name\": \"Reader\",\n"
      "     \"parameter\": {\"column\": [{\"type\": \"string\", \"value\": \"${region}\"}],\n"
      "                   \"sliceRecordCont\": 3}},\n"
      "    {\"stepType\": \"stream\", \"category\": \"writer\", \"name\": \"Writer\",\n"
      "     \"parameter\": {\"print\": false}},\n"
      "  ],\n"
      "  \"order\": {\"hops\": [{\"from\": \"Reader\", \"to\": \"Writer\"}]}\n"
      "}\n";
  auto [code, r] = Call("POST", "/api/validate",
                        {{"path", "jobs/j.json"}, {"text", text}, {"params", {{"region", "cn"}}}});
  ASSERT_EQ(code, 200) << r;
  ASSERT_FALSE(r["diagnostics"].empty()) << r;
  const json& d = r["diagnostics"][1];
  EXPECT_EQ(d["line"], 7) << r;
  EXPECT_EQ(d["severity"], "warning");
  EXPECT_THAT(d["message"].get<std::string>(), HasSubstr("sliceRecordCount"));
  EXPECT_EQ(r["params"], json::array({"region"}));
  // The same words `ferry check` prints for the file.
  fs::create_directories(project_ + "/jobs");
  testing::WriteTextFile(project_ + "/jobs/j.json", text);
  auto cli = testing::RunFerry({"check", "jobs/j.json", "-p", "region=cn"}, project_);
  EXPECT_THAT(cli.err, HasSubstr("jobs/j.json:7:" + std::to_string(d["col"].get<int>()) +
                                 ": warning: " + d["message"].get<std::string>()));
  EXPECT_EQ(r["output"], cli.err);
  // Without the parameter, the error names it.
  auto [missing_code, missing] =
      Call("POST", "/api/validate", {{"path", "j.json"}, {"text", text}});
  ASSERT_EQ(missing_code, 200);
  EXPECT_FALSE(missing["ok"]);
  EXPECT_THAT(missing["output"].get<std::string>(), HasSubstr("region"));
}

TEST_F(StudioApiTest, TemplateIsWhatFerryTemplatePrints) {
  auto [code, r] = Call("GET", "/api/template?reader=sqlite&writer=txtfile");
  ASSERT_EQ(code, 200) << r;
  auto cli = testing::RunFerry({"template", "sqlite", "txtfile"});
  EXPECT_EQ(cli.out, r["text"].get<std::string>());
  auto [bad, bad_body] = Call("GET", "/api/template?reader=nope&writer=txtfile");
  EXPECT_EQ(bad, 400);
  EXPECT_THAT(bad_body.value("error", ""), HasSubstr("no reader plugin \"nope\""));
  auto [plugins_code, plugins] = Call("GET", "/api/plugins");
  ASSERT_EQ(plugins_code, 200);
  EXPECT_THAT(plugins["readers"].dump(), HasSubstr("\"sqlite\""));
  auto schema = client_->Get("/api/schema");
  ASSERT_TRUE(schema);
  EXPECT_EQ(json::parse(schema->body)["title"], "Ferry job");
}

TEST_F(StudioApiTest, DataSourceSecretIsWriteOnly) {
  const std::string secret = "pa55-w0rd-never-shown";
  int port = testing::UnusedLoopbackPort();
  auto [code, r] = Call("POST", "/api/datasources",
                        {{"name", "dw_pg"},
                         {"type", "postgresql"},
                         {"host", "127.0.0.1"},
                         {"port", port},
                         {"database", "dw"},
                         {"user", "etl"},
                         {"password", secret}});
  ASSERT_EQ(code, 200) << r;
  auto list = client_->Get("/api/datasources");
  ASSERT_TRUE(list);
  EXPECT_THAT(list->body, Not(HasSubstr(secret)));
  auto entries = json::parse(list->body)["datasources"];
  ASSERT_EQ(entries.size(), 1u);
  EXPECT_EQ(entries[0]["password"], "stored");
  auto test = client_->Post("/api/datasources/dw_pg/test", {{"X-Ferry-Request", "1"}}, "",
                            "application/json");
  ASSERT_TRUE(test);
  EXPECT_EQ(json::parse(test->body)["ok"], false) << test->body;
  EXPECT_THAT(test->body, Not(HasSubstr(secret)));
  EXPECT_THAT(testing::ReadTextFile(dir_ / "home/datasources.json"), Not(HasSubstr(secret)));
  auto [dup, dup_body] =
      Call("POST", "/api/datasources", {{"name", "dw_pg"}, {"type", "postgresql"}});
  EXPECT_EQ(dup, 409) << dup_body;
  auto [bad_type, bad_type_body] =
      Call("POST", "/api/datasources", {{"name", "x"}, {"type", "txtfile"}});
  EXPECT_EQ(bad_type, 400) << bad_type_body;
}

TEST_F(StudioApiTest, ScheduleFormEditsTheScheduleFile) {
  auto [code, s] = Call("GET", "/api/project/schedule");
  ASSERT_EQ(code, 200) << s;
  auto [saved, saved_body] = Call("POST", "/api/project/schedule/node",
                                  {{"sha256", s["sha256"]},
                                   {"node",
                                    {{"name", "b"},
                                     {"job", "a.json"},
                                     {"cron", "30 1 * * *"},
                                     {"timezone", "Asia/Shanghai"},
                                     {"upstream", json::array({"a"})},
                                     {"params", "bizdate=$bizdate"},
                                     {"retries", 2},
                                     {"timeout", "1h"},
                                     {"resource_group", ""},
                                     {"priority", 5}}}});
  ASSERT_EQ(saved, 200) << saved_body;
  auto spec = LoadScheduleDir(project_);
  ASSERT_TRUE(spec.ok()) << spec.status().message();
  const NodeSpec* b = spec->Find("b");
  ASSERT_NE(b, nullptr);
  EXPECT_EQ(b->cron, "30 1 * * *");
  EXPECT_EQ(b->time_zone, "Asia/Shanghai");
  EXPECT_EQ(b->upstream, std::vector<std::string>{"a"});
  EXPECT_EQ(b->retries, 2);
  EXPECT_EQ(b->timeout_seconds, 3600);
  EXPECT_EQ(b->priority, 5);
  EXPECT_NE(spec->Find("a"), nullptr);
  // A form opened before this save is refused.
  auto [stale, stale_body] =
      Call("POST", "/api/project/schedule/node",
           {{"sha256", s["sha256"]}, {"node", {{"name", "a"}, {"cron", "0 3 * * *"}}}});
  EXPECT_EQ(stale, 409) << stale_body;
}

TEST_F(StudioApiTest, TheFormWritesANodesAlertRulesAndAsksBeforeDroppingComments) {
  testing::WriteTextFile(project_ + "/schedule.yaml",
                         "# nightly loads\nnodes:\n  - {name: a, job: a.json, cron: \"0 2 * * *\"}"
                         "  # the first\n");
  auto [code, s] = Call("GET", "/api/project/schedule");
  ASSERT_EQ(code, 200) << s;
  EXPECT_EQ(s["comments"], true);
  json node = {
      {"name", "a"},
      {"job", "a.json"},
      {"cron", "0 2 * * *"},
      {"alerts",
       json::array(
           {{{"on", "failure"}, {"webhook", "http://127.0.0.1:9/h"}},
            {{"on", "not_finished_by"}, {"at", "06:30"}, {"webhook", "http://127.0.0.1:9/h"}},
            {{"on", "dirty_above"}, {"threshold", 10}, {"webhook", "http://127.0.0.1:9/h"}}})}};
  // Not confirmed: refused, the file and its comments untouched.
  auto [refused, refused_body] =
      Call("POST", "/api/project/schedule/node", {{"sha256", s["sha256"]}, {"node", node}});
  EXPECT_EQ(refused, 409) << refused_body;
  EXPECT_THAT(refused_body["error"].get<std::string>(), HasSubstr("has comments"));
  EXPECT_THAT(testing::ReadTextFile(project_ + "/schedule.yaml"), HasSubstr("# the first"));
  // Confirmed: saved, and the rules are the node's alerts as the scheduler reads them.
  auto [saved, saved_body] =
      Call("POST", "/api/project/schedule/node",
           {{"sha256", s["sha256"]}, {"node", node}, {"drop_comments", true}});
  ASSERT_EQ(saved, 200) << saved_body;
  auto spec = LoadScheduleDir(project_);
  ASSERT_TRUE(spec.ok()) << spec.status().message();
  ASSERT_EQ(spec->alerts.size(), 3u);
  EXPECT_EQ(spec->alerts[0].node, "a");
  EXPECT_EQ(spec->alerts[0].on, AlertEvent::kFailure);
  EXPECT_EQ(spec->alerts[1].on, AlertEvent::kNotFinishedBy);
  EXPECT_EQ(spec->alerts[1].at_minute, 6 * 60 + 30);
  EXPECT_EQ(spec->alerts[2].on, AlertEvent::kDirtyAbove);
  EXPECT_EQ(spec->alerts[2].threshold, 10);
  auto [after, after_body] = Call("GET", "/api/project/schedule");
  EXPECT_EQ(after_body["comments"], false);
  EXPECT_EQ(after_body["nodes"][0]["alerts"].size(), 3u) << after_body;
  // Removing every rule removes the key.
  node["alerts"] = json::array();
  auto [cleared, cleared_body] = Call("POST", "/api/project/schedule/node",
                                      {{"sha256", after_body["sha256"]}, {"node", node}});
  ASSERT_EQ(cleared, 200) << cleared_body;
  EXPECT_THAT(testing::ReadTextFile(project_ + "/schedule.yaml"), Not(HasSubstr("alerts")));
}

TEST_F(StudioApiTest, TheAlertsTabEditsTheGlobalRulesOfTheScheduleFile) {
  auto [code, s] = Call("GET", "/api/project/schedule");
  ASSERT_EQ(code, 200) << s;
  EXPECT_EQ(s["alerts"], json::array());
  json rules = json::array({{{"on", "failure"}, {"webhook", "https://hooks.example/x?token=T"}},
                            {{"node", "a"},
                             {"on", "not_finished_by"},
                             {"at", "07:15"},
                             {"webhook", "http://127.0.0.1:9/h"}}});
  auto [saved, saved_body] =
      Call("POST", "/api/project/schedule/alerts", {{"sha256", s["sha256"]}, {"alerts", rules}});
  ASSERT_EQ(saved, 200) << saved_body;
  auto spec = LoadScheduleDir(project_);
  ASSERT_TRUE(spec.ok()) << spec.status().message();
  ASSERT_EQ(spec->alerts.size(), 2u);
  EXPECT_EQ(spec->alerts[0].node, "*");
  EXPECT_EQ(spec->alerts[0].webhook, "https://hooks.example/x?token=T");
  EXPECT_EQ(spec->alerts[1].node, "a");
  EXPECT_EQ(spec->alerts[1].at_minute, 7 * 60 + 15);
  EXPECT_NE(spec->Find("a"), nullptr);  // the nodes stay
  auto [again, again_body] = Call("GET", "/api/project/schedule");
  EXPECT_EQ(again_body["alerts"], rules);
  // The page's version is stale after the save: refused, nothing written.
  auto [stale, stale_body] = Call("POST", "/api/project/schedule/alerts",
                                  {{"sha256", s["sha256"]}, {"alerts", json::array()}});
  EXPECT_EQ(stale, 409) << stale_body;
  EXPECT_EQ(LoadScheduleDir(project_)->alerts.size(), 2u);
  // Not a list: a 400 saying what is expected.
  auto [bad, bad_body] = Call("POST", "/api/project/schedule/alerts",
                              {{"sha256", again_body["sha256"]}, {"alerts", "failure"}});
  EXPECT_EQ(bad, 400) << bad_body;
  EXPECT_THAT(bad_body["error"].get<std::string>(), HasSubstr("must be a list of rules"));
  // An empty list removes the key.
  auto [cleared, cleared_body] =
      Call("POST", "/api/project/schedule/alerts",
           {{"sha256", again_body["sha256"]}, {"alerts", json::array()}});
  ASSERT_EQ(cleared, 200) << cleared_body;
  EXPECT_THAT(testing::ReadTextFile(project_ + "/schedule.yaml"), Not(HasSubstr("alerts")));
}

TEST_F(StudioApiTest, PublishShowsWhatChangesAndRefusesABrokenJob) {
  auto [first, first_body] = Call("POST", "/api/publish", json::object());
  ASSERT_EQ(first, 200) << first_body;
  EXPECT_EQ(first_body["changes"]["added"], json::array({"a"}));
  testing::WriteTextFile(project_ + "/b.json", StreamJob(7));
  testing::WriteTextFile(project_ + "/schedule.yaml",
                         "nodes:\n  - {name: a, job: a.json, cron: \"0 3 * * *\"}\n"
                         "  - {name: b, job: b.json, cron: \"0 4 * * *\", upstream: a}\n");
  auto [preview, preview_body] = Call("POST", "/api/publish", {{"dry_run", true}});
  ASSERT_EQ(preview, 200) << preview_body;
  EXPECT_EQ(preview_body["deployed"], false);
  EXPECT_EQ(preview_body["changes"]["added"], json::array({"b"}));
  EXPECT_EQ(preview_body["changes"]["removed"], json::array());
  ASSERT_EQ(preview_body["changes"]["changed"].size(), 1u) << preview_body;
  EXPECT_EQ(preview_body["changes"]["changed"][0]["name"], "a");
  EXPECT_EQ(preview_body["changes"]["changed"][0]["fields"], json::array({"cron"}));
  auto deployed = store_->CurrentDeployment();
  ASSERT_TRUE(deployed.ok() && *deployed);
  EXPECT_EQ((*deployed)->spec.nodes.size(), 1u);  // a dry run deploys nothing
  // A job that `ferry check` refuses: nothing is deployed and the errors say why.
  testing::WriteTextFile(project_ + "/b.json", "{\"steps\": [}");
  auto [refused, refused_body] = Call("POST", "/api/publish", json::object());
  EXPECT_EQ(refused, 422) << refused_body;
  EXPECT_THAT(refused_body.value("errors", ""), HasSubstr("b.json"));
  EXPECT_EQ((*store_->CurrentDeployment())->spec.nodes.size(), 1u);
}

}  // namespace
}  // namespace ferry
