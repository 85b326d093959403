// The txtfile plugin: its parameters (one declaration drives `ferry check`, `ferry schema` and
// `ferry template`) and its entry in the registry. DataX: txtfilereader / txtfilewriter.
#include "ferry/plugin/registry.h"
#include "plugins/txtfile/txtfile_reader.h"
#include "plugins/txtfile/txtfile_writer.h"

namespace ferry {
namespace {

using nlohmann::json;

// Parameters the reader and the writer spell and mean the same way.
std::vector<ParamDef> DialectParams(bool reader) {
  ParamDef compress =
      Allowed(Param("compress", ParamType::kString,
                    reader ? "none, gzip or zstd; absent: by file suffix (.gz gzip, .zst zstd, "
                             "else none)"
                           : "none, gzip or zstd; the output name gets .gz or .zst"),
              {"none", "gzip", "zstd"});
  if (!reader) compress = Default(std::move(compress), "none");
  return {
      Allowed(Default(Param("fileFormat", ParamType::kString,
                            "csv (RFC 4180: quotes, \"\" escapes, line breaks inside quotes) or "
                            "text (no quoting; backslash escapes \\t \\n \\r \\\\ as in "
                            "PostgreSQL's text format)"),
                      "csv"),
              {"csv", "text"}),
      Default(Param("fieldDelimiter", ParamType::kString,
                    "one single-byte character between fields; a tab may be written \"\\t\", "
                    "Hive's ^A \"\\u0001\""),
              ","),
      Default(Param("encoding", ParamType::kString, "file encoding; only UTF-8 is supported"),
              "UTF-8"),
      std::move(compress),
      Default(Param("nullFormat", ParamType::kString,
                    reader ? "a field equal to this text (unquoted in csv) is NULL; an empty field "
                             "is the empty string"
                           : "how NULL is written (bare); a string equal to it is quoted in csv"),
              "\\N"),
  };
}

std::vector<ParamDef> ReaderParams() {
  std::vector<ParamDef> params = {
      Required(Param("path", ParamType::kStringOrList,
                     "files to read: a path, a glob (*, ?, [..]) or a list of them; one split per "
                     "file",
                     "/data/orders/*.csv")),
      Default(Param("column", ParamType::kArray,
                    "[\"*\"] reads every field as a string; or {\"index\": N (from 0), "
                    "\"type\": long|double|string|date|bool|bytes|decimal|timestamp, \"format\": "
                    "Java date pattern} per column, or {\"value\": constant, \"type\": ...}"),
              json::array({"*"})),
      Default(Param("skipHeader", ParamType::kBool,
                    "skip the first line of each file; with [\"*\"] it names the columns"),
              false),
      Param("csvReaderConfig", ParamType::kObject, "accepted for DataX compatibility and ignored"),
  };
  for (ParamDef& d : DialectParams(/*reader=*/true)) params.push_back(std::move(d));
  return params;
}

std::vector<ParamDef> WriterParams() {
  std::vector<ParamDef> params = {
      Required(
          Param("path", ParamType::kString, "output directory; created when missing", "/data/out")),
      Required(Param("fileName", ParamType::kString,
                     "output file name, and the prefix writeMode truncate/nonConflict look for",
                     "orders.csv")),
      Allowed(Default(Param("writeMode", ParamType::kString,
                            "truncate removes files in path whose names start with fileName; "
                            "append adds to an existing file; nonConflict fails when such files "
                            "exist"),
                      "append"),
              {"truncate", "append", "nonConflict"}),
      Allowed(Default(Param("fileMode", ParamType::kString,
                            "single: one file path/fileName, splits joined in plan order; "
                            "perSplit: one file path/fileName__<split> per split"),
                      "single"),
              {"single", "perSplit"}),
      Param("header", ParamType::kStringList,
            "column names written as the first line (once per output file)"),
      Param("dateFormat", ParamType::kString,
            "Java pattern for date and timestamp values (yyyy-MM-dd HH:mm:ss.SSS); absent: ISO "
            "text; DataX's older spelling \"format\" is read the same way"),
  };
  params.back().aliases = {"format"};
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
