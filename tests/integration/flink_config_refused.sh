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
