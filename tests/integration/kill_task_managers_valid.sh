# The default test (kill-task-managers) on a healthy HA cluster is valid, and the faults really
# happened: TaskManager processes were SIGKILLed and came back with new PIDs, and Flink registered
# new TaskManagers (new ids in /taskmanagers).
source "$(dirname "$0")/lib.sh"
run_test kill-tm --time-limit 30 --job-recovery-grace-period 60
grep -E "Nemesis|Recovery|Anomaly|Job state" "$store.stderr" | tail -n 25
[ $rc -eq 0 ] || fail "exit code $rc, expected 0"
[ "$(tail -n 1 "$store.stdout")" = "$VALID" ] || fail "stdout does not end with the valid verdict"
[ "$(json "$run/test.json" 'd["nemesis-gen"]')" = "kill-task-managers" ] || fail "not the default nemesis"
python3 - "$run" <<'PY'
import json, sys
run = sys.argv[1]
ops = [json.loads(l) for l in open(f"{run}/history.jsonl")]
kills = [o for o in ops if o["process"] == "nemesis" and o["f"] == "kill-task-managers" and o["value"]]
hits = [o for o in kills if o["value"]["targets"]]
assert hits, "no kill hit a TaskManager"
killed = {(t["node"], t["pid"]) for o in hits for t in o["value"]["targets"]}
started = [o["value"] for o in ops if o["f"] == "process-started"]
assert started, "no process-started op"
new = [s for s in started if (s["node"], s["pid"]) not in killed or True]
# Every process-started op names a PID that differs from the one killed on that node before it.
for o in ops:
    if o["f"] == "process-started":
        before = [t for k in hits if k["index"] < o["index"] for t in k["value"]["targets"]
                  if t["node"] == o["value"]["node"]]
        assert before, f"process started on {o['value']['node']} without a kill"
        assert before[-1]["pid"] != o["value"]["pid"], f"same PID after the kill: {o}"
start = {t["id"] for t in json.load(open(f"{run}/taskmanagers-start.json"))}
end = {t["id"] for t in json.load(open(f"{run}/taskmanagers-end.json"))}
assert len(end) == 3, f"{len(end)} TaskManagers registered at the end"
assert end - start, f"no new TaskManager id: start {start} end {end}"
res = json.load(open(f"{run}/results.json"))
assert res["valid?"] is True
assert res["recovery"]["harness"]["summary"]["count"] >= 1, res["recovery"]["harness"]
out = res["output"]["jobs"]["job"]
assert out["sink"] == "exactly-once" and out["valid?"] is True, out
assert out["records-checked"] > 0 and out["stopped-with-savepoint"] is True, out
assert res["consistency"]["valid?"] is True, res["consistency"]
print(f"ok: {len(hits)} kills hit {len(killed)} processes; {len(started)} came back; "
      f"new TaskManager ids: {len(end - start)}; recovery {res['recovery']['harness']['summary']}")
PY
pass "kill-task-managers valid with real kills: $run"
