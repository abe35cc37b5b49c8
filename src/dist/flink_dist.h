// Fetching and laying out Flink binary distributions, and finding the other artifacts the
// set-up command put in the cache (ZooKeeper and Hadoop jars, the test job, Java 17).
//
// Layout of a distribution home (as an official flink-<v>-bin tarball): bin/ (executable scripts
// and bash-java-utils.jar), conf/ (the shipped log4j files; no Flink configuration file, because
// the harness writes exactly one per node), lib/ (exactly one flink-dist*.jar), opt/, plugins/.
//
// Thread-safety: functions touch the file system only; fetching the same version from two
// processes at once is safe (each lays out into its own temporary directory and renames).
#ifndef JF_DIST_FLINK_DIST_H_
#define JF_DIST_FLINK_DIST_H_

#include <set>
#include <string>

#include "common/status.h"
#include "dist/flink_release.h"

namespace jf {

// $JEPSEN_FLINK_CACHE, else <source root>/.cache.
std::string DefaultCacheDir();

std::string FlinkHomeFor(const std::string& cache_dir, const std::string& version);

// Checks a laid-out distribution: bin/ scripts present and executable, lib/ with exactly one
// flink-dist*.jar, conf/ present without a Flink configuration file, opt/ and plugins/ present.
Status CheckFlinkLayout(const std::string& home);

// Lays out `dest` from an unpacked `apache-flink` wheel and an unpacked `apache-flink-libraries`
// package (wheel or sdist). `dest` must not exist.
Status LayOutFlink(const std::string& wheel_root, const std::string& libraries_root,
                   const std::string& dest);

// Returns the home of `release` in the cache, downloading (pip download, by package name; the
// files are checked against the pinned sha256) and laying it out first if needed. Progress is
// logged.
Result<std::string> EnsureFlink(const FlinkRelease& release, const std::string& cache_dir);

// The ZooKeeper server's jars, put there by the set-up command (Maven Central).
Result<std::string> ZooKeeperLibDir(const std::string& cache_dir);

// Hadoop's jars (HDFS and YARN daemons, the HDFS client; src/dist/hadoop-pom.xml), put there by
// the set-up command (Maven Central): <cache_dir>/hadoop/lib. NotFound, naming setup.sh, if the
// HDFS jars are not there.
Result<std::string> HadoopLibDir(const std::string& cache_dir);

// The test job jar for a Flink line (job/target/jepsen-flink-job-<flavour>.jar).
Result<std::string> TestJobJar(FlinkLine line);

// A Java 17 home: $JEPSEN_FLINK_JAVA_HOME, else the Debian openjdk-17 path. Flink does not run on
// newer Java (Java 25 is installed here too), so the version is checked.
Result<std::string> FindJava17Home();

// Every configuration key the distribution's Flink knows (ConfigOption keys and their deprecated
// and fallback keys), listed once by a small Java program run against lib/ and cached in the
// home as .jf-config-keys.txt.
Result<std::set<std::string>> FlinkConfigKeys(const std::string& home,
                                              const std::string& java_home);

// Whether `key` is one Flink takes: a known key, or under a prefix Flink reads as a map
// (metrics.reporter.<name>.*, flink.hadoop.*, containerized.*.env.*, ...).
bool IsKnownFlinkKey(const std::set<std::string>& known, const std::string& key);

}  // namespace jf

#endif  // JF_DIST_FLINK_DIST_H_
