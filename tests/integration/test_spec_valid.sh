# --test-spec: a spec with two instances of the test job and an operator preset's configuration
# (RocksDB, incremental checkpoints) deploys as written: both jobs run with the spec's settings
# in effect, TaskManager kills are survived, the run is valid; a spec that contradicts the command
# line is refused (254) before anything starts.
source "$(dirname "$0")/lib.sh"
spec="$IT_STORE/two-jobs.toml"
cat > "$spec" <<'TOML'
deployment-mode = "standalone-session"
dbs = ["zookeeper", "flink-standalone-session"]
[flink-config]
"state.backend.type" = "rocksdb"
"execution.checkpointing.incremental" = "true"
[[jobs]]
jar = "test-job"
[[jobs]]
jar = "test-job"
args = ["--rate", "50"]
TOML
run_test spec-conflict --test-spec "$spec" --flink-config state.backend.type=hashmap
[ $rc -eq 254 ] || fail "a contradicting spec: exit $rc, expected 254"
grep -q "state.backend.type" "$store.stderr" "$store.stdout" || fail "the refusal does not name the key"
pass "a spec that contradicts --flink-config is refused (254)"

run_test spec --test-spec "$spec" --nemesis-gen kill-single-task-manager --time-limit 20 \
  --job-recovery-grace-period 90
grep -E "Submitted|Anomaly|Recovery" "$store.stderr" | tail -n 6
[ $rc -eq 0 ] || fail "exit code $rc, expected 0 (valid)"
python3 - "$run" <<'PY'
import json, sys
run = sys.argv[1]
res = json.load(open(f"{run}/results.json"))
ids = res["job-ids"]
assert len(ids) == 2 and len(set(ids)) == 2, ids
test = json.load(open(f"{run}/test.json"))
assert test["test-spec"].endswith("two-jobs.toml"), test["test-spec"]
cfg = json.load(open(f"{run}/flink-config.json"))
flat = {e["key"]: e["value"] for e in cfg} if isinstance(cfg, list) else cfg
assert flat.get("state.backend.type") == "rocksdb", flat.get("state.backend.type")
ops = [json.loads(l) for l in open(f"{run}/history.jsonl")]
polls = [o for o in ops if o["f"] == "jobs-running?" and o["type"] == "ok"]
assert any(all(o["value"].get(i) for i in ids) for o in polls), "never saw both jobs running"
print(f"ok: jobs {ids} ran with RocksDB")
PY
pass "a two-job spec with RocksDB incremental runs valid"
