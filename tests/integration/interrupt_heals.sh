# SIGINT or SIGTERM stops a run wherever it is, undoes every fault and reports "unknown" (exit 2),
# with the history kept in the store:
# 1. while Flink is starting (the readiness wait no longer runs to its timeout);
# 2. while a whole node is frozen (--nemesis freeze): the node is thawed, the heal is recorded;
# 3. SIGTERM right after set-up (the job runs, no fault yet);
# 4. while a partition is active: our chains are gone from every node;
# 5. while a process is paused, with a second SIGINT: the run says what it is still undoing and
#    still undoes all of it (no process left stopped).
source "$(dirname "$0")/lib.sh"

# start_and_interrupt NAME PATTERN ARGS...: starts a run, sends SIGINT once its output matches
# PATTERN, and waits. Sets $store, $rc, $run and $stop_s (seconds from SIGINT to exit).
start_and_interrupt() {
  local name=$1 pattern=$2
  shift 2
  store="$IT_STORE/$name"
  rm -rf "$store"
  "$JF" test "$@" --store "$store" > "$store.out" 2>&1 &
  local pid=$! i
  for i in $(seq 1 240); do
    grep -q -- "$pattern" "$store.out" 2> /dev/null && break
    kill -0 $pid 2> /dev/null || { tail -20 "$store.out"; fail "$name: the run ended before '$pattern'"; }
    sleep 0.5
  done
  grep -q -- "$pattern" "$store.out" || fail "$name: never saw '$pattern'"
  local t0=$(date +%s.%N)
  kill -"${SIGNAL:-INT}" $pid
  if [ -n "${SECOND_SIGINT:-}" ]; then
    sleep 0.3
    kill -INT $pid 2> /dev/null || true
  fi
  set +e
  wait $pid
  rc=$?
  set -e
  stop_s=$(echo "$t0 $(date +%s.%N)" | awk '{printf "%.1f", $2 - $1}')
  run=$(readlink -f "$store/latest" 2> /dev/null || true)
}

no_java_left() {
  if pgrep -f 'org.apache.(flink|zookeeper)' > /dev/null; then
    pgrep -af 'org.apache.(flink|zookeeper)' | cut -c1-200
    fail "$1: Flink or ZooKeeper JVMs are still running"
  fi
}

start_and_interrupt interrupt-deploy "Setting up flink-standalone-session" --time-limit 30
tail -5 "$store.out"
[ $rc -eq 2 ] || fail "interrupted during deploy: exit $rc, expected 2 (unknown)"
awk -v s="$stop_s" 'BEGIN { exit !(s < 20) }' || fail "the run took $stop_s s to stop after SIGINT"
grep -q "interrupted" "$store.out" || fail "the log does not say the run was interrupted"
grep -qF "$INVALID" "$store.out" && fail "an interrupted run must not claim an anomaly"
no_java_left interrupt-deploy
pass "SIGINT during deploy: exit 2 after $stop_s s, nothing left running"

start_and_interrupt interrupt-freeze "Nemesis: freeze-start" --nemesis freeze \
  --nemesis-interval 4 --time-limit 60 --seed 11
tail -5 "$store.out"
[ $rc -eq 2 ] || fail "interrupted during a freeze: exit $rc, expected 2"
python3 - "$run" <<'PY'
import json, sys
ops = [json.loads(l) for l in open(f"{sys.argv[1]}/history.jsonl")]
nem = [o for o in ops if o["process"] == "nemesis" and o["value"] is not None]
frozen = [o for o in nem if o["f"] == "freeze-start" and o["value"].get("nodes")]
assert frozen, "no node was frozen"
assert all(n["host-pids"] for o in frozen for n in o["value"]["nodes"]), frozen
heal = [o for o in nem if o["f"] == "heal"]
assert heal and heal[-1]["value"] == "healed", heal
print(f"ok: froze {[n['node'] for o in frozen for n in o['value']['nodes']]}, then healed")
PY
ls -d /sys/fs/cgroup/*/jepsen-flink 2> /dev/null && fail "our freezer cgroup is left"
no_java_left interrupt-freeze
pass "SIGINT during a freeze: exit 2 after $stop_s s, node thawed, heal recorded"

# nothing_of_the_run_left NAME [utopia]: no chain of ours in any node, no process stopped, no JVM,
# and the history kept up to the interruption, ending with its heal (a utopia run has no nemesis
# and so no heal: its history ends with the client's last op).
nothing_of_the_run_left() {
  local ns
  for ns in $(ip netns list | awk '$1 ~ /^jf-/ {print $1}'); do
    ip netns exec "$ns" iptables -S 2> /dev/null | grep -q 'JF-' && fail "$1: a JF- chain is left in $ns"
  done
  if ps -eo stat=,pid=,args= | awk '$1 ~ /^T/' | grep -E 'java|zookeeper' ; then
    fail "$1: a process is left stopped"
  fi
  no_java_left "$1"
  need_file "$run/history.jsonl"
  if [ "${2:-}" = utopia ]; then
    [ "$(wc -l < "$run/history.jsonl")" -ge 2 ] || fail "$1: the history is empty"
  else
    tail -n 1 "$run/history.jsonl" | grep -q '"f":"heal"' || fail "$1: the history does not end with the heal"
  fi
  python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); assert r["valid?"] == "unknown", r["valid?"]' \
    "$run/results.json" || fail "$1: results.json is not unknown"
  local arc=0
  "$JF" analyze "$run" > "$store.analyze" 2>&1 || arc=$?
  [ $arc -eq 2 ] || fail "$1: analyze of the interrupted run gave exit $arc, expected 2"
}

SIGNAL=TERM start_and_interrupt interrupt-after-setup "The job runs with all its tasks" \
  --nemesis-gen utopia --time-limit 60
[ $rc -eq 2 ] || fail "SIGTERM after set-up: exit $rc, expected 2"
grep -qF "$UNKNOWN" "$store.out" || fail "SIGTERM after set-up: the last line is not the unknown verdict"
nothing_of_the_run_left interrupt-after-setup utopia
pass "SIGTERM after set-up: exit 2 after $stop_s s, the history kept"

start_and_interrupt interrupt-partition "Nemesis: partition-start" --nemesis partition \
  --nemesis-interval 4 --time-limit 60 --seed 5
[ $rc -eq 2 ] || fail "SIGINT during a partition: exit $rc, expected 2"
python3 -c '
import json, sys
ops = [json.loads(l) for l in open(sys.argv[1])]
assert any(o["f"] == "partition-start" and isinstance(o.get("value"), dict) for o in ops)' \
  "$run/history.jsonl" || fail "no partition began"
nothing_of_the_run_left interrupt-partition
pass "SIGINT during a partition: exit 2 after $stop_s s, every chain removed"

SECOND_SIGINT=1 start_and_interrupt interrupt-pause "Nemesis: pause-start" --nemesis pause \
  --nemesis-interval 4 --time-limit 60 --seed 3
[ $rc -eq 2 ] || fail "SIGINT twice during a pause: exit $rc, expected 2"
grep -q "still undoing" "$store.out" || fail "the second SIGINT did not say what is still being undone"
nothing_of_the_run_left interrupt-pause
pass "SIGINT twice during a pause: exit 2 after $stop_s s, '$(grep -m1 -o 'still undoing.*' "$store.out" | cut -c1-80)', nothing left stopped"
