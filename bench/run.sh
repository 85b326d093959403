#!/usr/bin/env bash
# Ferry benchmarks beside their baselines, measured in the same run on the same data.
#   bash bench/run.sh            # 2M and 10M rows
#   ROWS="200000" bash bench/run.sh   # a quick look
# Prints one table: path, tool, rows, seconds, rows/s, MB/s (of the CSV file size), peak RSS.
set -euo pipefail
cd "$(dirname "$0")/.."
ROWS=${ROWS:-"2000000 10000000"}
STREAM_ROWS=${STREAM_ROWS:-20000000}
WORK=${BENCH_DIR:-bench/data}
FERRY=build/ferry
command -v /usr/bin/time >/dev/null || { apt-get install -y -qq time >/dev/null; }
[ -x "$FERRY" ] || bash scripts/build.sh
mkdir -p "$WORK"

RESULTS=()
# measure NAME TOOL ROWS BYTES -- command...
measure() {
  local path=$1 tool=$2 rows=$3 bytes=$4; shift 5
  local log="$WORK/time.log"
  /usr/bin/time -f "%e %M" -o "$log" "$@" >/dev/null 2>"$WORK/last.err" || {
    echo "FAILED: $*" >&2; cat "$WORK/last.err" >&2; exit 1; }
  read -r secs rss_kb <"$log"
  RESULTS+=("$(awk -v p="$path" -v t="$tool" -v r="$rows" -v b="$bytes" -v s="$secs" -v m="$rss_kb" \
    'BEGIN { if (s <= 0) s = 0.001; printf "%-26s %-34s %10d %8.2f %12.0f %9.1f %9.1f", p, t, r, s, r / s, b / s / 1048576, m / 1024 }')")
  echo "${RESULTS[-1]}"
}

header() { printf "%-26s %-34s %10s %8s %12s %9s %9s\n" PATH TOOL ROWS SECONDS ROWS/S MB/S RSS_MB; }

make_orders_db() {  # rows db
  local rows=$1 db=$2
  rm -f "$db"
  sqlite3 "$db" <<SQL
PRAGMA synchronous=OFF;
CREATE TABLE orders (id INTEGER PRIMARY KEY, customer_id INTEGER, sku TEXT, amount TEXT,
  created_at TEXT, note TEXT);
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $rows)
INSERT INTO orders SELECT i, (i * 7919) % 100000, 'SKU-' || (i % 5000),
  printf('%d.%02d', (i * 37) % 100000, i % 100),
  strftime('%Y-%m-%d %H:%M:%S', '2025-01-01', '+' || (i % 31536000) || ' seconds') || printf('.%06d', i % 1000000),
  CASE WHEN i % 7 = 0 THEN NULL ELSE 'order note number ' || i || ' with, a comma and "quotes" here' END
FROM n;
SQL
}

stream_job() {
  cat >"$WORK/stream.json" <<EOF2
{"type":"job","version":"2.0","steps":[
 {"stepType":"stream","category":"reader","name":"Reader","parameter":{"sliceRecordCount":$STREAM_ROWS,"column":[
  {"type":"long","value":"1"},{"type":"long","random":"1,1000000"},{"type":"string","value":"abc"},
  {"type":"string","value":"hello world"},{"type":"double","value":"1.5"},{"type":"long","value":"3"},
  {"type":"string","value":"x"},{"type":"bool","value":"true"},{"type":"date","value":"2025-10-31"},
  {"type":"timestamp","value":"2025-10-31 12:00:00"}]}},
 {"stepType":"stream","category":"writer","name":"Writer","parameter":{"print":false}}],
 "setting":{"speed":{"concurrent":1}},"order":{"hops":[{"from":"Reader","to":"Writer"}]}}
EOF2
}

