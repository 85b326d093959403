#!/usr/bin/env bash
# The long fault-injection run of issue 10: the exactly-once tests (tests/e2e/exactly_once_test.cc,
# tests/e2e/*_exactly_once*) with RUNS random kill-and-resume cycles per writer from SEED on,
# against the throwaway PostgreSQL and MariaDB servers. Prints one line per cycle and a table:
# runs, SIGKILLs injected and violations (a row missing or written twice) per writer.
#   bash scripts/fault-soak.sh [RUNS=20] [SEED=1]      (after bash scripts/build.sh)
set -uo pipefail
cd "$(dirname "$0")/.."
RUNS="${1:-20}"
SEED="${2:-1}"
SERVERS=build/test-servers
started=0
if [ ! -f "$SERVERS/pg/conn.json" ] || [ ! -f "$SERVERS/mariadb/conn.json" ]; then
  bash scripts/test-servers.sh start "$SERVERS" >/dev/null || exit 1
  started=1
fi
log=$(mktemp)
FERRY_SOAK_RUNS="$RUNS" FERRY_SOAK_SEED="$SEED" build/ferry_tests \
  --gtest_filter='*ExactlyOnce*' 2>&1 | tee "$log" | grep -E '^\[exactly-once\]|FAILED|^\[  PASSED'
rc=${PIPESTATUS[0]}
[ "$started" = 1 ] && bash scripts/test-servers.sh stop "$SERVERS" >/dev/null
echo
awk '/^\[exactly-once\]/ {
       for (i = 2; i <= NF; i++) { split($i, kv, "="); f[kv[1]] = kv[2] }
       w = f["writer"]; runs[w]++; kills[w] += f["kills"]; stops[w] += f["stops"]; rounds[w] += f["rounds"]
       if (f["result"] != "exact") bad[w]++
     }
     END {
       printf "%-22s %6s %8s %8s %8s %10s\n", "writer", "runs", "SIGKILL", "SIGTERM", "resumes", "violations"
       for (w in runs) printf "%-22s %6d %8d %8d %8d %10d\n", w, runs[w], kills[w], stops[w], rounds[w] - runs[w], bad[w]
     }' "$log"
rm -f "$log"
exit "$rc"
