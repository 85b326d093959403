// ReaderOptions: the txtfile reader's parameters, parsed and checked once in Prepare.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "ferry/common/status.h"
#include "plugins/txtfile/compressed_io.h"
#include "plugins/txtfile/dialect.h"
#include "plugins/txtfile/reader_columns.h"

namespace ferry::txtfile {

struct ReaderOptions {
  std::vector<std::string> paths;  // files and glob patterns, as given
  Dialect dialect;
  std::optional<Compression> compression;  // absent: chosen per file by its suffix
  bool skip_header = false;
  ReaderColumns columns;

  Compression CompressionFor(const std::string& file) const {
    return compression.value_or(CompressionFromSuffix(file));
  }
};

// Errors are InvalidArgument with the parameter as their field.
Result<ReaderOptions> ParseReaderOptions(const nlohmann::json& param);

}  // namespace ferry::txtfile
