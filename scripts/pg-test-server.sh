#!/usr/bin/env bash
# A throwaway PostgreSQL 15 cluster for the tests, on 127.0.0.1 at a free port:
#   scripts/pg-test-server.sh start|stop|status DIR
# start: initdb into DIR/data (once), start the server (fsync off), create the test role and
#        database, write DIR/conn.json = {"host","port","user","password","database",
#        "superuser","superuser_password"}. Starting a running server is a no-op.
#        synchronous_standby_names names a standby that never connects ('ferry_ghost'), while
#        synchronous_commit stays off: only a session that turns synchronous_commit on waits
#        for it, holding a locally committed COMMIT open (tests of a COMMIT whose reply is lost).
# stop:  stops the server by its pid file (DIR/data/postmaster.pid). Stopping a stopped one is ok.
# PG_LISTEN (default 127.0.0.1) and PG_ALLOW (a CIDR whose clients may log in with a password)
# let the distributed benchmark serve namespace hosts on a private bridge (scripts/netns-hosts.sh).
# PostgreSQL refuses to run as root: as root the server runs as the `postgres` OS user (created,
# as a system user, when missing); as anyone else it runs as that user.
set -euo pipefail
action=${1:?usage: pg-test-server.sh start|stop|status DIR}
dir=${2:?usage: pg-test-server.sh start|stop|status DIR}
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
data="$dir/data"
log="$dir/server.log"

PG_BIN=${PG_BIN:-}
if [ -z "$PG_BIN" ]; then
  for d in /usr/lib/postgresql/15/bin /usr/lib/postgresql/*/bin; do
    [ -x "$d/pg_ctl" ] && { PG_BIN=$d; break; }
  done
fi
[ -n "$PG_BIN" ] && [ -x "$PG_BIN/pg_ctl" ] || {
  echo "pg-test-server: PostgreSQL server binaries not found (apt-get install postgresql-15)" >&2
  exit 1
}

USER_PASSWORD=ferry-test-secret
SUPER_PASSWORD=ferry-super-secret

# Runs a command as the server's OS user.
as_server() {
  if [ "$(id -u)" -eq 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

ensure_os_user() {
  [ "$(id -u)" -eq 0 ] || return 0
  id postgres >/dev/null 2>&1 || useradd --system --home-dir /var/lib/postgresql --shell /bin/sh postgres
  chown -R postgres "$dir"
}

running() {
  [ -f "$data/postmaster.pid" ] && as_server "$PG_BIN/pg_ctl" -D "$data" status >/dev/null 2>&1
}

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

free_port() {
  local p
  for _ in $(seq 1 200); do
    p=$((20000 + RANDOM % 40000))
    port_in_use "$p" || { echo "$p"; return 0; }
  done
  echo "pg-test-server: no free port found" >&2
  return 1
}

init_cluster() {
  [ -f "$data/PG_VERSION" ] && return 0
  local pwfile="$dir/.superpw"
  printf '%s\n' "$SUPER_PASSWORD" >"$pwfile"
  chmod 600 "$pwfile"
  [ "$(id -u)" -eq 0 ] && chown postgres "$pwfile"
  as_server "$PG_BIN/initdb" -D "$data" -U postgres --pwfile="$pwfile" -E UTF8 --locale=C.UTF-8 \
    --auth-local=trust --auth-host=scram-sha-256 >"$dir/initdb.log" 2>&1 || {
    cat "$dir/initdb.log" >&2; return 1; }
  rm -f "$pwfile"
  cat >>"$data/postgresql.conf" <<EOF
# throwaway test server (scripts/pg-test-server.sh)
listen_addresses = '${PG_LISTEN:-127.0.0.1}'
unix_socket_directories = '$dir'
fsync = off
synchronous_commit = off
full_page_writes = off
max_connections = 200
shared_buffers = 128MB
max_wal_size = 2GB
log_min_messages = warning
EOF
  if [ -n "${PG_ALLOW:-}" ]; then
    echo "host all all $PG_ALLOW scram-sha-256" >>"$data/pg_hba.conf"
  fi
}

start_server() {
  local port tries
  for tries in 1 2 3 4 5; do
    port=$(free_port)
    if as_server "$PG_BIN/pg_ctl" -D "$data" -l "$log" -w -t 60 -o "-p $port" start >/dev/null; then
      echo "$port" >"$dir/port"
      return 0
    fi
    echo "pg-test-server: start on port $port failed (try $tries); see $log" >&2
  done
  return 1
}

psql_super() {
  as_server psql -X -q -v ON_ERROR_STOP=1 -h "$dir" -p "$(cat "$dir/port")" -U postgres -d postgres "$@"
}

# Also for clusters made before the setting existed.
configure() {
  psql_super <<SQL
ALTER SYSTEM SET synchronous_standby_names = 'ferry_ghost';
SELECT pg_reload_conf() \gset
SQL
}

create_role_and_db() {
  psql_super <<SQL
DO \$\$ BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'ferry') THEN
    CREATE ROLE ferry LOGIN CREATEDB PASSWORD '$USER_PASSWORD';
  END IF;
END \$\$;
SELECT 'CREATE DATABASE ferry OWNER ferry' WHERE NOT EXISTS
  (SELECT FROM pg_database WHERE datname = 'ferry') \gexec
SQL
}

write_conn() {
  local port
  port=$(cat "$dir/port")
  cat >"$dir/conn.json.tmp" <<EOF
{"host": "127.0.0.1", "port": $port, "user": "ferry", "password": "$USER_PASSWORD",
 "database": "ferry", "superuser": "postgres", "superuser_password": "$SUPER_PASSWORD",
 "socket_dir": "$dir"}
EOF
  chmod 644 "$dir/conn.json.tmp"
  mv "$dir/conn.json.tmp" "$dir/conn.json"
}

case "$action" in
  start)
    ensure_os_user
    if running && [ -f "$dir/conn.json" ]; then
      echo "pg-test-server: already running on port $(cat "$dir/port")"
      exit 0
    fi
    init_cluster
    running || start_server
    configure
    create_role_and_db
    write_conn
    echo "pg-test-server: PostgreSQL $("$PG_BIN/postgres" --version | awk '{print $3}') on 127.0.0.1:$(cat "$dir/port"), $dir/conn.json"
    ;;
  stop)
    if [ -f "$data/postmaster.pid" ]; then
      as_server "$PG_BIN/pg_ctl" -D "$data" -m fast -w -t 60 stop >/dev/null 2>&1 || {
        pid=$(head -1 "$data/postmaster.pid" 2>/dev/null || true)
        [ -n "$pid" ] && kill -TERM "$pid" 2>/dev/null || true
      }
    fi
    rm -f "$dir/conn.json"
    echo "pg-test-server: stopped"
    ;;
  status)
    if running; then echo "pg-test-server: running on port $(cat "$dir/port")"; else
      echo "pg-test-server: not running"; exit 3; fi
    ;;
  *)
    echo "usage: pg-test-server.sh start|stop|status DIR" >&2
    exit 2
    ;;
esac
