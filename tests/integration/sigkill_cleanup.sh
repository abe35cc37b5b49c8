# A harness killed with SIGKILL mid-run leaves namespaces, JVMs and mounts behind;
# `cluster down --all` removes all of it and the leak detector is clean afterwards.
source "$(dirname "$0")/lib.sh"
trap cleanup_on_exit EXIT
store="$IT_STORE/sigkill"
rm -rf "$store"
"$JF" cluster down --all
"$JF" test --time-limit 300 --store "$store" > "$store.out" 2>&1 &
pid=$!
# Wait until Flink's JVMs run, then kill the harness without a chance to clean up.
for i in $(seq 1 180); do
  if grep -q "Nemesis: kill" "$store.out" 2>/dev/null; then break; fi
  kill -0 $pid 2>/dev/null || { cat "$store.out"; fail "the run ended early"; }
  sleep 1
done
grep -q "Nemesis: kill" "$store.out" || fail "no fault was injected"
kill -9 $pid
wait $pid 2>/dev/null || true
"$JF" cluster leaks > "$store.leaks" && fail "the leak detector found nothing after a SIGKILL"
grep -qi java "$store.leaks" || fail "the leak detector did not report the JVMs left running"
pass "leaks seen after SIGKILL: $(wc -l < "$store.leaks") lines"
"$JF" cluster down --all
"$JF" cluster leaks || fail "leaks remain after cluster down --all"
pass "cluster down --all cleaned up after SIGKILL"
