// Probe (CMake test layers.*): one plugin reaching into another.
#include "plugins/mysql/mysql_connection.h"
