// Debian hosts: what a node needs before any Db is set up, checked and installed over a Remote.
// This is Jepsen's OS protocol (jepsen.os.debian), which is why it has its own folder: it is
// neither a Db (it deploys nothing of the system under test and has nothing to tear down; packages
// it installs stay installed) nor control (how a node is reached). It serves real hosts reached
// with SshRemote; the local namespace cluster shares the harness's machine, which setup.sh
// prepares.
//
// What a node needs is a table (DebianNodeRequirements): every command the harness runs on nodes
// (the SSH agent, the scripts of control/, db/, net/ and nemesis/, Flink's and Hadoop's own shell
// scripts), the shared libraries of jf-delayer, and Java 17, each with the Debian package that
// provides it. PrepareDebianNode probes the node for all of them with one command, installs exactly
// the packages of what is missing with apt, and returns Java 17's home, verified with
// `java -version`.
//
// Installing is serialized per host with flock(1) on DebianPrepOptions::lock_file, a path outside
// the node-private /opt, /tmp and /var/log: several nodes may share one host's dpkg (the local
// cluster's nodes share the host's root file system), and two apt runs at once would fail on
// dpkg's lock. Under the lock the packages are checked again with dpkg-query, so the second node
// of a host finds them installed and runs no apt at all. No service is started by the install:
// /usr/sbin/policy-rc.d answers 101 (action forbidden) to invoke-rc.d and deb-systemd-invoke while
// apt runs; it is created only if absent (or left by an interrupted run of ours, recognized by its
// marker line) and removed only if it is ours.
//
// Nothing from the options or the node is ever put into a shell string: the scripts are fixed
// text and every value reaches them as a positional argument (or as its own argv word).
//
// Thread-safety: the functions keep no state; calls for different nodes may run concurrently (the
// flock on the node keeps two installs on one host apart). Calls share the Remote, which must be
// safe to use from several threads (every Remote is).
#ifndef JF_OS_DEBIAN_H_
#define JF_OS_DEBIAN_H_

#include <chrono>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "control/remote.h"
#include "db/db.h"

