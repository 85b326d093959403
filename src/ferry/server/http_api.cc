#include "ferry/server/http_api.h"

#include <fmt/format.h>
#include <httplib.h>

#include <atomic>
#include <set>
#include <thread>

#include "ferry/common/numbers.h"
#include "ferry/schedule/dependencies.h"
#include "ferry/server/http_reply.h"
#include "ferry/server/web_assets.h"

namespace ferry {
namespace {

using json = nlohmann::json;

// A whole number >= 0 of a path or query parameter; `what` names it in the error.
Result<int64_t> ParseCount(const std::string& text, const std::string& what) {
  if (text.empty() || text.size() > 18)
    return Status::InvalidArgument("bad " + what + " \"" + text + "\"");
  for (char c : text) {
    if (c < '0' || c > '9') return Status::InvalidArgument("bad " + what + " \"" + text + "\"");
  }
  return ParseInt64(text, what);
}

Result<int64_t> ParseId(const std::string& text) { return ParseCount(text, "instance id"); }

Result<std::string> ParseBizdate(const std::string& text) {
  if (text.empty()) return text;
  auto cyc = CyctimeFromBizdate(text);
  if (!cyc.ok()) return Status::InvalidArgument("bizdate: " + cyc.status().message());
  return DayString(AddDays(*cyc, -1));
}

// Whether a rerun starts over: `from_scratch=1|true|0|false` in the query, or
// {"from_scratch": true|false} in the body (an empty body is no choice: resume when it can).
Result<bool> FromScratch(const httplib::Request& req) {
  const char* kBad = "from_scratch must be true or false (or 1 / 0)";
  bool from_scratch = false;
  if (req.has_param("from_scratch")) {
    std::string v = req.get_param_value("from_scratch");
    if (v != "1" && v != "true" && v != "0" && v != "false") return Status::InvalidArgument(kBad);
    from_scratch = v == "1" || v == "true";
  }
  if (req.body.find_first_not_of(" \t\r\n") == std::string::npos) return from_scratch;
  json body = json::parse(req.body, nullptr, false);
  if (!body.is_object()) return Status::InvalidArgument("the body must be a JSON object");
  if (!body.contains("from_scratch")) return from_scratch;
  const json& v = body["from_scratch"];
  if (v.is_boolean()) return from_scratch || v.get<bool>();
  if (v.is_number_integer() && (v == 0 || v == 1)) return from_scratch || v == 1;
  return Status::InvalidArgument(kBad);
}

json Figures(const Instance& in) {
  json s = json::parse(in.summary, nullptr, false);
  if (!s.is_object()) s = json::object();
  double seconds = s.value("elapsed_seconds", 0.0);
  int64_t records = s.value("records_written", s.value("records_read", int64_t{0}));
  return {{"id", in.id},
          {"bizdate", in.bizdate},
          {"cyctime", FormatCivilTime(in.cyctime)},
          {"state", StateName(in.state)},
          {"records", records},
          {"bytes", s.value("bytes_read", int64_t{0})},
          {"dirty", s.value("dirty_records", int64_t{0})},
          {"seconds", seconds},
          {"records_per_second", seconds > 0 ? records / seconds : 0.0}};
}

// Compares in time independent of where the texts differ.
bool SameSecret(const std::string& given, const std::string& expected) {
  unsigned char diff = given.size() == expected.size() ? 0 : 1;
  for (size_t i = 0; i < expected.size(); ++i) {
    diff |= static_cast<unsigned char>(expected[i] ^ (i < given.size() ? given[i] : 0));
  }
  return diff == 0;
}

// "127.0.0.1:8321", "localhost:8321", "[::1]:8321" (the port is optional).
bool IsLoopbackHost(const std::string& host_header) {
  std::string host = host_header;
  if (!host.empty() && host.front() == '[') {
    host = host.substr(1, host.find(']') - 1);
  } else if (size_t colon = host.rfind(':'); colon != std::string::npos) {
    host = host.substr(0, colon);
  }
  return IsLoopback(host);
}

}  // namespace

struct HttpServer::Impl {
  Store* store;
  Operations* ops;
  ApiOptions options;
  std::unique_ptr<StudioApi> studio;
  httplib::Server server;
  std::atomic<bool> serving{false};

