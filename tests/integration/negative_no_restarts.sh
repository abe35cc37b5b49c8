# Negative control: with restarts disabled, TaskManager kills must end the job, and the verdict
# must be invalid for the right reason: the job had been running, then was not running after the
# grace period.
source "$(dirname "$0")/lib.sh"
run_test no-restarts --time-limit 20 --job-recovery-grace-period 60 \
  --flink-config restart-strategy.type=none --junit "$IT_STORE/no-restarts.junit.xml"
grep -E "Nemesis: kill|Anomaly|Job state" "$store.stderr" | tail -n 12
[ $rc -eq 1 ] || fail "exit code $rc, expected 1 (invalid)"
check_junit "$IT_STORE/no-restarts.junit.xml" 1 1 0 "availability: "
[ "$(tail -n 1 "$store.stdout")" = "$INVALID" ] || fail "stdout does not end with the invalid verdict"
[ "$(tail -n 1 "$run/jepsen.log")" = "$INVALID" ] || fail "jepsen.log does not end with the verdict"
python3 - "$run" <<'PY'
import json, sys
run = sys.argv[1]
res = json.load(open(f"{run}/results.json"))
assert res["valid?"] is False
anomalies = res["availability"]["anomalies"]
assert any("is not running" in a["what"] for a in anomalies), anomalies
ops = [json.loads(l) for l in open(f"{run}/history.jsonl")]
first_anomaly = min(a["time_s"] for a in anomalies if "is not running" in a["what"])
ran = [o for o in ops if o["f"] == "jobs-running?" and o["type"] == "ok" and all(o["value"].values())]
assert ran and ran[0]["time"] / 1e9 < first_anomaly, "the job never ran before it was judged down"
faults = [o["time"] / 1e9 for o in ops if o["process"] == "nemesis" and isinstance(o["value"], dict)
          and not o["value"].get("no-target")]
assert first_anomaly > max(faults) + 60, (first_anomaly, max(faults))
print(f"ok: first 'not running' anomaly at {first_anomaly:.1f} s, last fault at {max(faults):.1f} s")
PY
pass "restarts disabled: invalid, job not running after the grace period"
