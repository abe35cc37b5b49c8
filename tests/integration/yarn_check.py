"""Checks shared by the YARN integration tests: the run really ran on YARN.

usage: yarn_check.py RUN_DIR MODE MIN_ATTEMPTS
Asserts that the store holds the ResourceManager's view of the run's application (state, at
least MIN_ATTEMPTS attempts), the YARN container logs of its JobManager(s) and TaskManagers, and
that the test job was deployed as that application (HA cluster id = application id). A standalone
cluster labelled "yarn" has none of these.
"""
import glob
import json
import os
import sys

run, mode, min_attempts = sys.argv[1], sys.argv[2], int(sys.argv[3])
res = json.load(open(f"{run}/results.json"))
assert res["deployment-mode"] == mode, res["deployment-mode"]
rm = json.load(open(f"{run}/yarn-application.json"))
app = rm["application-id"]
assert rm["application"]["state"] == "RUNNING", rm["application"]
attempts = rm["attempts"]
assert len(attempts) >= min_attempts, f"{len(attempts)} attempts, expected >= {min_attempts}"
assert len({a["attempt-id"] for a in attempts}) == len(attempts), attempts
cfg = json.load(open(f"{run}/flink-config.json"))
assert cfg["high-availability.cluster-id"] == app, (cfg["high-availability.cluster-id"], app)
assert cfg["high-availability.storageDir"].startswith("hdfs://"), cfg
# Container logs: JobManager logs of every attempt's AM container we can find, TaskManager logs.
jm_logs = glob.glob(f"{run}/n*/hadoop-yarn/containers/{app}/container_*_000001/jobmanager.log")
tm_logs = glob.glob(f"{run}/n*/hadoop-yarn/containers/{app}/container_*/taskmanager.log")
assert jm_logs, "no JobManager container log in the store"
assert tm_logs, "no TaskManager container log in the store"
am_attempts = {os.path.basename(os.path.dirname(p)).split("_")[3] for p in jm_logs}
assert len(am_attempts) >= min(min_attempts, 2), f"AM container logs of attempts {am_attempts}"
ops = [json.loads(l) for l in open(f"{run}/history.jsonl")]
sub = [o for o in ops if o["f"] == "submit-job" and o["type"] == "ok"]
assert sub, "the job was never submitted"
print(f"ok: {mode}: application {app}, {len(attempts)} attempts, "
      f"{len(jm_logs)} JobManager and {len(tm_logs)} TaskManager container logs")
