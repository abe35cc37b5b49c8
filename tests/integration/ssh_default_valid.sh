# The default test over SSH alone: `cluster up --ssh` gives every namespace node the real OpenSSH
# server, and `jepsen-flink test --nodes-file` drives them as real hosts. The harness runs in a PID
# namespace of its own, where the nodes' processes do not exist, so it cannot reach a node but
# through the network (nsenter into a node fails there: checked). Proves:
#   - the default test (kill-task-managers) is valid over SSH, with real kills (TaskManagers came
#     back with new PIDs) and exactly-once output checked;
#   - every node's sshd accepted sessions during the run (its log, on the host);
#   - the same over SSH with HDFS instead of a shared directory (--hdfs, no --shared-dir);
#   - refusals: no shared storage (254); a key the nodes refuse, and an unknown host key with
#     strict checking, stop the run before any history with a message naming the node and the fix;
#   - the private key's contents appear nowhere in the stores.
# Uses its own state dir; the shared fixture's cluster is taken down first and brought back after.
source "$(dirname "$0")/lib.sh"
t_start=$(date +%s.%N)
own_cluster_state sshrun

"$JF" cluster up --ssh --local-nodes 3 --state-dir "$state" > "$state/up.stdout" \
  2> "$state/up.stderr" || { cat "$state/up.stderr" >&2; fail "cluster up --ssh failed"; }
ssh_dir="$state/ssh"
ssh_args=(--nodes-file "$ssh_dir/nodes" --ssh-private-key "$ssh_dir/id_ed25519"
  --ssh-known-hosts "$ssh_dir/known_hosts")

# isolated CMD...: runs CMD in a PID namespace of its own (with its own /proc).
isolated() { unshare --pid --fork --mount-proc "$@"; }
n1_init=$(json "$state/cluster.json" "d['nodes'][0]['init_pid']")
isolated nsenter -t "$n1_init" -n true 2> /dev/null &&
  fail "from the isolated PID namespace, nsenter still reaches n1 (pid $n1_init)"
pass "the harness's PID namespace cannot nsenter into the nodes"

accepted() {  # accepted N: 'Accepted publickey' lines in node N's sshd log
  grep -c "Accepted publickey for root" "$state/nodes/n$1/log/sshd.log" || true
}
declare -A before
for i in 1 2 3; do before[$i]=$(accepted "$i"); done

# run_isolated NAME ARGS...: like run_test, with the harness in its own PID namespace.
run_isolated() {
  local name=$1
  shift
  store="$IT_STORE/$name"
  rm -rf "$store"
  local extra
  read -r -a extra <<< "$(it_threshold_args "$@")"
  set +e
  isolated "$JF" test "$@" "${extra[@]}" --store "$store" > "$store.stdout" 2> "$store.stderr"
  rc=$?
  set -e
  run=$(readlink -f "$store/latest" 2> /dev/null || true)
}

run_isolated ssh-kill-tm "${ssh_args[@]}" --shared-dir "$state/shared" --time-limit 30 \
  --job-recovery-grace-period 60
grep -E "SSH|Nemesis|Recovery|Anomaly|Job state" "$store.stderr" | tail -n 20
[ $rc -eq 0 ] || { tail -n 30 "$store.stderr"; fail "exit code $rc, expected 0"; }
[ "$(tail -n 1 "$store.stdout")" = "$VALID" ] || fail "stdout does not end with the valid verdict"
python3 - "$run" "$ssh_dir/nodes" <<'PY'
import json, sys
run, nodes_file = sys.argv[1], sys.argv[2]
nodes = [l.strip() for l in open(nodes_file) if l.strip()]
test = json.load(open(f"{run}/test.json"))
assert test["nemesis-gen"] == "kill-task-managers", test["nemesis-gen"]
assert test["nodes"] == nodes and test["ssh"]["username"] == "root", test
cluster = json.load(open(f"{run}/cluster.json"))
assert cluster["control"] == "ssh" and [n["name"] for n in cluster["nodes"]] == nodes, cluster
ops = [json.loads(l) for l in open(f"{run}/history.jsonl")]
hits = [o for o in ops if o["process"] == "nemesis" and o["f"] == "kill-task-managers"
        and o["value"] and o["value"]["targets"]]
assert hits, "no kill hit a TaskManager"
for o in ops:
    if o["f"] == "process-started":
        before = [t for k in hits if k["index"] < o["index"] for t in k["value"]["targets"]
                  if t["node"] == o["value"]["node"]]
        assert before and before[-1]["pid"] != o["value"]["pid"], f"no new PID after a kill: {o}"
assert any(o["f"] == "process-started" for o in ops), "no killed TaskManager came back"
res = json.load(open(f"{run}/results.json"))
assert res["valid?"] is True
out = res["output"]["jobs"]["job"]
assert out["valid?"] is True and out["records-checked"] > 0 and out["stopped-with-savepoint"], out
assert res["consistency"]["valid?"] is True, res["consistency"]
t = res["timings"]
print(f"ok: {len(hits)} kills over SSH, {out['records-checked']} records checked; ssh connect "
      f"{t['ssh_connect_s']:.2f} s, Flink ready {t['start_to_flink_ready_s']:.1f} s after start")
