#include "ferry/server/studio_api.h"

#include <fmt/format.h>
#include <httplib.h>
#include <signal.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <mutex>
#include <random>
#include <regex>
#include <set>

#include "ferry/common/file.h"
#include "ferry/common/log.h"
#include "ferry/common/numbers.h"
#include "ferry/datasource/datasource_store.h"
#include "ferry/job/job_schema.h"
#include "ferry/job/sched_params.h"
#include "ferry/schedule/deploy.h"
#include "ferry/schedule/launcher.h"
#include "ferry/server/http_reply.h"
#include "ferry/server/project_files.h"

namespace ferry {
namespace fs = std::filesystem;
namespace {

using json = nlohmann::json;

Result<json> BodyObject(const httplib::Request& req) {
  json body = json::parse(req.body, nullptr, false);
  if (!body.is_object()) return Status::InvalidArgument("the body must be a JSON object");
  return body;
}

std::string Text(const json& body, const char* key) {
  auto it = body.find(key);
  return it != body.end() && it->is_string() ? it->get<std::string>() : "";
}

// The parameters of a check or debug run: `bizdate` (YYYYMMDD; empty: yesterday, as a run
// scheduled now) and the name -> value assignments of the job's ${...} names.
struct ScriptParams {
  std::string bizdate;
  std::vector<std::pair<std::string, std::string>> values;
};

Result<ScriptParams> ParseScriptParams(const json& body) {
  ScriptParams p;
  p.bizdate = Text(body, "bizdate");
  if (!p.bizdate.empty()) {
    auto cyc = CyctimeFromBizdate(p.bizdate);
    if (!cyc.ok()) return cyc.status().WithPrefix("bizdate");
  }
  if (body.contains("params")) {
    if (!body["params"].is_object()) {
      return Status::InvalidArgument("params must be an object {\"name\": \"value\"}");
    }
    for (const auto& [name, value] : body["params"].items()) {
      if (!value.is_string()) return Status::InvalidArgument("params." + name + ": not a string");
      if (name == "bizdate") {
        if (p.bizdate.empty()) p.bizdate = value.get<std::string>();
        continue;
      }
      p.values.emplace_back(name, value.get<std::string>());
    }
  }
  return p;
}

// The flags `ferry check` and `ferry run` take for `p`.
std::vector<std::string> ParamArgs(const ScriptParams& p) {
  std::vector<std::string> args;
  if (!p.bizdate.empty()) args.insert(args.end(), {"--bizdate", p.bizdate});
  for (const auto& [name, value] : p.values) args.insert(args.end(), {"-p", name + "=" + value});
  return args;
}

// The ${name} placeholders a job uses that need a value (not date expressions), bizdate first
// when the job uses it.
std::vector<std::string> ParamNames(const std::string& text) {
  ParameterSet base(NowLocal());
  std::vector<std::string> missing;
  (void)base.Substitute(text, &missing);
  std::vector<std::string> names;
  for (const char* predefined : {"bizdate", "cyctime", "gmtdate", "bizmonth"}) {
    if (text.find(std::string("${") + predefined + "}") != std::string::npos)
      names.push_back(predefined);
  }
  for (std::string& m : missing) {
    if (std::find(names.begin(), names.end(), m) == names.end()) names.push_back(std::move(m));
  }
  return names;
}

// `ferry check` output -> diagnostics at line:col. Lines naming `file` carry a position; any
// other line is a message about the whole job (line 1).
json ParseDiagnostics(const std::string& output, const std::string& file) {
  json out = json::array();
  std::istringstream in(output);
  std::string line;
  const std::regex located(R"(^(\d+):(\d+): (warning: )?(.*)$)");
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    if (line.rfind(file + ": OK", 0) == 0) continue;
    std::smatch m;
    std::string rest = line.rfind(file + ":", 0) == 0 ? line.substr(file.size() + 1) : "";
    if (!rest.empty() && std::regex_match(rest, m, located)) {
      out.push_back({{"line", ParseInt32(m[1].str(), "line").ValueOr(1)},
                     {"col", ParseInt32(m[2].str(), "col").ValueOr(1)},
                     {"severity", m[3].matched ? "warning" : "error"},
                     {"message", m[4].str()}});
    } else if (!out.empty() && line.rfind("  ", 0) == 0) {
      out.back()["message"] = out.back()["message"].get<std::string>() + "\n" + line;
    } else {
      out.push_back({{"line", 1}, {"col", 1}, {"severity", "error"}, {"message", line}});
    }
  }
  return out;
}

std::string RandomId() {
  std::random_device random;
  return fmt::format("{:08x}", random());
}

void ReplaceAll(std::string* text, const std::string& from, const std::string& to) {
  for (size_t at = text->find(from); at != std::string::npos; at = text->find(from, at + to.size()))
    text->replace(at, from.size(), to);
}

// What publishing `next` over `current` changes: nodes added, removed and changed (with the
// names of the properties that differ; "job" when the job's text changed).
json ScheduleChanges(const ScheduleSpec* current, const ScheduleSpec& next) {
  std::map<std::string, json> before, after;
  // Named: a range-for over a temporary's member would read freed memory.
  const json current_json = current ? current->ToJson() : json{{"nodes", json::array()}};
  const json next_json = next.ToJson();
  for (const json& n : current_json["nodes"]) before[n["name"]] = n;
  for (const json& n : next_json["nodes"]) after[n["name"]] = n;
  json added = json::array(), removed = json::array(), changed = json::array();
  for (const auto& [name, n] : after) {
    auto old = before.find(name);
    if (old == before.end()) {
      added.push_back(name);
      continue;
    }
    json fields = json::array();
    for (const auto& [key, value] : n.items()) {
      if (key == "line") continue;
      if (!old->second.contains(key) || old->second[key] != value)
        fields.push_back(key == "job_text" ? "job" : key);
    }
    for (const auto& [key, value] : old->second.items()) {
      if (key != "line" && !n.contains(key)) fields.push_back(key);
    }
    if (!fields.empty()) changed.push_back({{"name", name}, {"fields", fields}});
  }
  for (const auto& [name, n] : before) {
    if (!after.count(name)) removed.push_back(name);
  }
  return {{"added", added}, {"removed", removed}, {"changed", changed}};
}

std::string SecretShown(const DataSourceEntry& e) {
  if (!e.password_env.empty()) return "from $" + e.password_env;
  if (!e.password_file.empty()) return "stored";
  return "none";
}

// One debug run: a child `ferry run` with its log, summary and run directory in `dir`.
struct DebugRun {
  std::string id;
  std::string file;
  std::string dir;
  ProcessId process;
  std::optional<int> exit_code;
  bool finished = false;
  bool stop_asked = false;
};

}  // namespace

