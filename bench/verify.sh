#!/usr/bin/env bash
# `ferry verify` beside the copy it checks (issue 13's cost target: verifying 10M rows PG->PG
# takes less time than copying them). Builds bench/run.sh's `orders` table (ROWS, default 10M),
# copies it PG->PG with `ferry run` (CONCURRENT channels, splitPk id), then runs `ferry verify`
# on that job twice: by default (the servers hash their own rows; equal sums decide) and with
# --no-in-database (Ferry reads and hashes every row of both sides, which also yields the
# per-split-range figures); then once more after changing one destination row (the differing key
# range is bisected in the database, Ferry reads only its last interval). Each is run once; prints seconds and peak RSS of each, and the
# ratio verify seconds / copy seconds (below 1: verifying is cheaper than copying).
#   bash bench/verify.sh                    # 10M rows
#   ROWS=1000000 bash bench/verify.sh       # a quick look
# Uses its own throwaway server under $BENCH_DIR (default bench/data), stopped at exit.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
bench_init
ROWS=${ROWS:-10000000}
CONCURRENT=${CONCURRENT:-2}
WARMUP=0
REPEATS=1
trap stop_servers EXIT
FR=$(ferry_run)
start_pg
echo "== $ROWS rows; $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg) at start" >&2
make_pg_orders "$ROWS"
bytes=$(psql -X -At -c "SELECT pg_table_size('orders')")
pg_reset() { psql_q -c "TRUNCATE orders_dst"; pg_checkpoint; }
job "$WORK/copy.json" "$(pg_reader ',"splitPk":"id"')" "$(pg_writer orders_dst)" "$CONCURRENT"
measure pg-pg "ferry run (copy), concurrent $CONCURRENT" "$ROWS" "$bytes" pg_reset -- \
  "$FR" "$WORK/copy.json"
measure pg-pg "ferry verify (in-database)" "$ROWS" "$bytes" true -- \
  "$FERRY" verify "$WORK/copy.json"
measure pg-pg "ferry verify --no-in-database" "$ROWS" "$bytes" true -- \
  "$FERRY" verify "$WORK/copy.json" --no-in-database
"$FERRY" verify "$WORK/copy.json" >&2  # the report itself: EQUAL and how it was decided
# One changed row: only its key range differs; it is halved in the database and Ferry reads
# only the rows of the last interval (the report's "rows read by Ferry").
psql_q -c "UPDATE orders_dst SET status = 'planted' WHERE id = $((ROWS / 2))"
measure pg-pg "ferry verify, one changed row" "$ROWS" "$bytes" true -- \
  bash -c '"$@"; test $? -eq 1' _ "$FERRY" verify "$WORK/copy.json"
"$FERRY" verify "$WORK/copy.json" >&2 || true  # the report: the range, the row, rows read
echo "== load $(cut -d' ' -f1-3 /proc/loadavg) at the end" >&2
awk -F'\t' '
  NR == 1 { copy = $5 }
  { printf "%-36s %9d rows %8.2f s  RSS %7.1f MiB  %s\n", $2, $3, $5, $6 / 1024,
      NR == 1 ? "" : sprintf("verify/copy %.2f", $5 / copy) }' "$RESULTS"
rm -rf "$WORK"/run-*
