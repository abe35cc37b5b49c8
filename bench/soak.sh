#!/usr/bin/env bash
# Soak: one long run, or many runs in a row, watching the harness itself. Samples the
# jepsen-flink process every 10 s: its RSS (VmRSS), its open file descriptors, its threads, and the
# namespaces and Flink/ZooKeeper JVMs on the machine. Fails if the harness's RSS grew from the first
# minute to the end, if it holds more file descriptors or threads after the runs than before the
# first (the harness logs its own count at each iteration's start), or if anything is left behind
# (`cluster leaks` after the last iteration).
#
# Usage: sudo bench/soak.sh [--max-rss-growth-mb N] [test options...]
#   one hour:  sudo bench/soak.sh --time-limit 3600 --nemesis-gen kill-task-managers
#   repeated:  sudo bench/soak.sh --test-count 10 --time-limit 60
# Prints one line per sample to stderr and a summary on stdout; exit 0 if the harness stayed
# flat (RSS at the end within --max-rss-growth-mb, default 64, of the RSS at the first minute;
# descriptors and threads no higher after the last iteration than before the first) and left
# nothing behind, 1 otherwise. The run's own verdict is not judged here; the store is --store if
# given, else a temporary one removed at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
JF=${JF:-./build/jepsen-flink}
max_growth_mb=64
if [ "${1:-}" = "--max-rss-growth-mb" ]; then
  max_growth_mb=$2
  shift 2
fi
work=$(mktemp -d /tmp/jf-soak.XXXXXX)
trap 'kill "$pid" 2> /dev/null || true; wait "$pid" 2> /dev/null || true; rm -rf "$work"' EXIT
pid=
store_args=(--store "$work/store")
for a in "$@"; do [ "$a" != --store ] || store_args=(); done
"$JF" test "$@" "${store_args[@]}" > "$work/out" 2>&1 &
pid=$!
t0=$(date +%s)
iteration=1
sample() {
  local now rss fds threads ns jvms
  now=$(($(date +%s) - t0))
  rss=$(awk '/^VmRSS:/ {print $2}' /proc/$pid/status 2> /dev/null || echo 0)
  threads=$(awk '/^Threads:/ {print $2}' /proc/$pid/status 2> /dev/null || echo 0)
  fds=$(ls /proc/$pid/fd 2> /dev/null | wc -l)
  ns=$(ip netns list 2> /dev/null | grep -c '^jf-' || true)
  jvms=$(pgrep -fc 'org.apache.(flink|zookeeper)' || true)
  iteration=$(($(grep -c '^.* Running .* (seed ' "$work/out" || true)))
  [ "$iteration" -ge 1 ] || iteration=1
  echo "$now $iteration $rss $fds $threads $ns $jvms" >> "$work/samples"
  echo "soak: t=${now}s iteration $iteration rss=$((rss / 1024)) MiB fds=$fds threads=$threads netns=$ns jvms=$jvms" >&2
}
while kill -0 "$pid" 2> /dev/null; do
  sample
  for _ in 1 2 3 4 5 6 7 8 9 10; do
    kill -0 "$pid" 2> /dev/null || break
    sleep 1
  done
done
set +e
wait "$pid"
rc=$?
set -e
pid=
tail -n 1 "$work/out"
leaks=$("$JF" cluster leaks 2>&1) && leaks="" || true
python3 - "$work/samples" "$max_growth_mb" "$rc" "$leaks" "$work/out" <<'PY'
import re, sys
rows = [list(map(int, l.split())) for l in open(sys.argv[1]) if l.strip()]
growth_mb, rc, leaks = int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
if not rows:
    print("soak: no sample (the run ended at once)"); sys.exit(1)
ok = True
first_min = next((r for r in rows if r[0] >= 60), rows[-1])
last = rows[-1]
print(f"harness RSS: {first_min[2] / 1024:.1f} MiB at {first_min[0]} s, {last[2] / 1024:.1f} MiB at "
      f"{last[0]} s (peak {max(r[2] for r in rows) / 1024:.1f} MiB); {len(rows)} samples; exit {rc}")
if (last[2] - first_min[2]) / 1024 > growth_mb:
    print(f"FAIL: RSS grew by more than {growth_mb} MiB"); ok = False
iters = sorted({r[1] for r in rows})
for i in iters:
    print(f"iteration {i}: max fds {max(x[3] for x in rows if x[1] == i)}, max threads "
          f"{max(x[4] for x in rows if x[1] == i)}, max netns {max(x[5] for x in rows if x[1] == i)}")
# The harness's own view at each iteration's start and after the last (core/run.cc, --test-count
# > 1): "Test 2 of 10 (harness: 14 fds, 3 threads, RSS 21.4 MiB)", "After the runs (harness: ...)".
usage = re.compile(r"(Test (\d+) of \d+|After the runs) \(harness: (\d+) fds, (\d+) threads, RSS ([\d.]+) MiB\)")
marks = [m for m in (usage.search(l) for l in open(sys.argv[5], errors="replace")) if m]
for m in marks:
    print(f"{m.group(1)}: {m.group(3)} fds, {m.group(4)} threads, RSS {m.group(5)} MiB")
if len(marks) > 1:
    a, b = marks[0], marks[-1]
    if int(b.group(3)) > int(a.group(3)) or int(b.group(4)) > int(a.group(4)):
        print(f"FAIL: the harness held {b.group(3)} fds / {b.group(4)} threads at '{b.group(1)}', "
              f"{a.group(3)} / {a.group(4)} at '{a.group(1)}'"); ok = False
clean = not leaks.strip()  # `cluster leaks` printed "no leaks" and exited 0
print("leaks after the run: " + ("none" if clean else leaks.strip().splitlines()[0]))
if not clean:
    ok = False
sys.exit(0 if ok else 1)
PY
