#!/usr/bin/env bash
# Sets up jepsen-flink on a fresh Debian 12 machine (as root): Debian packages, the C++ build,
# the Flink distributions (PyPI), ZooKeeper and Hadoop (Maven Central) and the Java test job
# (Maven).
# Idempotent: what is already there is reused (apt, ~/.m2, the download cache in .cache/).
set -euo pipefail
cd "$(dirname "$0")"
root=$PWD
t0=$(date +%s)
step() { printf '\n==> %s (%ds)\n' "$*" "$(( $(date +%s) - t0 ))"; }

packages=(build-essential cmake pkg-config clang-format
  libcli11-dev nlohmann-json3-dev libfmt-dev libspdlog-dev libcurl4-openssl-dev
  libgtest-dev libgmock-dev libtomlplusplus-dev libzookeeper-mt-dev libbenchmark-dev
  libcpp-httplib-dev
  openjdk-17-jdk-headless maven python3 python3-pip
  tini runit iproute2 iptables procps psmisc util-linux tar iputils-ping netcat-openbsd
  libnetfilter-queue-dev openssh-client openssh-server chromium
  clang-14 libfuzzer-14-dev libclang-rt-14-dev)

step "Debian packages"
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing: ${missing[*]}"
  SUDO=; [ "$(id -u)" -eq 0 ] || SUDO=sudo
  $SUDO apt-get update -qq
  # openssh-server is here only for the sshd that `cluster up --ssh` runs inside each node; the
  # host must not get an sshd of its own. Its postinst starts /etc/init.d/ssh (or the systemd
  # unit) through invoke-rc.d, which asks /usr/sbin/policy-rc.d first: exit 101 means "action
  # forbidden", the standard way to keep apt installs from starting services. We create that file
  # only if none exists (containers often ship one) and remove only our own afterwards, also if
  # the install fails.
  policy=/usr/sbin/policy-rc.d
  ours_policy=
  if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\n# Temporary, from jepsen-flink setup.sh: start no services.\nexit 101\n' |
      $SUDO tee "$policy" > /dev/null
    $SUDO chmod 755 "$policy"
    ours_policy=1
    trap '[ -z "$ours_policy" ] || $SUDO rm -f "$policy"' EXIT
  fi
  new_sshd=
  [[ " ${missing[*]} " == *" openssh-server "* ]] && new_sshd=1
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
  if [ -n "$ours_policy" ]; then $SUDO rm -f "$policy"; ours_policy=; trap - EXIT; fi
  # Not enabled either: Debian's init script and systemd unit both skip sshd while this file
  # exists (the nodes' sshd is started directly and does not look at it). Only when we installed
  # the package: a host sshd someone set up on purpose is left alone.
  [ -z "$new_sshd" ] || $SUDO touch /etc/ssh/sshd_not_to_be_run
else
  echo "all ${#packages[@]} packages present"
fi

export JAVA_HOME=${JEPSEN_FLINK_JAVA_HOME:-/usr/lib/jvm/java-17-openjdk-amd64}
"$JAVA_HOME/bin/java" -version 2>&1 | grep -q 'version "17' || {
  echo "setup: $JAVA_HOME is not Java 17 (Flink needs it)" >&2; exit 1; }

step "C++ build (build/jepsen-flink)"
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo > build.log 2>&1 || { cat build.log; exit 1; }
cmake --build build -j"$(nproc)" >> build.log 2>&1 || { tail -50 build.log; exit 1; }
rm -f build.log

step "Fuzz targets (build-fuzz/: clang-14, libFuzzer, ASan + UBSan)"
fuzz/run.sh --build-only

step "Flink distributions (PyPI: apache-flink + apache-flink-libraries, sha256-pinned)"
build/jepsen-flink dist fetch

step "ZooKeeper (Maven Central)"
if ! ls .cache/zookeeper/lib/zookeeper-3*.jar .cache/zookeeper/lib/metrics-core-*.jar \
    .cache/zookeeper/lib/snappy-java-*.jar > /dev/null 2>&1; then
  mvn -B -q -f src/dist/zookeeper-pom.xml dependency:copy-dependencies \
    -DoutputDirectory="$root/.cache/zookeeper/lib" -DincludeScope=runtime
fi
ls .cache/zookeeper/lib/zookeeper-3*.jar

step "Hadoop: HDFS and YARN daemons (Maven Central)"
# The version is the pom's; a stale or partial lib dir is replaced whole (resolved into a fresh
# directory first, so an interrupted download leaves no half-filled lib/).
hv=$(sed -n 's:.*<hadoop.version>\(.*\)</hadoop.version>.*:\1:p' src/dist/hadoop-pom.xml)
hjars=(hadoop-common-$hv.jar hadoop-hdfs-$hv.jar hadoop-hdfs-$hv-tests.jar hadoop-hdfs-client-$hv.jar
  hadoop-yarn-server-resourcemanager-$hv.jar hadoop-yarn-server-nodemanager-$hv.jar
  hadoop-yarn-server-timelineservice-$hv.jar hadoop-yarn-client-$hv.jar)
if ! (cd .cache/hadoop/lib 2> /dev/null && ls "${hjars[@]}" > /dev/null 2>&1); then
  rm -rf .cache/hadoop/lib.new
  mvn -B -q -f src/dist/hadoop-pom.xml dependency:copy-dependencies \
    -DoutputDirectory="$root/.cache/hadoop/lib.new" -DincludeScope=runtime
  rm -rf .cache/hadoop/lib && mv .cache/hadoop/lib.new .cache/hadoop/lib
fi
echo "$(ls .cache/hadoop/lib | wc -l) jars, $(du -sh .cache/hadoop/lib | cut -f1), Hadoop $hv"

step "Test job (Maven, one jar per Flink line)"
bash job/build.sh
ls -l job/target/*.jar

step "Done in $(( $(date +%s) - t0 )) s. Try: sudo ./build/jepsen-flink test"
