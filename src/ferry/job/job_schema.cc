#include "ferry/job/job_schema.h"

#include <fmt/format.h>

#include "ferry/common/strings.h"

namespace ferry {
namespace {

using ojson = nlohmann::ordered_json;

ojson TypeSchema(const ParamDef& d) {
  ojson s;
  ojson string_list = {{"type", "array"}, {"items", {{"type", "string"}}}};
  switch (d.type) {
    case ParamType::kString:
      s["type"] = "string";
      break;
    case ParamType::kInteger:
      s["type"] = ojson::array({"integer", "string"});
      break;
    case ParamType::kNumber:
      s["type"] = ojson::array({"number", "string"});
      break;
    case ParamType::kBool:
      s["type"] = ojson::array({"boolean", "string"});
      break;
    case ParamType::kStringOrList:
      s["oneOf"] = ojson::array({{{"type", "string"}}, string_list});
      break;
    case ParamType::kStringList:
      s = string_list;
      break;
    case ParamType::kArray:
      s["type"] = "array";
      break;
    case ParamType::kObject:
      s["type"] = "object";
      break;
    case ParamType::kAny:
      break;
  }
  if (!d.allowed.empty()) s["enum"] = d.allowed;
  s["description"] = d.description;
  if (!d.default_value.is_null()) s["default"] = d.default_value;
  return s;
}

ojson ParametersSchema(const std::vector<ParamDef>& defs) {
  ojson props = ojson::object();
  ojson required = ojson::array();
  for (const ParamDef& d : defs) {
    props[d.name] = TypeSchema(d);
    for (const std::string& a : d.aliases) props[a] = TypeSchema(d);
    if (d.required) required.push_back(d.name);
  }
  ojson s = {{"type", "object"}, {"properties", props}, {"additionalProperties", false}};
  if (!required.empty()) s["required"] = required;
  return s;
}

// One `if stepType == X and category == C then parameter: ...` rule per plugin side.
ojson StepRules(const Registry& registry) {
  ojson rules = ojson::array();
  for (const PluginInfo& p : registry.plugins()) {
    for (const char* side : {"reader", "writer"}) {
      bool reader = std::string(side) == "reader";
      if (reader ? !p.make_reader : !p.make_writer) continue;
      rules.push_back(
          {{"if",
            {{"properties", {{"stepType", {{"const", p.name}}}, {"category", {{"const", side}}}}}}},
           {"then",
            {{"properties",
              {{"parameter", ParametersSchema(reader ? p.reader_params : p.writer_params)}}}}}});
    }
  }
  return rules;
}

ojson DataXRules(const Registry& registry, const char* side) {
  ojson rules = ojson::array();
  bool reader = std::string(side) == "reader";
  for (const PluginInfo& p : registry.plugins()) {
    if (reader ? !p.make_reader : !p.make_writer) continue;
    rules.push_back(
        {{"if", {{"properties", {{"name", {{"const", p.name + side}}}}}}},
         {"then",
          {{"properties",
            {{"parameter", ParametersSchema(reader ? p.reader_params : p.writer_params)}}}}}});
  }
  return rules;
}

ojson SpeedSchema() {
  return {{"type", "object"},
          {"properties",
           {{"concurrent", {{"type", "integer"}, {"minimum", 1}, {"description", "channels"}}},
            {"throttle", {{"type", "boolean"}, {"description", "limit bytes/s job-wide"}}},
            {"mbps", {{"type", "number"}, {"minimum", 1}, {"description", "MB/s when throttle"}}},
            {"record", {{"type", "number"}, {"minimum", 1}, {"description", "records/s"}}},
            {"channel", {{"type", "integer"}, {"minimum", 1}, {"description", "DataX: channels"}}},
            {"byte", {{"type", "number"}, {"minimum", 1}, {"description", "DataX: bytes/s"}}}}}};
}

ojson ErrorLimitSchema() {
  return {{"type", "object"},
          {"properties",
           {{"record",
             {{"type", ojson::array({"integer", "string"})},
              {"description", "fail once more dirty records than this"}}},
            {"percentage",
             {{"type", "number"},
              {"minimum", 0},
              {"maximum", 1},
              {"description", "fail once dirty/read passes this fraction"}}}}},
          {"additionalProperties", false}};
}

void AppendTable(const std::string& title, const std::vector<ParamDef>& defs, std::string* out) {
  *out += fmt::format("// {}\n", title);
  *out += fmt::format("//   {:<18} {:<30} {:<9} {:<18} {}\n", "parameter", "type", "required",
                      "default", "description");
  for (const ParamDef& d : defs) {
    std::string type = ParamTypeName(d.type);
    if (!d.allowed.empty()) type = Join(d.allowed, "|");
    *out +=
        fmt::format("//   {:<18} {:<30} {:<9} {:<18} {}\n", d.name, type, d.required ? "yes" : "no",
                    d.default_value.is_null() ? "-" : d.default_value.dump(), d.description);
  }
}

}  // namespace

nlohmann::ordered_json JobSchema(const Registry& registry) {
  std::vector<std::string> names = registry.Names();
  // A DataWorks processor step ("stepType": null, category processor) is accepted and ignored.
  ojson step_types = ojson::array();
  for (const std::string& n : names) step_types.push_back(n);
  step_types.push_back(nullptr);
  ojson step = {
      {"type", "object"},
      {"required", ojson::array({"stepType", "category", "parameter"})},
      {"properties",
       {{"stepType", {{"enum", step_types}, {"description", "the plugin (null: a processor)"}}},
        {"category", {{"enum", ojson::array({"reader", "writer", "processor"})}}},
        {"name", {{"type", "string"}}},
        {"parameter", {{"type", "object"}}}}},
      {"allOf", StepRules(registry)}};
  ojson dataworks = {
      {"type", "object"},
      {"required", ojson::array({"steps"})},
      {"properties",
       {{"type", {{"const", "job"}}},
        {"version", {{"const", "2.0"}}},
        {"steps", {{"type", "array"}, {"items", step}, {"minItems", 2}, {"maxItems", 2}}},
        {"setting",
         {{"type", "object"},
          {"properties",
           {{"executeMode", {{"enum", ojson::array({nullptr, "distribute"})}}},
            {"verify", {{"enum", ojson::array({nullptr, "count", "checksum"})}}},
            {"speed", SpeedSchema()},
            {"errorLimit", ErrorLimitSchema()}}}}},
        {"order",
         {{"type", "object"},
          {"properties",
           {{"hops",
             {{"type", "array"},
              {"items",
               {{"type", "object"},
                {"required", ojson::array({"from", "to"})},
                {"properties",
                 {{"from", {{"type", "string"}}}, {"to", {{"type", "string"}}}}}}}}}}}}},
        {"extend", {{"type", "object"}}}}},
      {"additionalProperties", false}};
  auto datax_side = [&](const char* side) {
    return ojson{
        {"type", "object"},
        {"required", ojson::array({"name", "parameter"})},
        {"properties", {{"name", {{"type", "string"}}}, {"parameter", {{"type", "object"}}}}},
        {"allOf", DataXRules(registry, side)}};
  };
  ojson datax = {
      {"type", "object"},
      {"required", ojson::array({"job"})},
      {"properties",
       {{"job",
         {{"type", "object"},
          {"properties",
           {{"setting",
             {{"type", "object"},
              {"properties", {{"speed", SpeedSchema()}, {"errorLimit", ErrorLimitSchema()}}}}},
            {"content",
             {{"type", "array"},
              {"minItems", 1},
              {"maxItems", 1},
              {"items",
               {{"type", "object"},
                {"properties",
                 {{"reader", datax_side("reader")}, {"writer", datax_side("writer")}}}}}}}}}}}}}};
  return {{"$schema", "https://json-schema.org/draft/2020-12/schema"},
          {"title", "Ferry job"},
          {"description", "A Ferry job script: DataWorks 2.0 layout (steps) or DataX layout (job)"},
          {"oneOf", ojson::array({dataworks, datax})}};
}

Result<std::string> JobTemplate(const Registry& registry, const std::string& reader,
                                const std::string& writer) {
  const PluginInfo* r = registry.Find(reader);
  const PluginInfo* w = registry.Find(writer);
  if (r == nullptr || !r->make_reader) {
    return Status::InvalidArgument("no reader plugin \"" + reader +
                                   "\"; readers: " + Join(registry.Names(), ", "));
  }
  if (w == nullptr || !w->make_writer) {
    return Status::InvalidArgument("no writer plugin \"" + writer +
                                   "\"; writers: " + Join(registry.Names(), ", "));
  }
  auto params = [](const std::vector<ParamDef>& defs) {
    ojson p = ojson::object();
    for (const ParamDef& d : defs) {
      const nlohmann::json& v = d.default_value.is_null() ? d.example : d.default_value;
      if (v.is_null() && !d.required) continue;  // listed in the comments below
      p[d.name] = v.is_null() ? ojson("") : ojson(v);
    }
    return p;
  };
  ojson job = {{"type", "job"},
               {"version", "2.0"},
               {"steps", ojson::array({{{"stepType", r->name},
                                        {"category", "reader"},
                                        {"name", "Reader"},
                                        {"parameter", params(r->reader_params)}},
                                       {{"stepType", w->name},
                                        {"category", "writer"},
                                        {"name", "Writer"},
                                        {"parameter", params(w->writer_params)}}})},
               {"setting",
                {{"executeMode", nullptr},
                 {"speed", {{"concurrent", 1}, {"throttle", false}}},
                 {"errorLimit", {{"record", 0}}}}},
               {"order", {{"hops", ojson::array({{{"from", "Reader"}, {"to", "Writer"}}})}}}};
  std::string out = job.dump(2) + "\n";
  AppendTable("Reader \"" + r->name + "\" parameters (steps[0].parameter):", r->reader_params,
              &out);
  AppendTable("Writer \"" + w->name + "\" parameters (steps[1].parameter):", w->writer_params,
              &out);
  out += "// setting.speed.concurrent: parallel channels; throttle + mbps: job-wide MB/s limit;\n";
  out += "// setting.errorLimit.record: dirty records allowed before the job fails.\n";
  return out;
}

}  // namespace ferry
