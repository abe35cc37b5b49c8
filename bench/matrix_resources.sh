#!/usr/bin/env bash
# Runs `jepsen-flink test-all` (arguments passed through) and samples, every second, the memory of
# every process inside the local cluster's namespaces (sum of RSS). At the end prints, per matrix
# run: verdict, peak cluster RSS during that run, the set-up time of each Db and until Flink was
# ready (results.json timings), and the wall time: set-up time and memory per deployment mode.
# Usage: sudo bench/matrix_resources.sh [test-all options...]   (e.g. --only yarn-session)
set -euo pipefail
cd "$(dirname "$0")/.."
samples=$(mktemp)
out=$(mktemp)
./build/jepsen-flink test-all "$@" > "$out" 2>&1 &
pid=$!
while kill -0 $pid 2>/dev/null; do
  sleep 1
  rss=0
  for ns in $(ip netns list 2>/dev/null | awk '$1 ~ /^jf-/ {print $1}'); do
    for p in $(ip netns pids "$ns" 2>/dev/null); do
      r=$(awk '/^VmRSS:/ {print $2}' /proc/$p/status 2>/dev/null || echo 0)
      rss=$((rss + ${r:-0}))
    done
  done
  echo "$(date +%s) $rss" >> "$samples"
done
wait $pid && rc=0 || rc=$?
summary=$(grep -o '[^ ,]*test-all-[^ ,]*\.json' "$out" | tail -1 || true)
sed -n '/^test  /,$p' "$out"
[ -n "$summary" ] && python3 - "$summary" "$samples" <<'PY'
import datetime, json, os, sys
summary, samples = sys.argv[1], sys.argv[2]
rows = [tuple(map(int, l.split())) for l in open(samples)]
def stamp(line):
    return datetime.datetime.strptime(line[:19], "%Y-%m-%d %H:%M:%S").timestamp()
print(f"\n{'test':48} {'verdict':8} {'peak RSS GiB':>12} {'ready s':>8} {'wall s':>7}  set-up per Db (s)")
for r in json.load(open(summary))["runs"]:
    store = r["store"]
    if not store or not os.path.exists(f"{store}/jepsen.log"):
        print(f"{r['test']:48} {r['verdict']:8}")
        continue
    lines = [l for l in open(f"{store}/jepsen.log") if l[:2] == "20"]
    t0, t1 = stamp(lines[0]), stamp(lines[-1])
    peak = max((rss for t, rss in rows if t0 <= t <= t1 + 1), default=0) / 1048576
    tm = json.load(open(f"{store}/results.json")).get("timings", {})
    setups = ", ".join(f"{k[6:-2]} {v:.1f}" for k, v in tm.items() if k.startswith("setup_"))
    ready = tm.get("start_to_flink_ready_s", 0)
    print(f"{r['test']:48} {r['verdict']:8} {peak:12.2f} {ready:8.1f} {tm.get('total_s', 0):7.0f}  {setups}")
PY
rm -f "$samples" "$out"
exit $rc
