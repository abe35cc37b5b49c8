# yarn-application (Flink 2.x) under kill-task-managers: the kills hit the YARN TaskManager
# processes (YarnTaskExecutorRunner) in their containers, Flink's resource manager asks YARN for
# new containers, and the job recovers. Proof: kills hit TaskManagers, more TaskManager containers
# than the job ever needed at once ran, and the store holds their logs.
source "$(dirname "$0")/lib.sh"
run_test yarn-app-kill-tm --deployment-mode yarn-application --nemesis-gen kill-task-managers \
  --time-limit 15 --job-recovery-grace-period 120
grep -E "YARN application|Deployed|Recovery|Anomaly" "$store.stderr" | tail -n 8
[ $rc -eq 0 ] || fail "exit code $rc, expected 0 (valid)"
python3 "$(dirname "$0")/yarn_check.py" "$run" yarn-application 1
python3 - "$run" <<'PY'
import glob, json, sys
run = sys.argv[1]
ops = [json.loads(l) for l in open(f"{run}/history.jsonl")]
hits = [t for o in ops if o["f"] == "kill-task-managers" and o["value"] for t in o["value"]["targets"]]
assert hits and all(t["role"] == "taskmanager" for t in hits), hits[:3]
app = json.load(open(f"{run}/yarn-application.json"))["application-id"]
tms = glob.glob(f"{run}/n*/hadoop-yarn/containers/{app}/container_*/taskmanager.log")
assert len(tms) > 3, f"only {len(tms)} TaskManager containers: none was replaced"
print(f"ok: {len(hits)} TaskManager processes killed; {len(tms)} TaskManager containers ran")
PY
pass "yarn-application, kill-task-managers: valid, containers replaced"
