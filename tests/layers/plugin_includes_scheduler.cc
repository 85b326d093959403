// Probe (CMake test layers.*): the plugin interface reaching up into the scheduler.
#include "ferry/schedule/store.h"
