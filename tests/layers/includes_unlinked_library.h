// Probe (CMake test layers.*): a layer naming a header of a library it does not link.
#pragma once
#include <yaml-cpp/yaml.h>

#include <string>