struct StudioApi::Impl {
  Store* store;
  StudioOptions options;
  ProcessLauncher launcher;
  std::mutex mu;  // guards runs and serializes file writes
  std::map<std::string, DebugRun> runs;

  Result<ProjectFolder> Project() {
    std::string dir = options.project_dir;
    if (dir.empty()) {
      ASSIGN_OR_RETURN(std::optional<Deployment> d, store->CurrentDeployment());
      if (!d || d->spec.project_dir.empty()) {
        return Status::FailedPrecondition(
            "no project folder: nothing is deployed yet; start `ferry server --project DIR`");
      }
      dir = d->spec.project_dir;
    }
    return ProjectFolder::Open(dir);
  }
  std::string DataSourceHome() const {
    return options.datasource_home.empty() ? DataSourceStore::DefaultHome()
                                           : options.datasource_home;
  }

  void Routes(httplib::Server& server);
  void FileRoutes(httplib::Server& server);
  void CheckRoutes(httplib::Server& server);
  void DebugRoutes(httplib::Server& server);
  void ScheduleRoutes(httplib::Server& server);
  // One edit of the schedule file from the page: refused (409) when the file changed since the
  // page read it (body "sha256") or has comments the re-write would drop (unless the body says
  // "drop_comments": true); otherwise `edit` gives the new text, written atomically.
  using ScheduleEdit = std::function<Result<std::string>(
      const std::string& text, const std::string& file, const json& body)>;
  void EditSchedule(const httplib::Request& req, httplib::Response& res, const ScheduleEdit& edit);
  void DataSourceRoutes(httplib::Server& server);

