// Named SQLite data sources: `"datasource": "NAME"` instead of `path`, where the data source's
// `database` is the file (`ferry datasource add local --type sqlite --database /data/shop.db`).
#pragma once

#include <nlohmann/json.hpp>

#include "ferry/common/status.h"
#include "ferry/plugin/registry.h"
#include "ferry/plugin/step_context.h"

namespace ferry {

// The step's parameter with `path` filled from its `datasource`; unchanged without one.
// InvalidArgument (field "datasource") for both path and datasource, or a source of another type.
Result<nlohmann::json> ParamWithDatasourcePath(const StepContext& ctx);

// `ferry datasource test` for sqlite: opens the file read-only and reads its schema.
Result<ConnectionProbe> TestSqliteConnection(const ConnectionSpec& conn);

}  // namespace ferry
