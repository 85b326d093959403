#!/usr/bin/env bash
# A throwaway one-node Slurm cluster (slurmctld + slurmd, Debian's slurm-wlm) for the tests of
# distributed runs inside Slurm (`srun --mpi=pmix ferry run JOB`, `salloc ... ferry run JOB`):
#   scripts/slurm-test-cluster.sh start|stop|status DIR
# start: writes DIR/slurm.conf (this host as node NAME=`hostname -s` with SLURM_TEST_CPUS CPUs,
#        default 4, more than the machine has: ranks mostly wait on each other; free loopback
#        ports; auth/none, so no munge daemon; state, spool and logs under DIR) and starts both
#        daemons, waiting until the node is idle. Use it with SLURM_CONF=DIR/slurm.conf.
#        Starting a running cluster is a no-op.
# stop:  stops both daemons by their pid files (DIR/*.pid). Stopping a stopped one is ok.
# The daemons run as the calling user (root in CI): auth/none trusts every local user, so this
# is for a test machine only, never a shared one.
set -euo pipefail
action=${1:?usage: slurm-test-cluster.sh start|stop|status DIR}
dir=${2:?usage: slurm-test-cluster.sh start|stop|status DIR}
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
conf="$dir/slurm.conf"
export SLURM_CONF="$conf"

for bin in slurmctld slurmd sinfo; do
  command -v "$bin" >/dev/null || {
    echo "slurm-test-cluster: $bin not found (apt-get install slurmctld slurmd slurm-client)" >&2
    exit 1
  }
done

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

free_port() {
  local p
  for _ in $(seq 1 200); do
    p=$((20000 + RANDOM % 40000))
    port_in_use "$p" || { echo "$p"; return 0; }
  done
  echo "slurm-test-cluster: no free port found" >&2
  return 1
}

alive() { [ -f "$dir/$1.pid" ] && kill -0 "$(cat "$dir/$1.pid")" 2>/dev/null; }

write_conf() {
  local node user ctld_port slurmd_port
  node=$(hostname -s)
  user=$(id -un)
  ctld_port=$(free_port)
  slurmd_port=$(free_port)
  mkdir -p "$dir/state" "$dir/spool" "$dir/log"
  cat >"$conf" <<CONF
# throwaway test cluster (scripts/slurm-test-cluster.sh)
ClusterName=ferrytest
SlurmctldHost=$node(127.0.0.1)
SlurmUser=$user
SlurmdUser=$user
SlurmctldPort=$ctld_port
SlurmdPort=$slurmd_port
AuthType=auth/none
CredType=cred/none
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.pid
SlurmctldLogFile=$dir/log/slurmctld.log
SlurmdLogFile=$dir/log/slurmd.log
ProctrackType=proctrack/pgid
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
SchedulerType=sched/builtin
SlurmdParameters=config_overrides
MpiDefault=none
ReturnToService=2
JobCompType=jobcomp/none
AccountingStorageType=accounting_storage/none
NodeName=$node NodeAddr=127.0.0.1 CPUs=${SLURM_TEST_CPUS:-4} State=UNKNOWN
PartitionName=test Nodes=$node Default=YES MaxTime=INFINITE State=UP OverSubscribe=YES
CONF
}

start() {
  if alive slurmctld && alive slurmd; then
    echo "slurm-test-cluster: running ($conf)"
    return 0
  fi
  stop >/dev/null
  rm -rf "$dir/state" "$dir/spool"
  write_conf
  slurmctld -c
  slurmd -c
  for _ in $(seq 1 100); do
    if sinfo -h -o %t 2>/dev/null | grep -qx idle; then
      echo "slurm-test-cluster: up ($conf)"
      return 0
    fi
    sleep 0.1
  done
  echo "slurm-test-cluster: the node did not become idle; logs in $dir/log:" >&2
  tail -n 20 "$dir"/log/*.log >&2 || true
  stop >/dev/null
  return 1
}

stop() {
  local name pid
  for name in slurmd slurmctld; do
    [ -f "$dir/$name.pid" ] || continue
    pid=$(cat "$dir/$name.pid")
    if kill "$pid" 2>/dev/null; then
      for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      kill -9 "$pid" 2>/dev/null || true
    fi
    rm -f "$dir/$name.pid"
  done
  echo "slurm-test-cluster: stopped"
}

case "$action" in
  start) start ;;
  stop) stop ;;
  status)
    if alive slurmctld && alive slurmd; then sinfo; else echo "slurm-test-cluster: not running"; exit 1; fi
    ;;
  *) echo "usage: slurm-test-cluster.sh start|stop|status DIR" >&2; exit 2 ;;
esac
