# The original's kill-job-managers on the default HA cluster: both JobManagers are killed every
# 0.5 s for the time limit; afterwards a JobManager wins leadership again and the job recovers.
# Proof that leadership changed: the leader session id (from ZooKeeper) differs across the run.
source "$(dirname "$0")/lib.sh"
run_test kill-jm --nemesis-gen kill-job-managers --time-limit 10 --job-recovery-grace-period 90
grep -E "Nemesis: kill|Recovery|Anomaly|Job state" "$store.stderr" | tail -n 12
[ $rc -eq 0 ] || fail "exit code $rc, expected 0"
python3 - "$run" <<'PY'
import json, sys
run = sys.argv[1]
ops = [json.loads(l) for l in open(f"{run}/history.jsonl")]
hits = [o for o in ops if o["f"] == "kill-job-managers" and o["value"] and o["value"]["targets"]]
assert hits, "no kill hit a JobManager"
assert all(t["role"] == "jobmanager" for o in hits for t in o["value"]["targets"])
sessions = []
for o in ops:
    s = o.get("leader", {}).get("session")
    if s and (not sessions or sessions[-1] != s):
        sessions.append(s)
assert len(set(sessions)) >= 2, f"the leader session never changed: {sessions}"
print(f"ok: {len(hits)} kills hit; leader sessions: {sessions}")
PY
pass "kill-job-managers valid; leadership changed"
