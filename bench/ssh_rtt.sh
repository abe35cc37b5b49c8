#!/usr/bin/env bash
# The round trip of one command on a node by each control path (SshRemote's warm session, one ssh
# process per command with and without ControlMaster, nsenter), on a local cluster with sshd:
#   sudo bench/ssh_rtt.sh [--calls 200] [--processes 20]
# It brings up its own cluster (`cluster up --ssh`) and takes it down again; no cluster may be up.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
jf=$root/build/jepsen-flink
"$jf" cluster up --ssh > /dev/null
trap '"$jf" cluster down > /dev/null' EXIT
"$root/build/jf-ssh-rtt" "$@"
