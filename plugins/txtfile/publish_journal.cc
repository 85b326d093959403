#include "plugins/txtfile/publish_journal.h"

#include <nlohmann/json.hpp>

#include "ferry/common/file.h"
#include "plugins/txtfile/file_util.h"

namespace ferry::txtfile {
namespace {

using nlohmann::json;

constexpr int kFormat = 1;

const char* MakeName(OutputFile::Make make) {
  switch (make) {
    case OutputFile::Make::kAssemble:
      return "assemble";
    case OutputFile::Make::kRename:
      return "rename";
    case OutputFile::Make::kAppend:
      return "append";
  }
  return "?";
}

std::optional<OutputFile::Make> ParseMake(const std::string& name) {
  for (auto make :
       {OutputFile::Make::kAssemble, OutputFile::Make::kRename, OutputFile::Make::kAppend}) {
    if (name == MakeName(make)) return make;
  }
  return std::nullopt;
}

json OutputToJson(const OutputFile& out) {
  json j = {{"file", out.path}, {"make", MakeName(out.make)}, {"parts", out.split_ids}};
  if (out.make == OutputFile::Make::kAssemble) j["header"] = out.with_header;
  if (out.make == OutputFile::Make::kAppend) {
    j["baseSize"] = out.base_size;
    j["skip"] = out.skip;
  }
  return j;
}

// Throws json::exception on a missing or mistyped member.
Result<OutputFile> OutputFromJson(const json& j) {
  OutputFile out;
  auto make = ParseMake(j.at("make").get<std::string>());
  if (!make) return Status::FailedPrecondition("unknown \"make\" " + j.at("make").dump());
  out.make = *make;
  out.path = j.at("file").get<std::string>();
  out.split_ids = j.at("parts").get<std::vector<std::string>>();
  out.with_header = j.value("header", false);
  out.base_size = j.value("baseSize", uint64_t{0});
  out.skip = j.value("skip", uint64_t{0});
  return out;
}

}  // namespace

std::string PublishJournalToJson(const PublishJournal& journal) {
  json outputs = json::array();
  for (const OutputFile& out : journal.outputs) outputs.push_back(OutputToJson(out));
  json j = {{"format", kFormat},
            {"state", journal.done ? "done" : "publishing"},
            {"outputs", std::move(outputs)}};
  return j.dump(2) + "\n";
}

Result<PublishJournal> PublishJournalFromJson(const std::string& text, const std::string& path) {
  auto bad = [&](const std::string& why) {
    return Status::FailedPrecondition("txtfile publish journal " + path + ": " + why);
  };
  try {
    json j = json::parse(text);
    if (j.at("format").get<int>() != kFormat) return bad("unknown format " + j["format"].dump());
    std::string state = j.at("state").get<std::string>();
    if (state != "publishing" && state != "done") return bad("unknown state \"" + state + "\"");
    PublishJournal journal;
    journal.done = state == "done";
    for (const json& o : j.at("outputs")) {
      auto out = OutputFromJson(o);
      if (!out.ok()) return bad(out.status().message());
      journal.outputs.push_back(std::move(out).value());
    }
    return journal;
  } catch (const json::exception& e) {
    return bad(e.what());
  }
}

Result<std::optional<PublishJournal>> ReadPublishJournal(const std::string& path) {
  auto text = ReadFile(path);
  if (text.status().code() == StatusCode::kNotFound) return std::optional<PublishJournal>();
  if (!text.ok()) return text.status();
  ASSIGN_OR_RETURN(PublishJournal journal, PublishJournalFromJson(*text, path));
  return std::optional<PublishJournal>(std::move(journal));
}

Status WritePublishJournal(const std::string& path, const PublishJournal& journal) {
  return WriteFileAtomic(path, PublishJournalToJson(journal));
}

}  // namespace ferry::txtfile
