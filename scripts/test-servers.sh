#!/usr/bin/env bash
# Starts or stops every throwaway database server the tests use, each on loopback under DIR:
#   scripts/test-servers.sh start|stop|status DIR
# Each server has its own script (scripts/<name>-test-server.sh start|stop|status DIR/<name>),
# which writes DIR/<name>/conn.json for the tests and stops its server by pid file.
set -euo pipefail
action=${1:?usage: test-servers.sh start|stop|status DIR}
dir=${2:?usage: test-servers.sh start|stop|status DIR}
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$dir"
dir=$(cd "$dir" && pwd -P)

# The servers run as unprivileged OS users (PostgreSQL refuses root). When root's checkout is
# not reachable by them (a clone under /root, mode 0700), their files live under /tmp instead and
# DIR/<name> links there, so the tests still find DIR/<name>/conn.json.
base="$dir"
if [ "$(id -u)" -eq 0 ] && ! runuser -u nobody -- test -x "$dir" 2>/dev/null; then
  base="/tmp/ferry-test-servers-$(printf %s "$dir" | md5sum | cut -c1-12)"
  mkdir -p "$base"
  chmod 755 "$base"
fi

status=0
for server in pg mariadb; do
  script="$here/$server-test-server.sh"
  [ -f "$script" ] || continue
  if [ "$base" != "$dir" ]; then
    mkdir -p "$base/$server"
    ln -sfn "$base/$server" "$dir/$server"
  fi
  bash "$script" "$action" "$base/$server" || status=$?
done
exit $status
