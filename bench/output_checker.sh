#!/usr/bin/env bash
# Benchmarks the exactly-once output checker (`jepsen-flink check-output`, src/checker/output.h)
# against `wc -l` over the same files, with the page cache warm for both.
#
#   bench/output_checker.sh [N]
#
# N records (default 10^7). The figure that matters is 10^8 (bench/output_checker.sh 100000000:
# ~1.1 GB of part files); the goals are a median time within 2x of `wc -l`'s and a peak RSS of
# at most 1 GB.
#
# 1. Refuses to run with less than 3x the estimated size free where the data goes ($TMPDIR or
#    /tmp).
# 2. Generates N records with jf-gen-output (bench/gen_output.cc): 12 splits x 4 keys, 3
#    subtasks, a part file per subtask per checkpoint of ~1M records (N/10 for N < 10^7),
#    in-progress files, commit logs whose last checkpoint lacks a subtask, and 5 lost and 5
#    duplicated committed records.
# 3. Warms the page cache, then runs `wc -l` over all the output files and the checker
#    alternately, 5 times each (JF_BENCH_RUNS), both under /usr/bin/time -v; prints the medians,
#    their ratio and the checker's peak RSS, and checks that the checker found exactly the
#    injected anomalies.
# 4. Removes its temporary directory.
#
# Needs build/jepsen-flink and build/jf-gen-output (or JF_BUILD_DIR). The machine should be
# otherwise idle: the checker uses every core, `wc -l` one. Below ~10^7 records the checker's
# fixed start-up (~10 ms: jepsen-flink loads ~40 shared libraries) dominates the ratio.
set -euo pipefail

n=${1:-10000000}
root=$(cd "$(dirname "$0")/.." && pwd)
build=${JF_BUILD_DIR:-$root/build}
jf=$build/jepsen-flink
gen=$build/jf-gen-output
runs=${JF_BENCH_RUNS:-5}
lose=5
dup=5

for b in "$jf" "$gen" /usr/bin/time; do
  [ -x "$b" ] || { echo "output_checker.sh: $b is missing (build: cmake --build build)" >&2; exit 1; }
done
[[ $n =~ ^[0-9]+$ ]] && (( n >= 1000000 )) || { echo "usage: $0 [N >= 1000000]" >&2; exit 1; }

# (1) Disk: a record is at most 12 bytes at 10^8 ("47 2083333\n" is 11); the logs are small.
tmpbase=${TMPDIR:-/tmp}
estimate=$(( n * 12 ))
avail=$(df --output=avail -B1 "$tmpbase" | tail -1)
if (( avail < 3 * estimate )); then
  echo "output_checker.sh: $tmpbase has $(( avail >> 20 )) MiB free; N=$n needs 3 x" \
    "$(( estimate >> 20 )) MiB" >&2
  exit 1
fi
dir=$(mktemp -d "$tmpbase/jf-output-bench.XXXXXX")
trap 'rm -rf "$dir"' EXIT

# (2) Data.
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg); $(nproc) cores"
t0=$(date +%s%N)
part_records=$(( n / 10 < 1000000 ? n / 10 : 1000000 ))  # >= 3 checkpoints
"$gen" "$dir" "$n" --part-records "$part_records" --lose "$lose" --duplicate "$dup" \
  > "$dir/expected.txt"
mapfile -d '' files < <(find "$dir/output" -type f -print0 | sort -z)
bytes=$(cat "${files[@]}" | wc -c)
echo "generated $n records in $(( ($(date +%s%N) - t0) / 1000000 )) ms: ${#files[@]} files," \
  "$(( bytes >> 20 )) MiB"

# (3) Warm up, then time both alternately.
for _ in 1 2; do cat "${files[@]}" > /dev/null; done
"$jf" check-output "$dir/output" --commit-log-dir "$dir/commits" > /dev/null || true

now_ns() { date +%s%N; }
wc_us=()
chk_us=()
chk_rss=()
wc_lines=0
for i in $(seq 1 "$runs"); do
  t=$(now_ns)
  /usr/bin/time -v -o "$dir/wc.time" wc -l "${files[@]}" > "$dir/wc.out"
  wc_us+=("$(( ($(now_ns) - t) / 1000 ))")
  wc_lines=$(tail -1 "$dir/wc.out" | awk '{print $1}')
  t=$(now_ns)
  rc=0
  /usr/bin/time -v -o "$dir/chk.time" "$jf" check-output "$dir/output" \
    --commit-log-dir "$dir/commits" --json "$dir/result.json" > "$dir/summary.txt" || rc=$?
  chk_us+=("$(( ($(now_ns) - t) / 1000 ))")
  chk_rss+=("$(awk -F': ' '/Maximum resident set size/ {print $2}' "$dir/chk.time")")
  if (( rc != 1 )); then  # 1: invalid, as the injected anomalies must make it
    echo "output_checker.sh: check-output exited $rc, expected 1" >&2
    cat "$dir/summary.txt" "$dir/chk.time" >&2
    exit 1
  fi
done

median() { printf '%s\n' "$@" | sort -n | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}'; }
max() { printf '%s\n' "$@" | sort -n | tail -1; }
ms() { printf '%s\n' "$@" | awk '{printf "%.1f ", $1 / 1000}'; }
wc_med=$(median "${wc_us[@]}")
chk_med=$(median "${chk_us[@]}")
echo "wc -l runs (ms):        $(ms "${wc_us[@]}")"
echo "check-output runs (ms): $(ms "${chk_us[@]}")"
awk -v w="$wc_med" -v c="$chk_med" -v rss="$(max "${chk_rss[@]}")" -v lines="$wc_lines" 'BEGIN {
  printf "lines %d; median wc -l %.1f ms, check-output %.1f ms, ratio %.2f (goal <= 2); ", lines, w / 1000, c / 1000, c / w
  printf "check-output peak RSS %.1f MiB (goal <= 1024)\n", rss / 1024 }'
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"

# The checker must have found exactly what was injected.
python3 - "$dir/result.json" "$dir/expected.txt" <<'EOF'
import json, sys
r = json.load(open(sys.argv[1]))
want = dict(l.strip().split("=") for l in open(sys.argv[2]) if "=" in l)
a = {k: v["count"] for k, v in r["anomalies"].items()}
problems = []
for kind in ("lost", "duplicate"):
    if a[kind] != int(want[kind]):
        problems.append(f"{kind}: found {a[kind]}, injected {want[kind]}")
for kind, count in a.items():
    if kind not in ("lost", "duplicate") and count != 0:
        problems.append(f"{kind}: found {count}, expected 0")
if r["records"]["finished"] != int(want["finished_records"]):
    problems.append(f"finished records {r['records']['finished']} != {want['finished_records']}")
if r["records"]["in_progress"] != int(want["in_progress_records"]):
    problems.append(f"in-progress records {r['records']['in_progress']} != {want['in_progress_records']}")
if r["committed_checkpoint"] != int(want["committed_checkpoint"]):
    problems.append(f"committed checkpoint {r['committed_checkpoint']} != {want['committed_checkpoint']}")
if problems:
    sys.exit("output_checker.sh: " + "; ".join(problems))
print(f"found exactly the injected anomalies: lost {a['lost']}, duplicate {a['duplicate']}; "
      f"committed checkpoint {r['committed_checkpoint']}")
EOF
