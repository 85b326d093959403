// The txtfile plugin: its parameters (one declaration drives `ferry check`, `ferry schema` and
// `ferry template`) and its entry in the registry. DataX: txtfilereader / txtfilewriter.
#include "ferry/plugin/registry.h"
#include "plugins/txtfile/txtfile_reader.h"
#include "plugins/txtfile/txtfile_writer.h"

namespace ferry {
namespace {

using nlohmann::json;

ParamDef Param(std::string name, ParamType type, bool required, json default_value,
               std::string description, std::vector<std::string> allowed = {},
               json example = nullptr) {
  ParamDef d;
  d.name = std::move(name);
  d.type = type;
  d.required = required;
  d.default_value = std::move(default_value);
  d.description = std::move(description);
  d.allowed = std::move(allowed);
  d.example = std::move(example);
  return d;
}

// Parameters the reader and the writer spell and mean the same way.
std::vector<ParamDef> DialectParams(bool reader) {
  return {
      Param("fileFormat", ParamType::kString, false, "csv",
            "csv (RFC 4180: quotes, \"\" escapes, line breaks inside quotes) or text (no quoting; "
            "backslash escapes \\t \\n \\r \\\\ as in PostgreSQL's text format)",
            {"csv", "text"}),
      Param("fieldDelimiter", ParamType::kString, false, ",",
            "one single-byte character between fields; a tab may be written \"\\t\", Hive's ^A "
            "\"\\u0001\""),
      Param("encoding", ParamType::kString, false, "UTF-8",
            "file encoding; only UTF-8 is supported"),
      Param("compress", ParamType::kString, false, reader ? json() : json("none"),
            reader ? "none, gzip or zstd; absent: by file suffix (.gz gzip, .zst zstd, else none)"
                   : "none, gzip or zstd; the output name gets .gz or .zst",
            {"none", "gzip", "zstd"}),
      Param("nullFormat", ParamType::kString, false, "\\N",
            reader ? "a field equal to this text (unquoted in csv) is NULL; an empty field is the "
                     "empty string"
                   : "how NULL is written (bare); a string equal to it is quoted in csv"),
  };
}

std::vector<ParamDef> ReaderParams() {
  std::vector<ParamDef> params = {
      Param("path", ParamType::kStringOrList, true, nullptr,
            "files to read: a path, a glob (*, ?, [..]) or a list of them; one split per file", {},
            "/data/orders/*.csv"),
      Param("column", ParamType::kArray, false, json::array({"*"}),
            "[\"*\"] reads every field as a string; or {\"index\": N (from 0), \"type\": "
            "long|double|string|date|bool|bytes|decimal|timestamp, \"format\": Java date "
            "pattern} per column, or {\"value\": constant, \"type\": ...}"),
      Param("skipHeader", ParamType::kBool, false, false,
            "skip the first line of each file; with [\"*\"] it names the columns"),
      Param("csvReaderConfig", ParamType::kObject, false, nullptr,
            "accepted for DataX compatibility and ignored"),
  };
  for (ParamDef& d : DialectParams(/*reader=*/true)) params.push_back(std::move(d));
  return params;
}

std::vector<ParamDef> WriterParams() {
  std::vector<ParamDef> params = {
      Param("path", ParamType::kString, true, nullptr, "output directory; created when missing", {},
            "/data/out"),
      Param("fileName", ParamType::kString, true, nullptr,
            "output file name, and the prefix writeMode truncate/nonConflict look for", {},
            "orders.csv"),
      Param("writeMode", ParamType::kString, false, "append",
            "truncate removes files in path whose names start with fileName; append adds to "
            "an existing file; nonConflict fails when such files exist",
            {"truncate", "append", "nonConflict"}),
      Param("fileMode", ParamType::kString, false, "single",
            "single: one file path/fileName, splits joined in plan order; perSplit: one file "
            "path/fileName__<split> per split",
            {"single", "perSplit"}),
      Param("header", ParamType::kStringList, false, nullptr,
            "column names written as the first line (once per output file)"),
      Param("dateFormat", ParamType::kString, false, nullptr,
            "Java pattern for date and timestamp values (yyyy-MM-dd HH:mm:ss.SSS); absent: ISO "
            "text"),
  };
  for (ParamDef& d : DialectParams(/*reader=*/false)) params.push_back(std::move(d));
  return params;
}

}  // namespace

PluginInfo TxtfilePluginInfo() {
  PluginInfo info;
  info.name = "txtfile";
  info.description = "csv/text files, plain or gzip/zstd (DataX txtfilereader/txtfilewriter)";
  info.make_reader = [] { return std::make_unique<txtfile::TxtfileReader>(); };
  info.reader_params = ReaderParams();
  info.make_writer = [] { return std::make_unique<txtfile::TxtfileWriter>(); };
  info.writer_params = WriterParams();
  info.write_modes = {"truncate", "append", "nonConflict"};
  info.transactional = true;
  return info;
}

}  // namespace ferry