  Result<json> Validate(const json& body);
  Result<json> StartRun(const json& body);
  Result<json> RunStatus(const std::string& id, int64_t offset);
  Result<json> Publish(bool dry_run);
  Result<json> AddDataSource(const json& body);
  Result<json> TestDataSource(const std::string& name);
};

void StudioApi::Impl::FileRoutes(httplib::Server& server) {
  server.Get("/api/project", [this](const httplib::Request&, httplib::Response& res) {
    auto project = Project();
    if (!project.ok()) return ReplyError(res, project.status());
    auto files = project->List();
    if (!files.ok()) return ReplyError(res, files.status());
    json list = json::array();
    for (const ProjectFile& f : *files) list.push_back({{"path", f.path}, {"kind", f.kind}});
    Reply(res, 200,
          json{{"dir", project->root()}, {"schedule", project->ScheduleFile()}, {"files", list}});
  });

  server.Get("/api/project/file", [this](const httplib::Request& req, httplib::Response& res) {
    auto project = Project();
    if (!project.ok()) return ReplyError(res, project.status());
    std::string path = req.get_param_value("path");
    auto file = project->Read(path);
    if (!file.ok()) return ReplyError(res, file.status());
    Reply(res, 200,
          json{{"path", path},
               {"text", file->text},
               {"sha256", file->sha256},
               {"params", ParamNames(file->text)}});
  });

  server.Post("/api/project/file", [this](const httplib::Request& req, httplib::Response& res) {
    auto body = BodyObject(req);
    if (!body.ok()) return ReplyError(res, body.status());
    auto project = Project();
    if (!project.ok()) return ReplyError(res, project.status());
    if (!body->contains("text") || !(*body)["text"].is_string())
      return ReplyError(res, 400, "expected {\"path\", \"text\", \"sha256\"}");
    std::string path = Text(*body, "path");
    std::lock_guard lock(mu);
    auto sha = project->Write(path, (*body)["text"], Text(*body, "sha256"));
    if (!sha.ok()) {
      json error{{"error", sha.status().message()}};
      if (auto current = project->Read(path); current.ok())
        error["current_sha256"] = current->sha256;
      return Reply(res, HttpCode(sha.status()), error);
    }
    Reply(res, 200, json{{"path", path}, {"sha256", *sha}});
  });
}

Result<json> StudioApi::Impl::Validate(const json& body) {
  ASSIGN_OR_RETURN(ProjectFolder project, Project());
  std::string path = Text(body, "path");
  if (path.empty()) path = "job.json";
  RETURN_NOT_OK(project.Resolve(path).status());
  if (!body.contains("text") || !body["text"].is_string())
    return Status::InvalidArgument("expected {\"path\", \"text\", \"params\", \"bizdate\"}");
  const std::string text = body["text"];
  ASSIGN_OR_RETURN(ScriptParams params, ParseScriptParams(body));
  // `ferry check` itself, on the editor's text in a scratch file named like the job, run in the
  // project folder as the scheduler runs jobs; its file name is put back to the job's.
  fs::path scratch = fs::path(options.work_dir) / "check" / RandomId();
  std::error_code ec;
  fs::create_directories(scratch, ec);
  if (ec) return Status::IOError("cannot create " + scratch.string() + ": " + ec.message());
  std::string file = (scratch / fs::path(path).filename()).string();
  RETURN_NOT_OK(WriteFileAtomic(file, text));
  std::vector<std::string> argv{options.ferry_binary, "check", file};
  for (std::string& a : ParamArgs(params)) argv.push_back(std::move(a));
  auto captured = RunCaptured(argv, project.root());
  fs::remove_all(scratch, ec);
  if (!captured.ok()) return captured.status();
  std::string output = captured->output;
  ReplaceAll(&output, file, path);
  return json{{"ok", captured->exit_code == 0},
              {"exit_code", captured->exit_code},
              {"output", output},
              {"diagnostics", ParseDiagnostics(output, path)},
              {"params", ParamNames(text)}};
}

