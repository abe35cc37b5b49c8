# The soak's short version (bench/soak.sh): two utopia runs in a row with --test-count 2, each on
# a local cluster the run makes and removes itself (no shared cluster is up at this point). The
# harness holds no more file descriptors or threads after the runs than before the first, its
# memory stays flat, and nothing is left behind (`cluster leaks`).
source "$(dirname "$0")/lib.sh"
out="$IT_STORE/soak-short.out"
# In the suite no cluster is up here (it_sigkill_cleanup took the shared one down); run alone, the
# fixture has just brought one up: the runs must make their own, so it goes.
"$JF" cluster down --all > /dev/null
set +e
JF="$JF" bash "$ROOT/bench/soak.sh" --test-count 2 --nemesis-gen utopia --time-limit 10 > "$out" 2>&1
rc=$?
set -e
grep -v '^soak: t=' "$out" | tail -n 15
[ $rc -eq 0 ] || fail "the soak failed (exit $rc)"
grep -q '^Test 2 of 2: ' "$out" || fail "the second run did not start"
grep -q '^After the runs: ' "$out" || fail "the harness did not report itself after the runs"
grep -q '^leaks after the run: none' "$out" || fail "leaks after the runs"
pass "two runs in a row: $(grep '^After the runs: ' "$out" | cut -d' ' -f4-), no leak"
