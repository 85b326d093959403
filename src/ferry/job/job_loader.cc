#include "ferry/job/job_loader.h"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <set>

#include "ferry/common/strings.h"

namespace ferry {
namespace {

using ojson = nlohmann::ordered_json;

std::string Quoted(std::string_view s) { return "\"" + std::string(s) + "\""; }

std::string TypeOf(const ojson& v) {
  switch (v.type()) {
    case ojson::value_t::null:
      return "null";
    case ojson::value_t::boolean:
      return "a boolean";
    case ojson::value_t::string:
      return "a string";
    case ojson::value_t::array:
      return "a list";
    case ojson::value_t::object:
      return "an object";
    default:
      return "a number";
  }
}

// Keys that DataX or DataWorks write into jobs and Ferry has no use for, with why; a job that
// holds them runs as its origin runs it (a warning, not an error).
const char* ForeignKeyNote(std::string_view key) {
  static const std::pair<const char*, const char*> kNotes[] = {
      {"encoding", "DataWorks writes it; database text is read in the connection's character set"},
      {"envType", "DataWorks writes it (development/production environment); Ferry has one"},
      {"indexes", "DataWorks writes it (the table's index list, for display)"},
      {"tableComment", "DataWorks writes it (the table's comment, for display)"},
      {"useSpecialSecret",
       "DataWorks writes it (its secret store); Ferry resolves passwords itself"},
      {"skipNullColumn", "DataWorks writes it; NULLs are written as NULL (nullMode for MySQL)"},
      {"copies", "DataWorks writes it (step parallelism); channels come from speed.concurrent"},
      {"extend", "DataWorks writes it (UI state)"},
  };
  for (const auto& [k, note] : kNotes) {
    if (key == k) return note;
  }
  return nullptr;
}

// Keys an object may hold; warns about the others, with a suggestion when one is close.
void CheckKeys(const ojson& obj, const std::string& path, const std::vector<std::string>& known,
               Diagnostics* diag) {
  for (auto it = obj.begin(); it != obj.end(); ++it) {
    if (std::find(known.begin(), known.end(), it.key()) != known.end()) continue;
    if (const char* note = ForeignKeyNote(it.key())) {
      diag->WarnAtKey(JoinPath(path, it.key()), std::string("ignored key: ") + note);
      continue;
    }
    std::string hint = DidYouMean(it.key(), known);
    diag->WarnAtKey(
        JoinPath(path, it.key()),
        "unknown key, ignored" + (hint.empty() ? "; expected one of " + Join(known, ", ")
                                               : "; did you mean " + hint + "?"));
  }
}

// "" (or only spaces) where a number or switch is expected: DataWorks' way of writing "not set".
bool IsBlank(const ojson& v) {
  if (!v.is_string()) return false;
  const std::string& s = v.get_ref<const std::string&>();
  return s.find_first_not_of(" \t") == std::string::npos;
}

// Replaces ${...} / $[...] in every string value; names without a value are reported once,
// each at its first place.
void SubstituteAll(ojson* v, const std::string& path, const ParameterSet& params,
                   std::set<std::string>* seen_missing, Diagnostics* diag) {
  if (v->is_string()) {
    std::vector<std::string> missing;
    auto out = params.Substitute(v->get<std::string>(), &missing);
    if (!out.ok()) {
      diag->AtValue(path, out.status().message());
      return;
    }
    std::vector<std::string> fresh;
    for (const std::string& m : missing) {
      if (seen_missing->insert(m).second) fresh.push_back("${" + m + "}");
    }
    if (!fresh.empty()) {
      diag->AtValue(path, "no value for " + Join(fresh, ", ") + "; pass " +
                              (fresh.size() == 1 ? "it" : "them") +
                              " with -p NAME=VALUE or --params \"NAME=VALUE\"");
    }
    *v = std::move(out).value();
  } else if (v->is_object()) {
    for (auto it = v->begin(); it != v->end(); ++it) {
      SubstituteAll(&it.value(), JoinPath(path, it.key()), params, seen_missing, diag);
    }
  } else if (v->is_array()) {
    for (size_t i = 0; i < v->size(); ++i) {
      SubstituteAll(&(*v)[i], IndexPath(path, i), params, seen_missing, diag);
    }
  }
}

// A number given as a number or as numeric text (DataWorks writes "errorLimit":{"record":"0"}).
std::optional<double> AsNumber(const ojson& v) {
  if (v.is_number()) return v.get<double>();
  if (v.is_string()) {
    const std::string& s = v.get_ref<const std::string&>();
    char* end = nullptr;
    double d = std::strtod(s.c_str(), &end);
    if (!s.empty() && end == s.c_str() + s.size()) return d;
  }
  return std::nullopt;
}

std::optional<int64_t> AsInteger(const ojson& v) {
  auto d = AsNumber(v);
  if (!d || std::floor(*d) != *d || std::fabs(*d) > 9.0e15) return std::nullopt;
  if (v.is_number_integer()) return v.get<int64_t>();
  return static_cast<int64_t>(*d);
}

std::optional<bool> AsBool(const ojson& v) {
  if (v.is_boolean()) return v.get<bool>();
  if (v == "true") return true;
  if (v == "false") return false;
  return std::nullopt;
}

// The string at `key`, or "" when it is absent or not a string (reported by the caller).
std::string StringAt(const ojson& obj, const char* key) {
  auto it = obj.find(key);
  return it != obj.end() && it->is_string() ? it->get<std::string>() : std::string();
}

std::string Plural(size_t n, const char* one, const char* many) {
  return std::to_string(n) + " " + (n == 1 ? one : many);
}

bool IsStringList(const ojson& v) {
  return v.is_array() &&
         std::all_of(v.begin(), v.end(), [](const ojson& e) { return e.is_string(); });
}

// Checks one value against its definition; may normalize it (numeric text -> number).
void CheckParamValue(const ParamDef& def, const std::string& path, ojson* v, Diagnostics* diag) {
  auto wrong = [&] {
    diag->AtValue(path,
                  "expected " + std::string(ParamTypeName(def.type)) + ", found " + TypeOf(*v));
  };
  switch (def.type) {
    case ParamType::kString:
      if (!v->is_string()) return wrong();
      break;
    case ParamType::kInteger: {
      auto i = AsInteger(*v);
      if (!i) return wrong();
      *v = *i;
      break;
    }
    case ParamType::kNumber: {
      auto d = AsNumber(*v);
      if (!d) return wrong();
      *v = *d;
      break;
    }
    case ParamType::kBool: {
      auto b = AsBool(*v);
      if (!b) return wrong();
      *v = *b;
      break;
    }
    case ParamType::kStringOrList:
      if (!v->is_string() && !IsStringList(*v)) return wrong();
      break;
    case ParamType::kStringList:
      if (!IsStringList(*v)) return wrong();
      break;
    case ParamType::kArray:
      if (!v->is_array()) return wrong();
      break;
    case ParamType::kObject:
      if (!v->is_object()) return wrong();
      break;
    case ParamType::kAny:
      break;
  }
  if (!def.allowed.empty() && v->is_string()) {
    std::string s = v->get<std::string>();
    std::string hit;
    for (const std::string& a : def.allowed) {
      if (EqualsIgnoreCase(s, a)) hit = a;
    }
    if (hit.empty()) {
      diag->AtValue(path, "expected one of " + Join(def.allowed, ", ") + ", found " + Quoted(s));
    } else {
      *v = hit;
    }
  }
}

}  // namespace

void CheckParameters(const std::vector<ParamDef>& defs, const std::string& path,
                     nlohmann::json* parameter, Diagnostics* diag) {
  ojson normalized = ojson::object();
  std::vector<std::string> names;
  for (const ParamDef& d : defs) names.push_back(d.name);
  ojson given = *parameter;
  for (auto it = given.begin(); it != given.end(); ++it) {
    std::string key_path = JoinPath(path, it.key());
    const ParamDef* def = FindParam(defs, it.key());
    if (def == nullptr) {
      if (const char* note = ForeignKeyNote(it.key())) {
        diag->WarnAtKey(key_path, std::string("ignored parameter: ") + note);
        continue;
      }
      std::string hint = DidYouMean(it.key(), names);
      diag->WarnAtKey(key_path, "unknown parameter, ignored" +
                                    (hint.empty() ? "; this plugin takes " + Join(names, ", ")
                                                  : "; did you mean " + hint + "?"));
      continue;
    }
    // DataX's configuration layer reads "" for a number or a switch as not set.
    bool scalar = def->type == ParamType::kInteger || def->type == ParamType::kNumber ||
                  def->type == ParamType::kBool;
    if (scalar && (it.value().is_null() || IsBlank(it.value()))) continue;
    if (!def->allowed.empty() && IsBlank(it.value())) continue;  // "encoding": "" = the default
    ojson value = it.value();
    CheckParamValue(*def, key_path, &value, diag);
    normalized[def->name] = std::move(value);
  }
  for (const ParamDef& d : defs) {
    if (normalized.contains(d.name)) continue;
    if (d.required) {
      diag->AtValue(path, "missing required parameter \"" + d.name + "\" (" + d.description + ")");
    } else if (!d.default_value.is_null()) {
      normalized[d.name] = d.default_value;
    }
  }
  *parameter = normalized;
}

namespace {

struct StepRef {
  std::string name, category, plugin_name, path;
  const ojson* parameter = nullptr;
};

// Resolves a plugin name and checks that it has the side the step needs. DataX names carry the
// side ("streamreader"), so suggestions there are DataX names of the right side.
const PluginInfo* FindPlugin(const Registry& registry, const StepRef& step, bool datax,
                             const std::string& name_path, Diagnostics* diag) {
  std::vector<std::string> candidates;
  for (const std::string& n : registry.Names()) {
    candidates.push_back(datax ? n + step.category : n);
  }
  const PluginInfo* info = registry.Find(step.plugin_name);
  if (info == nullptr) {
    std::string hint = DidYouMean(step.plugin_name, candidates);
    diag->AtValue(name_path, "unknown plugin " + Quoted(step.plugin_name) +
                                 (hint.empty() ? "; available: " + Join(candidates, ", ")
                                               : "; did you mean " + hint + "?"));
    return nullptr;
  }
  const char* other = step.category == "reader" ? "writer" : "reader";
  if (datax && step.plugin_name != info->name && step.plugin_name.ends_with(other)) {
    diag->AtValue(name_path, Quoted(step.plugin_name) + " is a " + other + "; did you mean " +
                                 info->name + step.category + "?");
    return nullptr;
  }
  bool has_side = step.category == "reader" ? static_cast<bool>(info->make_reader)
                                            : static_cast<bool>(info->make_writer);
  if (!has_side) {
    diag->AtValue(name_path, "plugin " + Quoted(info->name) + " has no " + step.category);
    return nullptr;
  }
  return info;
}

void ReadSpeed(const ojson& speed, const std::string& path, bool datax, JobSettings* s,
               Diagnostics* diag) {
  if (!speed.is_object()) {
    diag->AtValue(path, std::string("expected an object such as ") +
                            (datax ? "{\"channel\": 2}" : "{\"concurrent\": 2}") + ", found " +
                            TypeOf(speed));
    return;
  }
  if (datax) {
    CheckKeys(speed, path, {"channel", "byte", "record", "concurrent"}, diag);
  } else {
    CheckKeys(speed, path, {"concurrent", "throttle", "mbps", "record", "byte", "dmu"}, diag);
  }
  for (const char* key : {"concurrent", "channel"}) {
    if (!speed.contains(key) || IsBlank(speed[key]) || speed[key].is_null()) continue;
    auto n = AsInteger(speed[key]);
    if (!n || *n < 1 || *n > 1024) {
      diag->AtValue(JoinPath(path, key), "expected a whole number of channels from 1 to 1024");
    } else {
      s->concurrent = static_cast<int>(*n);
    }
  }
  bool throttle = datax;
  if (speed.contains("throttle") && !IsBlank(speed["throttle"]) && !speed["throttle"].is_null()) {
    auto b = AsBool(speed["throttle"]);
    if (!b) diag->AtValue(JoinPath(path, "throttle"), "expected true or false");
    throttle = b.value_or(false);
  }
  // DataWorks: throttle true needs a rate; mbps, or a byte rate (what `check --print` writes
  // for a DataX job limited below 1 MB/s).
  auto set = [&](const char* key) {
    return speed.contains(key) && !speed[key].is_null() && !IsBlank(speed[key]);
  };
  if (!datax && throttle && (set("mbps") || !set("byte"))) {
    auto mbps = set("mbps") ? AsNumber(speed["mbps"]) : std::nullopt;
    if (!mbps || *mbps < 1) {
      diag->AtValue(speed.contains("mbps") ? JoinPath(path, "mbps") : path,
                    "throttle is true, so mbps must be a number of MB/s of at least 1");
    } else {
      s->bytes_per_second = *mbps * 1024 * 1024;
    }
  }
  if (set("byte")) {
    auto b = AsNumber(speed["byte"]);
    if (!b || *b < 1) {
      diag->AtValue(JoinPath(path, "byte"), "expected a byte rate (bytes/s) of at least 1");
    } else if (throttle || datax) {
      s->bytes_per_second = *b;
    }
  }
  if (set("record")) {
    auto r = AsNumber(speed["record"]);
    if (!r || *r < 1) {
      diag->AtValue(JoinPath(path, "record"), "expected a record rate (records/s) of at least 1");
    } else {
      s->records_per_second = *r;
    }
  }
}

// setting.verify: "count" or "checksum" runs `ferry verify` right after a succeeded run.
void ReadVerify(const ojson& setting, const std::string& path, JobSettings* s, Diagnostics* diag) {
  if (!setting.contains("verify") || setting["verify"].is_null()) return;
  const ojson& v = setting["verify"];
  if (!v.is_string() || (v != "count" && v != "checksum")) {
    diag->AtValue(path, "expected \"count\" or \"checksum\" (or null)");
    return;
  }
  s->verify = v.get<std::string>();
}

void ReadErrorLimit(const ojson& limit, const std::string& path, JobSettings* s,
                    Diagnostics* diag) {
  if (limit.is_null()) return;
  if (!limit.is_object()) {
    diag->AtValue(path, "expected an object such as {\"record\": 0}, found " + TypeOf(limit));
    return;
  }
  CheckKeys(limit, path, {"record", "percentage"}, diag);
  if (limit.contains("record") && !limit["record"].is_null() && !IsBlank(limit["record"])) {
    auto n = AsInteger(limit["record"]);
    if (!n || *n < 0) {
      diag->AtValue(JoinPath(path, "record"), "expected a whole number of records, 0 or more");
    } else {
      s->error_limit_records = *n;
    }
  }
  if (limit.contains("percentage") && !limit["percentage"].is_null() &&
      !IsBlank(limit["percentage"])) {
    auto p = AsNumber(limit["percentage"]);
    if (!p || *p < 0 || *p > 1) {
      diag->AtValue(JoinPath(path, "percentage"), "expected a fraction from 0 to 1 (0.02 = 2%)");
    } else {
      s->error_limit_percentage = *p;
    }
  }
}

// A processor step as DataWorks writes it ({"stepType": null, "category": "processor"}). DataWorks'
// code-editor guide says processor configuration can be ignored: Ferry ignores the step (and
// warns when it carries configuration), keeping its name so that hops through it still join.
bool ReadProcessor(const ojson& st, const std::string& path, std::vector<std::string>* names,
                   Diagnostics* diag) {
  if (StringAt(st, "category") != "processor") return false;
  std::string name = StringAt(st, "name");
  names->push_back(name.empty() ? "Processor" : name);
  const bool configured =
      (st.contains("stepType") && !st["stepType"].is_null() && st["stepType"] != "") ||
      (st.contains("parameter") && !st["parameter"].is_null() && !st["parameter"].empty());
  if (configured) {
    diag->WarnAtValue(path,
                      "processor step ignored: Ferry runs the reader straight into the "
                      "writer, so its configuration has no effect");
  }
  return true;
}

void ReadDataWorks(const ojson& root, std::vector<StepRef>* steps,
                   std::vector<std::string>* processors, JobSettings* s, Diagnostics* diag) {
  CheckKeys(root, "", {"type", "version", "steps", "setting", "order", "extend"}, diag);
  if (root.contains("type") && root["type"] != "job") {
    diag->AtValue("type", "expected \"job\"");
  }
  if (root.contains("version") && root["version"] != "2.0" && root["version"] != 2.0) {
    diag->AtValue("version", "expected \"2.0\"");
  }
  if (!root.contains("steps") || !root["steps"].is_array()) {
    diag->AtValue(root.contains("steps") ? "steps" : "",
                  "expected \"steps\": a list with one reader and one writer");
    return;
  }
  const ojson& list = root["steps"];
  for (size_t i = 0; i < list.size(); ++i) {
    std::string path = IndexPath("steps", i);
    const ojson& st = list[i];
    if (!st.is_object()) {
      diag->AtValue(path, "expected a step object with stepType, category, name and parameter");
      continue;
    }
    CheckKeys(st, path, {"stepType", "category", "name", "parameter", "copies"}, diag);
    if (ReadProcessor(st, path, processors, diag)) continue;
    StepRef ref;
    ref.path = path;
    ref.plugin_name = StringAt(st, "stepType");
    ref.category = StringAt(st, "category");
    ref.name = StringAt(st, "name");
    if (!st.contains("stepType")) {
      diag->AtValue(path, "missing \"stepType\" (the plugin, e.g. \"sqlite\")");
    } else if (!st["stepType"].is_string()) {
      diag->AtValue(JoinPath(path, "stepType"),
                    "expected a plugin name such as \"sqlite\", found " + TypeOf(st["stepType"]));
    }
    if (st.contains("name") && !st["name"].is_string()) {
      diag->AtValue(JoinPath(path, "name"), "expected a string, found " + TypeOf(st["name"]));
    }
    if (ref.category != "reader" && ref.category != "writer") {
      diag->AtValue(st.contains("category") ? JoinPath(path, "category") : path,
                    "expected \"category\": \"reader\", \"writer\" or \"processor\"");
    }
    if (ref.name.empty()) ref.name = ref.category == "reader" ? "Reader" : "Writer";
    if (st.contains("parameter") && !st["parameter"].is_object()) {
      diag->AtValue(JoinPath(path, "parameter"), "expected an object");
    } else if (st.contains("parameter")) {
      ref.parameter = &st["parameter"];
    }
    steps->push_back(ref);
  }
  if (root.contains("setting")) {
    const ojson& setting = root["setting"];
    if (!setting.is_object()) {
      diag->AtValue("setting", "expected an object");
    } else {
      CheckKeys(setting, "setting", {"executeMode", "speed", "errorLimit", "locale", "verify"},
                diag);
      ReadVerify(setting, "setting.verify", s, diag);
      if (setting.contains("speed")) {
        ReadSpeed(setting["speed"], "setting.speed", false, s, diag);
      }
      if (setting.contains("errorLimit")) {
        ReadErrorLimit(setting["errorLimit"], "setting.errorLimit", s, diag);
      }
      if (setting.contains("executeMode") && !setting["executeMode"].is_null()) {
        if (setting["executeMode"] != "distribute") {
          diag->AtValue("setting.executeMode", "expected null or \"distribute\"");
        } else {
          s->execute_mode = "distribute";
        }
      }
    }
  }
}

void CheckHops(const ojson& root, const std::vector<StepRef>& steps,
               const std::vector<std::string>& processors, Diagnostics* diag) {
  if (!root.contains("order")) return;  // one reader, one writer: the hop is implied
  const ojson& order = root["order"];
  if (!order.is_object() || !order.contains("hops") || !order["hops"].is_array()) {
    diag->AtValue("order", "expected {\"hops\": [{\"from\": READER, \"to\": WRITER}]}");
    return;
  }
  CheckKeys(order, "order", {"hops"}, diag);
  std::set<std::string> names, linked;
  for (const StepRef& s : steps) names.insert(s.name);
  names.insert(processors.begin(), processors.end());
  const ojson& hops = order["hops"];
  for (size_t i = 0; i < hops.size(); ++i) {
    std::string path = IndexPath("order.hops", i);
    const ojson& hop = hops[i];
    if (!hop.is_object()) {
      diag->AtValue(path, "expected {\"from\": STEP, \"to\": STEP}");
      continue;
    }
    CheckKeys(hop, path, {"from", "to"}, diag);
    std::string from = StringAt(hop, "from"), to = StringAt(hop, "to");
    for (const auto& [key, name] : {std::pair{"from", from}, std::pair{"to", to}}) {
      if (hop.contains(key) && !hop[key].is_string()) {
        diag->AtValue(JoinPath(path, key), "expected a step name, found " + TypeOf(hop[key]));
      } else if (!names.count(name)) {
        diag->AtValue(hop.contains(key) ? JoinPath(path, key) : path,
                      "no step is named " + Quoted(name) + "; steps are " +
                          Join(std::vector<std::string>(names.begin(), names.end()), ", "));
      }
      linked.insert(name);
    }
    if (from == to && !from.empty()) diag->AtValue(path, "a hop from a step to itself is a cycle");
    const StepRef* f = nullptr;
    for (const StepRef& s : steps) {
      if (s.name == from) f = &s;
    }
    if (f != nullptr && f->category == "writer") {
      diag->AtValue(JoinPath(path, "from"), "a hop must go from the reader to the writer");
    }
  }
  for (const StepRef& s : steps) {
    if (!linked.count(s.name)) {
      diag->AtValue(s.path, "step " + Quoted(s.name) + " is not joined by any hop in order.hops");
    }
  }
}

void ReadDataX(const ojson& root, std::vector<StepRef>* steps, JobSettings* s, Diagnostics* diag) {
  CheckKeys(root, "", {"job", "core"}, diag);
  const ojson& job = root["job"];
  if (!job.is_object()) {
    diag->AtValue("job", "expected an object with \"setting\" and \"content\"");
    return;
  }
  CheckKeys(job, "job", {"setting", "content"}, diag);
  if (job.contains("setting")) {
    const ojson& setting = job["setting"];
    if (!setting.is_object()) {
      diag->AtValue("job.setting", "expected an object");
    } else {
      CheckKeys(setting, "job.setting", {"speed", "errorLimit", "verify"}, diag);
      ReadVerify(setting, "job.setting.verify", s, diag);
      if (setting.contains("speed"))
        ReadSpeed(setting["speed"], "job.setting.speed", true, s, diag);
      if (setting.contains("errorLimit")) {
        ReadErrorLimit(setting["errorLimit"], "job.setting.errorLimit", s, diag);
      }
    }
  }
  if (!job.contains("content") || !job["content"].is_array() || job["content"].size() != 1) {
    diag->AtValue(job.contains("content") ? "job.content" : "job",
                  "expected \"content\": a list with one {\"reader\": ..., \"writer\": ...}");
    return;
  }
  const ojson& content = job["content"][0];
  if (!content.is_object()) {
    diag->AtValue("job.content[0]", "expected {\"reader\": ..., \"writer\": ...}");
    return;
  }
  CheckKeys(content, "job.content[0]", {"reader", "writer", "transformer"}, diag);
  for (const char* side : {"reader", "writer"}) {
    std::string path = JoinPath("job.content[0]", side);
    if (!content.contains(side) || !content[side].is_object()) {
      diag->AtValue(content.contains(side) ? path : "job.content[0]",
                    std::string("expected a ") + side + " object with \"name\" and \"parameter\"");
      continue;
    }
    const ojson& step = content[side];
    CheckKeys(step, path, {"name", "parameter"}, diag);
    StepRef ref;
    ref.path = path;
    ref.category = side;
    ref.name = std::string(side) == "reader" ? "Reader" : "Writer";
    ref.plugin_name = StringAt(step, "name");
    if (!step.contains("name") || !step["name"].is_string()) {
      diag->AtValue(step.contains("name") ? JoinPath(path, "name") : path,
                    std::string("expected \"name\": the plugin, such as \"stream") + side + "\"");
    }
    if (step.contains("parameter") && step["parameter"].is_object()) {
      ref.parameter = &step["parameter"];
    } else if (step.contains("parameter")) {
      diag->AtValue(JoinPath(path, "parameter"), "expected an object");
    }
    steps->push_back(ref);
  }
}

bool HasQuery(const ojson& v) {
  if (v.is_string()) return !IsBlank(v);
  if (!v.is_array()) return false;
  return std::any_of(v.begin(), v.end(), [](const ojson& q) { return !IsBlank(q); });
}

// DataX and DataWorks read querySql instead of table, column, where and splitPk: DataX warns and
// drops them, and so does Ferry. DataX refuses one `connection` entry holding both table and
// querySql (TABLE_QUERYSQL_MIXED), so a DataX-layout job that does is refused here too; the
// DataWorks layout lets querySql win.
void ApplyQuerySqlPrecedence(const ojson& given, const std::string& path, bool datax,
                             nlohmann::json* parameter, Diagnostics* diag) {
  bool query = given.contains("querySql") && HasQuery(given["querySql"]);
  const ojson* conns = given.contains("connection") && given["connection"].is_array()
                           ? &given["connection"]
                           : nullptr;
  if (conns != nullptr) {
    for (const ojson& c : *conns) {
      query |= c.is_object() && c.contains("querySql") && HasQuery(c["querySql"]);
    }
  }
  if (!query) return;
  auto drop = [&](const char* key, bool warn) {
    if (warn) {
      diag->WarnAtKey(JoinPath(path, key), std::string("ignored: querySql is read instead of ") +
                                               key + " (as DataX and DataWorks do)");
    }
    parameter->erase(key);
  };
  for (const char* key : {"column", "where", "splitPk", "table"}) {
    if (!given.contains(key)) {
      parameter->erase(key);
      continue;
    }
    const ojson& v = given[key];
    bool set = v.is_array() ? !v.empty() : (!v.is_null() && !IsBlank(v));
    drop(key, set);
  }
  if (conns == nullptr) return;
  for (size_t i = 0; i < conns->size(); ++i) {
    const ojson& c = (*conns)[i];
    if (!c.is_object() || !c.contains("table") || !c.contains("querySql") ||
        !HasQuery(c["querySql"])) {
      continue;
    }
    std::string table_path = JoinPath(IndexPath(JoinPath(path, "connection"), i), "table");
    if (datax) {
      diag->AtKey(table_path,
                  "table and querySql in one connection entry: DataX refuses this "
                  "job (read either the table or the query); remove one of them");
    } else {
      diag->WarnAtKey(table_path, "ignored: querySql is read instead of table (as DataWorks does)");
      (*parameter)["connection"][i].erase("table");
    }
  }
}

}  // namespace

Result<LoadedJob> LoadJobText(std::string_view text, const std::string& file_name,
                              const ParameterSet& params, const Registry& registry,
                              const LoadOptions& options) {
  ASSIGN_OR_RETURN(LocatedJson doc, ParseLocatedJson(text, file_name));
  Diagnostics diag(&doc, options.strict);
  if (!doc.value().is_object()) {
    diag.AtValue("",
                 "expected a job object ({\"type\": \"job\", \"steps\": ...} or {\"job\": ...})");
    return diag.ToStatus();
  }
  ojson root = doc.value();
  std::set<std::string> missing;
  SubstituteAll(&root, "", params, &missing, &diag);

  LoadedJob out;
  JobModel& m = out.model;
  m.file = file_name;
  std::vector<StepRef> steps;
  std::vector<std::string> processors;
  bool datax = root.contains("job");
  m.layout = datax ? "datax" : "dataworks";
  if (datax) {
    ReadDataX(root, &steps, &m.setting, &diag);
  } else {
    ReadDataWorks(root, &steps, &processors, &m.setting, &diag);
    CheckHops(root, steps, processors, &diag);
  }
  int readers = 0, writers = 0;
  for (const StepRef& s : steps) (s.category == "reader" ? readers : writers) += 1;
  if (!datax && root.contains("steps") && root["steps"].is_array() &&
      (readers != 1 || writers != 1)) {
    diag.AtValue("steps", "expected exactly one reader and one writer, found " +
                              Plural(readers, "reader", "readers") + " and " +
                              Plural(writers, "writer", "writers"));
  }
  for (size_t i = 0; i < steps.size(); ++i) {
    for (size_t j = 0; j < i; ++j) {
      if (!steps[i].name.empty() && steps[i].name == steps[j].name) {
        diag.AtValue(JoinPath(steps[i].path, "name"),
                     "another step (" + steps[j].path + ") is already named " +
                         Quoted(steps[i].name) + "; step names must be unique");
        break;
      }
    }
  }
  if (m.setting.execute_mode == "distribute" && m.setting.concurrent < 8) {
    diag.AtValue(datax ? "job.setting" : "setting.executeMode",
                 "executeMode \"distribute\" needs speed.concurrent of at least 8");
  }
  for (const StepRef& ref : steps) {
    std::string name_path = JoinPath(ref.path, datax ? "name" : "stepType");
    const PluginInfo* info =
        ref.plugin_name.empty() ? nullptr : FindPlugin(registry, ref, datax, name_path, &diag);
    StepModel step;
    step.name = ref.name;
    step.category = ref.category;
    step.path = ref.path;
    step.plugin = info != nullptr ? info->name : ref.plugin_name;
    step.parameter =
        ref.parameter != nullptr ? nlohmann::json(*ref.parameter) : nlohmann::json::object();
    if (ref.parameter == nullptr) diag.AtValue(ref.path, "missing \"parameter\" object");
    if (info != nullptr && ref.parameter != nullptr) {
      const auto& defs = ref.category == "reader" ? info->reader_params : info->writer_params;
      CheckParameters(defs, step.parameter_path(), &step.parameter, &diag);
      if (ref.category == "reader" && FindParam(defs, "querySql") != nullptr) {
        ApplyQuerySqlPrecedence(*ref.parameter, step.parameter_path(), datax, &step.parameter,
                                &diag);
      }
    }
    (ref.category == "reader" ? m.reader : m.writer) = std::move(step);
  }
  RETURN_NOT_OK(diag.ToStatus());
  out.warnings = diag.warnings();
  out.doc = std::move(doc);
  return out;
}

Result<LoadedJob> LoadJob(const std::string& path, const ParameterSet& params,
                          const Registry& registry, const LoadOptions& options) {
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (f == nullptr) {
    return Status::NotFound("cannot read job file " + path + ": " + std::strerror(errno));
  }
  std::string text;
  char buf[65536];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof(buf), f)) > 0) text.append(buf, n);
  std::fclose(f);
  return LoadJobText(text, path, params, registry, options);
}

std::string LocateStepError(const LoadedJob& job, const StepModel& step, const Status& st) {
  if (st.field().empty()) return job.doc.Format(step.path, st.message());
  return job.doc.Format(step.parameter_path() + "." + st.field(), st.message());
}

}  // namespace ferry
