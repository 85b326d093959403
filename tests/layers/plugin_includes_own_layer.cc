// Probe (CMake test layers.*): the plugin interface seeing its own layer and the ones below.
#include "ferry/common/status.h"
#include "ferry/plugin/registry.h"
#include "ferry/types/value.h"
