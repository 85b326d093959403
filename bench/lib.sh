# Shell functions shared by the benchmarks (sourced, not run): throwaway servers, timing with
# peak RSS and CPU, medians, and the final table with ratios.
#   bench_init                     WORK (absolute), FERRY, RESULTS file; `time` installed
#   start_pg / start_mariadb       throwaway servers under $WORK (stopped by stop_servers)
#   measure PATH TOOL ROWS BYTES RESET -- COMMAND...
#       runs RESET then COMMAND WARMUP + REPEATS times, keeps the median of the REPEATS runs:
#       wall seconds, peak RSS, client CPU (user+sys of COMMAND and its children) and, with
#       SERVER_PIDS set, the CPU the servers spent meanwhile (their process trees)
#   report                         the table: each Ferry row beside the fastest baseline of its
#                                  path and row count, ratio = baseline seconds / Ferry seconds
#   make_pg_orders ROWS            the 6-column `orders` table (and an empty orders_dst) in PG
#   pg_reader [EXTRA] / pg_writer TABLE [EXTRA]   job steps over the PG server of start_pg
# A tool whose name starts with "ferry" is Ferry; any other is a baseline.

WARMUP=${WARMUP:-1}
REPEATS=${REPEATS:-3}

bench_init() {
  cd "$(dirname "${BASH_SOURCE[0]}")/.."
  WORK=${BENCH_DIR:-bench/data}
  mkdir -p "$WORK"
  WORK=$(cd "$WORK" && pwd)
  FERRY=$PWD/build/ferry
  RESULTS=$WORK/results.tsv
  : >"$RESULTS"
  command -v /usr/bin/time >/dev/null || apt-get install -y -qq time >/dev/null
  [ -x "$FERRY" ] || bash scripts/build.sh
  SERVER_PIDS=""
}

json_field() { python3 -c "import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])" "$1" "$2"; }

start_pg() {
  bash scripts/pg-test-server.sh start "$WORK/pg" >/dev/null
  local c=$WORK/pg/conn.json
  export PGHOST=$(json_field "$c" host) PGPORT=$(json_field "$c" port)
  export PGUSER=$(json_field "$c" user) PGPASSWORD=$(json_field "$c" password)
  export PGDATABASE=$(json_field "$c" database) PGOPTIONS="-c client_min_messages=warning"
  PG_SUPERUSER=$(json_field "$c" superuser) PG_SUPERPASS=$(json_field "$c" superuser_password)
  SERVER_PIDS="$SERVER_PIDS $(head -1 "$WORK/pg/data/postmaster.pid")"
}
psql_q() { psql -X -q -v ON_ERROR_STOP=1 "$@"; }
pg_checkpoint() { PGUSER=$PG_SUPERUSER PGPASSWORD=$PG_SUPERPASS psql_q -c "CHECKPOINT"; }

start_mariadb() {
  export MARIADB_BUFFER_POOL=${MARIADB_BUFFER_POOL:-2G}
  bash scripts/mariadb-test-server.sh start "$WORK/mariadb" >/dev/null
  local c=$WORK/mariadb/conn.json
  MY_PORT=$(json_field "$c" port) MY_USER=$(json_field "$c" user)
  MY_PASS=$(json_field "$c" password) MY_SOCK=$(json_field "$c" socket)
  SERVER_PIDS="$SERVER_PIDS $(cat "$WORK/mariadb/mariadb.pid")"
}
my_sql() { mariadb --no-defaults --socket="$MY_SOCK" -uroot "$@"; }

stop_servers() {
  [ -d "$WORK/pg" ] && bash scripts/pg-test-server.sh stop "$WORK/pg" >/dev/null 2>&1
  [ -d "$WORK/mariadb" ] && bash scripts/mariadb-test-server.sh stop "$WORK/mariadb" >/dev/null 2>&1
  return 0
}

# CPU ticks (1/100 s) of a process and its descendants, living and reaped.
tree_ticks() {
  local pid=$1 total=0 kid
  [ -r "/proc/$pid/stat" ] || { echo 0; return; }
  total=$(awk '{ sub(/^.*\) /, ""); print $12 + $13 + $14 + $15 }' "/proc/$pid/stat")
  for kid in $(pgrep -P "$pid"); do
    total=$((total + $(tree_ticks "$kid")))
  done
  echo "$total"
}
servers_ticks() {
  local t=0 p
  for p in $SERVER_PIDS; do t=$((t + $(tree_ticks "$p"))); done
  echo "$t"
}

median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