PY
for n in "$(head -1 "$ssh_dir/nodes")"; do
  [ -d "$run/$n/flink" ] || fail "no Flink logs of $n in the store"
done
for i in 1 2 3; do
  now=$(accepted "$i")
  [ "$now" -gt "${before[$i]}" ] || fail "n$i's sshd saw no session during the run"
  echo "n$i: $((now - ${before[$i]})) SSH sessions during the run"
done
pass "the default test is valid over SSH alone: $run"

# HDFS instead of a shared directory: the job's side files are collected from every node.
run_isolated ssh-hdfs "${ssh_args[@]}" --hdfs --nemesis-gen utopia --time-limit 10 \
  --job-recovery-grace-period 60
[ $rc -eq 0 ] || { tail -n 30 "$store.stderr"; fail "--hdfs over SSH: exit code $rc"; }
[ "$(json "$run/cluster.json" "d['shared_dir_per_node']")" = True ] ||
  fail "--hdfs without --shared-dir should keep the job's side files on each node"
[ "$(json "$run/results.json" "d['output']['jobs']['job']['records-checked'] > 0")" = True ] ||
  fail "--hdfs over SSH: no output checked"
ls "$run/job/commits" | grep -q . || fail "--hdfs over SSH: no commit logs collected"
pass "--hdfs over SSH is valid, output from HDFS and commit logs from the nodes: $run"
# The second run on the same nodes found Flink and ZooKeeper there and sent neither again.
up_to_date=$(grep -cE ": /opt/(flink|zookeeper/lib) is up to date" "$run/jepsen.log" || true)
[ "$up_to_date" -ge 6 ] || fail "the second run sent the distributions again ($up_to_date of 6 skipped)"
pass "the second run over SSH re-sent no distribution ($up_to_date trees up to date)"

# Refusals, each before anything runs on a node.
set +e
"$JF" test "${ssh_args[@]}" --store "$state/refused" > /dev/null 2> "$state/refused.err"
rc=$?
set -e
[ $rc -eq 254 ] || fail "SSH nodes without shared storage: exit $rc, expected 254"
grep -q -- "--shared-dir" "$state/refused.err" || fail "the refusal does not name --shared-dir"
pass "SSH nodes without shared storage are refused (254)"

ssh-keygen -q -t ed25519 -N '' -f "$state/other_key"
n1=$(head -1 "$ssh_dir/nodes")
set +e
"$JF" test --nodes-file "$ssh_dir/nodes" --ssh-private-key "$state/other_key" \
  --ssh-known-hosts "$ssh_dir/known_hosts" --shared-dir "$state/shared" --time-limit 5 \
  --store "$state/badkey" > /dev/null 2> "$state/badkey.err"
rc=$?
set -e
[ $rc -eq 255 ] || fail "a refused key: exit $rc, expected 255"
grep -q "$n1" "$state/badkey.err" && grep -qi "authorized_keys\|--ssh-private-key" \
  "$state/badkey.err" || { cat "$state/badkey.err"; fail "a refused key: no node or fix named"; }
[ ! -s "$(readlink -f "$state/badkey/latest")/history.jsonl" ] ||
  fail "a refused key: a history was begun"
pass "a key the nodes refuse stops the run naming the node and the fix"

: > "$state/empty_known_hosts"
set +e
"$JF" test --nodes-file "$ssh_dir/nodes" --ssh-private-key "$ssh_dir/id_ed25519" \
  --ssh-known-hosts "$state/empty_known_hosts" --shared-dir "$state/shared" --time-limit 5 \
  --store "$state/hostkey" > /dev/null 2> "$state/hostkey.err"
rc=$?
set -e
[ $rc -eq 255 ] || fail "an unknown host key: exit $rc, expected 255"
grep -qi "host key" "$state/hostkey.err" && grep -q "ssh-keyscan" "$state/hostkey.err" || { cat "$state/hostkey.err"; fail "unknown host key: no fix named"; }
pass "an unknown host key with strict checking stops the run naming the fix"

# The key itself never reaches a log or a store.
secret=$(sed -n 2p "$ssh_dir/id_ed25519")
[ -n "$secret" ] || fail "cannot read the key's first line"
if grep -rqF -- "$secret" "$IT_STORE/ssh-kill-tm" "$IT_STORE/ssh-hdfs" "$state/badkey" \
    "$state/hostkey" "$IT_STORE"/ssh-*.std*; then
  fail "the private key's contents are in a store or log"
fi
pass "the private key appears in no store or log"

"$JF" cluster down --all --state-dir "$state" || fail "cluster down --all failed"
"$JF" cluster leaks --state-dir "$state" || fail "leaks remain after cluster down --all"
echo "ssh_default_valid.sh: $(python3 -c "import time; print(round(time.time() - $t_start, 1))") s"
