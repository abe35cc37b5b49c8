#include "os/debian.h"

#include <fmt/ranges.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <mutex>
#include <optional>
#include <regex>
#include <set>
#include <sstream>

namespace jf {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

constexpr const char* kPolicyRcD = "/usr/sbin/policy-rc.d";

constexpr RequirementKind kCmd = RequirementKind::kCommand;
constexpr RequirementKind kLib = RequirementKind::kLibrary;

// $1: java home ("" = Debian's for the dpkg architecture); then "c:CMD", "l:SONAME", "p:PACKAGE".
// Prints one fact per line; never fails (exit 0), so that a missing tool is an answer.
constexpr const char* kProbeScript = R"SH(jh=$1; shift
printf 'uid %s\n' "$(id -u 2>/dev/null)"
printf 'path %s\n' "$PATH"
command -v apt-get > /dev/null 2>&1 && command -v dpkg > /dev/null 2>&1 &&
  command -v dpkg-query > /dev/null 2>&1 && echo apt
arch=$(dpkg --print-architecture 2>/dev/null) || arch=
[ -z "$arch" ] || printf 'arch %s\n' "$arch"
os=$(sed -n 's/^PRETTY_NAME=//p' /etc/os-release 2>/dev/null | tr -d '"')
printf 'os %s\n' "${os:-unknown}"
[ -n "$jh" ] || [ -z "$arch" ] || jh=/usr/lib/jvm/java-17-openjdk-$arch
if [ -n "$jh" ]; then
  printf 'java-home %s\n' "$jh"
  [ -f "$jh/bin/java" ] && [ -x "$jh/bin/java" ] && echo java-present
fi
libs=$(ldconfig -p 2>/dev/null || /sbin/ldconfig -p 2>/dev/null)
tab=$(printf '\t')
n=$#
for a in "$@"; do
  v=${a#??}
  case $a in
    c:*) command -v "$v" > /dev/null 2>&1 || printf 'missing %s\n' "$v";;
    l:*) case $libs in *"$tab$v ("*) ;; *) printf 'missing %s\n' "$v";; esac;;
    p:*) set -- "$@" "$v";;
  esac
done
shift "$n"
if [ $# -gt 0 ] && command -v dpkg-query > /dev/null 2>&1; then
  dpkg-query -W -f 'package ${Package} ${db:Status-Status}\n' -- "$@" 2>/dev/null
fi
exit 0)SH";

// $1: lock file, $2: lock wait (s), $3: policy-rc.d path; then the packages. The lock is an open
// descriptor (9) of this shell; apt and dpkg do not inherit it (9>&-), so a process they leave
// behind cannot hold it.
constexpr const char* kInstallScript = R"SH(lock=$1; w=$2; policy=$3; shift 3
mkdir -p -- "$(dirname -- "$lock")" || exit 1
exec 9>> "$lock" || exit 1
flock -w "$w" 9 || { echo "jf-apt: another install held $lock for $w s" >&2; exit 75; }
n=$#
for p in "$@"; do
  dpkg-query -W -f '${db:Status-Status}\n' -- "$p" 2>/dev/null | grep -qx installed ||
    set -- "$@" "$p"
done
shift "$n"
if [ $# -eq 0 ]; then echo 'jf-apt: nothing to install'; exit 0; fi
ours=
if [ ! -e "$policy" ] && [ ! -L "$policy" ]; then
  printf '#!/bin/sh\n# jepsen-flink: temporary, no service starts while it installs packages.\nexit 101\n' \
    > "$policy.jf-new" && chmod 755 "$policy.jf-new" && mv -f -- "$policy.jf-new" "$policy" || exit 1
  ours=1
elif grep -q '^# jepsen-flink: temporary' "$policy" 2>/dev/null; then
  ours=1
fi
trap '[ -z "$ours" ] || rm -f -- "$policy"' EXIT
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 143' TERM
export DEBIAN_FRONTEND=noninteractive
echo "jf-apt: installing $*"
apt-get -qq -o DPkg::Lock::Timeout=300 update 9>&- < /dev/null ||
  { echo 'jf-apt: apt-get update failed' >&2; exit 76; }
apt-get -qq -o DPkg::Lock::Timeout=300 install -y --no-install-recommends -- "$@" 9>&- < /dev/null ||
  { echo 'jf-apt: apt-get install failed' >&2; exit 77; }
echo "jf-apt: installed $*")SH";

