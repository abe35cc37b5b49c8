#!/usr/bin/env bash
# Runs `jepsen-flink test-all` (arguments passed through) and samples, every second, the memory of
# every process inside the local cluster's namespaces (sum of RSS). At the end prints, per matrix
# run: verdict, peak cluster RSS during that run, the set-up time of each Db and until Flink was
# ready (results.json timings), and the wall time: set-up time and memory per deployment mode.
# Usage: sudo bench/matrix_resources.sh [test-all options...]   (e.g. --only yarn-session)
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh
samples=$(mktemp)
out=$(mktemp)
./build/jepsen-flink test-all "$@" > "$out" 2>&1 &
pid=$!
while kill -0 $pid 2>/dev/null; do
  sleep 1
  rss=$(cluster_rss_kb)
  echo "$(date +%s) $rss" >> "$samples"
done
wait $pid && rc=0 || rc=$?
summary=$(grep -o '[^ ,]*test-all-[^ ,]*\.json' "$out" | tail -1 || true)
sed -n '/^test  /,$p' "$out"
[ -n "$summary" ] && python3 bench/matrix_resources.py "$summary" "$samples"
cp "$samples" "${summary%.json}.rss" 2>/dev/null || true
rm -f "$samples" "$out"
exit $rc
