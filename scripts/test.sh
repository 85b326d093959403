#!/usr/bin/env bash
# Sets up, builds and runs the whole test suite; CTest's summary is the last line.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
bash scripts/build.sh
cd build
ctest --output-on-failure -j "$(nproc)" --timeout 600 2>&1 | tail -n 200
exit "${PIPESTATUS[0]}"
