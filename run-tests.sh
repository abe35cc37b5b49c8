#!/usr/bin/env bash
# The original jepsen.flink workflow (its docker/run-tests.sh): runs the whole test matrix
# ITERATIONS times with `jepsen-flink test-all` and exits with its exit code (0 all valid, 1 any
# invalid, 2 otherwise, 254 bad arguments).
#
#   sudo ./run-tests.sh ITERATIONS [FLINK_DIST] [test-all options...]
#
# FLINK_DIST is a Flink release that `jepsen-flink dist list` knows (e.g. 1.20.5; it becomes
# --flink-version), or, as the original took it, the URI of a distribution tarball: file:///path
# or http(s)://[user:password@]host/path of a .tgz, .tar.gz or .tar (it becomes --tarball; Flink
# 2.x or 1.20.x, the matrix follows its line). Everything after the two positional arguments goes
# to test-all as it is (e.g. --only standalone --time-limit 30). The runs use the local cluster,
# or, as the original's did, the hosts of a nodes file over SSH (e.g. --nodes-file nodes
# --ssh-private-key ~/.ssh/id_rsa --hdfs; see the README's "Real hosts over SSH").
# JEPSEN_FLINK_BIN overrides the binary (default build/jepsen-flink).
set -euo pipefail
cd "$(dirname "$0")"

usage() {
  echo "usage: $0 ITERATIONS [FLINK_DIST] [test-all options...]" >&2
  echo "  ITERATIONS  how many times to run the matrix (a positive integer)" >&2
  echo "  FLINK_DIST  a Flink release from 'build/jepsen-flink dist list' (default: its default)," >&2
  echo "              or a distribution tarball's URI: file:///path/flink-<v>-bin-scala_2.12.tgz," >&2
  echo "              http(s)://host/path/....tgz (.tgz, .tar.gz or .tar; Flink 2.x or 1.20.x)" >&2
  echo "  e.g. $0 1 1.20.5 --only standalone" >&2
  echo "       $0 1 file:///srv/flink-2.2.1-bin-scala_2.12.tgz --only standalone" >&2
  echo "       $0 1 file:///srv/flink-2.2.1-bin-scala_2.12.tgz --nodes-file nodes --hdfs" >&2
  exit 254
}

if [ $# -lt 1 ] || ! [[ $1 =~ ^[0-9]+$ ]] || [ "$1" -lt 1 ]; then usage; fi
iterations=$1
shift

bin=${JEPSEN_FLINK_BIN:-build/jepsen-flink}
if [ ! -x "$bin" ]; then
  echo "run-tests: $bin is missing; run sudo ./setup.sh first" >&2
  exit 254
fi

args=(--iterations "$iterations")
if [ $# -ge 1 ] && [[ $1 != -* ]]; then
  dist=$1
  shift
  if [[ $dist == *://* ]]; then
    # A URI: test-all checks its shape and fetches it before any run (a bad one exits 254).
    args+=(--tarball "$dist")
  elif "$bin" dist list | awk '{print $1}' | grep -qxF -- "$dist"; then
    args+=(--flink-version "$dist")
  else
    shown=$(sed -E 's#^([^/@]*:)[^/@]*@#\1***@#' <<< "$dist")  # never echo a password
    echo "run-tests: FLINK_DIST '$shown' is neither a release this build knows nor a URI" >&2
    echo "  (file:///path/flink-<v>-bin-scala_2.12.tgz, http(s)://...; .tgz, .tar.gz or .tar)." >&2
    echo "  'build/jepsen-flink dist list' shows the releases:" >&2
    "$bin" dist list | sed 's/^/    /' >&2
    exit 254
  fi
fi

if [ "$(id -u)" -ne 0 ]; then
  echo "run-tests: must run as root (it builds clusters in network namespaces): sudo $0 ..." >&2
  exit 254
fi

rc=0
"$bin" test-all "${args[@]}" "$@" || rc=$?
exit "$rc"
