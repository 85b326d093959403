#!/usr/bin/env bash
# Configures and builds Ferry into build/ (Release with debug info, Ninja, ccache when present),
# with warnings as errors (FERRY_WERROR; pass -DFERRY_WERROR=OFF to build through a warning).
set -euo pipefail
cd "$(dirname "$0")/.."
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DFERRY_WERROR=ON "$@" >/dev/null
cmake --build build -j "$(nproc)"
