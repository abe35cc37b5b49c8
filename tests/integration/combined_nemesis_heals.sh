# --nemesis kill,pause,partition: faults drawn at random (roles, shapes) really happen, and every
# one is undone: after the run nothing is paused, partitioned or left down (the fixture's leak
# check then also finds no JF-* chain and no stopped process).
source "$(dirname "$0")/lib.sh"
store="$IT_STORE/combined"
rm -rf "$store"
set +e
"$JF" test --nemesis kill,pause,partition --nemesis-interval 4 --time-limit 40 \
  --job-recovery-grace-period 60 --seed 4242 --leave-db-running --store "$store" \
  > "$store.stdout" 2> "$store.stderr"
rc=$?
set -e
grep -E "Nemesis|Anomaly|Recovery" "$store.stderr" | tail -n 20
[ $rc -eq 0 ] || [ $rc -eq 1 ] || fail "exit code $rc: the run did not complete"
run=$(readlink -f "$store/latest")
python3 - "$run" <<'PY'
import json, sys
run = sys.argv[1]
ops = [json.loads(l) for l in open(f"{run}/history.jsonl")]
done = [o for o in ops if o["process"] == "nemesis" and o["value"] is not None]
fs = {o["f"] for o in done}
for f in ("pause-start", "pause-stop", "partition-start", "partition-stop"):
    assert f in fs, f"no {f} op (seed 4242 draws every family): {sorted(fs)}"
parts = [o for o in done if o["f"] == "partition-start"]
assert all(o["value"]["drops"] for o in parts), parts
assert any(o["f"] == "heal" for o in done), "no heal op at the end"
print(f"ok: {len(done)} nemesis ops: {sorted(fs)}")
PY
# The cluster was left running: prove nothing of ours is still in effect on any node.
for n in n1 n2 n3; do
  pid=$(python3 -c "import json,sys; print([x['init_pid'] for x in json.load(open('/var/lib/jepsen-flink/cluster.json'))['nodes'] if x['name']=='$n'][0])")
  nsenter -t "$pid" -n iptables -w -S | grep -q JF-PARTITION && fail "$n: partition chain left"
  nsenter -t "$pid" -m -p sh -c 'grep -l "^State:.*T" /proc/[0-9]*/status 2>/dev/null' | grep -q . \
    && fail "$n: a process is still stopped"
done
"$JF" cluster down --all > /dev/null
"$JF" cluster up --local-nodes 3 > /dev/null
pass "combined nemesis: every fault healed"