std::string Join(const std::vector<std::string>& v, std::string_view sep = " ") {
  return fmt::format("{}", fmt::join(v, sep));
}

bool HasControlChar(const std::string& s) {
  return std::any_of(s.begin(), s.end(),
                     [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; });
}

bool IsUnder(const std::string& path, const char* dir) {
  const std::string d = dir;
  return path == d || path.rfind(d + "/", 0) == 0;
}

bool IsDebianPackageName(const std::string& name) {
  static const std::regex re("[a-z0-9][a-z0-9+.-]+(:[a-z0-9-]+)?");
  return std::regex_match(name, re);
}

std::string WithoutArch(const std::string& package) { return package.substr(0, package.find(':')); }

// "n1 (Debian GNU/Linux 12 (bookworm))" for messages.
std::string Where(const Remote& remote, const std::string& os) {
  return os.empty() || os == "unknown" ? remote.node() : fmt::format("{} ({})", remote.node(), os);
}

// The lines of apt's output that say what went wrong: its "E:" lines (else "W:" lines, else the
// last line), at most four, joined.
std::string AptErrors(const ExecResult& r) {
  std::vector<std::string> errors, warnings;
  std::string last;
  for (const std::string* text : {&r.err, &r.out}) {
    std::istringstream in(*text);
    for (std::string line; std::getline(in, line);) {
      if (line.empty() || line.rfind("jf-apt:", 0) == 0) continue;
      if (line.rfind("E: ", 0) == 0) errors.push_back(line);
      if (line.rfind("W: ", 0) == 0) warnings.push_back(line);
      if (text == &r.err || last.empty()) last = line;
    }
  }
  std::vector<std::string>& lines = !errors.empty() ? errors : warnings;
  if (lines.empty()) return last.empty() ? r.Describe() : last;
  if (lines.size() > 4) lines.erase(lines.begin(), lines.end() - 4);
  return Join(lines, " | ");
}

double Seconds(milliseconds ms) { return static_cast<double>(ms.count()) / 1000.0; }

milliseconds Since(Clock::time_point t) {
  return std::chrono::duration_cast<milliseconds>(Clock::now() - t);
}

Result<DebianNodeProbe> ParseProbe(const std::string& out,
                                   const std::vector<std::string>& extra_packages) {
  DebianNodeProbe p;
  std::set<std::string> missing;
  std::istringstream in(out);
  for (std::string line; std::getline(in, line);) {
    const size_t sp = line.find(' ');
    const std::string key = line.substr(0, sp);
    const std::string value = sp == std::string::npos ? "" : line.substr(sp + 1);
    if (key == "uid") {
      try {
        p.uid = std::stoi(value);
      } catch (...) {
        p.uid = -1;
      }
    } else if (key == "path") {
      p.path = value;
    } else if (key == "apt") {
      p.has_apt = true;
    } else if (key == "arch") {
      p.arch = value;
    } else if (key == "os") {
      p.os = value;
    } else if (key == "java-home") {
      p.java_home = value;
    } else if (key == "java-present") {
      p.java_present = true;
    } else if (key == "missing") {
      missing.insert(value);
    } else if (key == "package") {
      // "package NAME STATUS"; several lines for one name (multiarch): installed wins.
      const size_t sp2 = value.find(' ');
      const std::string name = value.substr(0, sp2);
      const std::string status = sp2 == std::string::npos ? "" : value.substr(sp2 + 1);
      auto [it, inserted] = p.package_status.emplace(name, status);
      if (!inserted && status == "installed") it->second = status;
    }
  }
  if (p.uid < 0) return Internal("the probe printed no uid: {}", out.substr(0, 200));
  if (p.has_apt) {
    auto fill = [&](const std::string& name) { p.package_status.emplace(name, "not-installed"); };
    for (const auto& r : DebianNodeRequirements()) fill(std::string(r.package));
    for (const auto& x : extra_packages) fill(WithoutArch(x));
  }

  std::set<std::string> wanted;
  auto want = [&](const std::string& package) {
    if (wanted.insert(package).second) p.packages_to_install.push_back(package);
  };
  for (const auto& r : DebianNodeRequirements()) {
    const std::string name(r.name);
    const bool met = r.kind == RequirementKind::kJava ? p.java_present : !missing.count(name);
    if (met) continue;
    p.missing.push_back(name);
    want(std::string(r.package));
  }
  for (const auto& x : extra_packages) {
    if (p.package_status[WithoutArch(x)] != "installed") {
      p.missing.push_back(x);
      want(x);
    }
  }
  return p;
}

