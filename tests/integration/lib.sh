# Helpers for the integration tests. Each test script gets the jepsen-flink binary as $1.
set -euo pipefail
JF=$(readlink -f "$1")
ROOT=${JF_SOURCE_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
IT_STORE=${IT_STORE:-$ROOT/build/it-store}
mkdir -p "$IT_STORE"
VALID="Everything looks good! ヽ('ー\`)ノ"
INVALID="Analysis invalid! (ﾉಥ益ಥ）ﾉ ┻━┻"
UNKNOWN="Errors occurred during analysis, but no anomalies found. ಠ~ಠ"

fail() { echo "FAIL: $*" >&2; exit 1; }
pass() { echo "ok: $*"; }

# json FILE EXPR: evaluates a Python expression over the parsed JSON document `d`.
json() { python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$1" "$2"; }

need_file() { [ -s "$1" ] || fail "missing or empty: $1"; }

# The ctest run may be interrupted; a test never leaves its cluster behind.
cleanup_on_exit() { "$JF" cluster down --all > /dev/null 2>&1 || true; }

# The end-of-run window the tests ask for: the job must have run for 3 x 5 s at the end, not the
# default 5 x 5 s (CI's time budget). A test that gives the option itself, or a test spec (which
# the command line must not contradict), keeps its own.
it_threshold_args() {
  case " $* " in
  *" --job-running-healthy-threshold "* | *" --test-spec "*) ;;
  *) echo "--job-running-healthy-threshold 3" ;;
  esac
}

# run_test NAME [test options...]: runs `jepsen-flink test` with its store under $IT_STORE/NAME,
# output in $store.stdout and $store.stderr (with it_threshold_args). Sets $store, $rc (its exit
# code) and $run (the run's directory, empty if none was made).
run_test() {
  local name=$1
  shift
  store="$IT_STORE/$name"
  rm -rf "$store"
  local extra
  read -r -a extra <<< "$(it_threshold_args "$@")"
  set +e
  "$JF" test "$@" "${extra[@]}" --store "$store" > "$store.stdout" 2> "$store.stderr"
  rc=$?
  set -e
  run=$(readlink -f "$store/latest" 2> /dev/null || true)
}

# After a --leave-db-running run on the shared cluster: fails if any node still has one of our
# iptables chains (any table), our qdisc, a stopped process or our delayer, or if our freezer
# cgroup is left; then gives the next tests a fresh cluster.
assert_nodes_healed_and_recycle() {
  local n pid
  for n in n1 n2 n3; do
    pid=$(json /var/lib/jepsen-flink/cluster.json \
      "[x['init_pid'] for x in d['nodes'] if x['name'] == '$n'][0]")
    nsenter -t "$pid" -n iptables-save | grep -q 'JF-' && fail "$n: one of our chains is left"
    nsenter -t "$pid" -n tc qdisc show dev eth0 | grep -q '4a46:' && fail "$n: our qdisc is left"
    nsenter -t "$pid" -m -p sh -c 'grep -l "^State:.*T" /proc/[0-9]*/status 2>/dev/null' |
      grep -q . && fail "$n: a process is still stopped"
    nsenter -t "$pid" -m -p pgrep -x jf-delayer > /dev/null && fail "$n: our delayer still runs"
  done
  ls -d /sys/fs/cgroup/*/jepsen-flink 2> /dev/null && fail "our freezer cgroup is left"
  "$JF" cluster down --all > /dev/null
  "$JF" cluster up --local-nodes 3 > /dev/null
}

# own_cluster_state NAME: for a test that brings up a cluster of its own (e.g. `cluster up
# --ssh`) while the machine holds one local cluster at a time. Makes $state, a fresh state dir
# under /var/lib (not /var/tmp: sshd's StrictModes refuses keys below a world-writable
# directory), takes the shared fixture's cluster down, and on exit removes $state's cluster and
# $state and brings the fixture's cluster back (as it was: nodes and subnet).
own_cluster_state() {
  state=$(mktemp -d "/var/lib/jf-it-$1.XXXXXX")
  local default_state=${JEPSEN_FLINK_STATE_DIR:-/var/lib/jepsen-flink}
  _restore_nodes= _restore_subnet=
  if [ -f "$default_state/cluster.json" ]; then
    _restore_nodes=$(json "$default_state/cluster.json" "len(d['nodes'])")
    _restore_subnet=$(json "$default_state/cluster.json" "d['subnet']")
  fi
  trap _own_cluster_state_finish EXIT
  "$JF" cluster down --all > /dev/null
}
_own_cluster_state_finish() {
  local rc=$?
  "$JF" cluster down --all --state-dir "$state" > /dev/null 2>&1 || true
  rm -rf "$state"
  if [ -n "$_restore_nodes" ]; then
    "$JF" cluster up --local-nodes "$_restore_nodes" --subnet "$_restore_subnet" > /dev/null 2>&1 ||
      echo "warning: could not bring back the shared cluster" >&2
  fi
  exit $rc
}

# check_junit FILE TESTS FAILURES ERRORS [TEXT]: FILE is JUnit XML (testsuites > testsuite >
# testcase) with these counts in its attributes and as elements, the exit code in every run's
# system-out, and TEXT (if given) in a failure or error body.
check_junit() {
  python3 - "$@" <<'PY' || fail "JUnit file $1"
import sys, xml.etree.ElementTree as ET
path, tests, failures, errors = sys.argv[1], *map(int, sys.argv[2:5])
text = sys.argv[5] if len(sys.argv) > 5 else None
root = ET.parse(path).getroot()
assert root.tag == "testsuites", root.tag
suites = root.findall("testsuite")
assert len(suites) == 1, suites
s = suites[0]
cases = s.findall("testcase")
got = (len(cases), sum(len(c.findall("failure")) for c in cases),
       sum(len(c.findall("error")) for c in cases))
assert got == (tests, failures, errors), f"cases/failures/errors {got}, expected {(tests, failures, errors)}"
for el in (root, s):
    attrs = tuple(int(el.get(k)) for k in ("tests", "failures", "errors"))
    assert attrs == (tests, failures, errors), (el.tag, attrs)
for c in cases:
    assert c.get("name") and c.get("classname") and float(c.get("time")) >= 0, c.attrib
    if c.find("skipped") is None:
        assert "exit code " in (c.findtext("system-out") or ""), c.attrib
if text:
    bodies = [e.text or "" for c in cases for e in c if e.tag in ("failure", "error")]
    assert any(text in b for b in bodies), bodies
print(f"ok: {path}: {tests} test case(s), {failures} failure(s), {errors} error(s)")
PY
}
