// Probe (CMake test layers.*): the scheduler's PostgreSQL store reaching past the store interface.
#include "ferry/schedule/store.h"