// The apt-get command a user would run by hand, for messages.
std::string AptCommand(const std::vector<std::string>& packages) {
  return "apt-get update && apt-get install -y --no-install-recommends " + Join(packages);
}

// Why the probe's missing things are not installed by us, or OK if they may be.
Status CheckInstallable(const Remote& remote, const DebianNodeProbe& p,
                        const DebianPrepOptions& opts) {
  const std::string where = Where(remote, p.os);
  const std::string what = Join(p.missing, ", ");
  if (!p.has_apt) {
    return FailedPrecondition(
        "{} lacks {} and has no apt-get/dpkg to install it: the host is not Debian-like. Install "
        "the equivalents of the Debian packages {} yourself, or use Debian 12",
        where, what, Join(p.packages_to_install, ", "));
  }
  const bool debian_java_home = p.java_home == "/usr/lib/jvm/java-17-openjdk-" + p.arch;
  if (!p.java_present && !debian_java_home) {
    return FailedPrecondition(
        "{}: no Java at {} ({}/bin/java is not an executable file); jepsen-flink installs Java 17 "
        "only at Debian's /usr/lib/jvm/java-17-openjdk-{} (leave the Java home unset for that)",
        where, p.java_home, p.java_home, p.arch);
  }
  if (!opts.install) {
    return FailedPrecondition("{} lacks {}; install it with `{}` there", where, what,
                              AptCommand(p.packages_to_install));
  }
  if (p.uid != 0) {
    return FailedPrecondition(
        "{} lacks {}, and apt needs root to install {} (the SSH user has uid {}); use --username "
        "root",
        where, what, Join(p.packages_to_install), p.uid);
  }
  if (std::find(p.missing.begin(), p.missing.end(), "flock") != p.missing.end()) {
    return FailedPrecondition(
        "{} has no flock (util-linux), which serializes installs per host; run `{}` there yourself",
        where, AptCommand(p.packages_to_install));
  }
  return Status::Ok();
}

// Runs the install script under the lock. Returns what the script said it did.
Result<std::string> RunLockedInstall(Remote& remote, const DebianNodeProbe& p,
                                     const DebianPrepOptions& opts, const std::string& policy) {
  std::vector<std::string> argv = {"sh",
                                   "-c",
                                   kInstallScript,
                                   "sh",
                                   opts.lock_file,
                                   std::to_string(opts.lock_wait.count()),
                                   policy};
  argv.insert(argv.end(), p.packages_to_install.begin(), p.packages_to_install.end());
  ExecOptions eo;
  eo.timeout = opts.lock_wait + opts.apt_timeout + std::chrono::seconds(60);
  JF_ASSIGN_OR_RETURN(ExecResult r, remote.Exec(argv, eo));
  if (r.ok()) return r.out;
  const std::string where = Where(remote, p.os);
  const std::string pkgs = Join(p.packages_to_install);
  if (r.timed_out) {
    return Timeout(
        "{}: installing {} did not end within {} s (waiting for {} and apt); see "
        "/var/log/apt/term.log there",
        where, pkgs, eo.timeout.count() / 1000, opts.lock_file);
  }
  if (r.exit_code == 75) {
    return Timeout(
        "{}: another jepsen-flink install held {} for {} s; wait for it to end or remove a stale "
        "holder, then retry",
        where, opts.lock_file, opts.lock_wait.count());
  }
  const std::string errors = AptErrors(r);
  if (r.err.find("dpkg --configure -a") != std::string::npos ||
      r.err.find("dpkg was interrupted") != std::string::npos) {
    return Internal(
        "{}: installing {} failed, dpkg was interrupted before: run `dpkg --configure -a` there, "
        "then retry ({})",
        where, pkgs, errors);
  }
  const char* step = r.exit_code == 76 ? "apt-get update" : "apt-get install";
  std::string fix = "run `" + AptCommand(p.packages_to_install) + "` there to see why";
  if (errors.find("Could not get lock") != std::string::npos ||
      errors.find("Unable to acquire the dpkg frontend lock") != std::string::npos) {
    fix = "another apt or dpkg (unattended-upgrades?) held dpkg's lock for 300 s; retry when it "
          "ended";
  } else if (errors.find("Unable to locate package") != std::string::npos ||
             errors.find("has no installation candidate") != std::string::npos) {
    fix = "the host's apt sources do not offer it: check /etc/apt/sources.list (Debian 12 main)";
  } else if (errors.find("Temporary failure resolving") != std::string::npos ||
             errors.find("Could not connect") != std::string::npos ||
             errors.find("Failed to fetch") != std::string::npos) {
    fix = "the host cannot reach its package mirror: check its network, DNS and apt proxy";
  }
  const std::string how = r.term_signal != 0 ? fmt::format("killed by signal {}", r.term_signal)
                                             : fmt::format("exit {}", r.exit_code);
  return Internal("{}: {} for {} failed ({}): {}; {}", where, step, pkgs, how, errors, fix);
}