namespace jf {

// How a requirement is found on the node.
enum class RequirementKind {
  kCommand,  // `command -v NAME` in the shell the Remote runs commands in (so: on its PATH)
  kLibrary,  // NAME, a soname, in the dynamic linker's cache (`ldconfig -p`)
  kJava,     // the JRE: <java home>/bin/java is executable (the version is checked afterwards)
};

struct NodeRequirement {
  RequirementKind kind;
  std::string_view name;     // the command, the soname, or "java"
  std::string_view package;  // the Debian (12) package that provides it
  std::string_view used_by;  // what in the harness needs it (for messages and the README)
};

// The table, in a fixed order (packages are installed in the order of their first requirement):
//
//   sh                                     dash           every command (ExecShell), SshRemote's agent
//   bash                                   bash           Flink's bin/*.sh, YARN's container scripts
//   mktemp head stat timeout env           coreutils      SshRemote's agent
//   cat mkdir rm mv chmod dirname          coreutils      the scripts of control/, db/, net/, the
//   basename readlink date sleep tail tr                  store's log collection; Flink's config.sh
//   cut sort wc uname id expr
//   grep                                   grep           supervisor, processes, delay; Flink's scripts
//   sed                                    sed            Flink's config.sh
//   find                                   findutils      Flink's config.sh (the class path)
//   hostname                               hostname       Flink's config.sh
//   setsid                                 util-linux     StartDaemon (detached daemons, runsv)
//   flock                                  util-linux     this preparation (one apt per host)
//   rev                                    util-linux     Flink's config.sh (its Java version check)
//   kill                                   procps         kill -CONT/-TERM/-KILL as a program (pause
//                                                         heal, StopDaemon)
//   ps pgrep                               procps         the integration tests, diagnostics
//   tar                                    tar            SshRemote::UploadTree (the Flink and Hadoop
//                                                         trees), the store's log collection
//   iptables                               iptables       partitions, packet loss, delay (NFQUEUE)
//   tc                                     iproute2       bandwidth limits (tbf qdisc)
//   runsv sv                               runit          supervised daemons (control/supervisor.h)
//   libnetfilter_queue.so.1                libnetfilter-queue1  jf-delayer
//   libstdc++.so.6                         libstdc++6     jf-delayer
//   java (17)                              openjdk-17-jre-headless  ZooKeeper, Flink, HDFS, YARN;
//                                                         at /usr/lib/jvm/java-17-openjdk-<dpkg arch>
//
// Most of these packages are Essential on Debian (dash, bash, coreutils, grep, sed, findutils,
// hostname, util-linux, tar) and present on every Debian host; they are probed anyway so that a
// broken or non-Debian host fails here, with the command named, and not in the middle of a run.
// What a fresh Debian 12 (minbase + openssh-server) lacks: iptables, iproute2, runit,
// libnetfilter-queue1 and the JRE (procps comes with openssh-server).
const std::vector<NodeRequirement>& DebianNodeRequirements();

// The package that provides Java 17 (a JRE is enough: nothing on the nodes compiles Java).
inline constexpr const char* kJava17Package = "openjdk-17-jre-headless";
// Where the lock file lives by default: outside /opt, /tmp and /var/log, which are private to each
// node of the local cluster, so that it is shared by every node on one host.
inline constexpr const char* kDefaultAptLockFile = "/var/lib/jepsen-flink/apt.lock";

struct DebianPrepOptions {
  // Java 17's home on the node. Empty: Debian's /usr/lib/jvm/java-17-openjdk-<dpkg arch>,
  // installed from openjdk-17-jre-headless if absent. Another path is verified, never installed
  // into (a missing Java there is an error).
  std::string java_home;
  // Debian packages wanted beyond the table, installed unless dpkg-query lists them installed.
  std::vector<std::string> extra_packages;
  // false: only check; what is missing is a FailedPrecondition that names it and the apt-get
  // command that would install it.
  bool install = true;
  // The per-host lock (an absolute path, not under /opt, /tmp or /var/log; its directory is
  // created) and how long to wait for it.
  std::string lock_file = kDefaultAptLockFile;
  std::chrono::seconds lock_wait{1200};
  // How long `apt-get update` and `apt-get install` may take together, once the lock is held.
  std::chrono::seconds apt_timeout{1200};
};

// InvalidArgument if the options cannot be used: a java_home or lock_file that is not an absolute
// path or holds a control character (newline, NUL, ...), a lock file under /opt, /tmp or /var/log,
// an extra package that is not a Debian package name ([a-z0-9][a-z0-9+.-]+, optionally :arch).
Status CheckDebianPrepOptions(const DebianPrepOptions& opts);

// What one probe found on a node.
struct DebianNodeProbe {
  int uid = -1;                 // `id -u` of the Remote's user
  bool has_apt = false;         // apt-get, dpkg and dpkg-query are there: the host is Debian-like
  std::string arch;             // `dpkg --print-architecture`; "" without dpkg
  std::string os;               // PRETTY_NAME of /etc/os-release; "unknown" without it
  std::string path;             // $PATH of the Remote's shell, for messages
  std::string java_home;        // the home checked; "" if unknown (no dpkg and no option)
  bool java_present = false;    // <java_home>/bin/java is executable
  std::vector<std::string> missing;  // requirement names not met ("iptables", "java", ...)
  // dpkg-query's db:Status-Status ("installed", "config-files", ...) of every package of the table
  // and the extra packages; "not-installed" for a package dpkg does not know. Empty without dpkg.
  std::map<std::string, std::string> package_status;
  // What apt must install: the packages of `missing` and the extra packages not installed, each
  // once, in the table's order then the extra packages' order.
  std::vector<std::string> packages_to_install;
};

// Runs the probe (one command) and parses it. Errors: the options' InvalidArgument, or the
// Remote's error if the command could not be run.
Result<DebianNodeProbe> ProbeDebianNode(Remote& remote, const DebianPrepOptions& opts = {});

struct DebianNodePrep {
  std::string java_home;                // Java 17's home, verified with `java -version`
  std::string java_version;             // the first line of `java -version`
  std::vector<std::string> installed;   // packages this call installed; empty if none was missing
  std::string os;                       // as DebianNodeProbe::os
  std::chrono::milliseconds elapsed{0};           // the whole call
  std::chrono::milliseconds install_elapsed{0};   // of which the locked apt run (0 if none)
};

// Makes sure `remote`'s node has everything in DebianNodeRequirements (and opts.extra_packages),
// and returns where Java 17 is. The steps:
//   1. ProbeDebianNode.
//   2. If something is missing: refused (FailedPrecondition) when the host is not Debian-like (no
//      apt-get/dpkg; the message names the node, its OS and the missing tools), when the user is
//      not root ("apt needs root; use --username root"), when opts.install is false, or when the
//      missing thing is Java at a java_home that is not Debian's. Otherwise, under flock on
//      opts.lock_file: the packages dpkg-query does not list as installed are installed with
//      `apt-get -o DPkg::Lock::Timeout=300 update` then `DEBIAN_FRONTEND=noninteractive apt-get
//      -o DPkg::Lock::Timeout=300 install -y --no-install-recommends -- PACKAGES`, with the
//      policy-rc.d guard above. Then the node is probed again: anything still missing (e.g. a
//      command installed outside $PATH) is a FailedPrecondition naming it and $PATH.
//   3. `<java_home>/bin/java -version` must say version 17 (FailedPrecondition naming the version
//      found and the fix otherwise).
// Progress is logged with spdlog (info: the node, the packages, how long; debug: nothing missing).
// Errors name the node and the fix: Timeout if the lock was not had within opts.lock_wait, Internal
// with apt's last lines if apt failed (and `dpkg --configure -a` as the fix if dpkg was
// interrupted before), Unavailable etc. from the Remote if the node cannot be reached. Running it
// again on a prepared node installs nothing and costs two commands (the probe and
// `java -version`). A failed install may leave some packages installed (apt's own semantics);
// nothing else is changed on the node.
Result<DebianNodePrep> PrepareDebianNode(Remote& remote, const DebianPrepOptions& opts = {});

// PrepareDebianNode on every node in parallel (ForEachNode). Returns the Java 17 home, which must
// be the same path on every node (DeployContext has one): a FailedPrecondition lists each node's
// home otherwise (e.g. hosts of different architectures). If nodes fail, the error has the code of
// the first failed node (in `nodes` order) and every failed node's message.
Result<std::string> PrepareNodes(const std::vector<NodeHandle>& nodes,
                                 const DebianPrepOptions& opts = {});

// The scripts, fixed text (exposed for tests). The probe takes the java home ("" = Debian's),
// then words "c:CMD", "l:SONAME", "p:PACKAGE". The install script takes the lock file, the lock
// wait in seconds, the policy-rc.d path (always /usr/sbin/policy-rc.d but in tests), then the
// packages; it exits 75 if the lock was not had in time, 76 if `apt-get update` failed, 77 if
// `apt-get install` failed.
const std::string& DebianProbeScript();
const std::string& DebianInstallScript();

// Parses `java -version` output: the major version (17 for "17.0.13", 8 for "1.8.0_412"), or -1.
int JavaMajorVersion(const std::string& java_version_output);

}  // namespace jf

#endif  // JF_OS_DEBIAN_H_
