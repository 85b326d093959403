#!/usr/bin/env bash
# A throwaway MariaDB server for the tests and benchmarks, on 127.0.0.1 with its own data dir,
# socket and pid file under DIR (never the system service):
#   scripts/mariadb-test-server.sh start|stop|status DIR
# start is idempotent (a running server is kept) and writes DIR/conn.json:
#   {"host", "port", "user", "password", "database", "socket", "root_user", "root_password"}
# "user" is a password user with every privilege (RELOAD included, for consistentSnapshot);
# "root_user" connects over "socket" without a password (unix_socket auth is not used: the root
# account has no password and is reachable only through the socket file under DIR).
# MARIADB_BUFFER_POOL (default 256M) sizes the InnoDB buffer pool; the benchmarks give it room
# for their tables the way a production server would have.
set -euo pipefail
action=${1:?usage: mariadb-test-server.sh start|stop|status DIR}
dir=${2:?usage: mariadb-test-server.sh start|stop|status DIR}
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
pidfile="$dir/mariadb.pid"
socket="$dir/mariadb.sock"
data="$dir/data"
user_password="ferry-test-pw"

running() {
  [ -f "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null
}

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# mariadbd starts as root only when told to; as a normal user it runs as that user.
run_as=()
if [ "$(id -u)" -eq 0 ]; then run_as=(--user=root); fi

root_sql() {
  mariadb --no-defaults --socket="$socket" -uroot "$@"
}

start() {
  if running; then
    echo "mariadb-test-server: already running (pid $(cat "$pidfile"), $dir)"
    return 0
  fi
  if [ ! -d "$data/mysql" ]; then
    rm -rf "$data"
    mariadb-install-db --no-defaults --datadir="$data" "${run_as[@]}" \
      --auth-root-authentication-method=normal --skip-test-db >"$dir/install.log" 2>&1 ||
      { cat "$dir/install.log" >&2; exit 1; }
  fi
  local port
  port=$(free_port)
  mariadbd --no-defaults "${run_as[@]}" --datadir="$data" --socket="$socket" --port="$port" \
    --bind-address=127.0.0.1 --pid-file="$pidfile" --log-error="$dir/error.log" \
    --innodb-buffer-pool-size="${MARIADB_BUFFER_POOL:-256M}" --innodb-log-file-size=256M \
    --innodb-flush-log-at-trx-commit=2 --max-allowed-packet=64M --local-infile=1 \
    --max-connections=300 --skip-name-resolve --character-set-server=utf8mb4 \
    --collation-server=utf8mb4_bin >/dev/null 2>&1 &
  for _ in $(seq 1 300); do
    if [ -S "$socket" ] && root_sql -e "SELECT 1" >/dev/null 2>&1; then break; fi
    sleep 0.1
  done
  if ! root_sql -e "SELECT 1" >/dev/null 2>&1; then
    echo "mariadb-test-server: server did not start; see $dir/error.log" >&2
    tail -20 "$dir/error.log" >&2 || true
    exit 1
  fi
  root_sql <<SQL
CREATE USER IF NOT EXISTS 'ferry'@'127.0.0.1' IDENTIFIED BY '$user_password';
CREATE USER IF NOT EXISTS 'ferry'@'localhost' IDENTIFIED BY '$user_password';
GRANT ALL PRIVILEGES ON *.* TO 'ferry'@'127.0.0.1' WITH GRANT OPTION;
GRANT ALL PRIVILEGES ON *.* TO 'ferry'@'localhost' WITH GRANT OPTION;
CREATE DATABASE IF NOT EXISTS ferry_test;
SQL
  cat >"$dir/conn.json" <<JSON
{"host": "127.0.0.1", "port": $port, "user": "ferry", "password": "$user_password",
 "database": "ferry_test", "socket": "$socket", "root_user": "root", "root_password": ""}
JSON
  echo "mariadb-test-server: running on 127.0.0.1:$port (pid $(cat "$pidfile"), $dir)"
}

stop() {
  if ! running; then
    rm -f "$pidfile"
    echo "mariadb-test-server: not running ($dir)"
    return 0
  fi
  local pid
  pid=$(cat "$pidfile")
  kill "$pid"
  for _ in $(seq 1 600); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  if kill -0 "$pid" 2>/dev/null; then
    kill -9 "$pid"
  fi
  rm -f "$pidfile" "$dir/conn.json"
  echo "mariadb-test-server: stopped ($dir)"
}

case "$action" in
  start) start ;;
  stop) stop ;;
  status)
    if running; then echo "running (pid $(cat "$pidfile"))"; else echo "stopped"; exit 3; fi ;;
  *) echo "usage: mariadb-test-server.sh start|stop|status DIR" >&2; exit 2 ;;
esac