// `java -version`'s first line, after checking it says 17.
Result<std::string> CheckJava17(Remote& remote, const std::string& where,
                                const std::string& java_home) {
  const std::string java = java_home + "/bin/java";
  ExecOptions eo;
  eo.timeout = std::chrono::seconds(60);
  JF_ASSIGN_OR_RETURN(ExecResult r, remote.Exec({java, "-version"}, eo));
  const std::string text = r.err + r.out;
  const std::string first = text.substr(0, text.find('\n'));
  if (!r.ok()) {
    return FailedPrecondition("{}: `{} -version` failed: {}; reinstall {} there", where, java,
                              r.Describe(), kJava17Package);
  }
  const int major = JavaMajorVersion(text);
  if (major != 17) {
    return FailedPrecondition(
        "{}: {} is {}, not Java 17, which Flink runs on here; install {} (Java home "
        "/usr/lib/jvm/java-17-openjdk-<arch>) or point the Java home at a Java 17",
        where, java, major < 0 ? "of an unknown version (" + first + ")" : "Java " + std::to_string(major),
        kJava17Package);
  }
  return first;
}

}  // namespace

const std::vector<NodeRequirement>& DebianNodeRequirements() {
  static const std::vector<NodeRequirement> kTable = [] {
    std::vector<NodeRequirement> t = {
        {kCmd, "sh", "dash", "every command (ExecShell), SshRemote's agent"},
        {kCmd, "bash", "bash", "Flink's bin/*.sh, YARN's container launch scripts"},
    };
    for (std::string_view c : {"mktemp", "head", "stat", "timeout", "env"}) {
      t.push_back({kCmd, c, "coreutils", "SshRemote's agent"});
    }
    for (std::string_view c : {"cat", "mkdir", "rm", "mv", "chmod", "dirname", "basename",
                               "readlink", "date", "sleep", "tail", "tr", "cut", "sort", "wc",
                               "uname", "id", "expr"}) {
      t.push_back({kCmd, c, "coreutils", "the scripts of control/, db/, net/, Flink's config.sh"});
    }
    t.insert(t.end(), {
        {kCmd, "grep", "grep", "supervisor, processes, delay; Flink's scripts"},
        {kCmd, "sed", "sed", "Flink's config.sh"},
        {kCmd, "find", "findutils", "Flink's config.sh (the class path)"},
        {kCmd, "hostname", "hostname", "Flink's config.sh"},
        {kCmd, "setsid", "util-linux", "StartDaemon (detached daemons, runsv)"},
        {kCmd, "flock", "util-linux", "this preparation (one apt per host)"},
        {kCmd, "rev", "util-linux", "Flink's config.sh (its Java version check)"},
        {kCmd, "kill", "procps", "kill -CONT/-TERM/-KILL as a program (pause heal, StopDaemon)"},
        {kCmd, "ps", "procps", "the integration tests, diagnostics"},
        {kCmd, "pgrep", "procps", "the integration tests, diagnostics"},
        {kCmd, "tar", "tar", "SshRemote::UploadTree, the store's log collection"},
        {kCmd, "iptables", "iptables", "partitions, packet loss, delay (net/)"},
        {kCmd, "tc", "iproute2", "bandwidth limits (net/shaping.cc)"},
        {kCmd, "runsv", "runit", "supervised daemons (control/supervisor.h)"},
        {kCmd, "sv", "runit", "supervised daemons (control/supervisor.h)"},
        {kLib, "libnetfilter_queue.so.1", "libnetfilter-queue1", "jf-delayer"},
        {kLib, "libstdc++.so.6", "libstdc++6", "jf-delayer"},
        {RequirementKind::kJava, "java", kJava17Package, "ZooKeeper, Flink, HDFS, YARN"},
    });
    return t;
  }();
  return kTable;
}

