// DataSourceCatalog: how a plugin turns `"datasource": "NAME"` into a connection. The engine
// passes one in StepContext; the caller of the engine (cli/) hands it the stored catalog of
// src/ferry/datasource/.
#pragma once

#include <string_view>

#include "ferry/common/status.h"
#include "ferry/plugin/connection.h"

namespace ferry {

class DataSourceCatalog {
 public:
  virtual ~DataSourceCatalog() = default;
  // The named connection with its password resolved; NotFound naming the catalog file when
  // there is no such name, FailedPrecondition when its secret cannot be read.
  virtual Result<ConnectionSpec> Find(std::string_view name) const = 0;
};

}  // namespace ferry
