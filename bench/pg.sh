#!/usr/bin/env bash
# PostgreSQL -> PostgreSQL: Ferry beside `psql COPY TO STDOUT | psql COPY FROM STDIN` in the same
# run, on the same server and data (DESIGN 10). The `orders` table is generated server-side.
#   bash bench/pg.sh                  # 2M and 10M rows
#   ROWS=200000 bash bench/pg.sh      # a quick look
#   BATCH="4096 32768" CONCURRENT=1 ROWS=2000000 bash bench/pg.sh   # writer batchSize compared
#   MARKERS="true false" ROWS=2000000 bash bench/pg.sh   # the writer's commitMarker on and off
# Prints: path, tool, rows, seconds, rows/s, MB/s (of the COPY text size), peak RSS (MiB); then
# `ferry verify` of the copy (path pg=pg): the time to prove both tables hold the same rows.
# Uses its own throwaway server (bench/lib.sh start_pg) under $BENCH_DIR/pg, stopped at exit.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
bench_init
ROWS=${ROWS:-"2000000 10000000"}
CONCURRENT=${CONCURRENT:-"1 2 4"}
BATCH=${BATCH:-default}  # writer batchSize values to run; "default": the writer's own
MARKERS=${MARKERS:-true}  # writer commitMarker values to run
trap stop_servers EXIT
start_pg

make_orders() {  # rows
  psql_q <<SQL
DROP TABLE IF EXISTS orders, orders_dst;
CREATE TABLE orders (id bigint PRIMARY KEY, customer_id int, status varchar(32),
  amount numeric(12,2), created_at timestamp(6), note text);
INSERT INTO orders
SELECT g, (g::bigint * 7919) % 100000, (ARRAY['new', 'paid', 'shipped', 'cancelled', 'refunded'])[g % 5 + 1],
  ((g::bigint * 37) % 10000000) / 100.0,
  timestamp '2025-01-01' + (g % 31536000) * interval '1 second' + (g % 1000000) * interval '1 microsecond',
  CASE WHEN g % 7 = 0 THEN NULL ELSE 'order note ' || g || ': handle with care, ring twice at the door' END
FROM generate_series(1, $1) g;
CREATE TABLE orders_dst (LIKE orders INCLUDING ALL);
VACUUM ANALYZE orders;
SQL
}

job() {  # concurrent splitPk batchSize commitMarker
  local split="" batch=""
  [ -n "$2" ] && split=", \"splitPk\": \"$2\""
  [ -n "$3" ] && batch=", \"batchSize\": $3"
  [ "${4:-true}" = false ] && batch="$batch, \"commitMarker\": false"
  cat >"$WORK/pg2pg.json" <<EOF2
{"type":"job","version":"2.0","steps":[
 {"stepType":"postgresql","category":"reader","name":"Reader","parameter":{
  "connection":{"host":"$PGHOST","port":$PGPORT,"database":"$PGDATABASE","user":"$PGUSER","passwordEnv":"PGPASSWORD"},
  "table":"orders","column":["*"]$split}},
 {"stepType":"postgresql","category":"writer","name":"Writer","parameter":{
  "connection":{"host":"$PGHOST","port":$PGPORT,"database":"$PGDATABASE","user":"$PGUSER","passwordEnv":"PGPASSWORD"},
  "table":"orders_dst","column":["*"],"writeMode":"copy"$batch}}],
 "setting":{"speed":{"concurrent":$1}},"order":{"hops":[{"from":"Reader","to":"Writer"}]}}
EOF2
}

measure() {  # path tool rows bytes -- command...
  local path=$1 tool=$2 rows=$3 bytes=$4; shift 5
  psql_q -c "TRUNCATE orders_dst; CHECKPOINT" 2>/dev/null || psql_q -c "TRUNCATE orders_dst"
  /usr/bin/time -f "%e %M" -o "$WORK/time.log" "$@" >/dev/null 2>"$WORK/last.err" || {
    echo "FAILED: $*" >&2; cat "$WORK/last.err" >&2; exit 1; }
  read -r secs rss_kb <"$WORK/time.log"
  local got
  got=$(psql -X -At -c "SELECT count(*) FROM orders_dst")
  [ "$got" = "$rows" ] || echo "WARNING: $tool wrote $got rows, expected $rows" >&2
  awk -v p="$path" -v t="$tool" -v r="$rows" -v b="$bytes" -v s="$secs" -v m="$rss_kb" \
    'BEGIN { if (s <= 0) s = 0.001; printf "%-14s %-36s %10d %8.2f %12.0f %9.1f %9.1f\n", p, t, r, s, r / s, b / s / 1048576, m / 1024 }'
}

printf "%-14s %-36s %10s %8s %12s %9s %9s\n" PATH TOOL ROWS SECONDS ROWS/S MB/S RSS_MB
for rows in $ROWS; do
  make_orders "$rows"
  bytes=$(psql -X -c "COPY orders TO STDOUT" | wc -c)
  measure "pg->pg" "psql COPY | psql COPY" "$rows" "$bytes" -- \
    bash -c 'psql -X -c "COPY orders TO STDOUT" | psql -X -q -c "COPY orders_dst FROM STDIN"'
  for batch in $BATCH; do
    [ "$batch" = default ] && batch=""
    for c in $CONCURRENT; do
      for markers in $MARKERS; do
        split=""
        [ "$c" -gt 1 ] && split=id
        job "$c" "$split" "$batch" "$markers"
        label="ferry, concurrent $c"
        [ -n "$split" ] && label="$label, splitPk id"
        [ -n "$batch" ] && label="$label, batch $batch"
        [ "$markers" = false ] && label="$label, no markers"
        measure "pg->pg" "$label" "$rows" "$bytes" -- \
          "$FERRY" run "$WORK/pg2pg.json" --progress-interval 0 --run-dir "$WORK/run-pg-$rows-$c-${batch:-default}-$$-$RANDOM"
      done
    done
  done
  # ferry verify (DESIGN 11) of what the last run wrote, beside the copies: both tables hashed.
  for c in $CONCURRENT; do
    split=""
    [ "$c" -gt 1 ] && split=id
    job "$c" "$split" "" true
    /usr/bin/time -f "%e %M" -o "$WORK/time.log" "$FERRY" verify "$WORK/pg2pg.json" \
      >"$WORK/verify.out" 2>"$WORK/last.err" || {
      echo "FAILED: ferry verify (concurrent $c)" >&2; cat "$WORK/verify.out" "$WORK/last.err" >&2; exit 1; }
    read -r secs rss_kb <"$WORK/time.log"
    awk -v t="ferry verify, concurrent $c" -v r="$rows" -v b="$bytes" -v s="$secs" -v m="$rss_kb" \
      'BEGIN { if (s <= 0) s = 0.001; printf "%-14s %-36s %10d %8.2f %12.0f %9.1f %9.1f\n", "pg=pg", t, r, s, r / s, b / s / 1048576, m / 1024 }'
  done
  psql_q -c "DROP TABLE orders, orders_dst"
done
rm -rf "$WORK"/run-pg-*
