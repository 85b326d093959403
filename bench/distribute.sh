#!/usr/bin/env bash
# Distributed scaling (DESIGN 8): one PostgreSQL -> CSV job on 1, 2 and 3 hosts. Each host is a
# network namespace (scripts/netns-hosts.sh) whose link is capped both ways with tc tbf (RATE),
# so that the link, not the 2 CPUs or the server, is the bottleneck, as it is for hosts that pull
# a table over a network. The server listens on the namespaces' bridge; the CSV parts go to a
# directory every host shares. Beside Ferry: the same number of plain `psql \copy` pipes, one
# per host, each a share of the table (the baseline's scaling is the network's).
#
#   bash bench/distribute.sh                 # ROWS=150000 (about 200 bytes each) RATE=16mbit
#   ROWS=60000 RATE=8mbit bash bench/distribute.sh
#
# Prints rows/s per host count, the speedup over one host (the goal: at least 0.8 x N), and
# what coordinating cost: rank 0's messages and bytes per split. Needs root (namespaces, tc).
set -euo pipefail
cd "$(dirname "$0")/.."
ROWS=${ROWS:-150000}
RATE=${RATE:-16mbit}
CONCURRENT=${CONCURRENT:-12}
FERRY=$PWD/build/ferry
[ -x "$FERRY" ] || bash scripts/build.sh
WORK=$(mktemp -d /tmp/ferry-bench-dist-XXXXXX)
chmod 755 "$WORK"
export FERRY_NETNS_DIR=$WORK/netns
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1

# One set of namespace hosts on the machine at a time (the tests take the same lock).
exec 9>/tmp/ferry-netns-hosts.lock
flock 9

cleanup() {
  bash scripts/pg-test-server.sh stop "$WORK/pg" >/dev/null 2>&1 || true
  bash scripts/netns-hosts.sh down >/dev/null 2>&1 || true
  [ -n "${KEEP:-}" ] && { echo "kept $WORK"; return; }
  rm -rf "$WORK"
}
trap cleanup EXIT

bash scripts/netns-hosts.sh up 3 "$RATE" >/dev/null
PG_LISTEN="127.0.0.1,10.213.7.1" PG_ALLOW=10.213.7.0/24 \
  bash scripts/pg-test-server.sh start "$WORK/pg" >/dev/null
PORT=$(cat "$WORK/pg/port")
export BENCH_PG_PW=ferry-test-secret PGPASSWORD=ferry-test-secret
export FERRY_FORWARD_ENV=BENCH_PG_PW
psql_local() { psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$PORT" -U ferry -d ferry "$@"; }

psql_local <<SQL
DROP TABLE IF EXISTS orders;
CREATE TABLE orders (id bigint PRIMARY KEY, customer_id int, sku text, amount numeric(12,2),
  created_at timestamp, note text);
INSERT INTO orders
SELECT i, (i * 7919) % 100000, 'SKU-' || (i % 5000), ((i * 37) % 100000) / 100.0,
       timestamp '2025-01-01' + (i % 86400) * interval '1 second',
       repeat(md5(i::text), 4)
FROM generate_series(1, $ROWS) i;
ANALYZE orders;
SQL
BYTES=$(psql_local -At -c "SELECT sum(octet_length(t::text)) FROM orders t")

cat >"$WORK/job.json" <<EOF
{"type": "job", "version": "2.0",
 "steps": [
  {"stepType": "postgresql", "category": "reader", "name": "Reader",
   "parameter": {"connection": {"host": "10.213.7.1", "port": $PORT, "database": "ferry",
                                "user": "ferry", "passwordEnv": "BENCH_PG_PW"},
                 "table": "orders", "column": ["*"], "splitPk": "id"}},
  {"stepType": "txtfile", "category": "writer", "name": "Writer",
   "parameter": {"path": "$WORK/out", "fileName": "orders", "writeMode": "truncate"}}],
 "setting": {"executeMode": "distribute", "speed": {"concurrent": $CONCURRENT}},
 "order": {"hops": [{"from": "Reader", "to": "Writer"}]}}
EOF

hosts_for() {  # n -> fh1:s,fh2:s,... with CONCURRENT/n slots each
  local n=$1 out="" k
  for k in $(seq 1 "$n"); do out+="${out:+,}fh$k:$((CONCURRENT / n))"; done
  echo "$out"
}

printf "%-8s %-7s %9s %9s %11s %7s %8s %12s %14s\n" TOOL HOSTS ROWS SECONDS ROWS/S MB/S SPEEDUP \
  MSGS/SPLIT BYTES/SPLIT
declare -A ferry_rate psql_rate
for n in 1 2 3; do
  rm -rf "$WORK/out" "$WORK/run$n"
  t0=$(date +%s.%N)
  bash scripts/netns-hosts.sh exec -- "$FERRY" run "$WORK/job.json" --hosts "$(hosts_for "$n")" \
    --run-dir "$WORK/run$n" --summary-json "$WORK/s$n.json" --progress-interval 0 \
    >"$WORK/ferry$n.log" 2>&1 || { cat "$WORK/ferry$n.log" >&2; exit 1; }
  t1=$(date +%s.%N)
  read -r rows secs msgs bytes < <(python3 - "$WORK/s$n.json" "$t0" "$t1" <<'EOF'
import json, sys
s = json.load(open(sys.argv[1]))
c = s["coordination"]
print(s["records_written"], float(sys.argv[3]) - float(sys.argv[2]), c["messages_per_split"],
      c["bytes_per_split"])
EOF
)
  [ "$rows" -eq "$ROWS" ] || { echo "ferry wrote $rows of $ROWS rows" >&2; exit 1; }
  ferry_rate[$n]=$(awk -v r="$rows" -v s="$secs" 'BEGIN { print r / s }')
  awk -v n="$n" -v r="$rows" -v s="$secs" -v b="$BYTES" -v one="${ferry_rate[1]}" -v m="$msgs" \
      -v mb="$bytes" 'BEGIN { printf "%-8s %-7d %9d %9.2f %11.0f %7.2f %7.2fx %12s %14s\n",
        "ferry", n, r, s, r / s, b / s / 1048576, (r / s) / one, m, mb }'

  # Baseline: n plain COPY pipes at once, host k pulling every n-th key.
  t0=$(date +%s.%N)
  for k in $(seq 1 "$n"); do
    ip netns exec "fh$k" psql -X -q -h 10.213.7.1 -p "$PORT" -U ferry -d ferry \
      -c "\\copy (SELECT * FROM orders WHERE id % $n = $((k - 1))) TO '$WORK/psql$k.csv' CSV" &
  done
  wait
  t1=$(date +%s.%N)
  secs=$(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')
  psql_rate[$n]=$(awk -v r="$ROWS" -v s="$secs" 'BEGIN { print r / s }')
  awk -v n="$n" -v r="$ROWS" -v s="$secs" -v b="$BYTES" -v one="${psql_rate[1]}" \
      'BEGIN { printf "%-8s %-7d %9d %9.2f %11.0f %7.2f %7.2fx %12s %14s\n",
        "psql", n, r, s, r / s, b / s / 1048576, (r / s) / one, "-", "-" }'
  rm -f "$WORK"/psql*.csv
done
echo "(seconds: the whole command, mpirun's start included; links capped at $RATE each way;"
echo " $CONCURRENT channels spread over the hosts; the goal is a speedup of at least 0.8 x hosts)"
