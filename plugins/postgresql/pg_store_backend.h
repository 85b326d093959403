// The scheduler's store in PostgreSQL, for servers on several hosts: the tables live in the
// database (in `?schema=S` when given, created when missing), every write transaction takes one
// transaction-scoped advisory lock so writers never interleave, and leadership is a session
// advisory lock held on a connection of its own — when the holding process dies its session
// ends and the lock is free for the next server.
// The password (in the URL, PGPASSWORD, ~/.pgpass or the data source's reference) is registered
// with the log mask and never appears in the store's location or its messages.
#pragma once

#include <memory>
#include <string>

#include "ferry/schedule/store_backend.h"

namespace ferry {

// `location`: "postgresql://[USER[:PASSWORD]@]HOST[:PORT]/DB[?schema=S&libpq-option=...]" (also
// postgres://), or "datasource:NAME[?schema=S]" naming a PostgreSQL data source of
// `datasources` (may be null when the location names none).
Result<std::unique_ptr<StoreBackend>> OpenPostgresStore(const std::string& location,
                                                        const DataSourceCatalog* datasources);

}  // namespace ferry
