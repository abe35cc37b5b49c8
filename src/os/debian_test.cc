// PrepareDebianNode against a fake Debian host (a Remote that answers the probe, the install and
// `java -version` from its state and records every command), and the real scripts run by sh on
// this machine with fake apt-get and dpkg-query. The real apt path is tests/integration's
// slow_debian_prep.
#include "os/debian.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/file.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <mutex>
#include <set>
#include <sstream>

#include "common/temp_dir.h"

namespace jf {
namespace {

namespace fs = std::filesystem;

ExecResult Exit(int code, std::string out = "", std::string err = "") {
  ExecResult r;
  r.exit_code = code;
  r.out = std::move(out);
  r.err = std::move(err);
  return r;
}

// A Debian host as the scripts would see it. Starts with everything in DebianNodeRequirements;
// tests take things away. The install marks the packages installed and their commands and
// libraries present, unless install_result is set (then it answers that and changes nothing).
class FakeDebianHost : public Remote {
 public:
  explicit FakeDebianHost(std::string node = "n1") : node_(std::move(node)) {
    for (const auto& r : DebianNodeRequirements()) {
      if (r.kind != RequirementKind::kJava) present.insert(std::string(r.name));
      installed.insert(std::string(r.package));
    }
  }

  // Removes a package and everything it provides.
  void Remove(const std::string& package) {
    installed.erase(package);
    for (const auto& r : DebianNodeRequirements()) {
      if (r.package == package) present.erase(std::string(r.name));
    }
  }

  const std::string& node() const override { return node_; }

  Result<ExecResult> Exec(const std::vector<std::string>& argv, const ExecOptions&) override {
    std::lock_guard<std::mutex> lock(mu_);
    calls.push_back(argv);
    if (argv.size() >= 4 && argv[0] == "sh" && argv[1] == "-c") {
      if (argv[2] == DebianProbeScript()) return Probe(argv);
      if (argv[2] == DebianInstallScript()) return Install(argv);
    }
    if (argv.size() == 2 && argv[1] == "-version") {
      if (argv[0] != JavaHome() + "/bin/java" || !installed.count(kJava17Package)) {
        return Exit(127, "", "sh: 1: " + argv[0] + ": not found");
      }
      return Exit(0, "", java_version);
    }
    return Exit(127, "", "unexpected command");
  }
  Status Upload(const std::string&, const std::string&) override { return Internal("unused"); }
  Status Download(const std::string&, const std::string&) override { return Internal("unused"); }
  Status UploadTree(const std::string&, const std::string&) override { return Internal("unused"); }

  std::string JavaHome() const { return "/usr/lib/jvm/java-17-openjdk-" + arch; }

  // The recorded commands that ran the install script.
  std::vector<std::vector<std::string>> Installs() const {
    std::vector<std::vector<std::string>> v;
    for (const auto& c : calls) {
      if (c.size() > 2 && c[2] == DebianInstallScript()) v.push_back(c);
    }
    return v;
  }

  int uid = 0;
  bool has_apt = true;
  std::string arch = "amd64";
  std::string path = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
  std::string java_version =
      "openjdk version \"17.0.13\" 2024-10-15\nOpenJDK Runtime Environment (build 17.0.13+11)\n";
  std::set<std::string> present;    // commands and libraries
  std::set<std::string> installed;  // packages
  std::optional<ExecResult> install_result;
  bool install_adds_commands = true;
  std::vector<std::vector<std::string>> calls;

 private:
  ExecResult Probe(const std::vector<std::string>& argv) {
    std::string out = fmt::format("uid {}\npath {}\n", uid, path);
    if (has_apt) out += fmt::format("apt\narch {}\n", arch);
    out += "os Debian GNU/Linux 12 (bookworm)\n";
    std::string jh = argv[4];
    if (jh.empty() && has_apt) jh = JavaHome();
    if (!jh.empty()) {
      out += "java-home " + jh + "\n";
      if (jh == JavaHome() && installed.count(kJava17Package)) out += "java-present\n";
    }
    for (size_t i = 5; i < argv.size(); ++i) {
      const std::string kind = argv[i].substr(0, 2), v = argv[i].substr(2);
      if ((kind == "c:" || kind == "l:") && !present.count(v)) out += "missing " + v + "\n";
      if (kind == "p:" && has_apt) {
        out +=
            fmt::format("package {} {}\n", v, installed.count(v) ? "installed" : "not-installed");
      }
    }
    return Exit(0, out);
  }

