#!/usr/bin/env bash
# MySQL benchmarks beside their baselines, measured in the same run on the same data, on a
# throwaway MariaDB (scripts/mariadb-test-server.sh) under $BENCH_DIR/mariadb:
#   MySQL -> MySQL       ferry (2 channels, splitPk; INSERT and bulkLoad)  vs  mariadb-dump --no-create-info | mariadb
#   MySQL -> PostgreSQL  ferry (2 channels, splitPk, COPY)                    vs  pgloader (its defaults:
#                        it creates the table and builds the primary key after the load; ferry
#                        writes into a table that already has it), on a throwaway PostgreSQL
#                        (scripts/pg-test-server.sh) under $BENCH_DIR/pg
#   ROWS="2000000 10000000" PATHS="mysql postgresql" bash bench/mysql.sh
#   MARKERS="true false" ROWS=2000000 bash bench/mysql.sh   # ferry's commitMarker on and off
# Prints: path, tool, rows, seconds, rows/s, MB/s (of the table's InnoDB data size), peak RSS.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
bench_init
ROWS=${ROWS:-"2000000 10000000"}
CHANNELS=${CHANNELS:-2}
PATHS=${PATHS:-"mysql postgresql"}
WRITE_PATHS=${WRITE_PATHS:-"false true"}   # the MySQL writer's bulkLoad values to measure
MARKERS=${MARKERS:-true}                   # the writers' commitMarker values to measure
# A production-like buffer pool (the tests' server keeps 256M): both tools run on this server.
export MARIADB_BUFFER_POOL=${MARIADB_BUFFER_POOL:-2G}
has_path() { [[ " $PATHS " == *" $1 "* ]]; }
trap stop_servers EXIT
start_mariadb
PORT=$MY_PORT USER_=$MY_USER PASS=$MY_PASS SOCK=$MY_SOCK
sql() { my_sql "$@"; }
if has_path postgresql; then
  command -v pgloader >/dev/null || { echo "pgloader is missing: apt-get install pgloader" >&2; exit 1; }
  start_pg
fi

measure() {  # path tool rows bytes -- command...
  local path=$1 tool=$2 rows=$3 bytes=$4; shift 5
  local log="$WORK/time.log"
  /usr/bin/time -f "%e %M" -o "$log" "$@" >/dev/null 2>"$WORK/last.err" || {
    echo "FAILED: $*" >&2; cat "$WORK/last.err" >&2; exit 1; }
  read -r secs rss_kb <"$log"
  awk -v p="$path" -v t="$tool" -v r="$rows" -v b="$bytes" -v s="$secs" -v m="$rss_kb" \
    'BEGIN { if (s <= 0) s = 0.001; printf "%-26s %-34s %10d %8.2f %12.0f %9.1f %9.1f\n", p, t, r, s, r / s, b / s / 1048576, m / 1024 }'
}

ddl="CREATE TABLE orders (id BIGINT PRIMARY KEY, customer_id INT, status VARCHAR(32),
  amount DECIMAL(12,2), created_at DATETIME(6), note TEXT) ENGINE=InnoDB"

make_orders() {  # rows
  sql -e "DROP DATABASE IF EXISTS bench_src; CREATE DATABASE bench_src"
  sql bench_src -e "$ddl; INSERT INTO orders SELECT seq, (seq * 7919) % 100000,
    ELT(1 + seq % 4, 'NEW', 'PAID', 'SHIPPED', 'CANCELLED'), ((seq * 37) % 10000000) / 100,
    TIMESTAMP('2025-01-01') + INTERVAL (seq % 31536000) SECOND + INTERVAL (seq % 1000000) MICROSECOND,
    IF(seq % 7 = 0, NULL, CONCAT('order note number ', seq, ' with, a comma and \"quotes\" here'))
    FROM seq_1_to_$1; ANALYZE TABLE orders" >/dev/null
}

empty_dst() {
  sql -e "DROP DATABASE IF EXISTS bench_dst; CREATE DATABASE bench_dst"
  sql bench_dst -e "$ddl"
}

pg_ddl="CREATE TABLE orders (id bigint PRIMARY KEY, customer_id int, status varchar(32),
  amount numeric(12,2), created_at timestamp(6), note text)"

empty_pg() {  # drops what either tool made last time
  psql_q -c "DROP SCHEMA IF EXISTS bench_src CASCADE; DROP TABLE IF EXISTS orders; $pg_ddl"
  pg_checkpoint
}

# job FILE WRITER_STEP: the MySQL orders reader (splitPk, $CHANNELS channels) into WRITER_STEP.
job() {
  cat >"$1" <<JSON
{"type":"job","version":"2.0","steps":[
 {"stepType":"mysql","category":"reader","name":"Reader","parameter":{
  "connection":{"host":"127.0.0.1","port":$PORT,"user":"$USER_","password":"$PASS","database":"bench_src"},
  "table":["orders"],"column":["*"],"splitPk":"id"}},
 $2],
 "setting":{"speed":{"concurrent":$CHANNELS}},"order":{"hops":[{"from":"Reader","to":"Writer"}]}}
JSON
}

