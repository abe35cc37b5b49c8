# A Flink distribution given by URI (--tarball, as the original took it): the default
# distribution packed like an official tarball (one flink-2.2.1/ directory, with the conf/config.yaml
# Apache ships) runs valid on the shared cluster from its own copy in the cache,
# <cache>/flink-tarballs/<sha256>/ (the archive is packed reproducibly, so later runs of this test
# re-use that copy). And run-tests.sh refuses bad URIs with 254 before anything runs.
source "$(dirname "$0")/lib.sh"
tmp=$(mktemp -d /tmp/jf-it-tarball.XXXXXX)
trap 'rm -rf "$tmp"' EXIT

# run-tests.sh with a bad URI: 254, no store, no password echoed.
for bad in 'ftp://mirror.example/flink-2.2.1-bin-scala_2.12.tgz' \
           'https://ci:s3cret@mirror.example/flink-2.2.1.zip' "file://$tmp/missing.tgz"; do
  set +e
  JEPSEN_FLINK_BIN="$JF" "$ROOT/run-tests.sh" 1 "$bad" --store "$tmp/rt-store" > "$tmp/rt.out" 2>&1
  rc=$?
  set -e
  [ $rc -eq 254 ] || { cat "$tmp/rt.out"; fail "run-tests.sh 1 $bad: exit $rc, expected 254"; }
  grep -q -- '--tarball' "$tmp/rt.out" || fail "run-tests.sh 1 $bad: no reason given"
  ! grep -q s3cret "$tmp/rt.out" || fail "run-tests.sh printed the password"
  [ ! -e "$tmp/rt-store" ] || fail "run-tests.sh 1 $bad stored something"
done
pass "run-tests.sh refuses bad URIs (254)"

# The default distribution as Apache ships it: flink-2.2.1/ with conf/config.yaml and a top-level
# README.txt (here also the marker the nodes' copies are checked for; the default distribution in
# the cache has none), without the harness's own files (.jf-*); names sorted, fixed times and
# owners, gzip without a time stamp.
src="$ROOT/.cache/flink/flink-2.2.1"
[ -f "$src/lib/flink-dist-2.2.1.jar" ] || fail "no Flink 2.2.1 in $src (run setup.sh)"
[ ! -e "$src/README.txt" ] || fail "$src has a README.txt: the marker would prove nothing"
marker="jepsen-flink it_tarball_valid: Flink 2.2.1 packed as an official tarball"
mkdir -p "$tmp/extra/flink-2.2.1/conf"
printf 'jobmanager.rpc.address: localhost\ntaskmanager.numberOfTaskSlots: 1\n' \
  > "$tmp/extra/flink-2.2.1/conf/config.yaml"
echo "$marker" > "$tmp/extra/flink-2.2.1/README.txt"
tgz="$tmp/flink-2.2.1-bin-scala_2.12.tgz"
tar -c --sort=name --mtime='2025-01-01 00:00:00Z' --owner=0 --group=0 --numeric-owner \
  --exclude='flink-2.2.1/.jf-*' -C "$ROOT/.cache/flink" flink-2.2.1 \
  -C "$tmp/extra" flink-2.2.1/conf/config.yaml flink-2.2.1/README.txt | gzip -n -1 > "$tgz"
tar -tzf "$tgz" > "$tmp/members"
[ "$(cut -d/ -f1 "$tmp/members" | sort -u)" = "flink-2.2.1" ] || fail "not one top directory"
grep -qx 'flink-2.2.1/conf/config.yaml' "$tmp/members" || fail "no shipped conf/config.yaml"
sha=$(sha256sum "$tgz" | cut -c1-64)

run_test tarball --tarball "file://$tgz" --nemesis-gen utopia --time-limit 10
tail -n 12 "$store.stderr"
[ $rc -eq 0 ] || fail "exit code $rc, expected 0"
[ "$(tail -n 1 "$store.stdout")" = "$VALID" ] || fail "stdout does not end with the valid verdict"
[ "$(json "$run/results.json" 'd["valid?"]')" = "True" ] || fail "results.json is not valid"
t="$run/test.json"
[ "$(json "$t" 'd["tarball"]["uri"]')" = "file://$tgz" ] || fail "test.json: tarball uri"
[ "$(json "$t" 'd["tarball"]["sha256"]')" = "$sha" ] || fail "test.json: tarball sha256"
[ "$(json "$t" 'd["tarball"]["flink-version"]')" = "2.2.1" ] || fail "test.json: tarball version"
[ "$(json "$t" 'd["flink-version"]')" = "2.2.1" ] || fail "test.json: flink-version"
home=$(json "$t" 'd["flink-home"]')
[[ $home == */flink-tarballs/$sha/flink-2.2.1 ]] || fail "flink-home $home is not the tarball's"
[ ! -e "$home/conf/config.yaml" ] || fail "the shipped conf/config.yaml was not removed"
grep -q 'jepsen-flink-job-flink2.jar' "$t" || fail "not the flink2 job build"
[ "$(json "$run/flink-version.json" 'd["flink-version"]')" = "2.2.1" ] || fail "Flink's version"
[ "$(json "$run/flink-version.json" 'd["release"]')" = "2.2.1" ] || fail "flink-version.json release"
# The nodes ran Flink from the tarball's copy: their /opt/flink (installed from flink-home) holds
# the tarball's marker, and Flink's daemons ran from /opt/flink with the harness's config.
[ "$(cat "$home/README.txt")" = "$marker" ] || fail "no marker in $home"
for n in n1 n2 n3; do
  pid=$(json /var/lib/jepsen-flink/cluster.json \
    "[x['init_pid'] for x in d['nodes'] if x['name'] == '$n'][0]")
  [ "$(nsenter -t "$pid" -m cat /opt/flink/README.txt)" = "$marker" ] ||
    fail "$n: /opt/flink is not the tarball's distribution"
  grep -qF '/opt/flink/lib/flink-dist-2.2.1.jar' "$run/$n/flink/"*taskexecutor*.log ||
    fail "$n: the TaskManager did not run from /opt/flink"
  need_file "$run/$n/flink/conf/config.yaml"
done
pass "tarball run valid from $home: $run"
