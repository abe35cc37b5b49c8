# Negative control for the output checker: the test job's non-transactional sink (--job-sink
# append: records appended as they pass, no commit protocol) under TaskManager kills must be
# reported invalid, with duplicates, and for that reason alone (the job itself recovered). Proof
# that the scenario happened: Flink restored a checkpoint (latest.restored in the sampled
# checkpoint statistics) while records flowed (records were committed after the restore).
source "$(dirname "$0")/lib.sh"
run_test append-sink --job-sink append --time-limit 30 --job-recovery-grace-period 60
grep -E "Nemesis: kill|Anomaly|stopped with" "$store.stderr" | tail -n 8
[ $rc -eq 1 ] || fail "exit code $rc, expected 1 (invalid)"
[ "$(tail -n 1 "$store.stdout")" = "$INVALID" ] || fail "stdout does not end with the invalid verdict"
python3 - "$run" <<'PY'
import json, sys
run = sys.argv[1]
res = json.load(open(f"{run}/results.json"))
assert res["valid?"] is False, res["valid?"]
assert res["availability"]["valid?"] is True, res["availability"]
assert res["consistency"]["valid?"] is True, res["consistency"]
out = res["output"]["jobs"]["job"]
assert out["sink"] == "append", out["sink"]
dups = out["anomalies"]["duplicate"]["count"]
assert dups > 0, f"no duplicates reported: {out['anomalies']}"
assert out["anomalies"]["lost"]["count"] == 0, out["anomalies"]["lost"]
ops = [json.loads(l) for l in open(f"{run}/history.jsonl")]
restores = {(v["restored"]["id"], v["restored"]["at"])
            for o in ops if o["f"] == "checkpoints" and o["type"] == "ok"
            for v in o["value"].values() if v and v.get("restored")}
assert restores, "no restore was ever sampled (latest.restored never set)"
last_restored = max(i for i, _ in restores)
committed = out["committed_checkpoint"]
assert committed is not None and committed > last_restored, \
    f"no checkpoint committed after the last restore ({last_restored}): {committed}"
print(f"ok: {dups} duplicates, {out['records-checked']} records checked, restores {sorted(restores)}, "
      f"committed checkpoint {committed}")
PY
pass "the append sink is found out: invalid with duplicates ($run)"
