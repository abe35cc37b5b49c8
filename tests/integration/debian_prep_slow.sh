# The apt path of node preparation, for real, on a bare Debian 12 root (label `slow`):
#   sudo ctest --test-dir build -R slow_debian_prep --output-on-failure
# debootstrap makes a minimal Debian root (minbase plus openssh-server: a fresh host always has
# sshd) from the mirror this machine's apt uses; that root's own sshd runs chrooted in a private
# mount namespace on 127.0.0.1:2222, so that apt inside it reaches the mirror. Then
# `jepsen-flink prepare-nodes` over SSH:
#   - --check-only lists what is missing (Java 17, iptables, iproute2, runit, libnetfilter-queue1)
#     and installs nothing (exit 255);
#   - the real run installs exactly those with apt, starts no service, and Java 17, iptables, tc
#     and runsv work in the root afterwards;
#   - a second run installs nothing.
# Everything is removed afterwards, also on failure: the sshd and every process in the root, the
# namespace's mounts (they go with it), the root itself. About 5 minutes, most of it downloads.
source "$(dirname "$0")/lib.sh"
t_start=$(date +%s)
# Under /var/lib: sshd's StrictModes refuses keys below a world-writable directory such as /var/tmp.
work=$(mktemp -d /var/lib/jf-debian-prep.XXXXXX)
root=$work/root
ns_pid=
in_root_pids() {  # the processes whose root directory is the bare root
  local p
  for p in /proc/[0-9]*; do
    [ "$(readlink "$p/root" 2> /dev/null)" = "$root" ] && echo "${p#/proc/}"
  done
  return 0
}
finish() {
  local rc=$?
  [ -n "$ns_pid" ] && kill -9 "$ns_pid" 2> /dev/null
  for _ in 1 2 3; do
    pids=$(in_root_pids)
    [ -z "$pids" ] && break
    kill -9 $pids 2> /dev/null
    sleep 0.5
  done
  # The mounts live only in the namespace that just ended; --one-file-system guards the host.
  rm -rf --one-file-system "$work"
  exit $rc
}
trap finish EXIT

command -v debootstrap > /dev/null || {
  echo "installing debootstrap (apt)"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends debootstrap > /dev/null
}
mirror=$(awk '/^URIs:/ {print $2; exit}' /etc/apt/sources.list.d/*.sources 2> /dev/null || true)
[ -n "$mirror" ] || mirror=$(awk '$1 == "deb" {print $2; exit}' /etc/apt/sources.list 2> /dev/null || true)
t0=$(date +%s)
debootstrap --variant=minbase --include=openssh-server bookworm "$root" $mirror \
  > "$work/debootstrap.log" 2>&1 || { tail -n 20 "$work/debootstrap.log"; fail "debootstrap failed"; }
t_debootstrap=$(( $(date +%s) - t0 ))
pass "debootstrap bookworm minbase + openssh-server: ${t_debootstrap} s, $(du -sh "$root" | cut -f1)"
cp /etc/resolv.conf "$root/etc/resolv.conf"

for tool in iptables tc runsv; do
  chroot "$root" sh -c "command -v $tool" > /dev/null && fail "the bare root already has $tool"
done
[ -e "$root/usr/lib/jvm" ] && fail "the bare root already has a JVM"
pass "the bare root has no Java, iptables, tc or runsv"

ssh-keygen -q -t ed25519 -N '' -f "$work/id_ed25519"
install -d -m 700 "$root/root/.ssh"
install -m 600 "$work/id_ed25519.pub" "$root/root/.ssh/authorized_keys"
[ -s "$root/etc/ssh/ssh_host_ed25519_key" ] || chroot "$root" ssh-keygen -A > /dev/null
mkdir -p "$root/run/sshd"
echo "[127.0.0.1]:2222 $(cut -d' ' -f1,2 "$root/etc/ssh/ssh_host_ed25519_key.pub")" \
  > "$work/known_hosts"
unshare -m --propagation private sh -c '
  r=$1
  mount -t proc proc "$r/proc" && mount --rbind /dev "$r/dev" && mount -t sysfs sys "$r/sys" &&
  exec chroot "$r" /usr/sbin/sshd -D -e -p 2222 -o ListenAddress=127.0.0.1 -o UseDNS=no' \
  sh "$root" > "$work/sshd.log" 2>&1 &
ns_pid=$!
ssh_args=(--nodes 127.0.0.1 --ssh-port 2222 --ssh-private-key "$work/id_ed25519"
  --ssh-known-hosts "$work/known_hosts")
for _ in $(seq 50); do
  "$JF" prepare-nodes "${ssh_args[@]}" --check-only > "$work/check.out" 2>&1 && break
  grep -q "is missing\|missing" "$work/check.out" && break
  sleep 0.2
done
cat "$work/check.out"
grep -q "openjdk-17-jre-headless" "$work/check.out" || fail "--check-only did not name Java 17"
for pkg in iptables iproute2 runit libnetfilter-queue1; do
  grep -q "$pkg" "$work/check.out" || fail "--check-only did not name $pkg"
done
[ -e "$root/usr/lib/jvm" ] && fail "--check-only installed something"
pass "--check-only names what is missing and installs nothing"

t0=$(date +%s)
"$JF" prepare-nodes "${ssh_args[@]}" > "$work/prep.out" 2> "$work/prep.err" ||
  { cat "$work/prep.out" "$work/prep.err"; fail "prepare-nodes failed"; }
t_prep=$(( $(date +%s) - t0 ))
cat "$work/prep.out"
grep -q "installed .*openjdk-17-jre-headless" "$work/prep.out" || fail "Java 17 was not installed"
on_node() {  # as a user would: the node's own sshd, so its /proc, /dev and /sys
  ssh -F none -i "$work/id_ed25519" -o IdentitiesOnly=yes -o UserKnownHostsFile="$work/known_hosts" \
    -o StrictHostKeyChecking=yes -o BatchMode=yes -p 2222 root@127.0.0.1 "$@"
}
on_node /usr/lib/jvm/java-17-openjdk-amd64/bin/java -version 2>&1 | grep -q 'version "17' ||
  fail "no Java 17 in the root afterwards"
for tool in iptables tc runsv sv; do
  on_node sh -c "command -v $tool" > /dev/null || fail "no $tool in the root afterwards"
done
on_node ldconfig -p | grep -q libnetfilter_queue.so.1 || fail "no libnetfilter_queue in the root"
[ -e "$root/usr/sbin/policy-rc.d" ] && fail "policy-rc.d was left in the root"
started=$(for p in $(in_root_pids); do tr '\0' ' ' < "/proc/$p/cmdline"; echo; done |
  grep -v -e sshd -e '^$' || true)
[ -z "$started" ] || fail "the install started processes in the root: $started"
pass "apt installed Java 17, iptables, iproute2, runit over SSH in ${t_prep} s; no service started"

"$JF" prepare-nodes "${ssh_args[@]}" > "$work/again.out" 2>&1 || { cat "$work/again.out"; fail "second prepare-nodes failed"; }
cat "$work/again.out"
grep -q "nothing installed" "$work/again.out" || fail "the second run installed something"
pass "a second prepare-nodes installs nothing"
echo "debian_prep_slow.sh: debootstrap ${t_debootstrap} s, preparation ${t_prep} s, total $(( $(date +%s) - t_start )) s"
