#include "plugins/txtfile/writer_options.h"

#include <algorithm>
#include <cctype>

#include "ferry/plugin/step_context.h"

namespace ferry::txtfile {
namespace {

std::string Lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

Result<WriteMode> ParseWriteMode(const std::string& text) {
  std::string lower = Lower(text);
  if (lower == "truncate") return WriteMode::kTruncate;
  if (lower == "append") return WriteMode::kAppend;
  if (lower == "nonconflict") return WriteMode::kNonConflict;
  return Status::InvalidArgument("\"" + text +
                                 "\" is not a write mode; use truncate, append or "
                                 "nonConflict")
      .WithField("writeMode");
}

Result<FileMode> ParseFileMode(const std::string& text) {
  std::string lower = Lower(text);
  if (lower == "single") return FileMode::kSingle;
  if (lower == "persplit") return FileMode::kPerSplit;
  return Status::InvalidArgument("\"" + text + "\" is not a file mode; use single or perSplit")
      .WithField("fileMode");
}

Status CheckFileName(const std::string& name) {
  if (name.empty()) return Status::InvalidArgument("fileName is required").WithField("fileName");
  if (name.find('/') != std::string::npos || name == "." || name == "..") {
    return Status::InvalidArgument("fileName \"" + name +
                                   "\" must be a plain file name; put directories in path")
        .WithField("fileName");
  }
  return Status::OK();
}

}  // namespace

Result<WriterOptions> ParseWriterOptions(const nlohmann::json& param) {
  WriterOptions o;
  o.dir = ParamOr<std::string>(param, "path", "");
  if (o.dir.empty()) {
    return Status::InvalidArgument("path (the output directory) is required").WithField("path");
  }
  o.file_name = ParamOr<std::string>(param, "fileName", "");
  RETURN_NOT_OK(CheckFileName(o.file_name));
  ASSIGN_OR_RETURN(o.write_mode,
                   ParseWriteMode(ParamOr<std::string>(param, "writeMode", "append")));
  ASSIGN_OR_RETURN(o.file_mode, ParseFileMode(ParamOr<std::string>(param, "fileMode", "single")));
  ASSIGN_OR_RETURN(o.dialect, ParseDialect(param));
  ASSIGN_OR_RETURN(o.compression,
                   ParseCompression(ParamOr<std::string>(param, "compress", "none")));
  o.header = ParamOr<std::vector<std::string>>(param, "header", {});
  // DataX's txtfilewriter read the older key "format" as dateFormat.
  o.date_format =
      ParamOr<std::string>(param, "dateFormat", ParamOr<std::string>(param, "format", ""));
  return o;
}

}  // namespace ferry::txtfile
