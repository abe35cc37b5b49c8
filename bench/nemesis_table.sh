#!/usr/bin/env bash
# The fault catalogue on the default HA cluster: runs `jepsen-flink test` once per nemesis (or
# ITERATIONS times) and prints a Markdown table: nemesis -> verdict -> Flink's recovery times
# (harness measure: fault -> job running again; Flink measure: RESTARTING -> RUNNING), min/median/
# max in seconds over the run's recoveries -> faults that hit -> anomalies.
# Usage: sudo bench/nemesis_table.sh [ITERATIONS] [NEMESIS...]
#   NEMESIS is a --nemesis-gen name, a --nemesis family list prefixed with "families:" (e.g.
#   families:pause), or "cancel-jobs". Default: the whole catalogue. Extra test options go in
#   $TEST_OPTS (default: --time-limit 60). Each run takes 1.5-4 min.
set -euo pipefail
cd "$(dirname "$0")/.."
JF=${JF:-./build/jepsen-flink}
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
    python3 - "$nem" "$rc" "$run" >> "$rows" <<'PY'
import json, sys
nem, rc, run = sys.argv[1], int(sys.argv[2]), sys.argv[3]
try:
    res = json.load(open(f"{run}/results.json"))
except Exception as e:
    print(f"| {nem} | exit {rc} (no results: {e}) | | | | |"); sys.exit()
ops = [json.loads(l) for l in open(f"{run}/history.jsonl")]
done = [o for o in ops if o["process"] == "nemesis" and o["value"] is not None
        and o["f"] not in ("heal", "process-started") and not o["f"].endswith("-stop")]
hit = [o for o in done if not (isinstance(o["value"], dict) and o["value"].get("no-target"))]
def fmt(m):
    s = res["recovery"][m]["summary"]
    if not s["count"]:
        return "-"
    return f'{s["min"]:.1f} / {s["median"]:.1f} / {s["max"]:.1f} (n={s["count"]})'
anoms = res.get("availability", {}).get("anomalies", [])
what = "; ".join(sorted({a["what"][:70] for a in anoms}))[:160] or "-"
verdict = {True: "valid", False: "INVALID"}.get(res.get("valid?"), "unknown")
print(f'| {nem} | {verdict} (exit {rc}) | {fmt("harness")} | {fmt("flink")} | {len(hit)}/{len(done)} | {what} | {run} |')
PY
    tail -n 1 "$rows" >&2
  done
done
echo "| nemesis | verdict | harness recovery s min/med/max | Flink RESTARTING->RUNNING s | faults hit | anomalies | store |"
echo "|---|---|---|---|---|---|---|"
cat "$rows"
rm -f "$rows"
