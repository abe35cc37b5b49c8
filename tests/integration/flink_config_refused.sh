# --flink-config that Flink would not take is refused with exit 254: an unknown key before
# anything starts, and an override that did not take effect once Flink runs.
source "$(dirname "$0")/lib.sh"
store="$IT_STORE/refused"
rm -rf "$store"
set +e
start=$(date +%s)
"$JF" test --nemesis-gen utopia --time-limit 10 --store "$store" \
  --flink-config no.such.option=1 > "$store.out" 2>&1
rc=$?
set -e
cat "$store.out" | tail -3
[ $rc -eq 254 ] || fail "unknown key: exit $rc, expected 254"
grep -q "no.such.option" "$store.out" || fail "the message does not name the key"
[ $(( $(date +%s) - start )) -lt 30 ] || fail "the unknown key was not refused before start-up"
pass "unknown key refused"

# A per-node key set by the harness wins over the override: Flink does not run with it.
set +e
"$JF" test --nemesis-gen utopia --time-limit 10 --store "$store" \
  --flink-config rest.address=10.99.99.99 > "$store.out2" 2>&1
rc=$?
set -e
tail -3 "$store.out2"
[ $rc -eq 254 ] || fail "override not taken: exit $rc, expected 254"
grep -q "did not take effect: rest.address" "$store.out2" || fail "the message does not name the key"
pass "override that did not take effect refused"

# The shared cluster is up on the default subnet: a run asking for another one is refused with
# the fix, before any history, and the cluster is left as it was.
before=$("$JF" cluster status 2>&1 | md5sum)
run_test refused-subnet --nemesis-gen utopia --time-limit 10 --subnet 10.211.0.0/24
tail -2 "$store.stderr"
[ $rc -eq 255 ] || fail "another subnet: exit $rc, expected 255"
grep -q "is already up" "$store.stderr" || fail "the message does not say a cluster is up"
grep -q -- "use --subnet 10.77.7.0/24" "$store.stderr" || fail "the message does not give the fix"
[ -z "$run" ] || [ ! -s "$run/history.jsonl" ] || fail "a history was begun"
[ "$("$JF" cluster status 2>&1 | md5sum)" = "$before" ] || fail "the shared cluster changed"
pass "another subnet refused, the cluster untouched"

# Not enough free disk under the store: 255 before any run directory is made.
run_test refused-disk --nemesis-gen utopia --time-limit 10 --min-free-disk-mb 999999999
tail -2 "$store.stderr"
[ $rc -eq 255 ] || fail "--min-free-disk-mb: exit $rc, expected 255"
grep -q "MiB free on the file system of the store" "$store.stderr" || fail "the message does not say why"
[ -z "$(find "$store" -name history.jsonl 2> /dev/null)" ] || fail "a history was begun"
pass "--min-free-disk-mb refused the run before any history"

# A port a daemon needs, held by a process that is not ours (here a listener on n1's REST port):
# 255 before anything is deployed, naming the port, the node and the holder, which is left alone.
n1_pid=$(json /var/lib/jepsen-flink/cluster.json "[x['init_pid'] for x in d['nodes'] if x['name'] == 'n1'][0]")
nsenter -t "$n1_pid" -n -m -p timeout 120 python3 -c '
import socket, sys, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("0.0.0.0", 8081)); s.listen(); time.sleep(120)' jf-port-holder &
trap 'pkill -f jf-port-holder || true' EXIT
for _ in $(seq 50); do nsenter -t "$n1_pid" -n ss -Htln | grep -q ':8081 ' && break; sleep 0.1; done
run_test refused-port --nemesis-gen utopia --time-limit 10
tail -2 "$store.stderr"
[ $rc -eq 255 ] || fail "port in use: exit $rc, expected 255"
grep -q "n1: port 8081 (Flink REST, rest.port) is in use by python3 (pid [0-9]*)" "$store.stderr" ||
  fail "the message does not name the port, node and holder"
[ -z "$run" ] || [ ! -s "$run/history.jsonl" ] || fail "a history was begun"
grep -q "Setting up zookeeper" "$store.stderr" && fail "a daemon was set up"
pgrep -f jf-port-holder > /dev/null || fail "the run touched the process holding the port"
pkill -f jf-port-holder
pass "a port in use refused the run before any daemon, its holder untouched"
