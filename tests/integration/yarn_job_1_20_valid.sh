# yarn-job (per-job mode, Flink 1.20 only) with NodeManager kills: each kill hits a NodeManager
# process, runit restarts it within YARN's liveness interval, it recovers its containers, and the
# job keeps running or recovers. Also: per-job is refused on Flink 2.x and mesos-session
# everywhere, with a reason (exit 254).
source "$(dirname "$0")/lib.sh"
set +e
"$JF" test --deployment-mode yarn-job --time-limit 5 > /dev/null 2> "$IT_STORE/yarn-job-2x.err"
rc2=$?
"$JF" test --deployment-mode mesos-session --time-limit 5 > /dev/null 2> "$IT_STORE/mesos.err"
rcm=$?
set -e
[ $rc2 -eq 254 ] || fail "yarn-job on Flink 2.x: exit $rc2, expected 254"
grep -q "no per-job mode" "$IT_STORE/yarn-job-2x.err" || fail "no reason for refusing yarn-job"
[ $rcm -eq 254 ] || fail "mesos-session: exit $rcm, expected 254"
grep -q "Mesos support left Flink" "$IT_STORE/mesos.err" || fail "no reason for refusing Mesos"

run_test yarn-job-nm --flink-version 1.20.5 --deployment-mode yarn-job \
  --nemesis-gen kill-single-node-manager --time-limit 15 --job-recovery-grace-period 120
grep -E "YARN application|Deployed|Recovery|Anomaly" "$store.stderr" | tail -n 8
[ $rc -eq 0 ] || fail "exit code $rc, expected 0 (valid)"
python3 "$(dirname "$0")/yarn_check.py" "$run" yarn-job 1
python3 - "$run" <<'PY'
import json, sys
run = sys.argv[1]
ops = [json.loads(l) for l in open(f"{run}/history.jsonl")]
hits = [t for o in ops if o["f"] == "kill-single-node-manager" and o["value"]
        for t in o["value"]["targets"]]
assert hits and all(t["role"] == "nodemanager" for t in hits), hits[:3]
back = [o for o in ops if o["f"] == "process-started" and o["value"]["role"] == "nodemanager"]
assert back, "no killed NodeManager came back"
v = json.load(open(f"{run}/flink-version.json"))
assert v["flink-version"].startswith("1.20"), v
print(f"ok: {len(hits)} NodeManagers killed, {len(back)} came back; Flink {v['flink-version']}")
PY
pass "yarn-job on Flink 1.20 with NodeManager kills: valid; per-job refused on 2.x"