Status CheckDebianPrepOptions(const DebianPrepOptions& opts) {
  if (!opts.java_home.empty() && (opts.java_home[0] != '/' || HasControlChar(opts.java_home))) {
    return InvalidArgument("Java home '{}' is not an absolute path without control characters",
                           opts.java_home);
  }
  if (opts.lock_file.empty() || opts.lock_file[0] != '/' || HasControlChar(opts.lock_file) ||
      opts.lock_file.back() == '/') {
    return InvalidArgument("apt lock file '{}' is not an absolute file path without control "
                           "characters",
                           opts.lock_file);
  }
  for (const char* dir : {"/opt", "/tmp", "/var/log"}) {
    if (IsUnder(opts.lock_file, dir)) {
      return InvalidArgument(
          "apt lock file {} is under {}, which is private to each node of the local cluster: it "
          "would not keep two nodes of one host from running apt at once (the default is {})",
          opts.lock_file, dir, kDefaultAptLockFile);
    }
  }
  for (const auto& p : opts.extra_packages) {
    if (!IsDebianPackageName(p)) {
      return InvalidArgument("'{}' is not a Debian package name ([a-z0-9][a-z0-9+.-]+[:arch])", p);
    }
  }
  if (opts.lock_wait.count() < 0 || opts.apt_timeout.count() <= 0) {
    return InvalidArgument("apt lock wait {} s / timeout {} s out of range",
                           opts.lock_wait.count(), opts.apt_timeout.count());
  }
  return Status::Ok();
}

const std::string& DebianProbeScript() {
  static const std::string kScript = kProbeScript;
  return kScript;
}

const std::string& DebianInstallScript() {
  static const std::string kScript = kInstallScript;
  return kScript;
}

int JavaMajorVersion(const std::string& out) {
  static const std::regex re(R"re(version "(\d+)(?:\.(\d+))?)re");
  std::smatch m;
  if (!std::regex_search(out, m, re)) return -1;
  try {
    int major = std::stoi(m[1].str());
    if (major == 1 && m[2].matched) major = std::stoi(m[2].str());  // 1.8.0_412 is Java 8
    return major;
  } catch (...) {
    return -1;
  }
}

Result<DebianNodeProbe> ProbeDebianNode(Remote& remote, const DebianPrepOptions& opts) {
  JF_RETURN_IF_ERROR(CheckDebianPrepOptions(opts));
  std::vector<std::string> args = {opts.java_home};
  std::set<std::string> packages;
  for (const auto& r : DebianNodeRequirements()) {
    if (r.kind == RequirementKind::kCommand) args.push_back("c:" + std::string(r.name));
    if (r.kind == RequirementKind::kLibrary) args.push_back("l:" + std::string(r.name));
    packages.insert(std::string(r.package));
  }
  for (const auto& x : opts.extra_packages) packages.insert(WithoutArch(x));
  for (const auto& p : packages) args.push_back("p:" + p);
  ExecOptions eo;
  eo.timeout = std::chrono::seconds(60);
  auto r = ExecShell(remote, kProbeScript, args, eo);
  if (!r.ok()) return r.status().WithContext("probing what " + remote.node() + " has installed");
  auto probe = ParseProbe(r->out, opts.extra_packages);
  if (!probe.ok()) return probe.status().WithContext("probing " + remote.node());
  return probe;
}