sqlite_to_csv_job() {  # db outdir
  cat >"$WORK/s2c.json" <<EOF2
{"type":"job","version":"2.0","steps":[
 {"stepType":"sqlite","category":"reader","name":"Reader","parameter":{"path":"$1","table":"orders",
  "column":["id","customer_id","sku","amount","created_at","note"]}},
 {"stepType":"txtfile","category":"writer","name":"Writer","parameter":{"path":"$2","fileName":"orders.csv",
  "writeMode":"truncate","nullFormat":""}}],
 "setting":{"speed":{"concurrent":1}},"order":{"hops":[{"from":"Reader","to":"Writer"}]}}
EOF2
}

csv_to_sqlite_job() {  # csv db
  cat >"$WORK/c2s.json" <<EOF2
{"type":"job","version":"2.0","steps":[
 {"stepType":"txtfile","category":"reader","name":"Reader","parameter":{"path":"$1","column":["*"],"nullFormat":""}},
 {"stepType":"sqlite","category":"writer","name":"Writer","parameter":{"path":"$2","table":"orders",
  "column":["id","customer_id","sku","amount","created_at","note"],"writeMode":"insert"}}],
 "setting":{"speed":{"concurrent":1}},"order":{"hops":[{"from":"Reader","to":"Writer"}]}}
EOF2
}

empty_db() {
  rm -f "$1"
  sqlite3 "$1" "CREATE TABLE orders (id INTEGER PRIMARY KEY, customer_id INTEGER, sku TEXT, amount TEXT, created_at TEXT, note TEXT);"
}

header
stream_job
measure "stream->stream (10 cols)" "ferry, 1 channel" "$STREAM_ROWS" 0 -- \
  "$FERRY" run "$WORK/stream.json" --progress-interval 0 --run-dir "$WORK/run-stream-$$"

for rows in $ROWS; do
  db="$WORK/orders_$rows.db"
  make_orders_db "$rows" "$db"
  # SQLite -> CSV (the size of sqlite3's CSV gives every MB/s figure)
  sqlite3 -csv "$db" "select * from orders;" >"$WORK/baseline_$rows.csv"
  bytes=$(stat -c %s "$WORK/baseline_$rows.csv")
  measure "sqlite->csv" "sqlite3 .mode csv" "$rows" "$bytes" -- \
    sqlite3 -csv "$db" ".output $WORK/baseline_$rows.csv" "select * from orders;"
  rm -rf "$WORK/out_$rows"
  sqlite_to_csv_job "$db" "$WORK/out_$rows"
  measure "sqlite->csv" "ferry, 1 channel" "$rows" "$bytes" -- \
    "$FERRY" run "$WORK/s2c.json" --progress-interval 0 --run-dir "$WORK/run-s2c-$rows-$$"
  # CSV -> SQLite
  empty_db "$WORK/import_$rows.db"
  measure "csv->sqlite" "sqlite3 .import --csv" "$rows" "$bytes" -- \
    sqlite3 "$WORK/import_$rows.db" ".import --csv $WORK/baseline_$rows.csv orders"
  empty_db "$WORK/ferry_$rows.db"
  csv_to_sqlite_job "$WORK/baseline_$rows.csv" "$WORK/ferry_$rows.db"
  measure "csv->sqlite" "ferry, 1 channel" "$rows" "$bytes" -- \
    "$FERRY" run "$WORK/c2s.json" --progress-interval 0 --run-dir "$WORK/run-c2s-$rows-$$"
  a=$(sqlite3 "$WORK/import_$rows.db" "select count(*), total(customer_id) from orders")
  b=$(sqlite3 "$WORK/ferry_$rows.db" "select count(*), total(customer_id) from orders")
  [ "$a" = "$b" ] || echo "WARNING: csv->sqlite results differ: sqlite3 $a, ferry $b" >&2
  rm -f "$WORK/import_$rows.db" "$WORK/ferry_$rows.db"
done
rm -rf "$WORK"/run-*

# PostgreSQL -> PostgreSQL beside psql COPY | psql COPY (its own throwaway server).
ROWS="$ROWS" BENCH_DIR="$WORK" bash bench/pg.sh

# MySQL paths beside mariadb-dump | mariadb, on a throwaway MariaDB (bench/mysql.sh)
ROWS="$ROWS" BENCH_DIR="$WORK" bash bench/mysql.sh
