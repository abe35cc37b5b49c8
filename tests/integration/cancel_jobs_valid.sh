# --client-gen cancel-jobs (the original's client schedule): the job is canceled 15 s after it
# first ran, is gone within the 10 s cancellation grace period, and the run is valid.
source "$(dirname "$0")/lib.sh"
run_test cancel --nemesis-gen utopia --client-gen cancel-jobs --time-limit 20
grep -E "cancel-jobs|Anomaly|Job state" "$store.stderr" | tail -n 8
[ $rc -eq 0 ] || fail "exit code $rc, expected 0"
python3 - "$run" <<'PY'
import json, sys
run = sys.argv[1]
ops = [json.loads(l) for l in open(f"{run}/history.jsonl")]
cancels = [o for o in ops if o["f"] == "cancel-jobs" and o["type"] != "invoke"]
assert len(cancels) == 1 and cancels[0]["type"] == "ok", cancels
t = cancels[0]["time"]
late = [o for o in ops if o["f"] == "jobs-running?" and o["type"] == "ok"
        and o["time"] > t + 10e9 and any(o["value"].values())]
assert not late, f"running after cancellation: {late[:1]}"
states = {o["flink"][k]["state"] for o in ops if o["time"] > t + 10e9 and "flink" in o for k in o["flink"]}
assert states == {"CANCELED"}, states
print("ok: canceled; Flink reports CANCELED")
PY
pass "cancel-jobs valid"
