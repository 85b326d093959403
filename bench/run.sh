#!/usr/bin/env bash
# Every Ferry path beside its strongest baseline, on the same data in the same run (DESIGN 10):
#   PG->PG        psql COPY (FORMAT binary) pipe, psql COPY text pipe; two binary pipes at once
#                 over half of the keys each (the baseline of concurrent 2 with splitPk)
#   PG->CSV       psql \copy ... TO ... CSV          CSV->PG   psql \copy ... FROM ... CSV
#   MySQL->MySQL  SELECT ... INTO OUTFILE + LOAD DATA, LOAD DATA LOCAL, mariadb-dump | mariadb
#   MySQL->PG     pgloader
#   CSV->SQLite   sqlite3 .import --csv               SQLite->CSV   sqlite3 .mode csv
# The data: a 6-column `orders` table (bigint key, int, varchar, numeric(12,2), timestamp(6),
# text with NULLs, commas, quotes and non-ASCII text); every destination has the primary key.
# Each figure is the median of REPEATS runs after WARMUP runs. Client CPU is the tool's own
# (user + sys, its children included); servers CPU what the database servers spent meanwhile.
#   bash bench/run.sh                              # 2M rows, 3 repeats
#   ROWS=200000 REPEATS=1 bash bench/run.sh        # a quick look
#   PATHS="pg csv" bash bench/run.sh               # some paths: pg csv mysql sqlite
#   FLAT=1 bash bench/run.sh                       # then PG->PG again at FLAT_ROWS (10M): RSS flat?
# Uses its own throwaway servers under $BENCH_DIR (default bench/data), stopped at exit.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
bench_init
ROWS=${ROWS:-2000000}
PATHS=${PATHS:-"pg csv mysql sqlite"}
FLAT_ROWS=${FLAT_ROWS:-10000000}
has() { [[ " $PATHS " == *" $1 "* ]]; }
trap stop_servers EXIT
FR=$(ferry_run)
start_pg
has mysql && start_mariadb

MY_DDL="(id BIGINT PRIMARY KEY, customer_id INT, status VARCHAR(32), amount DECIMAL(12,2),
  created_at DATETIME(6), note TEXT) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4"
SQLITE_DDL="CREATE TABLE orders (id INTEGER PRIMARY KEY, customer_id INTEGER, status TEXT,
  amount TEXT, created_at TEXT, note TEXT)"

pg_reset() { psql_q -c "TRUNCATE orders_dst"; pg_checkpoint; }
pg_check() {  # tool: the destination holds the source's rows
  local a b q="SELECT count(*), sum(customer_id), sum(amount), count(note), sum(length(note)), sum(extract(epoch FROM created_at))"
  a=$(psql -X -At -c "$q FROM orders"); b=$(psql -X -At -c "$q FROM orders_dst")
  [ "$a" = "$b" ] || echo "WARNING: $1: orders_dst differs: $b, source $a" >&2
}

csv_reader() { echo "{\"stepType\":\"txtfile\",\"category\":\"reader\",\"name\":\"Reader\",\"parameter\":{\"path\":\"$1\",\"column\":[\"*\"],\"nullFormat\":\"\"}}"; }
csv_writer() { echo "{\"stepType\":\"txtfile\",\"category\":\"writer\",\"name\":\"Writer\",\"parameter\":{\"path\":\"$1\",\"fileName\":\"orders.csv\",\"writeMode\":\"truncate\",\"nullFormat\":\"\"}}"; }
my_conn() { echo "\"connection\":{\"host\":\"127.0.0.1\",\"port\":$MY_PORT,\"user\":\"$MY_USER\",\"password\":\"$MY_PASS\",\"database\":\"$1\"}"; }

# The PG -> PG jobs: concurrent 1, and concurrent 2 with splitPk (also the FLAT pass's).
pg_jobs() {
  job "$WORK/pg1.json" "$(pg_reader)" "$(pg_writer orders_dst)" 1
  job "$WORK/pg2.json" "$(pg_reader ',"splitPk":"id"')" "$(pg_writer orders_dst)" 2
}

# PostgreSQL's own binary pipe, and two of them at once over half of the keys each (the same
# parallelism as Ferry's 2 channels; an index range scan each, as splitPk's ranges).
pg_pipes() {  # rows bytes
  local rows=$1 bytes=$2 mid=$(($1 / 2 + 1))
  measure pg-pg "psql COPY binary | psql COPY binary" "$rows" "$bytes" pg_reset -- bash -c \
    'psql -X -c "COPY orders TO STDOUT (FORMAT binary)" | psql -X -q -c "COPY orders_dst FROM STDIN (FORMAT binary)"'
  pg_check "binary pipe"
  measure pg-pg "2 binary pipes, half the keys each" "$rows" "$bytes" pg_reset -- bash -c '
    set -o pipefail
    half() { psql -X -c "COPY (SELECT * FROM orders WHERE $1) TO STDOUT (FORMAT binary)" |
      psql -X -q -c "COPY orders_dst FROM STDIN (FORMAT binary)"; }
    half "id < '"$mid"'" & low=$!; half "id >= '"$mid"'" & high=$!
    wait $low && wait $high'
  pg_check "2 binary pipes"
}

