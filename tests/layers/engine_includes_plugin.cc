// Probe (CMake test layers.*): the engine reaching into a plugin.
#include "plugins/postgresql/pg_connection.h"
