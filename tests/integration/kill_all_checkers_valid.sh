# The default HA cluster under TaskManager and JobManager kills (the kill family: TaskManagers,
# JobManagers and ZooKeeper, one, the leader, the busy one or a majority) is valid under every
# checker: availability, consistency (checkpoint ids, restores, one JobMaster, the job's id) and
# the exactly-once output. Proof that it was tested: kills hit both JobManagers and TaskManagers,
# Flink restored checkpoints, the job was stopped with a savepoint and its output was checked.
source "$(dirname "$0")/lib.sh"
run_test kill-all --nemesis kill --nemesis-interval 6 --time-limit 40 --seed 7 \
  --job-recovery-grace-period 90
grep -E "Nemesis: kill|Anomaly|Recovery|stopped with" "$store.stderr" | tail -n 14
[ $rc -eq 0 ] || fail "exit code $rc, expected 0"
python3 - "$run" <<'PY'
import json, sys
run = sys.argv[1]
res = json.load(open(f"{run}/results.json"))
for part in ("availability", "consistency", "output"):
    assert res[part]["valid?"] is True, (part, res[part])
ops = [json.loads(l) for l in open(f"{run}/history.jsonl")]
roles = {t["role"] for o in ops if o["process"] == "nemesis" and o["f"].startswith("kill")
         and isinstance(o["value"], dict) for t in o["value"].get("targets", [])}
assert {"jobmanager", "taskmanager"} <= roles, f"kills hit only {roles}"
con = res["consistency"]["details"]
job = res["job-id"]
assert con["jobmanagers_samples"] > 0 and con["checkpoints_samples"] > 0, con
assert con["jobs"][job]["restores"], f"no restore sampled: {con['jobs'][job]}"
out = res["output"]["jobs"]["job"]
assert out["stopped-with-savepoint"] is True, out
assert out["records-checked"] > 0 and out["committed_checkpoint"] is not None, out
stops = [o for o in ops if o["f"] == "stop-job" and o["type"] == "ok"]
assert stops and stops[0]["value"]["savepoint"], stops
print(f"ok: kills hit {sorted(roles)}; restores {len(con['jobs'][job]['restores'])}; "
      f"{out['records-checked']} records checked up to checkpoint {out['committed_checkpoint']}")
PY
pass "JobManager and TaskManager kills: valid under every checker ($run)"
