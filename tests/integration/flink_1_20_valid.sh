# The second supported line: a utopia run on Flink 1.20.5 (its own test-job build) is valid.
source "$(dirname "$0")/lib.sh"
run_test flink-1.20 --nemesis-gen utopia --time-limit 5 --job-running-healthy-threshold 3 \
  --flink-version 1.20.5
tail -n 8 "$store.stderr"
[ $rc -eq 0 ] || fail "exit code $rc, expected 0"
[ "$(json "$run/flink-version.json" 'd["flink-version"]')" = "1.20.5" ] || fail "not Flink 1.20.5"
grep -q 'jepsen-flink-job-flink1.20.jar' "$run/test.json" || fail "not the 1.20 job build"
pass "Flink 1.20.5 utopia run valid: $run"
