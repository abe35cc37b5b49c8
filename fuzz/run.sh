#!/usr/bin/env bash
# Builds the libFuzzer targets (clang-14, ASan + UBSan) and runs each for a bounded time:
#   fuzz/run.sh [SECONDS_PER_TARGET]     (default 60; CI runs 10 through ctest's fuzz_targets)
#   fuzz/run.sh --build-only             (setup.sh: configure and build, run nothing)
# Corpora grow in $FUZZ_BUILD/corpus/<target> (default build-fuzz/, outside the source tree),
# seeded from fuzz/seeds/ and specs/; a crash leaves its input in $FUZZ_BUILD/artifacts/ and
# makes this script fail. Prints, per target, the executions and the corpus size.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
build=${FUZZ_BUILD:-$root/build-fuzz}
build_only=
if [ "${1:-}" = --build-only ]; then build_only=1; shift; fi
secs=${1:-60}
[[ $secs =~ ^[0-9]+$ ]] && [ "$secs" -gt 0 ] || { echo "usage: fuzz/run.sh [SECONDS_PER_TARGET]" >&2; exit 2; }
command -v clang++-14 > /dev/null || { echo "fuzz/run.sh: clang++-14 is missing (setup.sh installs clang-14, libfuzzer-14-dev, libclang-rt-14-dev)" >&2; exit 1; }

cmake -S "$here" -B "$build" -DCMAKE_CXX_COMPILER=clang++-14 > "$build.cmake.log" 2>&1 ||
  { cat "$build.cmake.log" >&2; exit 1; }
rm -f "$build.cmake.log"
cmake --build "$build" -j"$(nproc)" > "$build/build.log" 2>&1 || { tail -40 "$build/build.log" >&2; exit 1; }
[ -z "$build_only" ] || exit 0

declare -A seeds=([test_spec]="$root/specs" [history]="$here/seeds/history" [rest]="$here/seeds/rest")
mkdir -p "$build/artifacts"
failed=0
for t in test_spec history rest; do
  corpus="$build/corpus/$t"
  mkdir -p "$corpus"
  log="$build/$t.log"
  set +e
  # -rss_limit_mb and -timeout: a parser that blows up or hangs on one input is a finding too.
  ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
    "$build/${t}_fuzz" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
    -print_final_stats=1 -artifact_prefix="$build/artifacts/$t-" "$corpus" "${seeds[$t]}" \
    > "$log" 2>&1
  rc=$?
  set -e
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  files=$(find "$corpus" -type f | wc -l)
  if [ $rc -ne 0 ]; then
    failed=1
    echo "$t: FAILED (exit $rc) after ${runs:-?} executions; input in $build/artifacts/, log $log"
    grep -m5 -E 'ERROR|runtime error|SUMMARY' "$log" || tail -20 "$log"
  else
    echo "$t: ${runs:-?} executions in $secs s, no crash; corpus $files inputs"
  fi
done
exit $failed