void StudioApi::Impl::CheckRoutes(httplib::Server& server) {
  server.Get("/api/schema", [](const httplib::Request&, httplib::Response& res) {
    res.set_header("Cache-Control", "no-store");
    res.set_content(JobSchema(Registry::Builtin()).dump(), "application/json");
  });

  server.Get("/api/plugins", [](const httplib::Request&, httplib::Response& res) {
    json readers = json::array(), writers = json::array();
    for (const PluginInfo& p : Registry::Builtin().plugins()) {
      if (p.make_reader) readers.push_back(p.name);
      if (p.make_writer) writers.push_back(p.name);
    }
    Reply(res, 200, json{{"readers", readers}, {"writers", writers}});
  });

  server.Get("/api/template", [](const httplib::Request& req, httplib::Response& res) {
    auto text = JobTemplate(Registry::Builtin(), req.get_param_value("reader"),
                            req.get_param_value("writer"));
    if (!text.ok()) return ReplyError(res, text.status());
    Reply(res, 200, json{{"text", *text}});
  });

  server.Post("/api/validate", [this](const httplib::Request& req, httplib::Response& res) {
    auto body = BodyObject(req);
    if (!body.ok()) return ReplyError(res, body.status());
    auto result = Validate(*body);
    if (!result.ok()) return ReplyError(res, result.status());
    Reply(res, 200, *result);
  });
}

Result<json> StudioApi::Impl::StartRun(const json& body) {
  ASSIGN_OR_RETURN(ProjectFolder project, Project());
  std::string path = Text(body, "path");
  ASSIGN_OR_RETURN(std::string file, project.Resolve(path));
  if (!fs::is_regular_file(file)) return Status::NotFound("no file " + path + "; save it first");
  ASSIGN_OR_RETURN(ScriptParams params, ParseScriptParams(body));
  DebugRun run;
  run.id = RandomId();
  run.file = path;
  run.dir = (fs::path(options.work_dir) / "debug-runs" / run.id).string();
  std::error_code ec;
  fs::create_directories(run.dir, ec);
  if (ec) return Status::IOError("cannot create " + run.dir + ": " + ec.message());
  LaunchRequest request;
  request.argv = {options.ferry_binary,
                  "run",
                  file,
                  "--summary-json",
                  run.dir + "/summary.json",
                  "--run-dir",
                  run.dir + "/run",
                  "--progress-interval",
                  "1"};
  for (std::string& a : ParamArgs(params)) request.argv.push_back(std::move(a));
  request.cwd = project.root();
  request.log_path = run.dir + "/log";
  request.watches_stop_signals = true;  // `ferry run`
  ASSIGN_OR_RETURN(run.process, launcher.Start(request));
  std::lock_guard lock(mu);
  runs[run.id] = run;
  return json{{"id", run.id}};
}

Result<json> StudioApi::Impl::RunStatus(const std::string& id, int64_t offset) {
  std::unique_lock lock(mu);
  auto it = runs.find(id);
  if (it == runs.end()) return Status::NotFound("no debug run " + id);
  DebugRun& run = it->second;
  if (!run.finished) {
    ProcessExit exit = launcher.Poll(run.process);
    if (exit.exited) {
      run.finished = true;
      run.exit_code = exit.exit_code;
    }
  }
  DebugRun copy = run;
  lock.unlock();
  json out{{"id", copy.id}, {"file", copy.file}, {"finished", copy.finished}};
  json summary = nullptr;
  if (copy.finished) {
    auto text = ReadFile(copy.dir + "/summary.json");
    if (text.ok()) summary = json::parse(*text, nullptr, false);
    if (summary.is_discarded()) summary = nullptr;
  }
  std::string state = "RUNNING";
  if (copy.finished) {
    state = summary.is_object() ? summary.value("status", "FAILED")
            : copy.stop_asked   ? "STOPPED"
                                : "FAILED";
    if (copy.stop_asked && state != "SUCCEEDED") state = "STOPPED";
  }
  out["state"] = state;
  out["exit_code"] = copy.exit_code ? json(*copy.exit_code) : json(nullptr);
  out["summary"] = summary;
  // The log from `offset` (the last 64 KiB when negative), and its last progress line.
  auto log = ReadFile(copy.dir + "/log");
  std::string text = log.ok() ? *log : "";
  int64_t size = static_cast<int64_t>(text.size());
  int64_t from = offset < 0 ? std::max<int64_t>(0, size + offset) : std::min(offset, size);
  out["log"] = MaskSecrets(text.substr(static_cast<size_t>(from)));
  out["next_offset"] = size;
  std::string progress;
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    if (line.find(" rec/s") != std::string::npos) progress = line;
  }
  out["progress"] = progress;
  json dirty = json::array();
  std::ifstream dirty_file(copy.dir + "/run/dirty.jsonl");
  for (std::string line; dirty.size() < 20 && std::getline(dirty_file, line);) {
    json record = json::parse(line, nullptr, false);
    if (!record.is_discarded()) dirty.push_back(record);
  }
  out["dirty"] = dirty;
  return out;
}

