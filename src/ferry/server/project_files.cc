#include "ferry/server/project_files.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <filesystem>
#include <optional>
#include <system_error>

#include "ferry/common/file.h"
#include "ferry/common/numbers.h"
#include "ferry/common/sha256.h"

namespace ferry {
namespace fs = std::filesystem;
namespace {

constexpr const char* kScheduleNames[] = {"schedule.yaml", "schedule.yml", "schedule.json"};

bool Within(const fs::path& path, const std::string& root) {
  std::string p = path.lexically_normal().string();
  return p == root || p.rfind(root + "/", 0) == 0;
}

bool Skipped(const fs::path& dir) {
  std::string name = dir.filename().string();
  return name.empty() || name[0] == '.' || name == "node_modules";
}

bool Editable(const fs::path& path) {
  std::string ext = path.extension().string();
  return ext == ".json" || ext == ".yaml" || ext == ".yml";
}

bool IsJsonFile(const std::string& file_name) { return fs::path(file_name).extension() == ".json"; }

// A plain YAML scalar as the JSON value it reads as; quoted scalars stay strings.
nlohmann::json ScalarToJson(const YAML::Node& n) {
  const std::string& s = n.Scalar();
  if (n.Tag() == "?") {
    if (s == "true" || s == "false") return s == "true";
    if (s == "null" || s == "~") return nullptr;
    // A leading '+' still reads as a number, as YAML's core schema says.
    const bool plus = s.size() > 1 && s[0] == '+' && s[1] != '-';
    Result<int64_t> v = ParseInt64(std::string_view(s).substr(plus ? 1 : 0), "scalar");
    if (v.ok()) return *v;
  }
  return s;
}

nlohmann::ordered_json ToJson(const YAML::Node& n) {
  switch (n.Type()) {
    case YAML::NodeType::Map: {
      nlohmann::ordered_json o = nlohmann::ordered_json::object();
      for (const auto& kv : n) o[kv.first.as<std::string>()] = ToJson(kv.second);
      return o;
    }
    case YAML::NodeType::Sequence: {
      nlohmann::ordered_json a = nlohmann::ordered_json::array();
      for (const auto& item : n) a.push_back(ToJson(item));
      return a;
    }
    case YAML::NodeType::Scalar:
      return ScalarToJson(n);
    default:
      return nullptr;
  }
}

bool Empty(const nlohmann::json& v) {
  return v.is_null() || (v.is_string() && v.get<std::string>().empty()) ||
         (v.is_array() && v.empty());
}

YAML::Node ToYaml(const nlohmann::json& j) {
  if (j.is_array()) {
    YAML::Node seq(YAML::NodeType::Sequence);
    for (const auto& item : j) seq.push_back(ToYaml(item));
    return seq;
  }
  if (j.is_object()) {  // e.g. an alert rule under a node's `alerts:`
    YAML::Node map(YAML::NodeType::Map);
    for (const auto& [key, value] : j.items()) {
      if (!Empty(value)) map[key] = ToYaml(value);
    }
    return map;
  }
  if (j.is_string()) return YAML::Node(j.get<std::string>());
  if (j.is_number_integer()) return YAML::Node(j.get<int64_t>());
  if (j.is_boolean()) return YAML::Node(j.get<bool>());
  return YAML::Node(j.dump());
}

Result<YAML::Node> LoadYaml(const std::string& text, const std::string& file_name) {
  try {
    YAML::Node root = YAML::Load(text);
    if (!root.IsMap() || !root["nodes"] || !root["nodes"].IsSequence()) {
      return Status::InvalidArgument(file_name + ": expected a \"nodes\" list");
    }
    return root;
  } catch (const YAML::Exception& e) {
    return Status::InvalidArgument(file_name + ": " + e.what());
  }
}

// A schedule document as the text of its file: JSON for a .json file, else YAML.
std::string EmitSchedule(const YAML::Node& root, const std::string& file_name) {
  if (IsJsonFile(file_name)) return ToJson(root).dump(2) + "\n";
  YAML::Emitter out;
  out << root;
  return std::string(out.c_str()) + "\n";
}

}  // namespace

Result<ProjectFolder> ProjectFolder::Open(const std::string& root) {
  std::error_code ec;
  fs::path canonical = fs::canonical(root, ec);
  if (ec || !fs::is_directory(canonical)) {
    return Status::InvalidArgument("project folder " + root + " does not exist");
  }
  return ProjectFolder(canonical.string());
}

std::string ProjectFolder::ScheduleFile() const {
  for (const char* name : kScheduleNames) {
    if (fs::exists(fs::path(root_) / name)) return name;
  }
  return "";
}

Result<std::vector<ProjectFile>> ProjectFolder::List() const {
  std::vector<ProjectFile> files;
  std::string schedule = ScheduleFile();
  if (!schedule.empty()) files.push_back({schedule, "schedule"});
  std::error_code ec;
  fs::recursive_directory_iterator it(root_, ec), end;
  if (ec) return Status::IOError("cannot list " + root_ + ": " + ec.message());
  std::vector<ProjectFile> jobs;
  for (; it != end; it.increment(ec)) {
    if (ec) return Status::IOError("cannot list " + root_ + ": " + ec.message());
    if (it->is_directory() && Skipped(it->path())) {
      it.disable_recursion_pending();
      continue;
    }
    std::string rel = fs::relative(it->path(), root_).generic_string();
    if (it->is_regular_file() && it->path().extension() == ".json" && rel != schedule) {
      jobs.push_back({rel, "job"});
    }
  }
  std::sort(jobs.begin(), jobs.end(),
            [](const ProjectFile& a, const ProjectFile& b) { return a.path < b.path; });
  files.insert(files.end(), jobs.begin(), jobs.end());
  return files;
}

Result<std::string> ProjectFolder::Resolve(const std::string& relative) const {
  auto refuse = [&](const std::string& why) {
    return Status::InvalidArgument("path \"" + relative + "\": " + why);
  };
  if (relative.empty()) return refuse("empty");
  if (relative.find('\0') != std::string::npos) return refuse("holds a NUL byte");
  fs::path p(relative);
  if (p.is_absolute()) return refuse("must be relative to the project folder");
  for (const fs::path& part : p) {
    if (part == "..") return refuse("must not hold \"..\"");
  }
  std::error_code ec;
  fs::path real = fs::weakly_canonical(fs::path(root_) / p, ec);
  if (ec) return refuse(ec.message());
  if (!Within(real, root_)) return refuse("leads out of the project folder");
  return (fs::path(root_) / p).lexically_normal().string();
}

Result<FileVersion> ProjectFolder::Read(const std::string& relative) const {
  ASSIGN_OR_RETURN(std::string path, Resolve(relative));
  if (!fs::is_regular_file(path)) return Status::NotFound("no file " + relative + " in " + root_);
  ASSIGN_OR_RETURN(std::string text, ReadFile(path));
  std::string sha = Sha256Hex(text);
  return FileVersion{std::move(text), std::move(sha)};
}

Result<std::string> ProjectFolder::Write(const std::string& relative, const std::string& text,
                                         const std::string& base_sha256) const {
  ASSIGN_OR_RETURN(std::string path, Resolve(relative));
  if (!Editable(path)) {
    return Status::InvalidArgument("path \"" + relative +
                                   "\": only .json, .yaml and .yml files are written");
  }
  bool exists = fs::exists(path);
  if (base_sha256.empty() && exists) {
    return Status::FailedPrecondition(relative + " already exists; open it to change it");
  }
  if (!base_sha256.empty()) {
    if (!exists) return Status::FailedPrecondition(relative + " was deleted since it was opened");
    ASSIGN_OR_RETURN(FileVersion current, Read(relative));
    if (current.sha256 != base_sha256) {
      return Status::FailedPrecondition(relative +
                                        " changed on disk since it was opened; reload it (your "
                                        "text is still in the editor) or save it under another "
                                        "name");
    }
  }
  std::error_code ec;
  fs::create_directories(fs::path(path).parent_path(), ec);
  if (ec) return Status::IOError("cannot create the folder of " + relative + ": " + ec.message());
  RETURN_NOT_OK(WriteFileAtomic(path, text));
  return Sha256Hex(text);
}

Result<nlohmann::json> ScheduleNodes(const std::string& text, const std::string& file_name) {
  ASSIGN_OR_RETURN(YAML::Node root, LoadYaml(text, file_name));
  return nlohmann::json(ToJson(root["nodes"]));
}

Result<nlohmann::json> ScheduleAlerts(const std::string& text, const std::string& file_name) {
  ASSIGN_OR_RETURN(YAML::Node root, LoadYaml(text, file_name));
  if (!root["alerts"]) return nlohmann::json::array();
  return nlohmann::json(ToJson(root["alerts"]));
}

Result<std::string> SetScheduleAlerts(const std::string& text, const std::string& file_name,
                                      const nlohmann::json& alerts) {
  if (!alerts.is_array()) return Status::InvalidArgument("\"alerts\" must be a list of rules");
  ASSIGN_OR_RETURN(YAML::Node root, LoadYaml(text.empty() ? "nodes: []" : text, file_name));
  if (Empty(alerts)) {
    root.remove("alerts");
  } else {
    root["alerts"] = ToYaml(alerts);
  }
  return EmitSchedule(root, file_name);
}

bool ScheduleHasComments(const std::string& text, const std::string& file_name) {
  if (IsJsonFile(file_name)) return false;
  char quote = 0;
  char previous = '\n';
  for (char c : text) {
    if (quote != 0) {
      if (c == quote || c == '\n') quote = 0;  // YAML scalars in quotes stay on one line here
    } else if (c == '"' || c == '\'') {
      if (previous == ' ' || previous == '\n' || previous == '[' || previous == '{' ||
          previous == ',' || previous == ':' || previous == '-')
        quote = c;
    } else if (c == '#' && (previous == ' ' || previous == '\t' || previous == '\n')) {
      return true;
    }
    previous = c;
  }
  return false;
}

Result<std::string> SetScheduleNode(const std::string& text, const std::string& file_name,
                                    const nlohmann::json& node) {
  if (!node.is_object() || !node.contains("name") || !node["name"].is_string() ||
      node["name"].get<std::string>().empty()) {
    return Status::InvalidArgument("a node needs a \"name\"");
  }
  ASSIGN_OR_RETURN(YAML::Node root, LoadYaml(text.empty() ? "nodes: []" : text, file_name));
  YAML::Node nodes = root["nodes"];
  std::string name = node["name"].get<std::string>();
  std::optional<YAML::Node> found;
  for (YAML::Node n : nodes) {
    if (n.IsMap() && n["name"] && n["name"].IsScalar() && n["name"].Scalar() == name) {
      found = n;
      break;
    }
  }
  YAML::Node target = found ? *found : YAML::Node(YAML::NodeType::Map);
  if (!found) {
    target["name"] = name;
    nodes.push_back(target);
  }
  for (const auto& [key, value] : node.items()) {
    if (key == "name") continue;
    if (Empty(value)) {
      target.remove(key);
    } else {
      target[key] = ToYaml(value);
    }
  }
  return EmitSchedule(root, file_name);
}

}  // namespace ferry
