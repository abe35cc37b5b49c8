# `cluster up --ssh`: every node runs the real OpenSSH server. With the cluster's key and
# known_hosts, ssh lands in the node (its hostname, only its processes) and the login shows in the
# node's sshd log; killing a node's init ends its sshd; an sshd that escaped its node is flagged
# by the leak detector; `cluster down --all` leaves no sshd of the cluster and no leaks.
#
# Uses its own state dir, but the machine holds one local cluster at a time: a cluster in the
# default state dir (the shared fixture) is taken down first and brought back afterwards.
source "$(dirname "$0")/lib.sh"
t_start=$(date +%s.%N)
own_cluster_state ssh

out="$state/up.stdout"
t0=$(date +%s%N)
"$JF" cluster up --ssh --local-nodes 3 --state-dir "$state" > "$out" 2> "$state/up.stderr" ||
  { cat "$state/up.stderr" >&2; fail "cluster up --ssh failed"; }
pass "cluster up --ssh: $(( ($(date +%s%N) - t0) / 1000000 )) ms"
cat "$out"

ssh_dir="$state/ssh"
[ "$(stat -c %a "$ssh_dir")" = 700 ] || fail "$ssh_dir is not 0700"
for f in id_ed25519 id_ed25519.pub ssh_host_ed25519_key authorized_keys known_hosts nodes \
    nodes.json sshd_config.n1 sshd_config.n2 sshd_config.n3; do
  need_file "$ssh_dir/$f"
done
grep -q "^  nodes file: $ssh_dir/nodes$" "$out" || fail "up did not print the nodes file"
grep -q "ssh -i $ssh_dir/id_ed25519 -o UserKnownHostsFile=$ssh_dir/known_hosts" "$out" ||
  fail "up did not print an example ssh command"
[ "$(wc -l < "$ssh_dir/nodes")" -eq 3 ] || fail "nodes file has not 3 lines"
[ "$(json "$ssh_dir/nodes.json" "d['user'], d['port'], d['nodes'][2]['name']")" = \
  "('root', 22, 'n3')" ] || fail "nodes.json: $(cat "$ssh_dir/nodes.json")"
"$JF" cluster status --state-dir "$state" > "$state/status.json"
[ "$(json "$state/status.json" "d['ssh']['nodes_file']")" = "$ssh_dir/nodes" ] ||
  fail "cluster status shows no ssh part"

# alive PID: the process exists and is not a zombie (a killed daemon whose parent, the machine's
# init, has not reaped it yet holds nothing).
alive() {
  local st
  st=$(sed 's/.*) //' "/proc/$1/stat" 2> /dev/null | cut -d' ' -f1) || return 1
  [ -n "$st" ] && [ "$st" != Z ]
}

node_ssh() {  # node_ssh IP COMMAND...: as a user would, never prompting
  local ip=$1
  shift
  ssh -F none -i "$ssh_dir/id_ed25519" -o IdentitiesOnly=yes \
    -o UserKnownHostsFile="$ssh_dir/known_hosts" -o StrictHostKeyChecking=yes -o BatchMode=yes \
    "root@$ip" "$@"
}

i=0
while read -r ip; do
  i=$((i + 1))
  got=$(node_ssh "$ip" hostname) || fail "ssh root@$ip hostname failed"
  [ "$got" = "n$i" ] || fail "ssh root@$ip landed on '$got', not n$i"
done < "$ssh_dir/nodes"
n1_ip=$(head -1 "$ssh_dir/nodes")
pass "ssh root@<ip> hostname prints n1, n2, n3"

# Only the node's processes: tini as PID 1, its setup script's sleep, sshd and this session.
node_ssh "$n1_ip" ps -e -o pid=,comm= > "$state/ps.txt"
cat "$state/ps.txt"
[ "$(awk '$1 == 1 {print $2}' "$state/ps.txt")" = tini ] || fail "PID 1 in n1 is not tini"
others=$(awk '$2 !~ /^(tini|sleep|sshd|bash|sh|ps)$/' "$state/ps.txt")
[ -z "$others" ] || fail "n1 shows processes that are not the node's: $others"
[ "$(wc -l < "$state/ps.txt")" -lt 10 ] || fail "n1 shows $(wc -l < "$state/ps.txt") processes"
pass "ps -e over ssh sees only n1's $(wc -l < "$state/ps.txt") processes"

log="$state/nodes/n1/log/sshd.log"
grep -q "Accepted publickey for root from" "$log" || fail "no 'Accepted publickey' in $log"
pass "n1's sshd log: $(grep -c 'Accepted publickey' "$log") accepted login(s)"

ssh-keygen -q -t ed25519 -N '' -f "$state/other_key"
if ssh -F none -i "$state/other_key" -o IdentitiesOnly=yes \
    -o UserKnownHostsFile="$ssh_dir/known_hosts" -o StrictHostKeyChecking=yes -o BatchMode=yes \
    "root@$n1_ip" true 2> /dev/null; then
  fail "a key that is not in authorized_keys logged in"
fi
pass "another key is refused"

# Killing a node's init ends its sshd. An sshd started into n1's network and mount namespaces
# but not its PID namespace outlives that; once n1's network namespace has lost its name too, only
# its command line (our sshd_config) tells the leak detector that it is ours.
n1_init=$(json "$state/cluster.json" "d['nodes'][0]['init_pid']")
n1_sshd=$(pgrep -f "sshd -f $ssh_dir/sshd_config.n1 " | head -1)
[ -n "$n1_sshd" ] || fail "cannot find n1's sshd on the host"
nsenter -t "$n1_init" -n -m /usr/sbin/sshd -f "$ssh_dir/sshd_config.n1" \
  -o "ListenAddress=$n1_ip:2222" -o PidFile=/run/sshd-stray.pid -E /var/log/sshd-stray.log
for _ in $(seq 50); do
  stray=$(nsenter -t "$n1_init" -m cat /run/sshd-stray.pid 2> /dev/null || true)
  [ -n "$stray" ] && break
  sleep 0.1
done
[ -n "$stray" ] || fail "the stray sshd did not start: $(cat "$state/nodes/n1/log/sshd-stray.log")"
kill -9 "$n1_init"
for _ in $(seq 50); do alive "$n1_sshd" || break; sleep 0.1; done
alive "$n1_sshd" && fail "n1's sshd ($n1_sshd) survived its init"
alive "$stray" || fail "the stray sshd ($stray) died with n1's init"
pass "killing n1's init ended its sshd ($n1_sshd); the stray sshd $stray lives on"
ip netns del jf-n1
"$JF" cluster leaks --state-dir "$state" > "$state/leaks.txt" && fail "no leaks with a cluster up"
grep "process $stray:" "$state/leaks.txt" || fail "the leak detector missed sshd $stray"
pass "the leak detector flags the stray sshd"

"$JF" cluster down --all --state-dir "$state" || fail "cluster down --all failed"
alive "$stray" && fail "the stray sshd ($stray) survived cluster down --all"
left=$(pgrep -af "$ssh_dir" || true)
[ -z "$left" ] || fail "processes of the cluster's ssh left: $left"
[ ! -e "$ssh_dir" ] || fail "cluster down left $ssh_dir"
"$JF" cluster leaks --state-dir "$state" || fail "leaks remain after cluster down --all"
pass "cluster down --all: no sshd left, $ssh_dir removed, no leaks"
echo "ssh_cluster.sh: $(python3 -c "import time; print(round(time.time() - $t_start, 1))") s"
