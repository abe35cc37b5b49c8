# yarn-session under the original's kill-job-managers: every kill ends the application master's
# attempt, YARN starts the next one (on any node), which recovers the job from ZooKeeper and HDFS.
# Proof: the ResourceManager lists at least two attempts, each kill hit a JobManager process, the
# leader session changed, and the store holds the JobManager container logs of several attempts.
source "$(dirname "$0")/lib.sh"
run_test yarn-session-kill-jm --deployment-mode yarn-session --nemesis-gen kill-job-managers \
  --time-limit 10 --job-recovery-grace-period 120
grep -E "YARN application|Recovery|Anomaly" "$store.stderr" | tail -n 8
[ $rc -eq 0 ] || fail "exit code $rc, expected 0 (valid)"
python3 "$(dirname "$0")/yarn_check.py" "$run" yarn-session 2
python3 - "$run" <<'PY'
import json, sys
run = sys.argv[1]
ops = [json.loads(l) for l in open(f"{run}/history.jsonl")]
hits = [t for o in ops if o["f"] == "kill-job-managers" and o["value"] for t in o["value"]["targets"]]
assert hits and all(t["role"] == "jobmanager" for t in hits), hits[:3]
assert len({t["node"] for t in hits}) >= 2, "every kill found the JobManager on the same node"
sessions = []
for o in ops:
    s = o.get("leader", {}).get("session")
    if s and (not sessions or sessions[-1] != s):
        sessions.append(s)
assert len(set(sessions)) >= 2, f"the leader session never changed: {sessions}"
print(f"ok: {len(hits)} JobManager kills on nodes {sorted({t['node'] for t in hits})}; "
      f"{len(set(sessions))} leader sessions")
PY
pass "yarn-session, kill-job-managers: valid, new attempts"