  ExecResult Install(const std::vector<std::string>& argv) {
    if (install_result) return *install_result;
    std::vector<std::string> todo;
    for (size_t i = 7; i < argv.size(); ++i) {
      if (!installed.count(argv[i])) todo.push_back(argv[i]);
    }
    if (todo.empty()) return Exit(0, "jf-apt: nothing to install\n");
    std::string list;
    for (const auto& p : todo) {
      installed.insert(p);
      list += (list.empty() ? "" : " ") + p;
      for (const auto& r : DebianNodeRequirements()) {
        if (r.package == p && install_adds_commands) present.insert(std::string(r.name));
      }
    }
    return Exit(0, "jf-apt: installing " + list + "\njf-apt: installed " + list + "\n");
  }

  std::string node_;
  std::mutex mu_;
};

TEST(DebianTest, TableNamesTheHarnesssToolsWithValidPackages) {
  std::map<std::string, std::string> pkg;
  for (const auto& r : DebianNodeRequirements()) {
    EXPECT_TRUE(pkg.emplace(std::string(r.name), std::string(r.package)).second) << r.name;
    DebianPrepOptions o;
    o.extra_packages = {std::string(r.package)};
    EXPECT_TRUE(CheckDebianPrepOptions(o).ok()) << r.package;
    EXPECT_FALSE(r.used_by.empty()) << r.name;
  }
  EXPECT_EQ(pkg["iptables"], "iptables");
  EXPECT_EQ(pkg["tc"], "iproute2");
  EXPECT_EQ(pkg["runsv"], "runit");
  EXPECT_EQ(pkg["sv"], "runit");
  EXPECT_EQ(pkg["ps"], "procps");
  EXPECT_EQ(pkg["pgrep"], "procps");
  EXPECT_EQ(pkg["kill"], "procps");
  EXPECT_EQ(pkg["tar"], "tar");
  EXPECT_EQ(pkg["timeout"], "coreutils");
  EXPECT_EQ(pkg["mktemp"], "coreutils");
  EXPECT_EQ(pkg["setsid"], "util-linux");
  EXPECT_EQ(pkg["flock"], "util-linux");
  EXPECT_EQ(pkg["sh"], "dash");
  EXPECT_EQ(pkg["libnetfilter_queue.so.1"], "libnetfilter-queue1");
  EXPECT_EQ(pkg["java"], "openjdk-17-jre-headless");
}

TEST(DebianTest, NothingMissingRunsNoApt) {
  FakeDebianHost host;
  auto prep = PrepareDebianNode(host);
  ASSERT_TRUE(prep.ok()) << prep.status().ToString();
  EXPECT_EQ(prep->java_home, "/usr/lib/jvm/java-17-openjdk-amd64");
  EXPECT_EQ(prep->java_version, "openjdk version \"17.0.13\" 2024-10-15");
  EXPECT_TRUE(prep->installed.empty());
  EXPECT_TRUE(host.Installs().empty());
  ASSERT_EQ(host.calls.size(), 2u);  // the probe and java -version
  EXPECT_EQ(host.calls[1],
            (std::vector<std::string>{"/usr/lib/jvm/java-17-openjdk-amd64/bin/java", "-version"}));
}

TEST(DebianTest, InstallsExactlyTheMissingPackagesUnderFlock) {
  FakeDebianHost host;
  host.Remove("iptables");
  host.Remove("runit");
  auto probe = ProbeDebianNode(host);
  ASSERT_TRUE(probe.ok()) << probe.status().ToString();
  EXPECT_EQ(probe->missing, (std::vector<std::string>{"iptables", "runsv", "sv"}));
  EXPECT_EQ(probe->packages_to_install, (std::vector<std::string>{"iptables", "runit"}));
  EXPECT_EQ(probe->package_status["iptables"], "not-installed");
  EXPECT_EQ(probe->package_status["procps"], "installed");

  auto prep = PrepareDebianNode(host);
  ASSERT_TRUE(prep.ok()) << prep.status().ToString();
  EXPECT_EQ(prep->installed, (std::vector<std::string>{"iptables", "runit"}));
  auto installs = host.Installs();
  ASSERT_EQ(installs.size(), 1u);
  EXPECT_EQ(std::vector<std::string>(installs[0].begin() + 3, installs[0].end()),
            (std::vector<std::string>{"sh", "/var/lib/jepsen-flink/apt.lock", "1200",
                                      "/usr/sbin/policy-rc.d", "iptables", "runit"}));
  // What the script does with them: flock on the lock, then apt with the options.
  const std::string& script = installs[0][2];
  EXPECT_NE(script.find("flock -w \"$w\" 9"), std::string::npos);
  EXPECT_LT(script.find("flock -w"), script.find("apt-get"));
  EXPECT_NE(script.find("export DEBIAN_FRONTEND=noninteractive"), std::string::npos);
  EXPECT_NE(script.find("apt-get -qq -o DPkg::Lock::Timeout=300 update"), std::string::npos);
  EXPECT_NE(script.find("apt-get -qq -o DPkg::Lock::Timeout=300 install -y "
                        "--no-install-recommends -- \"$@\""),
            std::string::npos);
  // probe, install, probe again, java -version.
  EXPECT_EQ(host.calls.size(), 1u + 4u);

  // Prepared: a second call installs nothing.
  host.calls.clear();
  auto again = PrepareDebianNode(host);
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_TRUE(again->installed.empty());
  EXPECT_TRUE(host.Installs().empty());
  EXPECT_EQ(host.calls.size(), 2u);
}

TEST(DebianTest, JavaComesFromOpenjdk17) {
  FakeDebianHost host;
  host.Remove(kJava17Package);
  auto prep = PrepareDebianNode(host);
  ASSERT_TRUE(prep.ok()) << prep.status().ToString();
  EXPECT_EQ(prep->installed, (std::vector<std::string>{"openjdk-17-jre-headless"}));
  EXPECT_EQ(prep->java_home, "/usr/lib/jvm/java-17-openjdk-amd64");
}

TEST(DebianTest, NonDebianHostIsRefusedWithTheMissingTools) {
  FakeDebianHost host("alpine-1");
  host.has_apt = false;
  host.Remove("iptables");
  host.Remove("runit");
  auto prep = PrepareDebianNode(host);
  ASSERT_FALSE(prep.ok());
  EXPECT_EQ(prep.status().code(), StatusCode::kFailedPrecondition);
  const std::string& m = prep.status().message();
  EXPECT_NE(m.find("alpine-1"), std::string::npos) << m;
  EXPECT_NE(m.find("iptables, runsv, sv"), std::string::npos) << m;
  EXPECT_NE(m.find("not Debian-like"), std::string::npos) << m;
  EXPECT_TRUE(host.Installs().empty());
}

TEST(DebianTest, NonRootIsToldToUseRoot) {
  FakeDebianHost host;
  host.uid = 1000;
  host.Remove("iptables");
  auto prep = PrepareDebianNode(host);
  ASSERT_FALSE(prep.ok());
  EXPECT_EQ(prep.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(prep.status().message().find("apt needs root"), std::string::npos);
  EXPECT_NE(prep.status().message().find("use --username root"), std::string::npos);
  EXPECT_NE(prep.status().message().find("n1"), std::string::npos);
  EXPECT_TRUE(host.Installs().empty());
}

TEST(DebianTest, CheckOnlyNamesTheAptCommand) {
  FakeDebianHost host;
  host.Remove("iproute2");
  DebianPrepOptions o;
  o.install = false;
  auto prep = PrepareDebianNode(host, o);
  ASSERT_FALSE(prep.ok());
  EXPECT_NE(prep.status().message().find("apt-get install -y --no-install-recommends iproute2"),
            std::string::npos)
      << prep.status().message();
  EXPECT_TRUE(host.Installs().empty());
}

TEST(DebianTest, AptFailureIsReportedWithTheNodeAndAptsError) {
  FakeDebianHost host("db-3");
  host.Remove("runit");
  host.install_result = Exit(77, "jf-apt: installing runit\n",
                             "E: Unable to locate package runit\njf-apt: apt-get install failed\n");
  auto prep = PrepareDebianNode(host);
  ASSERT_FALSE(prep.ok());
  const std::string& m = prep.status().message();
  EXPECT_NE(m.find("db-3"), std::string::npos) << m;
  EXPECT_NE(m.find("apt-get install for runit failed (exit 77)"), std::string::npos) << m;
  EXPECT_NE(m.find("E: Unable to locate package runit"), std::string::npos) << m;
  EXPECT_NE(m.find("sources.list"), std::string::npos) << m;

  host.install_result = Exit(77, "",
                             "E: dpkg was interrupted, you must manually run 'dpkg --configure -a' "
                             "to correct the problem.\n");
  prep = PrepareDebianNode(host);
  ASSERT_FALSE(prep.ok());
  EXPECT_NE(prep.status().message().find("run `dpkg --configure -a` there"), std::string::npos)
      << prep.status().message();
}

TEST(DebianTest, LockTimeoutIsATimeout) {
  FakeDebianHost host;
  host.Remove("runit");
  host.install_result = Exit(75, "", "jf-apt: another install held /var/lib/x for 1200 s\n");
  auto prep = PrepareDebianNode(host);
  ASSERT_FALSE(prep.ok());
  EXPECT_EQ(prep.status().code(), StatusCode::kTimeout);
  EXPECT_NE(prep.status().message().find("/var/lib/jepsen-flink/apt.lock"), std::string::npos);
}

TEST(DebianTest, CommandStillMissingAfterInstallNamesPath) {
  FakeDebianHost host;
  host.Remove("iptables");
  host.install_adds_commands = false;  // installed, but /usr/sbin is not on this PATH
  host.path = "/usr/bin:/bin";
  auto prep = PrepareDebianNode(host);
  ASSERT_FALSE(prep.ok());
  const std::string& m = prep.status().message();
  EXPECT_NE(m.find("still lacks iptables"), std::string::npos) << m;
  EXPECT_NE(m.find("dpkg lists iptables as installed"), std::string::npos) << m;
  EXPECT_NE(m.find("PATH=/usr/bin:/bin"), std::string::npos) << m;
}

TEST(DebianTest, JavaNot17IsRefused) {
  for (const auto& [out, says] : std::vector<std::pair<std::string, std::string>>{
           {"openjdk version \"11.0.22\" 2024-01-16\n", "Java 11"},
           {"openjdk version \"21.0.5\" 2024-10-15\n", "Java 21"},
           {"java version \"1.8.0_412\"\n", "Java 8"},
           {"Error: no version here\n", "unknown version"}}) {
    FakeDebianHost host;
    host.java_version = out;
    auto prep = PrepareDebianNode(host);
    ASSERT_FALSE(prep.ok()) << out;
    EXPECT_EQ(prep.status().code(), StatusCode::kFailedPrecondition);
    EXPECT_NE(prep.status().message().find(says), std::string::npos) << prep.status().message();
    EXPECT_NE(prep.status().message().find("not Java 17"), std::string::npos);
    EXPECT_NE(prep.status().message().find("n1"), std::string::npos);
  }
  EXPECT_EQ(JavaMajorVersion("openjdk version \"17\" 2021-09-14"), 17);
  EXPECT_EQ(JavaMajorVersion("openjdk version \"17.0.13\" 2024-10-15"), 17);
}

TEST(DebianTest, JavaElsewhereIsVerifiedNotInstalled) {
  FakeDebianHost host;
  DebianPrepOptions o;
  o.java_home = "/opt/jdk-17";
  auto prep = PrepareDebianNode(host, o);  // the fake has no Java there
  ASSERT_FALSE(prep.ok());
  EXPECT_NE(prep.status().message().find("no Java at /opt/jdk-17"), std::string::npos)
      << prep.status().message();
  EXPECT_TRUE(host.Installs().empty());
}

TEST(DebianTest, HostileValuesArePassedAsWords) {
  // Refused outright: a package name no Debian package has, a lock in a node-private directory.
  for (const std::string bad : {"iptables; rm -rf /", "a b", "$(reboot)", "-y", "Iptables"}) {
    FakeDebianHost host;
    DebianPrepOptions o;
    o.extra_packages = {bad};
    auto prep = PrepareDebianNode(host, o);
    ASSERT_FALSE(prep.ok()) << bad;
    EXPECT_EQ(prep.status().code(), StatusCode::kInvalidArgument);
    EXPECT_TRUE(host.calls.empty()) << bad;
  }
  for (const std::string bad : {"/tmp/apt.lock", "/var/log/x", "/opt/l", "rel/lock", "/a\nb"}) {
    DebianPrepOptions o;
    o.lock_file = bad;
    EXPECT_EQ(CheckDebianPrepOptions(o).code(), StatusCode::kInvalidArgument) << bad;
  }

  // Paths with spaces, ';' and $() are allowed: they reach the scripts as one argument each.
  const std::string jh = "/srv/my jdk;$(touch /pwned)`id`";
  const std::string lock = "/var/lib/jf lock;$(reboot)/apt.lock";
  FakeDebianHost host;
  host.Remove("runit");
  DebianPrepOptions o;
  o.java_home = host.JavaHome();
  o.lock_file = lock;
  ASSERT_TRUE(PrepareDebianNode(host, o).ok());
  o.java_home = jh;
  (void)PrepareDebianNode(host, o);
  bool saw_jh = false, saw_lock = false;
  for (const auto& c : host.calls) {
    ASSERT_GE(c.size(), 2u);
    if (c[0] == "sh") {
      ASSERT_EQ(c[1], "-c");
      EXPECT_TRUE(c[2] == DebianProbeScript() || c[2] == DebianInstallScript());
      EXPECT_EQ(c[2].find("reboot"), std::string::npos);
      EXPECT_EQ(c[2].find("pwned"), std::string::npos);
      saw_jh |= c[4] == jh;
      saw_lock |= c[4] == lock;
    }
  }
  EXPECT_TRUE(saw_jh);
  EXPECT_TRUE(saw_lock);
}

TEST(DebianTest, PrepareNodesAgreesOnTheJavaHome) {
  std::vector<std::unique_ptr<FakeDebianHost>> hosts;
  std::vector<NodeHandle> nodes;
  for (const char* n : {"n1", "n2", "n3"}) {
    hosts.push_back(std::make_unique<FakeDebianHost>(n));
    hosts.back()->Remove("runit");
    nodes.push_back({n, "10.0.0.1", hosts.back().get()});
  }
  auto home = PrepareNodes(nodes);
  ASSERT_TRUE(home.ok()) << home.status().ToString();
  EXPECT_EQ(*home, "/usr/lib/jvm/java-17-openjdk-amd64");
  for (const auto& h : hosts) EXPECT_EQ(h->Installs().size(), 1u);

  hosts[2]->arch = "arm64";
  home = PrepareNodes(nodes);
  ASSERT_FALSE(home.ok());
  EXPECT_NE(home.status().message().find("java-17-openjdk-amd64 on n1, n2"), std::string::npos)
      << home.status().message();
  EXPECT_NE(home.status().message().find("java-17-openjdk-arm64 on n3"), std::string::npos);

  hosts[2]->arch = "amd64";
  hosts[0]->uid = 1000;
  hosts[0]->Remove("tar");
  hosts[1]->has_apt = false;
  hosts[1]->Remove("tar");
  home = PrepareNodes(nodes);
  ASSERT_FALSE(home.ok());
  EXPECT_EQ(home.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(home.status().message().find("2 of 3 nodes"), std::string::npos)
      << home.status().message();
  EXPECT_NE(home.status().message().find("n1"), std::string::npos);
  EXPECT_NE(home.status().message().find("n2"), std::string::npos);
}

// ---------------------------------------------------------------------------------------------
// The real scripts, run by sh here.

std::string ReadFile(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Runs commands on this machine with extra environment (PATH with fake tools first).
class HostRemote : public Remote {
 public:
  const std::string& node() const override { return name_; }
  Result<ExecResult> Exec(const std::vector<std::string>& argv, const ExecOptions& o) override {
    ExecOptions opts = o;
    for (const auto& [k, v] : env) opts.env[k] = v;
    if (!cwd.empty()) opts.cwd = cwd;
    return RunProcess(argv, opts);
  }
  Status Upload(const std::string&, const std::string&) override { return Internal("unused"); }
  Status Download(const std::string&, const std::string&) override { return Internal("unused"); }
  Status UploadTree(const std::string&, const std::string&) override { return Internal("unused"); }
  std::map<std::string, std::string> env;
  std::string cwd;

 private:
  std::string name_ = "here";
};

TEST(DebianScriptTest, ProbeTakesAHostilePathAsData) {
  TempDir dir{"jf-debian-test"};
  const fs::path canary = dir.path() / "pwned";
  HostRemote here;
  DebianPrepOptions o;
  o.java_home = (dir.path() / "my jdk;$(touch pwned)`touch pwned`").string();
  here.cwd = dir.path().string();
  auto probe = ProbeDebianNode(here, o);
  ASSERT_TRUE(probe.ok()) << probe.status().ToString();
  EXPECT_EQ(probe->java_home, o.java_home);
  EXPECT_FALSE(probe->java_present);
  EXPECT_GE(probe->uid, 0);
  EXPECT_FALSE(fs::exists(canary));
  // sh is everywhere; the probe found it with command -v.
  EXPECT_EQ(std::count(probe->missing.begin(), probe->missing.end(), "sh"), 0);
}

// A directory with fake dpkg-query (installed = the lines of ./installed) and apt-get (logs its
// arguments, DEBIAN_FRONTEND and the policy-rc.d it sees; "installs" into ./installed).
class FakeApt {
 public:
  FakeApt() {
    const fs::path d = dir_.path();
    policy_ = d / "policy-rc.d";
    Write("dpkg-query", R"SH(#!/bin/sh
d=$(dirname "$0"); p=$(eval echo "\${$#}")
grep -qx -- "$p" "$d/installed" 2>/dev/null && echo installed || echo not-installed)SH");
    Write("apt-get", R"SH(#!/bin/sh
d=$(dirname "$0")
echo "apt-get $* [DEBIAN_FRONTEND=$DEBIAN_FRONTEND]" >> "$d/log"
echo "policy: $(cat "$d/policy-rc.d" 2>/dev/null | tail -n 1)" >> "$d/log"
case " $* " in *" install "*)
  [ -e "$d/fail" ] && { echo "E: Unable to locate package zz" >&2; exit 100; }
  seen=; for a in "$@"; do [ -n "$seen" ] && echo "$a" >> "$d/installed"; [ "$a" = -- ] && seen=1; done;;
esac
exit 0)SH");
  }

  ExecResult Run(const std::string& lock, const std::vector<std::string>& packages,
                 const std::string& wait = "5") {
    std::vector<std::string> argv = {"sh", "-c", DebianInstallScript(), "sh",
                                     lock, wait, policy_.string()};
    argv.insert(argv.end(), packages.begin(), packages.end());
    ExecOptions o;
    o.env["PATH"] = dir_.path().string() + ":/usr/bin:/bin";
    o.cwd = dir_.path().string();
    auto r = RunProcess(argv, o);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : ExecResult{};
  }

  fs::path path() const { return dir_.path(); }
  fs::path policy() const { return policy_; }
  std::string Log() const { return ReadFile(dir_.path() / "log"); }

 private:
  void Write(const std::string& name, const std::string& text) {
    std::ofstream(dir_.path() / name) << text;
    fs::permissions(dir_.path() / name, fs::perms::owner_all);
  }
  TempDir dir_{"jf-debian-test"};
  fs::path policy_;
};

TEST(DebianScriptTest, InstallRunsAptUnderTheLockWithoutServices) {
  FakeApt apt;
  const std::string lock = (apt.path() / "lock dir;$(touch pwned)" / "apt.lock").string();
  std::ofstream(apt.path() / "installed") << "procps\n";
  ExecResult r = apt.Run(lock, {"iptables", "procps", "runit"});
  ASSERT_TRUE(r.ok()) << r.Describe() << "\n" << r.out << r.err;
  EXPECT_NE(r.out.find("jf-apt: installed iptables runit"), std::string::npos) << r.out;
  EXPECT_EQ(apt.Log(),
            "apt-get -qq -o DPkg::Lock::Timeout=300 update [DEBIAN_FRONTEND=noninteractive]\n"
            "policy: exit 101\n"
            "apt-get -qq -o DPkg::Lock::Timeout=300 install -y --no-install-recommends -- "
            "iptables runit [DEBIAN_FRONTEND=noninteractive]\n"
            "policy: exit 101\n");
  EXPECT_FALSE(fs::exists(apt.policy())) << "our policy-rc.d was not removed";
  EXPECT_TRUE(fs::exists(lock));  // the literal path, created with its directory
  EXPECT_FALSE(fs::exists(apt.path() / "pwned"));

  // Everything installed now: no apt at all.
  fs::remove(apt.path() / "log");
  r = apt.Run(lock, {"iptables", "runit"});
  ASSERT_TRUE(r.ok()) << r.Describe();
  EXPECT_NE(r.out.find("jf-apt: nothing to install"), std::string::npos);
  EXPECT_FALSE(fs::exists(apt.path() / "log"));
}

TEST(DebianScriptTest, ForeignPolicyStaysOursGoes) {
  FakeApt apt;
  const std::string lock = (apt.path() / "apt.lock").string();
  const std::string foreign = "#!/bin/sh\n# the container's own\nexit 0\n";
  std::ofstream(apt.policy()) << foreign;
  ASSERT_TRUE(apt.Run(lock, {"runit"}).ok());
  EXPECT_EQ(ReadFile(apt.policy()), foreign);
  EXPECT_NE(apt.Log().find("policy: exit 0"), std::string::npos);

  // One left by an interrupted run of ours is ours: used, then removed.
  std::ofstream(apt.policy())
      << "#!/bin/sh\n# jepsen-flink: temporary, no service starts while it installs packages.\n"
         "exit 101\n";
  ASSERT_TRUE(apt.Run(lock, {"iptables"}).ok());
  EXPECT_FALSE(fs::exists(apt.policy()));

  // A failed install removes it too, and says which step failed.
  std::ofstream(apt.path() / "fail") << "";
  ExecResult r = apt.Run(lock, {"tar"});
  EXPECT_EQ(r.exit_code, 77);
  EXPECT_NE(r.err.find("E: Unable to locate package zz"), std::string::npos);
  EXPECT_FALSE(fs::exists(apt.policy()));
}

TEST(DebianScriptTest, HeldLockTimesOutWith75) {
  FakeApt apt;
  const fs::path lock = apt.path() / "apt.lock";
  int fd = open(lock.c_str(), O_CREAT | O_RDWR | O_CLOEXEC, 0644);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(flock(fd, LOCK_EX), 0);
  ExecResult r = apt.Run(lock.string(), {"runit"}, "1");
  close(fd);
  EXPECT_EQ(r.exit_code, 75) << r.Describe();
  EXPECT_NE(r.err.find("another install held"), std::string::npos);
  EXPECT_FALSE(fs::exists(apt.path() / "log"));  // no apt ran
  EXPECT_TRUE(apt.Run(lock.string(), {"runit"}).ok());
}

}  // namespace
}  // namespace jf
