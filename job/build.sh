#!/usr/bin/env bash
# Builds both test-job jars into job/target/:
#   target/jepsen-flink-job-flink2.jar     (Flink 2.2.1, profile flink-2)
#   target/jepsen-flink-job-flink1.20.jar  (Flink 1.20.5, profile flink-1.20)
# Idempotent; uses the ~/.m2 cache. Extra arguments are passed to mvn (e.g. -o).
# JAVA_HOME defaults to Java 17 (Flink does not run on newer JDKs).
set -euo pipefail
cd "$(dirname "$0")"
if [[ -z "${JAVA_HOME:-}" && -d /usr/lib/jvm/java-17-openjdk-amd64 ]]; then
  export JAVA_HOME=/usr/lib/jvm/java-17-openjdk-amd64
fi
for profile in flink-2 flink-1.20; do
  mvn -B -q -Dstyle.color=never -P "$profile" "$@" package
done
for jar in target/jepsen-flink-job-flink2.jar target/jepsen-flink-job-flink1.20.jar; do
  [[ -s "$jar" ]] || { echo "build.sh: $jar missing" >&2; exit 1; }
done
ls -l target/jepsen-flink-job-flink2.jar target/jepsen-flink-job-flink1.20.jar