# Ferry at concurrent 1, and at concurrent 2 with splitPk.
pg_ferry() {  # rows bytes
  pg_jobs
  measure pg-pg "ferry, concurrent 1" "$1" "$2" pg_reset -- "$FR" "$WORK/pg1.json"
  pg_check "ferry"
  measure pg-pg "ferry, concurrent 2, splitPk" "$1" "$2" pg_reset -- "$FR" "$WORK/pg2.json"
  pg_check "ferry, 2 channels"
}

pg_paths() {  # rows bytes
  local rows=$1 bytes=$2
  pg_pipes "$rows" "$bytes"
  measure pg-pg "psql COPY | psql COPY (text)" "$rows" "$bytes" pg_reset -- bash -c \
    'psql -X -c "COPY orders TO STDOUT" | psql -X -q -c "COPY orders_dst FROM STDIN"'
  pg_ferry "$rows" "$bytes"
  job "$WORK/pg1d.json" "$(pg_reader)" "$(pg_writer orders_dst ',"passthrough":false')" 1
  measure pg-pg "ferry, concurrent 1, passthrough off" "$rows" "$bytes" pg_reset -- \
    "$FR" "$WORK/pg1d.json"
}

csv_paths() {  # rows bytes
  local rows=$1 bytes=$2
  rm_out() { rm -rf "$WORK/out"; mkdir -p "$WORK/out"; }
  measure pg-csv "psql \\copy ... CSV" "$rows" "$bytes" rm_out -- \
    psql -X -c "\\copy orders TO '$WORK/out/orders.csv' CSV"
  job "$WORK/p2c.json" "$(pg_reader)" "$(csv_writer "$WORK/out")" 1
  measure pg-csv "ferry, concurrent 1" "$rows" "$bytes" rm_out -- "$FR" "$WORK/p2c.json"
  measure csv-pg "psql \\copy ... FROM ... CSV" "$rows" "$bytes" pg_reset -- \
    psql -X -c "\\copy orders_dst FROM '$WORK/orders.csv' CSV"
  pg_check "\\copy FROM"
  job "$WORK/c2p.json" "$(csv_reader "$WORK/orders.csv")" "$(pg_writer orders_dst)" 1
  measure csv-pg "ferry, concurrent 1" "$rows" "$bytes" pg_reset -- "$FR" "$WORK/c2p.json"
  pg_check "ferry csv->pg"
}

make_my_orders() {
  my_sql -e "DROP DATABASE IF EXISTS bench_src; CREATE DATABASE bench_src"
  my_sql bench_src -e "CREATE TABLE orders $MY_DDL"
  my_sql --local-infile=1 bench_src -e "LOAD DATA LOCAL INFILE '$WORK/orders.csv' INTO TABLE orders
    CHARACTER SET utf8mb4 FIELDS TERMINATED BY ',' OPTIONALLY ENCLOSED BY '\"' ESCAPED BY ''
    (id, customer_id, status, amount, created_at, @note) SET note = NULLIF(@note, ''); ANALYZE TABLE orders" >/dev/null
}
my_reset() {
  my_sql -e "DROP DATABASE IF EXISTS bench_dst; CREATE DATABASE bench_dst"
  my_sql bench_dst -e "CREATE TABLE orders $MY_DDL"
  rm -f "$WORK/my_out.txt"
}
my_check() {
  local q="SELECT COUNT(*), SUM(customer_id), SUM(amount), COUNT(note), SUM(CRC32(note)) FROM orders" a b
  a=$(my_sql bench_src -N -e "$q"); b=$(my_sql bench_dst -N -e "$q")
  [ "$a" = "$b" ] || echo "WARNING: $1: bench_dst.orders differs: $b, source $a" >&2
}
pg_empty_orders() { psql_q -c "DROP SCHEMA IF EXISTS bench_src CASCADE; DROP TABLE IF EXISTS orders_my; CREATE TABLE orders_my $PG_DDL"; pg_checkpoint; }

