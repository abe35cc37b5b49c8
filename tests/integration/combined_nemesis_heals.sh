# --nemesis kill,pause,partition: faults drawn at random (roles, shapes) really happen, and every
# one is undone: after the run nothing is paused, partitioned or left down (the fixture's leak
# check then also finds no JF-* chain and no stopped process).
source "$(dirname "$0")/lib.sh"
run_test combined --nemesis kill,pause,partition --nemesis-interval 4 --time-limit 40 \
  --job-recovery-grace-period 60 --seed 4242 --leave-db-running
grep -E "Nemesis|Anomaly|Recovery" "$store.stderr" | tail -n 20
[ $rc -eq 0 ] || [ $rc -eq 1 ] || fail "exit code $rc: the run did not complete"
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
# The cluster was left running: nothing of ours may still be in effect on any node.
assert_nodes_healed_and_recycle
pass "combined nemesis: every fault healed"
