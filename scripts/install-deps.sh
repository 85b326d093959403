#!/usr/bin/env bash
# Installs what Ferry needs to build and test, from Debian 12 packages only.
set -euo pipefail

PACKAGES=(
  build-essential cmake ninja-build ccache pkg-config git
  nlohmann-json3-dev libcli11-dev libfmt-dev
  libsqlite3-dev sqlite3 zlib1g-dev libzstd-dev zstd gzip libssl-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  # scripts/lint.sh: the format check and clang-tidy (version 14 in Debian 12)
  clang-format clang-tidy
  # PostgreSQL plugin + its throwaway test server
  libpq-dev postgresql-15 postgresql-client-15
  # MySQL/MariaDB plugin + its throwaway test server, and the baselines of bench/
  libmariadb-dev mariadb-server mariadb-client pgloader
  # scheduler: time zones, schedule files, HTTP API; web page tests in headless Chromium
  libhowardhinnant-date-dev libyaml-cpp-dev libcpp-httplib-dev
  chromium chromium-driver python3-selenium
  # distributed runs (executeMode distribute): Open MPI's mpirun and C API; the namespace
  # hosts of the tests use iproute2 (ip netns, veth, tc)
  openmpi-bin libopenmpi-dev iproute2
  # distributed runs inside Slurm: a one-node test cluster (scripts/slurm-test-cluster.sh)
  slurmctld slurmd slurm-client
  # helpers the scripts use to run servers as an unprivileged user
  util-linux procps
  # README API calls are checked with curl (tests/web/readme_api.py)
  curl
)
# The page of `ferry server` is bundled at build time from web/ (npm ci from the lockfile, then
# esbuild): Debian's nodejs and npm, unless a node and npm are already on the PATH.
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  PACKAGES+=(nodejs npm)
fi

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#PACKAGES[@]} packages present"
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