# measure PATH TOOL ROWS BYTES RESET -- COMMAND...
measure() {
  local path=$1 tool=$2 rows=$3 bytes=$4 reset=$5; shift 6
  local runs=$((WARMUP + REPEATS)) i secs=() rss=() cpu=() srv=()
  for ((i = 1; i <= runs; i++)); do
    $reset
    local before after
    before=$(servers_ticks)
    /usr/bin/time -f "%e %M %U %S" -o "$WORK/time.log" "$@" >/dev/null 2>"$WORK/last.err" || {
      echo "FAILED: $tool: $*" >&2; tail -5 "$WORK/last.err" >&2; return 1; }
    sleep 0.2  # the servers reap their backends
    after=$(servers_ticks)
    ((i <= WARMUP)) && continue
    read -r s m u y <"$WORK/time.log"
    secs+=("$s"); rss+=("$m"); cpu+=("$(awk -v u="$u" -v y="$y" 'BEGIN { print u + y }')")
    srv+=("$(awk -v a="$after" -v b="$before" 'BEGIN { print (a - b) / 100 }')")
  done
  local ms mr mc mv
  ms=$(printf '%s\n' "${secs[@]}" | median); mr=$(printf '%s\n' "${rss[@]}" | median)
  mc=$(printf '%s\n' "${cpu[@]}" | median); mv=$(printf '%s\n' "${srv[@]}" | median)
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$path" "$tool" "$rows" "$bytes" "$ms" "$mr" "$mc" "$mv" \
    >>"$RESULTS"
  printf '  %-14s %-40s %9s rows %7.2f s  client CPU %5.2f s  servers CPU %5.2f s  RSS %6.1f MiB\n' \
    "$path" "$tool" "$rows" "$ms" "$mc" "$mv" "$(awk -v m="$mr" 'BEGIN { print m / 1024 }')" >&2
}

report() {
  awk -F'\t' '
    { n++; P[n] = $1; T[n] = $2; R[n] = $3; B[n] = $4; S[n] = ($5 > 0 ? $5 : 0.001); M[n] = $6
      C[n] = $7; V[n] = $8; k = $1 SUBSEP $3
      if ($2 !~ /^ferry/ && (!(k in best) || S[n] < best[k])) { best[k] = S[n]; bname[k] = $2 } }
    END {
      printf "%-14s %-40s %9s %8s %11s %7s %7s %8s %8s %7s  %s\n", "PATH", "TOOL", "ROWS", "SECONDS",
        "ROWS/S", "MB/S", "RSS_MB", "CPU_CLI", "CPU_SRV", "RATIO", "(ratio: fastest baseline s / this s)"
      for (i = 1; i <= n; i++) {
        k = P[i] SUBSEP R[i]; ratio = "-"
        if (T[i] ~ /^ferry/ && (k in best)) ratio = sprintf("%.2fx", best[k] / S[i])
        printf "%-14s %-40s %9d %8.2f %11.0f %7.1f %7.1f %8.2f %8.2f %7s  %s\n", P[i], T[i], R[i], S[i],
          R[i] / S[i], B[i] / S[i] / 1048576, M[i] / 1024, C[i], V[i], ratio,
          (T[i] ~ /^ferry/ && (k in best)) ? "vs " bname[k] : ""
      }
    }' "$RESULTS"
}

# job FILE READER_STEP WRITER_STEP CONCURRENT: a version 2.0 job of the two steps.
job() {
  cat >"$1" <<JSON
{"type":"job","version":"2.0","steps":[$2,$3],
 "setting":{"speed":{"concurrent":$4}},"order":{"hops":[{"from":"Reader","to":"Writer"}]}}
JSON
}
# ferry_run JOB: a command (for measure) that runs JOB in a fresh run directory.
ferry_run() {
  cat >"$WORK/ferry_run.sh" <<SH
#!/usr/bin/env bash
exec "$FERRY" run "\$1" --progress-interval 0 --run-dir "$WORK/run-\$RANDOM\$RANDOM"
SH
  chmod +x "$WORK/ferry_run.sh"
  echo "$WORK/ferry_run.sh"
}

# The `orders` table of the benchmarks: a bigint key, int, varchar, numeric(12,2), timestamp(6)
# and text with NULLs, commas, quotes and non-ASCII text.
PG_DDL="(id bigint PRIMARY KEY, customer_id int, status varchar(32), amount numeric(12,2),
  created_at timestamp(6), note text)"
make_pg_orders() {  # rows
  psql_q <<SQL
DROP TABLE IF EXISTS orders, orders_dst;
CREATE TABLE orders $PG_DDL;
INSERT INTO orders
SELECT g, (g::bigint * 7919) % 100000, (ARRAY['new', 'paid', 'shipped', 'cancelled', 'refunded'])[g % 5 + 1],
  ((g::bigint * 37) % 10000000) / 100.0,
  timestamp '2025-01-01' + (g % 31536000) * interval '1 second' + (g % 1000000) * interval '1 microsecond',
  CASE WHEN g % 7 = 0 THEN NULL
       ELSE 'order ' || g || ': handle with care, ring "twice" — Straße, 東京 ' || md5(g::text) END
FROM generate_series(1, $1) g;
CREATE TABLE orders_dst $PG_DDL;
VACUUM ANALYZE orders;
SQL
}
pg_conn() { echo "\"connection\":{\"host\":\"$PGHOST\",\"port\":$PGPORT,\"database\":\"$PGDATABASE\",\"user\":\"$PGUSER\",\"passwordEnv\":\"PGPASSWORD\"}"; }
pg_reader() { echo "{\"stepType\":\"postgresql\",\"category\":\"reader\",\"name\":\"Reader\",\"parameter\":{$(pg_conn),\"table\":\"orders\",\"column\":[\"*\"]${1:-}}}"; }
pg_writer() { echo "{\"stepType\":\"postgresql\",\"category\":\"writer\",\"name\":\"Writer\",\"parameter\":{$(pg_conn),\"table\":\"$1\",\"column\":[\"*\"],\"writeMode\":\"copy\"${2:-}}}"; }
