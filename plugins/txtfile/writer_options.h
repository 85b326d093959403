// WriterOptions: the txtfile writer's parameters, parsed and checked once in Prepare.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "ferry/common/status.h"
#include "plugins/txtfile/compressed_io.h"
#include "plugins/txtfile/dialect.h"

namespace ferry::txtfile {

enum class WriteMode { kTruncate, kAppend, kNonConflict };
enum class FileMode { kSingle, kPerSplit };

struct WriterOptions {
  std::string dir;        // `path`
  std::string file_name;  // `fileName`: the output name, and the prefix truncate removes
  WriteMode write_mode = WriteMode::kAppend;
  FileMode file_mode = FileMode::kSingle;
  Dialect dialect;
  Compression compression = Compression::kNone;
  std::vector<std::string> header;  // empty: no header line
  std::string date_format;          // empty: canonical ISO text
};

// Errors are InvalidArgument with the parameter as their field.
Result<WriterOptions> ParseWriterOptions(const nlohmann::json& param);

}  // namespace ferry::txtfile