mysql_pg_job() {  # commitMarker: true|false
  job "$WORK/m2p.json" '{"stepType":"postgresql","category":"writer","name":"Writer","parameter":{
  "connection":{"host":"'"$PGHOST"'","port":'"$PGPORT"',"database":"'"$PGDATABASE"'","user":"'"$PGUSER"'","passwordEnv":"PGPASSWORD"},
  "table":"orders","column":["*"],"writeMode":"copy","commitMarker":'"$1"'}}'
}

pgloader_load() {  # pgloader's own defaults: create the table, load, then build the index
  cat >"$WORK/m2p.load" <<LOAD
LOAD DATABASE
  FROM mysql://$USER_:$PASS@127.0.0.1:$PORT/bench_src
  INTO postgresql://$PGUSER:$PGPASSWORD@$PGHOST:$PGPORT/$PGDATABASE
  INCLUDING ONLY TABLE NAMES MATCHING 'orders';
LOAD
}

check_pg_same() {  # tool table
  local a b
  a=$(sql bench_src -N -e "SELECT COUNT(*), SUM(customer_id), SUM(amount), COUNT(note), SUM(LENGTH(note)) FROM orders" | tr '\t' '|')
  b=$(psql -X -At -c "SELECT count(*), sum(customer_id), sum(amount), count(note), sum(octet_length(note)) FROM $2")
  [ "$a" = "$b" ] || echo "WARNING: $1: destination differs: src $a, dst $b" >&2
}

mysql_job() {  # bulkLoad: true|false, commitMarker: true|false
  job "$WORK/m2m.json" '{"stepType":"mysql","category":"writer","name":"Writer","parameter":{
  "connection":{"host":"127.0.0.1","port":'"$PORT"',"user":"'"$USER_"'","password":"'"$PASS"'","database":"bench_dst"},
  "table":"orders","column":["*"],"bulkLoad":'"$1"',"commitMarker":'"$2"'}}'
}

check_same() {
  local q="SELECT COUNT(*), SUM(customer_id), SUM(amount), COUNT(note), SUM(CRC32(note)), SUM(UNIX_TIMESTAMP(created_at)) FROM orders"
  local a b
  a=$(sql bench_src -N -e "$q"); b=$(sql bench_dst -N -e "$q")
  [ "$a" = "$b" ] || echo "WARNING: $1: destination differs: src $a, dst $b" >&2
}

echo "MariaDB innodb_buffer_pool_size=$MARIADB_BUFFER_POOL, $CHANNELS channels, $(nproc) cores"
printf "%-26s %-34s %10s %8s %12s %9s %9s\n" PATH TOOL ROWS SECONDS ROWS/S MB/S RSS_MB
for rows in $ROWS; do
  make_orders "$rows"
  bytes=$(sql -N -e "SELECT data_length FROM information_schema.TABLES WHERE table_schema='bench_src' AND table_name='orders'")
  if has_path mysql; then
    empty_dst
    measure "mysql->mysql" "mariadb-dump | mariadb" "$rows" "$bytes" -- bash -c \
      "mariadb-dump --no-defaults --socket='$SOCK' -uroot --no-create-info bench_src orders | mariadb --no-defaults --socket='$SOCK' -uroot bench_dst"
    check_same "mariadb-dump"
    for bulk in $WRITE_PATHS; do
      for markers in $MARKERS; do
        empty_dst
        mysql_job $bulk $markers
        tool="ferry, $CHANNELS ch, INSERT"
        [ $bulk = true ] && tool="ferry, $CHANNELS ch, bulkLoad"
        [ $markers = false ] && tool="$tool, no markers"
        measure "mysql->mysql" "$tool" "$rows" "$bytes" -- \
          "$FERRY" run "$WORK/m2m.json" --progress-interval 0 --run-dir "$WORK/run-m2m-$bulk-$markers-$rows-$$-$RANDOM"
        check_same "$tool"
      done
    done
  fi
  if has_path postgresql; then
    empty_pg
    pgloader_load
    measure "mysql->postgresql" "pgloader (creates table + pk)" "$rows" "$bytes" -- \
      pgloader --quiet "$WORK/m2p.load"
    check_pg_same "pgloader" "bench_src.orders"
    for markers in $MARKERS; do
      empty_pg
      mysql_pg_job $markers
      tool="ferry, $CHANNELS ch, COPY"
      [ $markers = false ] && tool="$tool, no markers"
      measure "mysql->postgresql" "$tool" "$rows" "$bytes" -- \
        "$FERRY" run "$WORK/m2p.json" --progress-interval 0 --run-dir "$WORK/run-m2p-$markers-$rows-$$-$RANDOM"
      check_pg_same "ferry" "orders"
    done
  fi
done
sql -e "DROP DATABASE IF EXISTS bench_src; DROP DATABASE IF EXISTS bench_dst"
rm -rf "$WORK"/run-m2m-* "$WORK"/run-m2p-*