  Result<ScheduleSpec> Spec() {
    ASSIGN_OR_RETURN(std::optional<Deployment> d, store->CurrentDeployment());
    if (!d) return ScheduleSpec{};
    return std::move(d->spec);
  }
  // NotFound unless `node` is deployed or has instances (a node since left out keeps its past).
  Status KnownNode(const std::string& node) {
    if (node.empty()) return Status::OK();
    ASSIGN_OR_RETURN(ScheduleSpec spec, Spec());
    if (spec.Find(node)) return Status::OK();
    ASSIGN_OR_RETURN(std::vector<Instance> any, store->Instances({.node = node, .limit = 1}));
    if (!any.empty()) return Status::OK();
    return Status::NotFound("node \"" + node + "\" is not deployed and has no instances");
  }

  // Registers every route; httplib matches whole paths, so the order between resources is free.
  void Routes();
  void ErrorHandling();
  void AssetRoutes();
  void NodeRoutes();
  void AlertRoutes();
  void InstanceRoutes();
  void BackfillRoutes();
  bool Guard(const httplib::Request& req, httplib::Response& res);
};

bool HttpServer::Impl::Guard(const httplib::Request& req, httplib::Response& res) {
  if (options.token.empty() && !IsLoopbackHost(req.get_header_value("Host"))) {
    // Without a token only loopback serves us; a foreign Host is a DNS-rebinding page.
    ReplyError(res, 403,
               "Host \"" + req.get_header_value("Host") +
                   "\" refused: without --token-file only 127.0.0.1 / localhost are served");
    return false;
  }
  if (req.path.rfind("/api/", 0) != 0) return true;
  if (!options.token.empty() &&
      !SameSecret(req.get_header_value("Authorization"), "Bearer " + options.token)) {
    ReplyError(res, 401, "this server needs \"Authorization: Bearer TOKEN\" (the --token-file)");
    return false;
  }
  if (req.method != "GET" && req.method != "HEAD") {
    if (req.get_header_value("X-Ferry-Request") != "1") {
      ReplyError(res, 403, "state-changing calls need the header \"X-Ferry-Request: 1\"");
      return false;
    }
    std::string origin = req.get_header_value("Origin");
    if (!origin.empty() && origin != "http://" + req.get_header_value("Host") &&
        origin != "https://" + req.get_header_value("Host")) {
      ReplyError(res, 403, "cross-site request refused (Origin " + origin + ")");
      return false;
    }
  }
  return true;
}

void HttpServer::Impl::Routes() {
  ErrorHandling();
  AssetRoutes();
  studio->AddRoutes(&server);
  NodeRoutes();
  AlertRoutes();
  InstanceRoutes();
  BackfillRoutes();
}

// The guard before every route, and JSON errors for exceptions and unrouted requests.
void HttpServer::Impl::ErrorHandling() {
  server.set_pre_routing_handler([this](const httplib::Request& req, httplib::Response& res) {
    return Guard(req, res) ? httplib::Server::HandlerResponse::Unhandled
                           : httplib::Server::HandlerResponse::Handled;
  });
  server.set_exception_handler(
      [](const httplib::Request&, httplib::Response& res, std::exception_ptr ep) {
        std::string what = "unexpected error";
        try {
          if (ep) std::rethrow_exception(ep);
        } catch (const std::exception& e) {
          what = e.what();
        } catch (...) {
        }
        ReplyError(res, 400, "bad request: " + what);
      });
  server.set_error_handler([](const httplib::Request& req, httplib::Response& res) {
    if (!res.body.empty()) return;
    if (res.status == 404)
      return ReplyError(res, 404, fmt::format("no such page: {} {}", req.method, req.path));
    if (res.status == 411 || (res.status == 400 && req.method == "POST")) {
      return ReplyError(res, res.status,
                        "bad request: a POST needs a body or \"Content-Length: 0\"");
    }
    ReplyError(res, res.status, fmt::format("bad request: {} {}", req.method, req.path));
  });
}

// The ops page: its HTML, scripts and styles.
void HttpServer::Impl::AssetRoutes() {
  for (const WebAsset& asset : WebAssets()) {
    server.Get(std::string(asset.path), [&asset](const httplib::Request&, httplib::Response& res) {
      res.set_content(std::string(asset.body), std::string(asset.content_type));
      res.set_header("Content-Security-Policy",
                     "default-src 'self' 'unsafe-inline'; img-src 'self' data:");
    });
  }
}

// /api/nodes: the deployed nodes, a node's dependency graph and run history, freeze.
void HttpServer::Impl::NodeRoutes() {
  server.Get("/api/nodes", [this](const httplib::Request&, httplib::Response& res) {
    auto spec = Spec();
    auto frozen = store->FrozenNodes();
    if (!spec.ok() || !frozen.ok())
      return ReplyError(res, !spec.ok() ? spec.status() : frozen.status());
    json nodes = json::array();
    for (const NodeSpec& n : spec->nodes) {
      nodes.push_back({{"name", n.name},
                       {"job", n.job},
                       {"cron", n.cron},
                       {"timezone", n.time_zone},
                       {"params", n.params},
                       {"upstream", n.upstream},
                       {"downstream", spec->Downstream(n.name)},
                       {"retries", n.retries},
                       {"timeout_seconds", n.timeout_seconds},
                       {"resource_group", n.resource_group},
                       {"priority", n.priority},
                       {"frozen", frozen->count(n.name) > 0}});
    }
    Reply(res, 200, json{{"nodes", nodes}});
  });

  server.Get(R"(/api/nodes/([^/]+)/graph)",
             [this](const httplib::Request& req, httplib::Response& res) {
               auto spec = Spec();
               if (!spec.ok()) return ReplyError(res, spec.status());
               std::string name = req.matches[1];
               if (!spec->Find(name))
                 return ReplyError(res, 404, "node \"" + name + "\" is not deployed");
               auto bizdate = ParseBizdate(req.get_param_value("bizdate"));
               if (!bizdate.ok()) return ReplyError(res, bizdate.status());
               // The node, everything upstream of it and everything downstream, with edges.
               std::set<std::string> members{name};
               std::vector<std::string> todo{name};
               while (!todo.empty()) {
                 std::string n = todo.back();
                 todo.pop_back();
                 for (const std::string& up : spec->Find(n)->upstream) {
                   if (members.insert(up).second) todo.push_back(up);
                 }
               }
               for (const std::string& d : spec->WithDownstream({name})) members.insert(d);
               json nodes = json::array(), edges = json::array();
               for (const NodeSpec& n : spec->nodes) {
                 if (!members.count(n.name)) continue;
                 json states = json::array();
                 if (!bizdate->empty()) {
                   auto ins = store->Instances({.node = n.name, .bizdate = *bizdate});
                   if (!ins.ok()) return ReplyError(res, ins.status());
                   for (const Instance& in : *ins) {
                     states.push_back({{"id", in.id},
                                       {"cyctime", FormatCivilTime(in.cyctime)},
                                       {"state", StateName(in.state)},
                                       {"backfill_id", in.backfill_id}});
                   }
                 }
                 nodes.push_back({{"name", n.name}, {"instances", states}});
                 for (const std::string& up : n.upstream) {
                   if (members.count(up)) edges.push_back({{"from", up}, {"to", n.name}});
                 }
               }
               Reply(res, 200, json{{"node", name}, {"nodes", nodes}, {"edges", edges}});
             });

  server.Get(
      R"(/api/nodes/([^/]+)/history)", [this](const httplib::Request& req, httplib::Response& res) {
        std::string name = req.matches[1];
        if (Status known = KnownNode(name); !known.ok()) return ReplyError(res, known);
        auto instances = store->Instances({.node = name, .limit = 200, .newest_first = true});
        if (!instances.ok()) return ReplyError(res, instances.status());
        json runs = json::array();
        for (const Instance& in : *instances) {
          if (in.summary.empty()) continue;
          runs.push_back(Figures(in));
          if (runs.size() == 30) break;
        }
        Reply(res, 200, json{{"node", name}, {"runs", runs}});
      });

  server.Post(R"(/api/nodes/([^/]+)/(freeze|unfreeze))", [this](const httplib::Request& req,
                                                                httplib::Response& res) {
    Status st = ops->FreezeNode(req.matches[1], std::string(req.matches[2]) == "freeze");
    if (!st.ok()) return ReplyError(res, st);
    Reply(res, 200, json{{"ok", true}});
  });
}

// /api/alerts: the alerts the scheduler raised, filtered by the query.
void HttpServer::Impl::AlertRoutes() {
  server.Get("/api/alerts", [this](const httplib::Request& req, httplib::Response& res) {
    AlertFilter f;
    f.limit = 100;
    if (req.has_param("limit")) {
      auto limit = ParseCount(req.get_param_value("limit"), "limit");
      if (!limit.ok()) return ReplyError(res, limit.status());
      f.limit = static_cast<int>(*limit);
    }
    if (req.has_param("instance")) {
      auto id = ParseCount(req.get_param_value("instance"), "instance");
      if (!id.ok()) return ReplyError(res, id.status());
      f.instance_id = *id;
    }
    auto spec = Spec();
    auto deliveries = store->AlertDeliveries(f);
    if (!spec.ok() || !deliveries.ok())
      return ReplyError(res, !spec.ok() ? spec.status() : deliveries.status());
    json rules = json::array();
    for (const AlertRule& r : spec->alerts) rules.push_back(r.ToJson(/*with_secrets=*/false));
    json sent = json::array();
    for (const AlertDelivery& d : *deliveries) sent.push_back(d.ToJson());
    Reply(res, 200, json{{"rules", rules}, {"deliveries", sent}});
  });
}

// /api/instances: listing, one instance, its log, and operations on it (rerun, kill...).
void HttpServer::Impl::InstanceRoutes() {
  server.Get("/api/instances", [this](const httplib::Request& req, httplib::Response& res) {
    InstanceFilter f;
    f.node = req.get_param_value("node");
    if (Status known = KnownNode(f.node); !known.ok()) return ReplyError(res, known);
    std::string state = req.get_param_value("state");
    if (!state.empty()) {
      f.state = ParseState(state);
      if (!f.state) return ReplyError(res, 400, "unknown state \"" + state + "\"");
    }
    auto bizdate = ParseBizdate(req.get_param_value("bizdate"));
    if (!bizdate.ok()) return ReplyError(res, bizdate.status());
    f.bizdate = *bizdate;
    f.limit = 1000;
    f.newest_first = true;
    auto instances = store->Instances(f);
    auto dates = store->Bizdates(60);
    if (!instances.ok() || !dates.ok()) {
      return ReplyError(res, !instances.ok() ? instances.status() : dates.status());
    }
    json list = json::array();
    for (const Instance& in : *instances) {
      json j = in.ToJson();
      j["figures"] = Figures(in);
      list.push_back(j);
    }
    Reply(res, 200, json{{"bizdates", *dates}, {"instances", list}});
  });

  server.Get(R"(/api/instances/([^/]+))",
             [this](const httplib::Request& req, httplib::Response& res) {
               auto id = ParseId(req.matches[1]);
               if (!id.ok()) return ReplyError(res, id.status());
               auto in = ops->Get(*id);
               if (!in.ok()) return ReplyError(res, in.status());
               json j = in->ToJson();
               j["figures"] = Figures(*in);
               Reply(res, 200, j);
             });

  server.Get(R"(/api/instances/([^/]+)/log)",
             [this](const httplib::Request& req, httplib::Response& res) {
               auto id = ParseId(req.matches[1]);
               if (!id.ok()) return ReplyError(res, id.status());
               int64_t offset = -65536;
               std::string o = req.get_param_value("offset");
               if (!o.empty()) {
                 Result<int64_t> parsed = ParseInt64(o, "offset");
                 if (!parsed.ok()) return ReplyError(res, 400, "offset must be a whole number");
                 offset = *parsed;
               }
               auto chunk = ops->Log(*id, offset);
               if (!chunk.ok()) return ReplyError(res, chunk.status());
               Reply(res, 200,
                     json{{"text", chunk->text},
                          {"offset", chunk->offset},
                          {"next_offset", chunk->next_offset},
                          {"running", chunk->running}});
             });

  server.Post(R"(/api/instances/([^/]+)/([a-z-]+))", [this](const httplib::Request& req,
                                                            httplib::Response& res) {
    auto id = ParseId(req.matches[1]);
    if (!id.ok()) return ReplyError(res, id.status());
    std::string op = req.matches[2];
    Status st;
    json body{{"ok", true}};
    if (op == "stop") {
      st = ops->Stop(*id);
    } else if (op == "rerun" || op == "rerun-downstream") {
      auto from_scratch = FromScratch(req);
      if (!from_scratch.ok()) return ReplyError(res, from_scratch.status());
      auto rerun = ops->Rerun(
          *id, {.with_downstream = op == "rerun-downstream", .from_scratch = *from_scratch});
      st = rerun.status();
      if (rerun.ok()) {
        json ids = json::array(), resuming = json::array();
        for (const Instance& in : *rerun) {
          ids.push_back(in.id);
          if (in.resume) resuming.push_back(in.id);
        }
        body["instances"] = ids;
        body["resuming"] = resuming;
      }
    } else if (op == "set-succeeded") {
      st = ops->SetSucceeded(*id);
    } else if (op == "freeze" || op == "unfreeze") {
      st = ops->Freeze(*id, op == "freeze");
    } else {
      return ReplyError(res, 404,
                        "unknown operation \"" + op +
                            "\" (stop, rerun, rerun-downstream, set-succeeded, freeze, unfreeze)");
    }
    if (!st.ok()) return ReplyError(res, st);
    Reply(res, 200, body);
  });
}

// /api/backfill: starts a backfill over a range of business dates.
void HttpServer::Impl::BackfillRoutes() {
  server.Post("/api/backfill", [this](const httplib::Request& req, httplib::Response& res) {
    json body = json::parse(req.body, nullptr, false);
    if (!body.is_object()) return ReplyError(res, 400, "the body must be a JSON object");
    BackfillRequest r;
    try {
      r.nodes = body.at("nodes").get<std::vector<std::string>>();
      r.from_bizdate = body.at("from").get<std::string>();
      r.to_bizdate = body.at("to").get<std::string>();
      r.with_downstream = body.value("downstream", false);
      std::string order = body.value("order", "oldest");
      if (order != "oldest" && order != "newest") {
        return ReplyError(res, 400, "order must be \"oldest\" or \"newest\"");
      }
      r.newest_first = order == "newest";
      r.parallel = body.value("parallel", 1);
    } catch (const json::exception& e) {
      return ReplyError(res, 400,
                        std::string("backfill: expected {\"nodes\": [...], \"from\": "
                                    "\"YYYYMMDD\", \"to\": \"YYYYMMDD\", \"downstream\": "
                                    "bool, \"order\": \"oldest\"|\"newest\", "
                                    "\"parallel\": N}: ") +
                            e.what());
    }
    auto id = ops->Backfill(r);
    if (!id.ok()) return ReplyError(res, id.status());
    Reply(res, 200, json{{"backfill_id", *id}});
  });
}

HttpServer::HttpServer(Store* store, Operations* ops, ApiOptions options)
    : impl_(std::make_unique<Impl>()) {
  impl_->store = store;
  impl_->ops = ops;
  impl_->options = std::move(options);
  impl_->studio = std::make_unique<StudioApi>(store, impl_->options.studio);
  impl_->Routes();
}

HttpServer::~HttpServer() = default;

Status HttpServer::Bind(const std::string& host, int port) {
  if (port == 0) {
    port_ = impl_->server.bind_to_any_port(host);
    if (port_ <= 0) return Status::Unavailable("cannot listen on " + host);
    return Status::OK();
  }
  if (!impl_->server.bind_to_port(host, port)) {
    return Status::Unavailable(
        fmt::format("cannot listen on {}:{} (in use, or not an address of this host)", host, port));
  }
  port_ = port;
  return Status::OK();
}

void HttpServer::Serve() {
  impl_->serving = true;
  impl_->server.listen_after_bind();
}

void HttpServer::Stop() {
  // httplib has no "ready" signal and ignores a stop() that comes before its loop started; give
  // a Serve() that is just starting a moment to get there.
  for (int i = 0; i < 200 && impl_->serving && !impl_->server.is_running(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  impl_->server.stop();
}

Result<std::pair<std::string, int>> ParseListen(const std::string& listen) {
  size_t colon = listen.rfind(':');
  if (colon == std::string::npos || colon == 0) {
    return Status::InvalidArgument("--listen \"" + listen +
                                   "\": expected HOST:PORT, e.g. 127.0.0.1:8321");
  }
  std::string host = listen.substr(0, colon);
  if (host.size() > 2 && host.front() == '[' && host.back() == ']')
    host = host.substr(1, host.size() - 2);
  std::string port = listen.substr(colon + 1);
  const int p = ParseInt32(port, "port").ValueOr(-1);
  if (p < 0 || p > 65535)
    return Status::InvalidArgument("--listen \"" + listen + "\": bad port \"" + port + "\"");
  return std::make_pair(host, p);
}

bool IsLoopback(const std::string& host) {
  return host == "localhost" || host == "::1" || host.rfind("127.", 0) == 0;
}

}  // namespace ferry
