# A utopia run (no faults) on the shared cluster is valid, and its store holds everything the
# platform promises.
source "$(dirname "$0")/lib.sh"
run_test utopia --nemesis-gen utopia --time-limit 10 --junit "$IT_STORE/utopia.junit.xml"
tail -n 20 "$store.stderr"
[ $rc -eq 0 ] || fail "exit code $rc, expected 0"
[ "$(tail -n 1 "$store.stdout")" = "$VALID" ] || fail "stdout does not end with the valid verdict"
[ -d "$run" ] || fail "store/latest does not point at the run"
check_junit "$IT_STORE/utopia.junit.xml" 1 0 0
[ "$(readlink -f "$store/standalone-session-utopia/latest")" = "$run" ] || fail "per-test latest link"
[[ "$(basename "$run")" =~ ^[0-9]{8}T[0-9]{6}\.[0-9]{3}$ ]] || fail "run dir name $(basename "$run")"
for f in jepsen.log history.jsonl results.json test.json flink-config.json flink-version.json \
         job-exceptions.json; do
  need_file "$run/$f"
done
[ "$(tail -n 1 "$run/jepsen.log")" = "$VALID" ] || fail "jepsen.log does not end with the verdict"
[ "$(json "$run/results.json" 'd["valid?"]')" = "True" ] || fail "results.json is not valid"
[ "$(json "$run/flink-version.json" 'd["flink-version"]')" = "2.2.1" ] || fail "flink version"
[ -n "$(json "$run/flink-version.json" 'd["flink-revision"]')" ] || fail "flink revision"
# Jepsen's op fields on every line, and running polls.
python3 - "$run/history.jsonl" <<'PY'
import json, sys
ops = [json.loads(l) for l in open(sys.argv[1])]
for i, op in enumerate(ops):
    assert op["index"] == i, op
    for k in ("time", "type", "process", "f", "value"):
        assert k in op, (k, op)
running = [o for o in ops if o["f"] == "jobs-running?" and o["type"] == "ok" and all(o["value"].values())]
assert len(running) >= 20, f"only {len(running)} running polls"
PY
for n in n1 n2 n3; do
  ls "$run/$n/flink/"taskmanager*.log > /dev/null 2>&1 || fail "$n: no TaskManager log"
  need_file "$run/$n/flink/taskmanager.out"
  need_file "$run/$n/flink/taskmanager-gc.log"
  need_file "$run/$n/zookeeper/zookeeper.log"
  need_file "$run/$n/flink/conf/config.yaml"
done
for n in n1 n2; do
  ls "$run/$n/flink/"*standalonesession*.log > /dev/null 2>&1 || fail "$n: no JobManager log"
  need_file "$run/$n/flink/jobmanager.out"
  need_file "$run/$n/flink/jobmanager-gc.log"
done
pass "utopia run valid; store complete: $run"
