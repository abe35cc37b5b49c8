# SIGINT stops a run wherever it is, undoes every fault and reports "unknown" (exit 2):
# 1. while Flink is starting (the readiness wait no longer runs to its timeout);
# 2. while a whole node is frozen (--nemesis freeze): the node is thawed, the heal is recorded.
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
  kill -INT $pid
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
