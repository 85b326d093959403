// Probe (CMake test layers.*): the scheduler's PostgreSQL store seeing the store interface.
#include "ferry/schedule/store_backend.h"
#include "plugins/postgresql/pg_connection.h"