mysql_paths() {  # rows bytes
  local rows=$1 bytes=$2 out=$WORK/my_out.txt
  chmod 777 "$WORK"
  measure my-my "SELECT INTO OUTFILE + LOAD DATA" "$rows" "$bytes" my_reset -- bash -c \
    "mariadb --no-defaults --socket='$MY_SOCK' -uroot -e \"SELECT * FROM bench_src.orders INTO OUTFILE '$out'; LOAD DATA INFILE '$out' INTO TABLE bench_dst.orders\""
  my_check "OUTFILE + LOAD DATA"
  measure my-my "mariadb -e SELECT | LOAD DATA LOCAL" "$rows" "$bytes" my_reset -- bash -c \
    "mariadb --no-defaults --socket='$MY_SOCK' -uroot --quick -N --raw -e 'SELECT * FROM bench_src.orders' > '$out' && mariadb --no-defaults --local-infile=1 --socket='$MY_SOCK' -uroot -e \"LOAD DATA LOCAL INFILE '$out' INTO TABLE bench_dst.orders\""
  measure my-my "mariadb-dump | mariadb" "$rows" "$bytes" my_reset -- bash -c \
    "mariadb-dump --no-defaults --socket='$MY_SOCK' -uroot --no-create-info bench_src orders | mariadb --no-defaults --socket='$MY_SOCK' -uroot bench_dst"
  my_check "mariadb-dump"
  local reader="{\"stepType\":\"mysql\",\"category\":\"reader\",\"name\":\"Reader\",\"parameter\":{$(my_conn bench_src),\"table\":[\"orders\"],\"column\":[\"*\"],\"splitPk\":\"id\"}}"
  for bulk in false true; do
    job "$WORK/m2m.json" "$reader" "{\"stepType\":\"mysql\",\"category\":\"writer\",\"name\":\"Writer\",\"parameter\":{$(my_conn bench_dst),\"table\":\"orders\",\"column\":[\"*\"],\"bulkLoad\":$bulk}}" 2
    measure my-my "ferry, concurrent 2, bulkLoad $bulk" "$rows" "$bytes" my_reset -- "$FR" "$WORK/m2m.json"
    my_check "ferry bulkLoad $bulk"
  done
  cat >"$WORK/m2p.load" <<LOAD
LOAD DATABASE FROM mysql://$MY_USER:$MY_PASS@127.0.0.1:$MY_PORT/bench_src
  INTO postgresql://$PGUSER:$PGPASSWORD@$PGHOST:$PGPORT/$PGDATABASE
  INCLUDING ONLY TABLE NAMES MATCHING 'orders';
LOAD
  measure my-pg "pgloader (creates table, then pk)" "$rows" "$bytes" pg_empty_orders -- \
    pgloader --quiet "$WORK/m2p.load"
  job "$WORK/m2p.json" "$reader" "$(pg_writer orders_my)" 2
  measure my-pg "ferry, concurrent 2" "$rows" "$bytes" pg_empty_orders -- "$FR" "$WORK/m2p.json"
}

sqlite_paths() {  # rows bytes
  local rows=$1 bytes=$2 db=$WORK/orders.db
  rm -f "$db"; sqlite3 "$db" "$SQLITE_DDL"
  sqlite3 "$db" ".import --csv $WORK/orders.csv orders" "UPDATE orders SET note = NULL WHERE note = ''"
  rm_out() { rm -rf "$WORK/out"; mkdir -p "$WORK/out"; }
  measure sqlite-csv "sqlite3 .mode csv" "$rows" "$bytes" rm_out -- \
    sqlite3 -csv "$db" ".output $WORK/out/orders.csv" "SELECT * FROM orders;"
  job "$WORK/s2c.json" "{\"stepType\":\"sqlite\",\"category\":\"reader\",\"name\":\"Reader\",\"parameter\":{\"path\":\"$db\",\"table\":\"orders\",\"column\":[\"*\"]}}" "$(csv_writer "$WORK/out")" 1
  measure sqlite-csv "ferry, concurrent 1" "$rows" "$bytes" rm_out -- "$FR" "$WORK/s2c.json"
  sqlite_empty() { rm -f "$WORK/dst.db"; sqlite3 "$WORK/dst.db" "$SQLITE_DDL"; }
  measure csv-sqlite "sqlite3 .import --csv" "$rows" "$bytes" sqlite_empty -- \
    sqlite3 "$WORK/dst.db" ".import --csv $WORK/orders.csv orders"
  job "$WORK/c2s.json" "$(csv_reader "$WORK/orders.csv")" "{\"stepType\":\"sqlite\",\"category\":\"writer\",\"name\":\"Writer\",\"parameter\":{\"path\":\"$WORK/dst.db\",\"table\":\"orders\",\"column\":[\"*\"],\"writeMode\":\"insert\"}}" 1
  measure csv-sqlite "ferry, concurrent 1" "$rows" "$bytes" sqlite_empty -- "$FR" "$WORK/c2s.json"
}

run_paths() {  # rows
  make_pg_orders "$1"
  psql -X -c "\\copy orders TO '$WORK/orders.csv' CSV"
  local bytes
  bytes=$(stat -c %s "$WORK/orders.csv")
  echo "== $1 rows, $bytes bytes of CSV; $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)" >&2
  has pg && pg_paths "$1" "$bytes"
  has csv && csv_paths "$1" "$bytes"
  has mysql && { make_my_orders; mysql_paths "$1" "$bytes"; }
  has sqlite && sqlite_paths "$1" "$bytes"
  return 0
}

run_paths "$ROWS"
if [ "${FLAT:-0}" = 1 ]; then  # memory flatness: PG -> PG again at FLAT_ROWS, one run each
  make_pg_orders "$FLAT_ROWS"
  bytes=$(psql -X -At -c "SELECT pg_table_size('orders')")
  WARMUP=0 REPEATS=1 pg_pipes "$FLAT_ROWS" "$bytes"
  WARMUP=0 REPEATS=1 pg_ferry "$FLAT_ROWS" "$bytes"
fi
report
rm -rf "$WORK"/run-*
