#!/usr/bin/env bash
# The original jepsen.flink workflow (its docker/run-tests.sh): runs the whole test matrix
# ITERATIONS times with `jepsen-flink test-all` and exits with its exit code (0 all valid, 1 any
# invalid, 2 otherwise, 254 bad arguments).
#
#   sudo ./run-tests.sh ITERATIONS [FLINK_DIST] [test-all options...]
#
# FLINK_DIST is a Flink release that `jepsen-flink dist list` knows (e.g. 1.20.5); the original
# took a URI of a distribution tarball, which this harness does not take yet. Everything after
# the two positional arguments goes to test-all as it is (e.g. --only standalone --time-limit 30).
set -euo pipefail
cd "$(dirname "$0")"

usage() {
  echo "usage: $0 ITERATIONS [FLINK_DIST] [test-all options...]" >&2
  echo "  ITERATIONS  how many times to run the matrix (a positive integer)" >&2
  echo "  FLINK_DIST  a Flink release from 'build/jepsen-flink dist list' (default: its default)" >&2
  echo "  e.g. $0 1 1.20.5 --only standalone" >&2
  exit 254
}

if [ $# -lt 1 ] || ! [[ $1 =~ ^[0-9]+$ ]] || [ "$1" -lt 1 ]; then usage; fi
iterations=$1
shift

bin=build/jepsen-flink
if [ ! -x "$bin" ]; then
  echo "run-tests: $bin is missing; run sudo ./setup.sh first" >&2
  exit 254
fi

args=(--iterations "$iterations")
if [ $# -ge 1 ] && [[ $1 != -* ]]; then
  dist=$1
  shift
  if ! "$bin" dist list | awk '{print $1}' | grep -qxF -- "$dist"; then
    echo "run-tests: FLINK_DIST '$dist' is not a release this build knows." >&2
    echo "  Distributions by URI (file://, http(s)://, a tarball) come with the SSH/URI work;" >&2
    echo "  'build/jepsen-flink dist list' shows the versions available now:" >&2
    "$bin" dist list | sed 's/^/    /' >&2
    exit 254
  fi
  args+=(--flink-version "$dist")
fi

if [ "$(id -u)" -ne 0 ]; then
  echo "run-tests: must run as root (it builds clusters in network namespaces): sudo $0 ..." >&2
  exit 254
fi

rc=0
"$bin" test-all "${args[@]}" "$@" || rc=$?
exit "$rc"
