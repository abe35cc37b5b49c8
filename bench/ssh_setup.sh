#!/usr/bin/env bash
# Set-up time of a run over SSH against the namespace path, on one local cluster with sshd:
#   sudo bench/ssh_setup.sh [RUNS]     (default 2 runs per path)
# Each run is `test --nemesis-gen utopia --time-limit 5`; the figures are results.json's timings:
# start_to_flink_ready_s (from the start to a ready Flink), ssh_connect_s, and set-up per Db.
# Over SSH, the first run on a fresh cluster sends the distributions (Flink, ZooKeeper) to every
# node; later runs find them there (SshRemote::UploadTree's .jf-tree-id) and send nothing.
# It brings up its own cluster and takes it down again; no cluster may be up.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
jf=$root/build/jepsen-flink
runs=${1:-2}
state=/var/lib/jepsen-flink
store=$(mktemp -d /tmp/jf-bench-ssh-setup.XXXXXX)
"$jf" cluster up --ssh > /dev/null
trap '"$jf" cluster down > /dev/null; rm -rf "$store"' EXIT
ssh=(--nodes-file "$state/ssh/nodes" --ssh-private-key "$state/ssh/id_ed25519"
  --ssh-known-hosts "$state/ssh/known_hosts" --shared-dir "$state/shared")
one() {  # one LABEL ARGS...
  local label=$1
  shift
  "$jf" test --nemesis-gen utopia --time-limit 5 --job-recovery-grace-period 30 "$@" \
    --store "$store/$label" > /dev/null 2>&1 || { echo "$label: run failed" >&2; return 1; }
  python3 - "$label" "$store/$label/latest/results.json" <<'PY'
import json, sys
t = json.load(open(sys.argv[2]))["timings"]
print(f"{sys.argv[1]:<10} ready {t['start_to_flink_ready_s']:6.2f} s  ssh connect "
      f"{t.get('ssh_connect_s', 0):5.2f} s  zookeeper {t['setup_zookeeper_s']:5.2f} s  "
      f"flink {t['setup_flink-standalone-session_s']:6.2f} s")
PY
}
for i in $(seq "$runs"); do one "ssh-$i" "${ssh[@]}"; done
for i in $(seq "$runs"); do one "nsenter-$i"; done
