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
status=0
for server in pg mariadb; do
  script="$here/$server-test-server.sh"
  [ -f "$script" ] || continue
  bash "$script" "$action" "$dir/$server" || status=$?
done
exit $status
