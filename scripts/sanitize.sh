#!/usr/bin/env bash
# Builds Ferry with AddressSanitizer + UndefinedBehaviorSanitizer into build-asan/ and with
# ThreadSanitizer into build-tsan/ (-O1, ccache, only the targets ferry and ferry_sanitizer_tests),
# then runs the engine, fault-injection, resume, commit-marker and plugin contract tests of each
# against throwaway servers. The tests spawn build-*/ferry, sanitized too. Any sanitizer report,
# from the test binary or from a ferry it started, fails the run and is printed.
#   scripts/sanitize.sh             both
#   scripts/sanitize.sh asan|tsan   one
#   SANITIZE_FILTER='Resume.*' scripts/sanitize.sh asan    other tests (a --gtest_filter)
set -uo pipefail
cd "$(dirname "$0")/.."
root=$PWD

# The tests of ferry_sanitizer_tests (CMakeLists.txt): the engine (channels, queue, throttle, error
# limit, dirty log, runner, distributed runner), fault injection against the real servers and
# files, kills and resumes, commit markers, and the contract of every plugin: all of them unless
# SANITIZE_FILTER says which.
FILTER=${SANITIZE_FILTER:-*}

# Configures and builds DIR with -fsanitize=WHAT: assertions on, -O1 -g1 (fast to build, stacks
# still name the line), warnings not fatal (the normal build checks them).
build() {
  local dir=$1 what=$2
  cmake -S . -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_FLAGS_DEBUG="-O1 -g1" \
        -DFERRY_SANITIZE="$what" -DFERRY_BUILD_TESTS=ON >/dev/null &&
    cmake --build "$dir" -j "$(nproc)" --target ferry ferry_sanitizer_tests
}

# ":suppressions=FILE" when scripts/sanitizers/NAME.supp exists (third-party reports only).
suppressions() {
  local file=$root/scripts/sanitizers/$1.supp
  if [ -f "$file" ]; then echo ":suppressions=$file"; fi
}

# Runs the tests of DIR with the sanitizer options in the environment; every report goes to
# DIR/sanitizer-logs/ (log_path), so none is lost in a spawned ferry's captured stderr.
run_tests() {
  local dir=$1 logs=$1/sanitizer-logs
  rm -rf "$logs" && mkdir -p "$logs"
  ASAN_OPTIONS="halt_on_error=1:detect_leaks=1:exitcode=66:log_path=$logs/asan$(suppressions asan)" \
  LSAN_OPTIONS="print_suppressions=0$(suppressions lsan)" \
  UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1:log_path=$logs/ubsan$(suppressions ubsan)" \
  TSAN_OPTIONS="halt_on_error=1:second_deadlock_stack=1:exitcode=66:log_path=$logs/tsan$(suppressions tsan)" \
    "$dir/ferry_sanitizer_tests" --gtest_filter="$FILTER" --gtest_brief=1 2>&1 | tail -n 300
  local rc=${PIPESTATUS[0]}
  if compgen -G "$logs/*" >/dev/null; then
    echo "sanitize: reports in $logs:"
    cat "$logs"/*
    return 1
  fi
  return "$rc"
}

# Builds, starts the servers in DIR/test-servers (where that build's tests look), runs, stops.
pass() {
  local name=$1 dir=$2 what=$3 start rc
  start=$(date +%s)
  echo "sanitize: $name: building $dir (-fsanitize=$what)"
  build "$dir" "$what" || { echo "sanitize: $name: build failed"; return 1; }
  echo "sanitize: $name: built in $(($(date +%s) - start)) s; running $FILTER"
  bash scripts/test-servers.sh start "$dir/test-servers" >/dev/null || {
    echo "sanitize: $name: test servers did not start"
    return 1
  }
  run_tests "$dir"
  rc=$?
  bash scripts/test-servers.sh stop "$dir/test-servers" >/dev/null
  echo "sanitize: $name: $([ $rc -eq 0 ] && echo ok || echo FAILED) in $(($(date +%s) - start)) s"
  return $rc
}

passes=("$@")
[ ${#passes[@]} -gt 0 ] || passes=(asan tsan)
status=0
for p in "${passes[@]}"; do
  case $p in
    asan) pass asan build-asan address,undefined || status=1 ;;
    tsan) pass tsan build-tsan thread || status=1 ;;
    *) echo "usage: scripts/sanitize.sh [asan] [tsan]" >&2; exit 2 ;;
  esac
done
exit $status