void StudioApi::Impl::DebugRoutes(httplib::Server& server) {
  server.Post("/api/debug-runs", [this](const httplib::Request& req, httplib::Response& res) {
    auto body = BodyObject(req);
    if (!body.ok()) return ReplyError(res, body.status());
    auto started = StartRun(*body);
    if (!started.ok()) return ReplyError(res, started.status());
    Reply(res, 200, *started);
  });

  server.Get(R"(/api/debug-runs/([0-9a-f]+))",
             [this](const httplib::Request& req, httplib::Response& res) {
               int64_t offset = 0;
               std::string o = req.get_param_value("offset");
               if (!o.empty()) {
                 Result<int64_t> parsed = ParseInt64(o, "offset");
                 if (!parsed.ok()) return ReplyError(res, 400, "offset must be a whole number");
                 offset = *parsed;
               }
               auto status = RunStatus(req.matches[1], offset);
               if (!status.ok()) return ReplyError(res, status.status());
               Reply(res, 200, *status);
             });

  server.Post(R"(/api/debug-runs/([0-9a-f]+)/stop)",
              [this](const httplib::Request& req, httplib::Response& res) {
                std::lock_guard lock(mu);
                auto it = runs.find(req.matches[1]);
                if (it == runs.end())
                  return ReplyError(res, 404, "no debug run " + std::string(req.matches[1]));
                if (!it->second.finished) {
                  it->second.stop_asked = true;
                  Status st = launcher.Signal(it->second.process, SIGTERM);
                  if (!st.ok()) return ReplyError(res, st);
                }
                Reply(res, 200, json{{"ok", true}});
              });
}

Result<json> StudioApi::Impl::Publish(bool dry_run) {
  ASSIGN_OR_RETURN(ProjectFolder project, Project());
  auto now = SystemClock().Now();
  auto checked = DeployProject(project.root(), options.ferry_binary, now, nullptr);
  if (!checked.ok()) {
    if (checked.status().code() != StatusCode::kInvalidArgument) return checked.status();
    return json{{"ok", false}, {"deployed", false}, {"errors", checked.status().message()}};
  }
  ASSIGN_OR_RETURN(std::optional<Deployment> current, store->CurrentDeployment());
  json changes = ScheduleChanges(current ? &current->spec : nullptr, checked->spec);
  if (dry_run) {
    return json{
        {"ok", true}, {"deployed", false}, {"changes", changes}, {"checked", checked->checked}};
  }
  auto deployed = DeployProject(project.root(), options.ferry_binary, now, store);
  if (!deployed.ok()) {
    if (deployed.status().code() != StatusCode::kInvalidArgument) return deployed.status();
    return json{{"ok", false}, {"deployed", false}, {"errors", deployed.status().message()}};
  }
  return json{
      {"ok", true}, {"deployed", true}, {"changes", changes}, {"checked", deployed->checked}};
}

