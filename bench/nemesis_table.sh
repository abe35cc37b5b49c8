#!/usr/bin/env bash
# The fault catalogue on the default HA cluster: runs `jepsen-flink test` once per nemesis (or
# ITERATIONS times) and prints a Markdown table: nemesis -> verdict -> Flink's recovery times
# (harness measure: fault -> job running again; Flink measure: RESTARTING -> RUNNING), min/median/
# max in seconds over the run's recoveries -> faults that hit -> anomalies.
# Usage: sudo bench/nemesis_table.sh [ITERATIONS] [NEMESIS...]
#        bench/nemesis_table.sh --rows RUN_DIR...   (the table of runs already stored; run
#        `jepsen-flink analyze RUN_DIR` first to recompute their results with this build)
#   NEMESIS is a --nemesis-gen name, a --nemesis family list prefixed with "families:" (e.g.
#   families:pause), or "cancel-jobs". Default: the whole catalogue. Extra test options go in
#   $TEST_OPTS (default: --time-limit 60). Each run takes 1.5-4 min.
set -euo pipefail
cd "$(dirname "$0")/.."
JF=${JF:-./build/jepsen-flink}
header() {
  echo "| nemesis | verdict | harness recovery s min/med/max | Flink RESTARTING->RUNNING s | faults hit | anomalies | store |"
  echo "|---|---|---|---|---|---|---|"
}
if [ "${1:-}" = "--rows" ]; then
  shift
  header
  for run in "$@"; do
    run=$(readlink -f "$run")
    nem=$(python3 -c 'import json,sys; t=json.load(open(sys.argv[1]+"/test.json")); print(t.get("nemesis-gen") or "families:" + ",".join(t["nemesis"]), "+cancel-jobs" if t.get("client-gen") == "cancel-jobs" else "")' "$run" | tr -d ' ')
    rc=$(python3 -c 'import json,sys; v=json.load(open(sys.argv[1]+"/results.json"))["valid?"]; print({True: 0, False: 1}.get(v, 2))' "$run")
    python3 "$(dirname "$0")/nemesis_row.py" "$nem" "$rc" "$run"
  done
  exit 0
fi
iterations=${1:-1}
shift || true
catalogue=(kill-task-managers kill-single-task-manager kill-random-task-managers
  kill-task-managers-bursts kill-job-managers cancel-jobs
  families:kill families:pause families:freeze families:partition families:loss
  families:delay families:bandwidth)
[ $# -gt 0 ] && catalogue=("$@")
opts=(${TEST_OPTS:---time-limit 60})
out=${STORE:-bench/nemesis-store}
mkdir -p "$out"
rows=$(mktemp)
for nem in "${catalogue[@]}"; do
  for i in $(seq 1 "$iterations"); do
    case $nem in
      families:*) args=(--nemesis "${nem#families:}" --nemesis-interval 10) ;;
      cancel-jobs) args=(--nemesis-gen kill-job-managers --client-gen cancel-jobs) ;;
      *) args=(--nemesis-gen "$nem") ;;
    esac
    echo "== $nem (run $i): ${args[*]} ${opts[*]}" >&2
    set +e
    "$JF" test "${args[@]}" "${opts[@]}" --store "$out" > "$out/last.out" 2>&1
    rc=$?
    set -e
    run=$(readlink -f "$out/latest")
    python3 "$(dirname "$0")/nemesis_row.py" "$nem" "$rc" "$run" >> "$rows"
    tail -n 1 "$rows" >&2
  done
done
header
cat "$rows"
rm -f "$rows"
