#!/usr/bin/env bash
# Sets up, builds and runs the whole test suite; CTest's summary is the last line.
set -uo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh || exit 1
bash scripts/build.sh || exit 1
cd build
ctest --output-on-failure -j "$(nproc)" --timeout 600 >ctest.log 2>&1
rc=$?
grep -vE "^ +Start |^[0-9]+/[0-9]+ Test +#[0-9]+: .* Passed " ctest.log | tail -n 150
# The summary line, last, whatever CTest printed after it.
grep -E "^[0-9]+% tests passed" ctest.log | tail -n 1
exit $rc
