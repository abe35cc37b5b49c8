#!/usr/bin/env bash
# Runs one `jepsen-flink test` (arguments passed through) and samples, every second, the memory
# of every process inside the local cluster's namespaces (sum of RSS) and the machine's CPU use.
# Prints peak RSS, mean and peak CPU busy % over the run and during the fault phase.
# Usage: sudo bench/run_resources.sh [test options...]
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh
samples=$(mktemp)
./build/jepsen-flink test "$@" > "$samples.out" 2>&1 &
pid=$!
read -r _ u n s i w x y z _ < /proc/stat; prev_busy=$((u+n+s+x+y+z)); prev_total=$((prev_busy+i+w))
while kill -0 $pid 2>/dev/null; do
  sleep 1
  read -r _ u n s i w x y z _ < /proc/stat
  busy=$((u+n+s+x+y+z)); total=$((busy+i+w))
  cpu=$(( 100 * (busy - prev_busy) / (total - prev_total > 0 ? total - prev_total : 1) ))
  prev_busy=$busy; prev_total=$total
  rss=$(cluster_rss_kb)
  phase=other
  grep -q "Fault phase" "$samples.out" && ! grep -q "Waiting for the job" "$samples.out" && phase=faults
  echo "$(date +%s) $cpu $rss $phase" >> "$samples"
done
wait $pid && rc=0 || rc=$?
tail -n 1 "$samples.out"
store=$(grep -o 'Store: .*' "$samples.out" | tail -1 | cut -d' ' -f2)
awk -v rc=$rc -v store="$store" '
  { n++; cpu+=$2; if ($2>maxcpu) maxcpu=$2; if ($3>maxrss) maxrss=$3;
    if ($4=="faults") { fn++; fcpu+=$2; if ($2>fmax) fmax=$2 } }
  END { printf "exit %d; %d samples; peak cluster RSS %.2f GiB; CPU busy mean %.0f%% peak %d%%; during faults mean %.0f%% peak %d%% (%d s); store %s\n",
        rc, n, maxrss/1048576, cpu/(n?n:1), maxcpu, fcpu/(fn?fn:1), fmax, fn, store }' "$samples"
rm -f "$samples" "$samples.out"