Result<DebianNodePrep> PrepareDebianNode(Remote& remote, const DebianPrepOptions& opts) {
  const auto start = Clock::now();
  JF_ASSIGN_OR_RETURN(DebianNodeProbe probe, ProbeDebianNode(remote, opts));
  DebianNodePrep prep;
  prep.os = probe.os;
  const std::string where = Where(remote, probe.os);

  if (!probe.missing.empty()) {
    JF_RETURN_IF_ERROR(CheckInstallable(remote, probe, opts));
    const std::string pkgs = Join(probe.packages_to_install);
    spdlog::info("Preparing {}: installing {} (missing: {})", where, pkgs,
                 Join(probe.missing, ", "));
    const auto t = Clock::now();
    JF_ASSIGN_OR_RETURN(std::string said, RunLockedInstall(remote, probe, opts, kPolicyRcD));
    prep.install_elapsed = Since(t);
    // The script names what it installed: under the lock it skips what dpkg already lists as
    // installed (another node of this host may have installed it in the meantime).
    const std::string kSaid = "jf-apt: installed ";
    if (size_t at = said.find(kSaid); at != std::string::npos) {
      std::istringstream words(said.substr(at + kSaid.size(), said.find('\n', at) - at - kSaid.size()));
      for (std::string w; words >> w;) prep.installed.push_back(w);
    }
    if (prep.installed.empty()) {
      spdlog::info("Prepared {}: dpkg lists {} as installed already ({:.1f} s)", where, pkgs,
                   Seconds(prep.install_elapsed));
    } else {
      spdlog::info("Prepared {}: installed {} in {:.1f} s", where, Join(prep.installed),
                   Seconds(prep.install_elapsed));
    }

    JF_ASSIGN_OR_RETURN(DebianNodeProbe after, ProbeDebianNode(remote, opts));
    if (!after.missing.empty()) {
      std::vector<std::string> present;  // packages dpkg lists although their command is missing
      for (const auto& p : after.packages_to_install) {
        if (after.package_status[WithoutArch(p)] == "installed") present.push_back(p);
      }
      return FailedPrecondition(
          "{} still lacks {} after installing {}{}; the commands are looked up in the SSH "
          "session's PATH={} (root's should hold /usr/sbin and /sbin)",
          where, Join(after.missing, ", "), pkgs,
          present.empty() ? "" : " (dpkg lists " + Join(present, ", ") + " as installed)",
          after.path);
    }
    probe = std::move(after);
  }

  if (probe.java_home.empty()) {
    return FailedPrecondition(
        "{}: cannot tell where Java 17 is (no dpkg to name the architecture); set the Java home",
        where);
  }
  JF_ASSIGN_OR_RETURN(prep.java_version, CheckJava17(remote, where, probe.java_home));
  prep.java_home = probe.java_home;
  prep.elapsed = Since(start);
  if (prep.installed.empty()) {
    spdlog::debug("{} has everything a node needs (Java 17 at {}; {:.2f} s)", where,
                  prep.java_home, Seconds(prep.elapsed));
  }
  return prep;
}

Result<std::string> PrepareNodes(const std::vector<NodeHandle>& nodes,
                                 const DebianPrepOptions& opts) {
  if (nodes.empty()) return InvalidArgument("no nodes to prepare");
  JF_RETURN_IF_ERROR(CheckDebianPrepOptions(opts));
  // One slot per node, each written by its own thread only.
  std::vector<std::optional<Result<DebianNodePrep>>> results(nodes.size());
  (void)ForEachNode(nodes, [&](const NodeHandle& n) -> Status {
    const size_t i = static_cast<size_t>(&n - nodes.data());
    if (n.remote == nullptr) {
      results[i].emplace(Internal("node {} has no Remote", n.name));
    } else {
      results[i].emplace(PrepareDebianNode(*n.remote, opts));
    }
    return results[i]->status();
  });

  std::optional<StatusCode> code;
  std::vector<std::string> errors;
  std::map<std::string, std::vector<std::string>> homes;  // Java home -> nodes
  for (size_t i = 0; i < nodes.size(); ++i) {
    const auto& r = *results[i];
    if (!r.ok()) {
      if (!code) code = r.status().code();
      errors.push_back(r.status().message());
    } else {
      homes[r->java_home].push_back(nodes[i].name);
    }
  }
  if (code) {
    if (errors.size() == 1) return Status(*code, errors.front());
    return Status(*code, fmt::format("{} of {} nodes could not be prepared: {}", errors.size(),
                                     nodes.size(), Join(errors, "; ")));
  }
  if (homes.size() > 1) {
    std::vector<std::string> where;
    for (const auto& [home, names] : homes) {
      where.push_back(fmt::format("{} on {}", home, Join(names, ", ")));
    }
    return FailedPrecondition(
        "the nodes' Java 17 homes differ ({}); one run needs the same path on every node: use "
        "hosts of one architecture, or set the Java home to a path all of them have",
        Join(where, "; "));
  }
  return homes.begin()->first;
}

}  // namespace jf
