# slow: the original's whole matrix, `jepsen-flink test-all`, once at the defaults (60 s time limit,
# 180 s grace period): 8 runs, about 25 minutes here. Every run must be valid, and the YARN runs
# must have run on YARN (the ResourceManager's application and container logs in their stores).
source "$(dirname "$0")/lib.sh"
trap cleanup_on_exit EXIT
store="$IT_STORE/test-all"
rm -rf "$store"
set +e
"$JF" test-all --store "$store" --junit "$store.junit.xml" "${@:2}" > "$store.out" 2>&1
rc=$?
set -e
sed -n '/^test  /,$p' "$store.out"
[ $rc -eq 0 ] || fail "test-all exit code $rc, expected 0 (every run valid)"
summary=$(ls "$store"/test-all-*.json | tail -1)
python3 - "$summary" <<'PY'
import json, os, sys
s = json.load(open(sys.argv[1]))
runs = s["runs"]
assert len(runs) == 8 and all(r["verdict"] == "valid" for r in runs), [(r["test"], r["verdict"]) for r in runs]
for r in runs:
    if r["test"].startswith("yarn-"):
        rm = json.load(open(os.path.join(r["store"], "yarn-application.json")))
        assert rm["attempts"], r
print(f"ok: {s['valid']} of {s['ran']} valid")
PY
check_junit "$store.junit.xml" 8 0 0
pass "test-all: the original's matrix, every run valid"
