// Probe (CMake test layers.*): the engine reaching into the data source store (it gets a
// DataSourceCatalog from its caller instead).
#include "ferry/datasource/datasource_store.h"
