#!/usr/bin/env bash
# Static checks, before any build: every tracked C++ file is formatted as .clang-format says, and
# the engine's and plugins' sources pass .clang-tidy. Fails naming each file that does not.
#   scripts/lint.sh            both checks
#   scripts/lint.sh format     clang-format only (seconds)
#   scripts/lint.sh tidy       clang-tidy only (needs cmake's compile commands; configures build/)
set -uo pipefail
cd "$(dirname "$0")/.."
CLANG_FORMAT=${CLANG_FORMAT:-clang-format-14}
RUN_CLANG_TIDY=${RUN_CLANG_TIDY:-run-clang-tidy-14}
CLANG_TIDY=${CLANG_TIDY:-clang-tidy-14}

# clang-format --dry-run -Werror on every tracked *.cc/*.h; prints the files that differ.
check_format() {
  local unformatted
  unformatted=$(git ls-files -z -- '*.cc' '*.h' ':!:web/node_modules/**' |
                xargs -0 "$CLANG_FORMAT" --dry-run -Werror 2>&1 |
                sed -n 's/^\([^:]*\):[0-9]*:[0-9]*: error: .*/\1/p' | sort -u)
  if [ -n "$unformatted" ]; then
    echo "lint: these files differ from .clang-format (fix: $CLANG_FORMAT -i FILE):"
    printf '  %s\n' $unformatted
    return 1
  fi
  echo "lint: format ok ($(git ls-files -- '*.cc' '*.h' ':!:web/node_modules/**' | wc -l) files)"
}

# The compile commands of src/ and plugins/ without tests and generated files. GCC's precompiled
# header is not readable by clang: each file includes a copy of its header text instead, so it is
# checked with exactly the includes it is built with.
# Its own build folder, configured only (nothing is compiled), cli/ without unity batches so that
# each command file has its own entry.
write_tidy_database() {
  local build=$1 out=$2
  cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DFERRY_CLI_UNITY=OFF \
        -DFERRY_BUILD_TESTS=OFF >/dev/null || return 1
  mkdir -p "$out"
  python3 - "$build/compile_commands.json" "$out" "$PWD" <<'PY'
import json, os, re, shlex, shutil, sys
source, out, root = sys.argv[1:4]
out = os.path.abspath(out)  # the commands run in the build folder
wanted = re.compile(re.escape(root) + r"/(src|plugins)/.*(?<!_test)\.cc$")
entries = []
for entry in json.load(open(source)):
    if not wanted.match(entry["file"]):
        continue
    args = shlex.split(entry["command"])
    for i, arg in enumerate(args):
        if arg == "-include" and args[i + 1].endswith("/cmake_pch.hxx"):
            target = os.path.basename(os.path.dirname(args[i + 1]))
            copy = os.path.join(out, target, "cmake_pch.hxx")
            os.makedirs(os.path.dirname(copy), exist_ok=True)
            shutil.copyfile(args[i + 1], copy)
            args[i + 1] = copy
    args = [a for a in args if a != "-Winvalid-pch"]
    entries.append(dict(entry, command=shlex.join(args)))
json.dump(entries, open(os.path.join(out, "compile_commands.json"), "w"), indent=1)
print(len(entries))
PY
}

# clang-tidy with .clang-tidy (WarningsAsErrors) over those files, two at a time.
check_tidy() {
  local db=build-tidy/tidy count start rc failed
  count=$(write_tidy_database build-tidy "$db") || return 1
  start=$(date +%s)
  # run-clang-tidy always asks for colour; the log is read by people and by sed.
  # -w: compiler warnings are the GCC build's job (-Werror); clang 14 knows other warning names.
  "$RUN_CLANG_TIDY" -clang-tidy-binary "$(command -v "$CLANG_TIDY")" -p "$db" -j 2 -quiet -extra-arg=-w 2>&1 |
    sed 's/\x1b\[[0-9;]*m//g' >"$db/clang-tidy.log"
  rc=${PIPESTATUS[0]}
  failed=$(sed -n "s|^$PWD/\([^:]*\):[0-9]*:[0-9]*: error: .*|\1|p" "$db/clang-tidy.log" | sort -u)
  if [ "$rc" -ne 0 ] || [ -n "$failed" ]; then
    grep -E '^/.*: (error|note): ' -A3 "$db/clang-tidy.log" | head -n 200
    echo "lint: clang-tidy failed (log: $db/clang-tidy.log) in:"
    printf '  %s\n' $failed
    return 1
  fi
  echo "lint: clang-tidy ok ($count files, $(($(date +%s) - start)) s)"
}

status=0
what=${1:-all}
if [ "$what" = all ] || [ "$what" = format ]; then check_format || status=1; fi
if [ "$what" = all ] || [ "$what" = tidy ]; then check_tidy || status=1; fi
exit $status
