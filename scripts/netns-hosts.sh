#!/usr/bin/env bash
# Test "hosts" for distributed runs on one machine (DESIGN 8): Linux network namespaces fh1..fhN
# with their own addresses (veth pairs on a bridge, 10.213.7.0/24, private to this machine) and
# host names, reached by mpirun through an rsh agent that runs `ip netns exec HOST ...`.
#
#   scripts/netns-hosts.sh run N [RATE] -- COMMAND...   create N hosts, run COMMAND, remove them
#   scripts/netns-hosts.sh up N [RATE]                  create them (STATE_DIR keeps the files)
#   scripts/netns-hosts.sh exec -- COMMAND...           run COMMAND as `run` does (hosts up)
#   scripts/netns-hosts.sh down                         remove them
#
# RATE (e.g. 16mbit) caps each host's link in both directions with tc tbf. COMMAND runs in a
# private mount namespace whose /etc/hosts names the hosts (the machine's /etc/hosts is never
# edited), with FERRY_MPIRUN_ARGS set for the namespace network and the agent. Needs root.
# FERRY_NETNS_UNSHARED=fh2:/some/dir makes that directory private and empty on fh2 (a host that
# does not share it).
set -euo pipefail

NET=10.213.7
BRIDGE=fbr0
STATE_DIR=${FERRY_NETNS_DIR:-/tmp/ferry-netns}
HERE=$(cd "$(dirname "$0")" && pwd)

hosts_up() {
  local n=$1 rate=${2:-}
  hosts_down
  mkdir -p "$STATE_DIR"
  ip link add "$BRIDGE" type bridge
  ip addr add "$NET.1/24" dev "$BRIDGE"
  ip link set "$BRIDGE" up
  {
    echo "127.0.0.1 localhost"
    echo "::1 localhost ip6-localhost ip6-loopback"
    echo "$NET.1 ferry-coordinator"
  } >"$STATE_DIR/hosts"
  for i in $(seq 1 "$n"); do
    local host=fh$i addr=$NET.$((10 + i))
    ip netns add "$host"
    ip link add "fv$i" type veth peer name eth0 netns "$host"
    ip link set "fv$i" master "$BRIDGE" up
    ip netns exec "$host" ip link set lo up
    ip netns exec "$host" ip addr add "$addr/24" dev eth0
    ip netns exec "$host" ip link set eth0 up
    ip netns exec "$host" ip route add default via "$NET.1"
    if [ -n "$rate" ]; then
      # Into the host (its reads) on the bridge side, out of it (its writes) inside.
      tc qdisc add dev "fv$i" root tbf rate "$rate" burst 32kb latency 20ms
      ip netns exec "$host" tc qdisc add dev eth0 root tbf rate "$rate" burst 32kb latency 20ms
    fi
    echo "$addr $host" >>"$STATE_DIR/hosts"
  done
  # Open MPI calls the agent as AGENT HOST orted ..., each word quoted for a remote shell: the
  # words are joined and run by sh -c inside the namespace, under the host's own name.
  cat >"$STATE_DIR/rsh-agent.sh" <<'EOF'
#!/bin/sh
# FERRY_NETNS_UNSHARED=HOST:DIR gives HOST a private, empty DIR: a host without the share.
host=$1
shift
exec ip netns exec "$host" unshare --uts --mount sh -c '
  hostname "$0" || exit 1
  case "${FERRY_NETNS_UNSHARED:-}" in
    "$0":*) mount -t tmpfs ferry-unshared "${FERRY_NETNS_UNSHARED#*:}" || exit 1 ;;
  esac
  exec sh -c "$*"' "$host" "$@"
EOF
  chmod +x "$STATE_DIR/rsh-agent.sh"
  echo "$n" >"$STATE_DIR/count"
}

hosts_down() {
  local i
  for ns in $(ip netns list 2>/dev/null | awk '{print $1}' | grep -E '^fh[0-9]+$' || true); do
    ip netns del "$ns" || true
  done
  for link in $(ip -o link show 2>/dev/null | awk -F': ' '{print $2}' | grep -E '^fv[0-9]+' |
                cut -d@ -f1 || true); do
    ip link del "$link" 2>/dev/null || true
  done
  ip link del "$BRIDGE" 2>/dev/null || true
  # Veth links outlive `ip netns del` briefly: wait until they are gone.
  for _ in $(seq 50); do
    ip -o link show 2>/dev/null | grep -qE ': fv[0-9]+' || break
    sleep 0.1
  done
  rm -rf "$STATE_DIR"
}

mpirun_args() {
  echo "--mca plm_rsh_agent $STATE_DIR/rsh-agent.sh" \
       "--mca oob_tcp_if_include $NET.0/24 --mca btl_tcp_if_include $NET.0/24" \
       "--mca btl self,vader,tcp"
}

# COMMAND in a private mount namespace whose /etc/hosts names the hosts.
exec_with_hosts() {
  export FERRY_MPIRUN_ARGS="$(mpirun_args) ${FERRY_MPIRUN_ARGS:-}"
  export FERRY_NETNS_HOSTS=$(seq -f 'fh%g' -s ' ' 1 "$(cat "$STATE_DIR/count")")
  unshare --mount --propagation private \
    sh -c 'mount --bind "$0" /etc/hosts && exec "$@"' "$STATE_DIR/hosts" "$@"
}

case "${1:-}" in
  up)
    hosts_up "${2:?N}" "${3:-}"
    echo "netns-hosts: $(cat "$STATE_DIR/count") hosts up; hosts file $STATE_DIR/hosts"
    echo "FERRY_MPIRUN_ARGS=\"$(mpirun_args)\""
    ;;
  down)
    hosts_down
    ;;
  run)
    n=${2:?N}
    shift 2
    rate=""
    if [ "${1:-}" != "--" ]; then rate=$1; shift; fi
    [ "${1:-}" = "--" ] && shift
    trap hosts_down EXIT
    hosts_up "$n" "$rate"
    exec_with_hosts "$@"
    ;;
  exec)
    shift
    [ "${1:-}" = "--" ] && shift
    [ -f "$STATE_DIR/count" ] || { echo "netns-hosts: no hosts up ($0 up N)" >&2; exit 1; }
    exec_with_hosts "$@"
    ;;
  *)
    sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'
    exit 2
    ;;
esac
