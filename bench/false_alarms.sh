#!/usr/bin/env bash
# No false alarms, no blindness: N runs of the default test (`jepsen-flink test` with nothing
# else: kill-task-managers, 60 s of faults, the default 180 s grace period), with the negative
# controls mixed in after every third default run, one after another:
#   no-restarts  --flink-config restart-strategy.type=none            (the job cannot come back)
#   no-ha        --nemesis-gen kill-job-managers --flink-config high-availability.type=NONE
#                                                                     (a killed JobManager forgets the job)
#   append-sink  --job-sink append                                    (not exactly-once: duplicates)
# The controls run with --job-recovery-grace-period 60, as in the integration tests.
#
# Usage: sudo bench/false_alarms.sh [N] [STORE]    (N default 10; STORE default /var/tmp/jf-batch)
# Prints one line per run (kind, expected, exit code, seconds, store directory) and a summary;
# exit 0 iff every default run was valid (exit 0) and every control invalid (exit 1).
set -uo pipefail
cd "$(dirname "$0")/.."
JF=${JF:-./build/jepsen-flink}
n=${1:-10}
store=${2:-/var/tmp/jf-batch}
mkdir -p "$store"
declare -A control_args=(
  [no-restarts]="--flink-config restart-strategy.type=none --job-recovery-grace-period 60"
  [no-ha]="--nemesis-gen kill-job-managers --flink-config high-availability.type=NONE --job-recovery-grace-period 60"
  [append-sink]="--job-sink append --job-recovery-grace-period 60")
controls=(no-restarts no-ha append-sink)
plan=()
c=0
for i in $(seq 1 "$n"); do
  plan+=(default)
  if [ $((i % 3)) -eq 0 ] && [ $c -lt ${#controls[@]} ]; then plan+=("${controls[$c]}"); c=$((c + 1)); fi
done
while [ $c -lt ${#controls[@]} ]; do plan+=("${controls[$c]}"); c=$((c + 1)); done

results="$store/results.tsv"
: > "$results"
ok=1
k=0
for kind in "${plan[@]}"; do
  k=$((k + 1))
  expected=0
  args=()
  if [ "$kind" != default ]; then
    expected=1
    read -r -a args <<< "${control_args[$kind]}"
  fi
  t0=$(date +%s)
  "$JF" test "${args[@]}" --store "$store/$kind" > "$store/run-$k-$kind.out" 2>&1
  rc=$?
  secs=$(($(date +%s) - t0))
  run=$(readlink -f "$store/$kind/latest" 2> /dev/null || echo "?")
  mark=ok
  [ $rc -eq $expected ] || { mark=UNEXPECTED; ok=0; }
  printf '%s\t%s\texpected %s\texit %s\t%s s\t%s\t%s\n' "$k" "$kind" "$expected" "$rc" "$secs" "$mark" "$run" |
    tee -a "$results"
  [ $rc -eq 2 ] && grep -q interrupted "$store/run-$k-$kind.out" && break
done
defaults=$(awk -F'\t' '$2 == "default"' "$results" | wc -l)
valid=$(awk -F'\t' '$2 == "default" && $4 == "exit 0"' "$results" | wc -l)
ctl=$(awk -F'\t' '$2 != "default"' "$results" | wc -l)
invalid=$(awk -F'\t' '$2 != "default" && $4 == "exit 1"' "$results" | wc -l)
echo "default runs valid: $valid/$defaults; controls invalid: $invalid/$ctl (table: $results)"
[ $ok -eq 1 ]
