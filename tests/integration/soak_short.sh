# The soak's short version (bench/soak.sh): two utopia runs in a row with --test-count 2, each on
# a local cluster the run makes and removes itself (no shared cluster is up at this point). The
# harness holds no more file descriptors or threads after the runs than before the first, its
# memory stays flat, and nothing is left behind (`cluster leaks`). With --keep-runs 1 the second
# run's end removes the first run's directory, and only that.
source "$(dirname "$0")/lib.sh"
out="$IT_STORE/soak-short.out"
store="$IT_STORE/soak-short"
rm -rf "$store"
# In the suite no cluster is up here (it_sigkill_cleanup took the shared one down); run alone, the
# fixture has just brought one up: the runs must make their own, so it goes.
"$JF" cluster down --all > /dev/null
set +e
JF="$JF" bash "$ROOT/bench/soak.sh" --test-count 2 --nemesis-gen utopia --time-limit 10 \
  --keep-runs 1 --store "$store" > "$out" 2>&1
rc=$?
set -e
grep -v '^soak: t=' "$out" | tail -n 15
[ $rc -eq 0 ] || fail "the soak failed (exit $rc)"
grep -q '^Test 2 of 2: ' "$out" || fail "the second run did not start"
grep -q '^After the runs: ' "$out" || fail "the harness did not report itself after the runs"
grep -q '^leaks after the run: none' "$out" || fail "leaks after the runs"
runs=$(find "$store" -mindepth 2 -maxdepth 2 -type d | wc -l)
[ "$runs" -eq 1 ] || fail "--keep-runs 1 left $runs run directories"
latest=$(readlink -f "$store/latest")
[ -s "$latest/history.jsonl" ] || fail "--keep-runs 1 did not keep the newest run"
grep -q -- '--keep-runs 1: removed 1 older run(s)' "$latest/jepsen.log" ||
  fail "the second run's log does not say it removed the first"
pass "--keep-runs 1 kept only the newest run ($(basename "$latest"))"
pass "two runs in a row: $(grep '^After the runs: ' "$out" | cut -d' ' -f4-), no leak"
