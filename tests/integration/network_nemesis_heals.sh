# --nemesis loss,bandwidth: a node drops a share of its incoming packets, or sends at a limited
# rate; both are undone (our JF-LOSS chain and our 4a46: qdisc are gone from every node).
source "$(dirname "$0")/lib.sh"
store="$IT_STORE/network"
rm -rf "$store"
set +e
"$JF" test --nemesis loss,bandwidth --nemesis-interval 4 --time-limit 24 \
  --job-recovery-grace-period 60 --seed 7 --leave-db-running --store "$store" \
  > "$store.stdout" 2> "$store.stderr"
rc=$?
set -e
grep -E "Nemesis|Anomaly" "$store.stderr" | tail -n 12
[ $rc -eq 0 ] || [ $rc -eq 1 ] || fail "exit code $rc: the run did not complete"
run=$(readlink -f "$store/latest")
python3 - "$run" <<'PY'
import json, sys
ops = [json.loads(l) for l in open(f"{sys.argv[1]}/history.jsonl")]
done = [o for o in ops if o["process"] == "nemesis" and isinstance(o["value"], dict)]
fs = {o["f"] for o in done}
for f in ("loss-start", "loss-stop", "bandwidth-start", "bandwidth-stop"):
    assert f in fs, f"no {f} op (seed 7 draws both families): {sorted(fs)}"
assert all(o.get("error") is None for o in done), [o for o in done if o.get("error")]
print(f"ok: {sorted(fs)}")
PY
for n in n1 n2 n3; do
  pid=$(python3 -c "import json; print([x['init_pid'] for x in json.load(open('/var/lib/jepsen-flink/cluster.json'))['nodes'] if x['name']=='$n'][0])")
  nsenter -t "$pid" -n iptables -w -S | grep -q JF-LOSS && fail "$n: loss chain left"
  nsenter -t "$pid" -n tc qdisc show dev eth0 | grep -q '4a46:' && fail "$n: our qdisc left"
done
"$JF" cluster down --all > /dev/null
"$JF" cluster up --local-nodes 3 > /dev/null
pass "network nemesis: every fault healed"