void StudioApi::Impl::EditSchedule(const httplib::Request& req, httplib::Response& res,
                                   const ScheduleEdit& edit) {
  auto body = BodyObject(req);
  if (!body.ok()) return ReplyError(res, body.status());
  auto project = Project();
  if (!project.ok()) return ReplyError(res, project.status());
  std::string file = project->ScheduleFile();
  if (file.empty()) file = "schedule.yaml";
  std::string base = Text(*body, "sha256");
  std::lock_guard lock(mu);
  std::string text;
  if (auto current = project->Read(file); current.ok()) {
    text = current->text;
    if (base != current->sha256) {
      return Reply(res, 409,
                   json{{"error", file + " changed on disk since it was opened; "
                                         "reload the schedule"},
                        {"current_sha256", current->sha256}});
    }
    if (ScheduleHasComments(text, file) && !body->value("drop_comments", false)) {
      return Reply(res, 409,
                   json{{"error", file + " has comments, which saving from the form "
                                         "would drop; edit the file itself, or confirm"},
                        {"comments", true}});
    }
  }
  auto updated = edit(text, file, *body);
  if (!updated.ok()) return ReplyError(res, updated.status());
  auto sha = project->Write(file, *updated, base);
  if (!sha.ok()) return ReplyError(res, sha.status());
  Reply(res, 200, json{{"file", file}, {"sha256", *sha}});
}

void StudioApi::Impl::ScheduleRoutes(httplib::Server& server) {
  server.Get("/api/project/schedule", [this](const httplib::Request&, httplib::Response& res) {
    auto project = Project();
    if (!project.ok()) return ReplyError(res, project.status());
    std::string file = project->ScheduleFile();
    if (file.empty()) {
      return Reply(res, 200,
                   json{{"file", "schedule.yaml"},
                        {"sha256", ""},
                        {"nodes", json::array()},
                        {"alerts", json::array()}});
    }
    auto text = project->Read(file);
    if (!text.ok()) return ReplyError(res, text.status());
    auto nodes = ScheduleNodes(text->text, file);
    if (!nodes.ok()) return ReplyError(res, nodes.status());
    auto alerts = ScheduleAlerts(text->text, file);
    if (!alerts.ok()) return ReplyError(res, alerts.status());
    Reply(res, 200,
          json{{"file", file},
               {"sha256", text->sha256},
               {"nodes", *nodes},
               {"alerts", *alerts},
               {"comments", ScheduleHasComments(text->text, file)}});
  });

  server.Post("/api/project/schedule/node", [this](const httplib::Request& req,
                                                   httplib::Response& res) {
    EditSchedule(req, res, [](const std::string& text, const std::string& file, const json& body) {
      return SetScheduleNode(text, file, body.value("node", json::object()));
    });
  });

  server.Post("/api/project/schedule/alerts", [this](const httplib::Request& req,
                                                     httplib::Response& res) {
    EditSchedule(req, res, [](const std::string& text, const std::string& file, const json& body) {
      return SetScheduleAlerts(text, file, body.value("alerts", json::array()));
    });
  });

  server.Post("/api/publish", [this](const httplib::Request& req, httplib::Response& res) {
    json body = req.body.empty() ? json::object() : json::parse(req.body, nullptr, false);
    if (!body.is_object()) return ReplyError(res, 400, "the body must be a JSON object");
    auto result = Publish(body.value("dry_run", false));
    if (!result.ok()) return ReplyError(res, result.status());
    Reply(res, (*result)["ok"] == true ? 200 : 422, *result);
  });
}

Result<json> StudioApi::Impl::AddDataSource(const json& body) {
  DataSourceEntry e;
  e.name = Text(body, "name");
  e.type = Text(body, "type");
  e.host = Text(body, "host");
  e.database = Text(body, "database");
  e.user = Text(body, "user");
  e.password_env = Text(body, "password_env");
  if (body.contains("port") && body["port"].is_number_integer()) e.port = body["port"];
  RETURN_NOT_OK(CheckDataSourceName(e.name));
  const PluginInfo* plugin = Registry::Builtin().Find(e.type);
  if (plugin == nullptr || !plugin->test_connection) {
    return Status::InvalidArgument("type \"" + e.type + "\": not a plugin with connections");
  }
  DataSourceStore catalog(DataSourceHome());
  RETURN_NOT_OK(catalog.Load());
  std::string password = Text(body, "password");
  if (!password.empty()) {
    if (!e.password_env.empty())
      return Status::InvalidArgument("give a password or password_env, not both");
    e.password_file = catalog.SecretFilePath(e.name);
  }
  RETURN_NOT_OK(catalog.Put(e, body.value("replace", false)));
  if (!password.empty()) RETURN_NOT_OK(catalog.WriteSecretFile(e.name, password));
  RETURN_NOT_OK(catalog.Save());
  return json{{"ok", true}, {"name", e.name}};
}

