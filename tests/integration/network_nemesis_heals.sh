# --nemesis loss,delay,bandwidth: a node drops a share of its incoming packets, holds them for a
# while, or sends at a limited rate; all are undone (our JF-LOSS and JF-DELAY chains, our delayer
# and our 4a46: qdisc are gone from every node).
source "$(dirname "$0")/lib.sh"
run_test network --nemesis loss,delay,bandwidth --nemesis-interval 4 --time-limit 24 \
  --job-recovery-grace-period 60 --seed 1 --leave-db-running
grep -E "Nemesis|Anomaly" "$store.stderr" | tail -n 12
[ $rc -eq 0 ] || [ $rc -eq 1 ] || fail "exit code $rc: the run did not complete"
python3 - "$run" <<'PY'
import json, sys
ops = [json.loads(l) for l in open(f"{sys.argv[1]}/history.jsonl")]
done = [o for o in ops if o["process"] == "nemesis" and isinstance(o["value"], dict)]
fs = {o["f"] for o in done}
for f in ("loss-start", "loss-stop", "delay-start", "delay-stop", "bandwidth-start",
          "bandwidth-stop"):
    assert f in fs, f"no {f} op (seed 1 draws every family): {sorted(fs)}"
assert all(o.get("error") is None for o in done), [o for o in done if o.get("error")]
print(f"ok: {sorted(fs)}")
PY
# The cluster was left running: nothing of ours may still be in effect on any node.
assert_nodes_healed_and_recycle
pass "network nemesis: every fault healed"
