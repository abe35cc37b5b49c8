# Negative control: with Flink's high availability off (one JobManager, no ZooKeeper HA), killing
# the JobManager loses the job: the restarted JobManager does not know it. The verdict must be
# invalid for that reason, after the JobManager was really killed and came back.
source "$(dirname "$0")/lib.sh"
run_test no-ha --nemesis-gen kill-job-managers --time-limit 10 --job-recovery-grace-period 30 \
  --flink-config high-availability.type=NONE
grep -E "High availability|Nemesis: kill|Anomaly" "$store.stderr" | tail -n 6 | cut -c1-220
[ $rc -eq 1 ] || fail "exit code $rc, expected 1 (invalid)"
[ "$(tail -n 1 "$store.stdout")" = "$INVALID" ] || fail "stdout does not end with the invalid verdict"
grep -q "High availability is off: one JobManager, on n1" "$run/jepsen.log" ||
  fail "the run did not deploy the non-HA layout"
python3 - "$run" <<'PY'
import json, sys
run = sys.argv[1]
res = json.load(open(f"{run}/results.json"))
assert res["valid?"] is False
lost = [a for a in res["consistency"]["anomalies"] if "no JobManager knows it" in a["what"]]
assert lost, res["consistency"]
assert any("is not running" in a["what"] for a in res["availability"]["anomalies"])
ops = [json.loads(l) for l in open(f"{run}/history.jsonl")]
kills = [t for o in ops if o["process"] == "nemesis" and isinstance(o["value"], dict)
         for t in o["value"].get("targets", []) if t.get("role") == "jobmanager"]
pids = {t["pid"] for t in kills}
assert len(pids) >= 2, f"the JobManager was not killed and restarted: {kills}"
ran = [o for o in ops if o["f"] == "jobs-running?" and o["type"] == "ok" and o["value"] and all(o["value"].values())]
assert ran, "the job never ran before the faults"
print(f"ok: {len(pids)} JobManager processes killed; the job is lost")
PY
pass "HA off under JobManager kills: invalid, the job lost"