Result<json> StudioApi::Impl::TestDataSource(const std::string& name) {
  DataSourceStore catalog(DataSourceHome());
  RETURN_NOT_OK(catalog.Load());
  const DataSourceEntry* e = catalog.Get(name);
  if (e == nullptr) return Status::NotFound("no data source \"" + name + "\"");
  const PluginInfo* plugin = Registry::Builtin().Find(e->type);
  if (plugin == nullptr || !plugin->test_connection) {
    return Status::InvalidArgument("data source '" + name + "' has type " + e->type +
                                   ", which no plugin of this build connects to");
  }
  auto conn = catalog.Find(name);
  if (!conn.ok()) {
    return json{{"ok", false},
                {"message", "FAILED at secret: " + MaskSecrets(conn.status().message())}};
  }
  auto probe = plugin->test_connection(*conn);
  if (!probe.ok()) {
    return json{{"ok", false},
                {"message", fmt::format("FAILED ({}) {}", conn->Describe(),
                                        MaskSecrets(probe.status().message()))}};
  }
  return json{{"ok", true},
              {"message", fmt::format("OK ({}) {}, round trip {:.2f} ms", conn->Describe(),
                                      probe->server_version, probe->round_trip_ms)}};
}

void StudioApi::Impl::DataSourceRoutes(httplib::Server& server) {
  server.Get("/api/datasources", [this](const httplib::Request&, httplib::Response& res) {
    DataSourceStore catalog(DataSourceHome());
    if (Status st = catalog.Load(); !st.ok()) return ReplyError(res, st);
    json list = json::array(), types = json::array();
    for (const DataSourceEntry& e : catalog.entries()) {
      const PluginInfo* plugin = Registry::Builtin().Find(e.type);
      list.push_back({{"name", e.name},
                      {"type", e.type},
                      {"host", e.host},
                      {"port", e.port},
                      {"database", e.database},
                      {"user", e.user},
                      {"password", SecretShown(e)},
                      {"testable", plugin != nullptr && bool(plugin->test_connection)}});
    }
    for (const PluginInfo& p : Registry::Builtin().plugins()) {
      if (p.test_connection) types.push_back(p.name);
    }
    Reply(res, 200, json{{"datasources", list}, {"types", types}});
  });

  server.Post("/api/datasources", [this](const httplib::Request& req, httplib::Response& res) {
    auto body = BodyObject(req);
    if (!body.ok()) return ReplyError(res, body.status());
    auto added = AddDataSource(*body);
    if (!added.ok()) return ReplyError(res, added.status());
    Reply(res, 200, *added);
  });

  server.Post(R"(/api/datasources/([^/]+)/test)",
              [this](const httplib::Request& req, httplib::Response& res) {
                auto result = TestDataSource(req.matches[1]);
                if (!result.ok()) return ReplyError(res, result.status());
                Reply(res, 200, *result);
              });
}

void StudioApi::Impl::Routes(httplib::Server& server) {
  FileRoutes(server);
  CheckRoutes(server);
  DebugRoutes(server);
  ScheduleRoutes(server);
  DataSourceRoutes(server);
}

StudioApi::StudioApi(Store* store, StudioOptions options) : impl_(std::make_unique<Impl>()) {
  impl_->store = store;
  impl_->options = std::move(options);
}

StudioApi::~StudioApi() {
  std::lock_guard lock(impl_->mu);
  for (auto& [id, run] : impl_->runs) {
    if (!run.finished && !impl_->launcher.Poll(run.process).exited)
      (void)impl_->launcher.Signal(run.process, SIGTERM);
  }
}

void StudioApi::AddRoutes(httplib::Server* server) { impl_->Routes(*server); }

}  // namespace ferry
