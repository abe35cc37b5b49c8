#include "cluster/local_cluster.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <set>
#include <sstream>
#include <thread>

#include "cluster/freezer.h"
#include "cluster/leaks.h"
#include "control/namespace_remote.h"
#include "control/subprocess.h"

extern char** environ;

namespace jf {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

constexpr char kStateFile[] = "cluster.json";
constexpr char kReadyMarker[] = "ready";
constexpr int kStateVersion = 1;
constexpr auto kReadyTimeout = std::chrono::seconds(10);
constexpr auto kKillTimeout = std::chrono::seconds(10);

// Runs inside the node as tini's child, in the node's fresh mount, UTS and PID namespaces (mount
// propagation private, so nothing here shows on the host) and in its network namespace.
// $1 root dir, $2 shared dir, $3 node name, $4 address/prefix. One line, so that `ps` stays
// legible.
constexpr char kSetupScript[] =
    "set -e; root=$1 shared=$2 name=$3 cidr=$4; "
    "mount --bind \"$root/opt\" /opt; "
    "mount --bind \"$root/tmp\" /tmp; chmod 1777 /tmp; "
    "mount --bind \"$root/log\" /var/log; "
    "mount --bind \"$root/hosts\" /etc/hosts; "
    "mount -t tmpfs -o mode=0755 tmpfs /run; "
    "mount --bind \"$shared\" \"$shared\"; "
    "hostname \"$name\"; "
    "ip link set lo up; ip addr add \"$cidr\" dev eth0; ip link set eth0 up; "
    ": > \"$root/ready\"; "
    "exec sleep infinity";

std::string FormatIpv4(uint32_t addr) {
  return fmt::format("{}.{}.{}.{}", addr >> 24, (addr >> 16) & 0xff, (addr >> 8) & 0xff,
                     addr & 0xff);
}

std::optional<uint32_t> ParseIpv4(const std::string& s) {
  in_addr a{};
  if (inet_pton(AF_INET, s.c_str(), &a) != 1) return std::nullopt;
  return ntohl(a.s_addr);
}

uint32_t PrefixMask(int len) { return len <= 0 ? 0 : ~uint32_t{0} << (32 - len); }

long ElapsedMs(Clock::time_point since) {
  return static_cast<long>(
      std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - since).count());
}

std::string StateFilePath(const std::string& state_dir) { return state_dir + "/" + kStateFile; }

Status WriteFile(const std::string& path, const std::string& content) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << content;
  out.close();
  if (!out) return Internal("cannot write {}", path);
  return Status::Ok();
}

std::string TailOfFile(const std::string& path, size_t max_lines) {
  std::ifstream in(path);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) {
    if (!line.empty()) lines.push_back(line);
  }
  size_t start = lines.size() > max_lines ? lines.size() - max_lines : 0;
  std::string out;
  for (size_t i = start; i < lines.size(); ++i) out += (out.empty() ? "" : " | ") + lines[i];
  return out;
}

// ---- Processes this harness started and may have to reap. ----
//
// The `unshare` wrapper of each node is our child while this process lives; when the node ends it
// exits and must be reaped here, or it stays a zombie until we exit. Only these PIDs are ever
// waited for: a waitpid(-1) would steal other threads' children from RunProcess.
std::mutex spawned_mu;
std::set<pid_t> spawned;

void ReapSpawned() {
  std::lock_guard<std::mutex> lock(spawned_mu);
  for (auto it = spawned.begin(); it != spawned.end();) {
    int status = 0;
    pid_t r = waitpid(*it, &status, WNOHANG);
    it = (r == *it || (r < 0 && errno == ECHILD)) ? spawned.erase(it) : std::next(it);
  }
}

// True once `pid` (a child spawned by SpawnDetached) has exited; reaps it.
bool SpawnedExited(pid_t pid) {
  std::lock_guard<std::mutex> lock(spawned_mu);
  int status = 0;
  pid_t r = waitpid(pid, &status, WNOHANG);
  if (r == pid || (r < 0 && errno == ECHILD)) {
    spawned.erase(pid);
    return true;
  }
  return false;
}

// Starts argv detached: own session, stdin /dev/null, stdout and stderr appended to log_path, no
// inherited descriptors. Returns its PID; it is not waited for.
Result<pid_t> SpawnDetached(const std::vector<std::string>& argv, const std::string& log_path) {
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&fa, 1, log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
  posix_spawn_file_actions_adddup2(&fa, 1, 2);
  posix_spawn_file_actions_addclosefrom_np(&fa, 3);
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  sigset_t defaults;
  sigemptyset(&defaults);
  for (int sig : {SIGPIPE, SIGINT, SIGTERM, SIGCHLD, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2}) {
    sigaddset(&defaults, sig);
  }
  posix_spawnattr_setsigdefault(&attr, &defaults);
  sigset_t none;
  sigemptyset(&none);
  posix_spawnattr_setsigmask(&attr, &none);
  posix_spawnattr_setflags(&attr,
                           POSIX_SPAWN_SETSID | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK);
  std::vector<std::string> storage = argv;
  std::vector<char*> cargv;
  for (auto& s : storage) cargv.push_back(s.data());
  cargv.push_back(nullptr);
  pid_t pid = -1;
  std::lock_guard<std::mutex> lock(spawned_mu);
  int rc = posix_spawnp(&pid, cargv[0], &fa, &attr, cargv.data(), environ);
  posix_spawn_file_actions_destroy(&fa);
  posix_spawnattr_destroy(&attr);
  if (rc != 0) return Internal("cannot start {}: {}", argv[0], strerror(rc));
  spawned.insert(pid);
  return pid;
}

// The first child of `pid` (from /proc/PID/task/PID/children), or 0.
int FirstChild(int pid) {
  std::ifstream in(fmt::format("/proc/{}/task/{}/children", pid, pid));
  int child = 0;
  in >> child;
  return child;
}

std::string Comm(int pid) {
  std::ifstream in(fmt::format("/proc/{}/comm", pid));
  std::string comm;
  std::getline(in, comm);
  return comm;
}

// True if `pid` is the init of node `node`: a live tini in network namespace jf-<node>.
bool IsNodeInit(int pid, const std::string& node) {
  if (pid <= 1 || Comm(pid) != "tini") return false;
  struct stat named = {};
  struct stat actual = {};
  if (stat(("/run/netns/" + NetnsName(node)).c_str(), &named) != 0) return false;
  if (stat(fmt::format("/proc/{}/ns/net", pid).c_str(), &actual) != 0) return false;
  return named.st_ino == actual.st_ino && named.st_dev == actual.st_dev;
}

// Splits an iptables-save rule line into words; iptables-save double-quotes words with spaces.
std::vector<std::string> SplitRule(const std::string& line) {
  std::vector<std::string> out;
  std::string cur;
  bool in_word = false, quoted = false;
  for (size_t i = 0; i < line.size(); ++i) {
    char c = line[i];
    if (quoted) {
      if (c == '\\' && i + 1 < line.size()) {
        cur += line[++i];
      } else if (c == '"') {
        quoted = false;
      } else {
        cur += c;
      }
    } else if (c == '"') {
      quoted = in_word = true;
    } else if (c == ' ') {
      if (in_word) out.push_back(cur);
      cur.clear();
      in_word = false;
    } else {
      cur += c;
      in_word = true;
    }
  }
  if (in_word) out.push_back(cur);
  return out;
}

// Kills every process of ours (see OurProcesses) and waits until none is left.
Status KillOurProcesses(SystemProbe& probe, const std::string& state_dir) {
  auto deadline = Clock::now() + kKillTimeout;
  int rounds = 0;
  while (true) {
    ReapSpawned();
    JF_ASSIGN_OR_RETURN(auto procs, probe.Processes());
    auto ours = OurProcesses(procs, state_dir);
    if (ours.empty()) return Status::Ok();
    if (Clock::now() > deadline) {
      std::string list;
      for (const auto& p : ours) {
        list += fmt::format(" {} ({}: {})", p.pid, p.state, p.cmdline.substr(0, 60));
      }
      return Internal("processes of the cluster survived SIGKILL for {} s:{}", kKillTimeout.count(),
                      list);
    }
    if (rounds++ == 0) spdlog::info("killing {} node process(es)", ours.size());
    // Children before the roots of our trees: a root (whose parent is not ours, e.g. a node's
    // unshare wrapper adopted by PID 1) that still has children of ours is left to exit by
    // itself once they are gone. Killed first, it would orphan them to PID 1, and they would
    // stay zombies until PID 1 gets round to reaping them (some inits do that only lazily).
    std::set<int> pids, parents;
    for (const auto& p : ours) {
      pids.insert(p.pid);
      parents.insert(p.ppid);
    }
    for (const auto& p : ours) {
      bool root_with_children = !pids.count(p.ppid) && parents.count(p.pid);
      if (p.pid > 1 && !root_with_children) kill(p.pid, SIGKILL);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

// Removes our iptables chains (JF-*) from the host's tables, with the rules of other chains that
// jump to them. Rules and chains of anybody else are never touched.
Status RemoveHostChains(SystemProbe& probe) {
  JF_ASSIGN_OR_RETURN(std::string save, probe.IptablesSave(""));
  std::vector<IptablesChain> ours;
  for (const auto& c : ParseIptablesChains(save)) {
    if (c.chain.rfind(kChainPrefix, 0) == 0) ours.push_back(c);
  }
  if (ours.empty()) return Status::Ok();
  spdlog::info("removing {} iptables chain(s) JF-* from the host", ours.size());
  // Rules in other chains that jump (-j) or go (-g) to one of ours.
  std::istringstream in(save);
  std::string line, table;
  while (std::getline(in, line)) {
    if (line.rfind("*", 0) == 0) table = line.substr(1);
    if (line.rfind("-A ", 0) != 0) continue;
    auto words = SplitRule(line);
    if (words.size() < 2 || words[1].rfind(kChainPrefix, 0) == 0) continue;
    bool jumps = false;
    for (size_t i = 0; i + 1 < words.size(); ++i) {
      if ((words[i] == "-j" || words[i] == "-g") && words[i + 1].rfind(kChainPrefix, 0) == 0) {
        jumps = true;
      }
    }
    if (!jumps) continue;
    std::vector<std::string> argv = {"iptables", "-w", "-t", table, "-D"};
    argv.insert(argv.end(), words.begin() + 1, words.end());
    JF_RETURN_IF_ERROR(RunChecked(argv).status());
  }
  for (const auto& c : ours) {
    JF_RETURN_IF_ERROR(RunChecked({"iptables", "-w", "-t", c.table, "-F", c.chain}).status());
  }
  for (const auto& c : ours) {
    JF_RETURN_IF_ERROR(RunChecked({"iptables", "-w", "-t", c.table, "-X", c.chain}).status());
  }
  return Status::Ok();
}

// Deletes our veths, network namespaces and bridge (in that order: deleting a namespace frees
// its end of a veth only asynchronously, deleting the host end removes both at once).
Status RemoveNetwork(SystemProbe& probe) {
  JF_ASSIGN_OR_RETURN(auto links, probe.HostLinks());
  JF_ASSIGN_OR_RETURN(auto namespaces, probe.NetworkNamespaces());
  std::string batch;
  bool bridge = false;
  for (const auto& l : links) {
    if (l == kBridgeName) {
      bridge = true;
    } else if (l.rfind(kNamePrefix, 0) == 0) {
      batch += "link del " + l + "\n";
    }
  }
  for (const auto& ns : namespaces) {
    if (ns.rfind(kNamePrefix, 0) == 0) batch += "netns del " + ns + "\n";
  }
  if (bridge) batch += std::string("link del ") + kBridgeName + "\n";
  if (batch.empty()) return Status::Ok();
  ExecOptions o;
  o.stdin_data = batch;
  o.timeout = std::chrono::seconds(30);
  // -force: go on after a failing line (something vanished meanwhile); the caller re-checks.
  JF_ASSIGN_OR_RETURN(ExecResult r, RunProcess({"ip", "-force", "-batch", "-"}, o));
  if (!r.ok()) spdlog::warn("removing the network: {}", r.Describe());
  return Status::Ok();
}

// Unmounts (lazily, deepest first) anything under state_dir or /run/netns/jf-*.
Status RemoveMounts(SystemProbe& probe, const std::string& state_dir) {
  JF_ASSIGN_OR_RETURN(std::string mi, probe.Mountinfo());
  std::vector<std::string> ours;
  for (const auto& m : ParseMountinfo(mi)) {
    if (m.mount_point.rfind(state_dir + "/", 0) == 0 ||
        m.mount_point.rfind(std::string("/run/netns/") + kNamePrefix, 0) == 0) {
      ours.push_back(m.mount_point);
    }
  }
  std::sort(ours.begin(), ours.end(), [](const std::string& a, const std::string& b) {
    return a.size() != b.size() ? a.size() > b.size() : a < b;
  });
  ours.erase(std::unique(ours.begin(), ours.end()), ours.end());
  for (const auto& mp : ours) {
    spdlog::info("unmounting {}", mp);
    JF_RETURN_IF_ERROR(RunChecked({"umount", "-l", mp}).status());
  }
  return Status::Ok();
}

// Fails if the host firewall will drop traffic between nodes: with bridge-nf-call-iptables=1,
// frames crossing jf-br0 go through the host's iptables FORWARD chain, whose policy DROP (unless
// a rule names our bridge) would drop them. The host's rules are the user's: we only report.
Status CheckHostForwarding() {
  std::ifstream sysctl("/proc/sys/net/bridge/bridge-nf-call-iptables");
  std::string value;
  if (!(sysctl >> value) || value != "1") return Status::Ok();
  auto r = RunProcess({"iptables", "-w", "-S", "FORWARD"});
  if (!r.ok() || !r->ok()) {
    spdlog::warn("cannot read the host's iptables FORWARD chain; not checking it");
    return Status::Ok();
  }
  if (r->out.find("-P FORWARD DROP") == std::string::npos) return Status::Ok();
  if (r->out.find(kBridgeName) != std::string::npos) return Status::Ok();
  return FailedPrecondition(
      "the host's iptables FORWARD policy is DROP and net.bridge.bridge-nf-call-iptables=1, so "
      "the host firewall would drop all traffic between the nodes on bridge {}; allow it (e.g. "
      "`iptables -I FORWARD -i {} -o {} -j ACCEPT`) or set net.bridge.bridge-nf-call-iptables=0, "
      "then retry (jepsen-flink never changes the host's firewall)",
      kBridgeName, kBridgeName, kBridgeName);
}

// Pings (once, 1 s) from the host to n1 and from n1 to every other node. Skipped without ping.
Status CheckConnectivity(const std::vector<LocalNode>& nodes) {
  auto ping = [](const std::vector<std::string>& prefix, const std::string& ip) -> Result<bool> {
    std::vector<std::string> argv = prefix;
    argv.insert(argv.end(), {"ping", "-c1", "-W1", "-q", ip});
    JF_ASSIGN_OR_RETURN(ExecResult r, RunProcess(argv));
    return r.ok();
  };
  auto host = ping({}, nodes[0].ip);
  if (!host.ok()) {
    spdlog::warn("cannot run ping ({}); not checking that the nodes can talk",
                 host.status().message());
    return Status::Ok();
  }
  if (!*host) {
    return FailedPrecondition(
        "the host cannot reach n1 ({}) on bridge {}: the host's firewall probably drops it "
        "(iptables/nftables INPUT or OUTPUT); allow traffic on {} and retry",
        nodes[0].ip, kBridgeName, kBridgeName);
  }
  for (size_t i = 1; i < nodes.size(); ++i) {
    JF_ASSIGN_OR_RETURN(bool ok,
                        ping({"ip", "netns", "exec", NetnsName(nodes[0].name)}, nodes[i].ip));
    if (!ok) {
      return FailedPrecondition(
          "n1 cannot reach {} ({}) over bridge {}: the host's firewall probably drops bridged "
          "traffic (with net.bridge.bridge-nf-call-iptables=1 it passes the host's FORWARD "
          "chain); allow it, e.g. `iptables -I FORWARD -i {} -o {} -j ACCEPT`, and retry "
          "(jepsen-flink never changes the host's firewall)",
          nodes[i].name, nodes[i].ip, kBridgeName, kBridgeName, kBridgeName);
    }
  }
  return Status::Ok();
}

// The part of Up that creates things; the caller removes everything if it fails.
Status Build(const std::string& state_dir, const Ipv4Subnet& subnet,
             std::vector<LocalNode>& nodes) {
  auto t0 = Clock::now();
  std::error_code ec;
  const std::string shared = state_dir + "/shared";
  // No cluster and no leftovers exist (checked), so old node dirs are from a crashed run.
  fs::remove_all(state_dir + "/nodes", ec);
  fs::remove_all(state_dir + "/ssh", ec);  // `cluster up --ssh` makes it afresh
  fs::remove_all(shared, ec);
  fs::create_directories(shared, ec);
  if (ec) return Internal("cannot create {}: {}", shared, ec.message());
  const std::string hosts = RenderHostsFile(nodes);
  for (const auto& n : nodes) {
    for (const char* sub : {"opt", "tmp", "log"}) {
      fs::create_directories(n.root_dir + "/" + sub, ec);
      if (ec) return Internal("cannot create {}/{}: {}", n.root_dir, sub, ec.message());
    }
    fs::permissions(n.root_dir + "/tmp", fs::perms::all | fs::perms::sticky_bit, ec);
    JF_RETURN_IF_ERROR(WriteFile(n.root_dir + "/hosts", hosts));
  }

  // The network, in one `ip` process.
  std::string batch;
  for (const auto& n : nodes) batch += "netns add " + NetnsName(n.name) + "\n";
  batch += fmt::format("link add {0} type bridge\naddr add {1}/{2} dev {0}\nlink set {0} up\n",
                       kBridgeName, subnet.Address(1), subnet.prefix_len);
  for (const auto& n : nodes) {
    batch += fmt::format(
        "link add {0} type veth peer name eth0 netns {1}\n"
        "link set {0} master {2} up\n",
        HostVethName(n.name), NetnsName(n.name), kBridgeName);
  }
  ExecOptions o;
  o.stdin_data = batch;
  o.timeout = std::chrono::seconds(30);
  JF_RETURN_IF_ERROR(RunChecked({"ip", "-batch", "-"}, o).status());
  spdlog::info("network up: bridge {} {}/{}, {} veth(s) ({} ms)", kBridgeName, subnet.Address(1),
               subnet.prefix_len, nodes.size(), ElapsedMs(t0));

  // The nodes' inits, all at once.
  std::vector<pid_t> wrappers;
  for (const auto& n : nodes) {
    std::vector<std::string> argv = {"ip", "netns", "exec", NetnsName(n.name)};
    // Fresh mount, UTS and PID namespaces with a private /proc. --kill-child: the node dies with
    // its unshare wrapper rather than outliving it unseen.
    argv.insert(argv.end(), {"unshare", "--mount", "--uts", "--pid", "--fork", "--propagation",
                             "private", "--mount-proc", "--kill-child"});
    // tini is PID 1 of the node and reaps orphans: killed JVMs must not stay zombies.
    argv.insert(argv.end(), {"tini", "-s", "--"});
    argv.insert(argv.end(), {"sh", "-c", kSetupScript, kNodeInitMarker, n.root_dir, shared, n.name,
                             fmt::format("{}/{}", n.ip, subnet.prefix_len)});
    JF_ASSIGN_OR_RETURN(pid_t pid, SpawnDetached(argv, n.root_dir + "/init.log"));
    wrappers.push_back(pid);
  }
  auto deadline = Clock::now() + kReadyTimeout;
  size_t ready = 0;
  while (ready < nodes.size()) {
    ready = 0;
    for (size_t i = 0; i < nodes.size(); ++i) {
      LocalNode& n = nodes[i];
      if (n.init_pid != 0) {
        ++ready;
        continue;
      }
      if (fs::exists(n.root_dir + "/" + kReadyMarker, ec)) {
        int child = FirstChild(wrappers[i]);
        if (child > 0 && Comm(child) == "tini") {
          n.init_pid = child;
          ++ready;
          continue;
        }
      }
      if (SpawnedExited(wrappers[i])) {
        // Quote the log: cleaning up after the failure removes the node's directory.
        return Internal("node {} failed to start: {}", n.name,
                        TailOfFile(n.root_dir + "/init.log", 3));
      }
    }
    if (ready == nodes.size()) break;
    if (Clock::now() > deadline) {
      std::string late;
      for (const auto& n : nodes) {
        if (n.init_pid != 0) continue;
        std::string log = TailOfFile(n.root_dir + "/init.log", 2);
        late += fmt::format("{}{} ({})", late.empty() ? "" : ", ", n.name,
                            log.empty() ? "init.log empty" : log);
      }
      return Timeout("nodes not ready within {} s: {}", kReadyTimeout.count(), late);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  spdlog::info("{} node(s) ready ({} ms)", nodes.size(), ElapsedMs(t0));
  JF_RETURN_IF_ERROR(CheckConnectivity(nodes));
  return Status::Ok();
}

}  // namespace

std::string DefaultStateDir() {
  const char* env = std::getenv("JEPSEN_FLINK_STATE_DIR");
  if (env != nullptr && *env != '\0') return env;
  return "/var/lib/jepsen-flink";
}

std::string NetnsName(const std::string& node) { return kNamePrefix + node; }
std::string HostVethName(const std::string& node) { return kNamePrefix + node + "-h"; }

// ---- Ipv4Subnet ----

std::string Ipv4Subnet::ToString() const {
  return fmt::format("{}/{}", FormatIpv4(network), prefix_len);
}

std::string Ipv4Subnet::Address(int host) const {
  return FormatIpv4(network + static_cast<uint32_t>(host));
}

bool Ipv4Subnet::Overlaps(uint32_t net, int len) const {
  int common = std::min(len, prefix_len);
  return (network & PrefixMask(common)) == (net & PrefixMask(common));
}

Result<Ipv4Subnet> ParseSubnet(const std::string& cidr) {
  size_t slash = cidr.find('/');
  if (slash == std::string::npos) {
    return InvalidArgument("subnet {} is not in CIDR notation (like 10.77.7.0/24)", cidr);
  }
  auto addr = ParseIpv4(cidr.substr(0, slash));
  if (!addr)
    return InvalidArgument("subnet {}: {} is not an IPv4 address", cidr, cidr.substr(0, slash));
  if (cidr.substr(slash + 1) != "24") {
    return InvalidArgument("subnet {}: only /24 subnets are supported", cidr);
  }
  Ipv4Subnet s;
  s.prefix_len = 24;
  s.network = *addr;
  if ((*addr & ~PrefixMask(24)) != 0) {
    return InvalidArgument("subnet {} has host bits set; did you mean {}?", cidr,
                           Ipv4Subnet{*addr & PrefixMask(24), 24}.ToString());
  }
  return s;
}

Status CheckSubnetFree(const Ipv4Subnet& subnet, const nlohmann::json& routes,
                       const nlohmann::json& addrs) {
  auto clash = [&](const std::string& what, const std::string& dst, const std::string& dev) {
    return InvalidArgument(
        "subnet {} clashes with {} {}{} on this host; choose another with "
        "--subnet",
        subnet.ToString(), what, dst, dev.empty() ? "" : " (dev " + dev + ")");
  };
  if (routes.is_array()) {
    for (const auto& r : routes) {
      if (!r.is_object() || !r.contains("dst") || !r["dst"].is_string()) continue;
      std::string dst = r["dst"];
      if (dst == "default") continue;  // covers everything; a more specific route wins
      std::string ip = dst.substr(0, dst.find('/'));
      int len =
          dst.find('/') == std::string::npos ? 32 : std::atoi(dst.c_str() + dst.find('/') + 1);
      auto a = ParseIpv4(ip);
      if (!a) continue;
      std::string dev =
          r.contains("dev") && r["dev"].is_string() ? r["dev"].get<std::string>() : "";
      if (subnet.Overlaps(*a, len)) return clash("route", dst, dev);
    }
  }
  if (addrs.is_array()) {
    for (const auto& link : addrs) {
      if (!link.is_object() || !link.contains("addr_info") || !link["addr_info"].is_array())
        continue;
      std::string dev = link.contains("ifname") && link["ifname"].is_string()
                            ? link["ifname"].get<std::string>()
                            : "";
      for (const auto& ai : link["addr_info"]) {
        if (!ai.is_object() || ai.value("family", "") != "inet") continue;
        if (!ai.contains("local") || !ai["local"].is_string()) continue;
        auto a = ParseIpv4(ai["local"].get<std::string>());
        int len = ai.contains("prefixlen") && ai["prefixlen"].is_number_integer()
                      ? ai["prefixlen"].get<int>()
                      : 32;
        if (a && subnet.Overlaps(*a, len)) {
          return clash("address", fmt::format("{}/{}", ai["local"].get<std::string>(), len), dev);
        }
      }
    }
  }
  return Status::Ok();
}

Result<std::string> NormalizeStateDir(const std::string& state_dir) {
  fs::path p(state_dir);
  if (state_dir.empty() || !p.is_absolute()) {
    return InvalidArgument("state dir '{}' must be an absolute path", state_dir);
  }
  std::string d = p.lexically_normal().string();
  while (d.size() > 1 && d.back() == '/') d.pop_back();
  if (d == "/") return InvalidArgument("state dir must not be /");
  for (const char* shadowed : {"/tmp", "/opt", "/var/log", "/run", "/proc", "/sys", "/dev"}) {
    if (PathIsUnder(d, shadowed)) {
      return InvalidArgument(
          "state dir {} lies under {}, which every node replaces with its own; choose another "
          "(--state-dir or JEPSEN_FLINK_STATE_DIR)",
          d, shadowed);
    }
  }
  return d;
}

Result<std::vector<LocalNode>> PlanNodes(const LocalClusterOptions& options) {
  if (options.nodes < 1 || options.nodes > kMaxLocalNodes) {
    return InvalidArgument("a local cluster has 1 to {} nodes, not {}", kMaxLocalNodes,
                           options.nodes);
  }
  JF_ASSIGN_OR_RETURN(Ipv4Subnet subnet, ParseSubnet(options.subnet));
  JF_ASSIGN_OR_RETURN(std::string dir, NormalizeStateDir(options.state_dir));
  std::vector<LocalNode> nodes;
  for (int i = 1; i <= options.nodes; ++i) {
    LocalNode n;
    n.name = fmt::format("n{}", i);
    n.ip = subnet.Address(10 + i);
    n.root_dir = fmt::format("{}/nodes/{}", dir, n.name);
    nodes.push_back(std::move(n));
  }
  return nodes;
}

std::string RenderHostsFile(const std::vector<LocalNode>& nodes) {
  std::string out =
      "# Written by jepsen-flink for the local cluster.\n"
      "127.0.0.1\tlocalhost\n"
      "::1\tlocalhost ip6-localhost ip6-loopback\n";
  for (const auto& n : nodes) out += fmt::format("{}\t{}\n", n.ip, n.name);
  return out;
}

// ---- LocalCluster ----

Result<LocalCluster> LocalCluster::Up(const LocalClusterOptions& options) {
  auto t0 = Clock::now();
  JF_ASSIGN_OR_RETURN(std::vector<LocalNode> nodes, PlanNodes(options));
  JF_ASSIGN_OR_RETURN(Ipv4Subnet subnet, ParseSubnet(options.subnet));
  JF_ASSIGN_OR_RETURN(std::string state_dir, NormalizeStateDir(options.state_dir));
  if (geteuid() != 0) {
    return FailedPrecondition("a local cluster needs root (namespaces, bridge, mounts)");
  }
  std::error_code ec;
  if (fs::exists(StateFilePath(state_dir), ec)) {
    return FailedPrecondition(
        "a cluster already exists in {} (see `jepsen-flink cluster status`); remove it with "
        "`jepsen-flink cluster down` first",
        state_dir);
  }
  RealSystemProbe probe;
  auto leaks = FindLeaks(probe, state_dir);
  for (const auto& leak : leaks) {
    if (leak.kind == "probe-error") {
      return FailedPrecondition("cannot check this machine for an existing cluster: {}",
                                leak.detail);
    }
  }
  if (!leaks.empty()) {
    std::string list;
    for (size_t i = 0; i < leaks.size() && i < 3; ++i) list += "; " + leaks[i].detail;
    return FailedPrecondition(
        "this machine already has local-cluster resources ({} item(s){}{}): another cluster "
        "(perhaps with another state dir) or leftovers of a crashed run; remove them with "
        "`jepsen-flink cluster down --all`",
        leaks.size(), list, leaks.size() > 3 ? "; ..." : "");
  }
  JF_ASSIGN_OR_RETURN(ExecResult routes,
                      RunChecked({"ip", "-4", "-j", "route", "show", "table", "all"}));
  JF_ASSIGN_OR_RETURN(ExecResult addrs, RunChecked({"ip", "-4", "-j", "addr", "show"}));
  JF_RETURN_IF_ERROR(CheckSubnetFree(subnet, nlohmann::json::parse(routes.out, nullptr, false),
                                     nlohmann::json::parse(addrs.out, nullptr, false)));
  JF_RETURN_IF_ERROR(CheckHostForwarding());

  spdlog::info("cluster up: {} node(s) on {}, state in {}", nodes.size(), subnet.ToString(),
               state_dir);
  fs::create_directories(state_dir, ec);
  if (ec) return Internal("cannot create state dir {}: {}", state_dir, ec.message());
  LocalCluster cluster;
  cluster.state_dir_ = state_dir;
  cluster.subnet_ = subnet.ToString();
  cluster.bridge_ip_ = subnet.Address(1);
  Status built = Build(state_dir, subnet, nodes);
  if (built.ok()) {
    cluster.nodes_ = nodes;
    const std::string path = StateFilePath(state_dir);
    built = WriteFile(path + ".tmp", cluster.ToJson().dump(2) + "\n");
    if (built.ok() && std::rename((path + ".tmp").c_str(), path.c_str()) != 0) {
      built = Internal("cannot write {}: {}", path, strerror(errno));
    }
  }
  if (!built.ok()) {
    spdlog::error("cluster up failed: {}; removing what was created", built.message());
    Status cleaned = DownAll(state_dir);
    if (!cleaned.ok()) {
      return Status(built.code(),
                    built.message() + " (and cleaning up failed too: " + cleaned.message() + ")");
    }
    return built;
  }
  spdlog::info("cluster up: {} node(s) ready in {} ms", nodes.size(), ElapsedMs(t0));
  return cluster;
}

Result<LocalCluster> LocalCluster::Load(const std::string& state_dir) {
  std::string dir = fs::path(state_dir).lexically_normal().string();
  while (dir.size() > 1 && dir.back() == '/') dir.pop_back();
  const std::string path = StateFilePath(dir);
  std::ifstream in(path);
  if (!in) {
    return NotFound("no local cluster in {} (no {}); start one with `jepsen-flink cluster up`", dir,
                    path);
  }
  std::stringstream ss;
  ss << in.rdbuf();
  auto j = nlohmann::json::parse(ss.str(), nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return Internal("{} is not valid JSON", path);
  JF_ASSIGN_OR_RETURN(LocalCluster cluster, FromJson(j));
  cluster.state_dir_ = dir;
  for (const auto& n : cluster.nodes_) {
    if (!IsNodeInit(n.init_pid, n.name)) {
      return FailedPrecondition(
          "the cluster in {} is stale: the init of node {} (host PID {}) is gone (harness crash "
          "or reboot?); remove what is left with `jepsen-flink cluster down --all`",
          dir, n.name, n.init_pid);
    }
  }
  return cluster;
}

Status LocalCluster::Down() {
  auto t0 = Clock::now();
  spdlog::info("cluster down: {} node(s) in {}", nodes_.size(), state_dir_);
  (void)ThawAll();  // a frozen init would take SIGKILL only once thawed
  for (const auto& n : nodes_) {
    // Killing PID 1 of the node ends every process in its PID namespace.
    if (IsNodeInit(n.init_pid, n.name)) kill(n.init_pid, SIGKILL);
  }
  JF_RETURN_IF_ERROR(DownAll(state_dir_));
  spdlog::info("cluster down in {} ms", ElapsedMs(t0));
  return Status::Ok();
}

std::unique_ptr<Remote> LocalCluster::RemoteFor(const std::string& node) const {
  for (const auto& n : nodes_) {
    if (n.name == node) return std::make_unique<NamespaceRemote>(n.name, n.init_pid, n.root_dir);
  }
  return nullptr;
}

std::string LocalCluster::shared_dir() const { return state_dir_ + "/shared"; }

nlohmann::json LocalCluster::ToJson() const {
  nlohmann::json nodes = nlohmann::json::array();
  for (const auto& n : nodes_) {
    nodes.push_back({{"name", n.name},
                     {"ip", n.ip},
                     {"init_pid", n.init_pid},
                     {"root_dir", n.root_dir},
                     {"netns", NetnsName(n.name)},
                     {"host_veth", HostVethName(n.name)}});
  }
  return {{"version", kStateVersion},
          {"state_dir", state_dir_},
          {"subnet", subnet_},
          {"bridge", kBridgeName},
          {"bridge_ip", bridge_ip_},
          {"shared_dir", shared_dir()},
          {"nodes", nodes}};
}

Result<LocalCluster> LocalCluster::FromJson(const nlohmann::json& j) {
  try {
    if (!j.is_object() || j.value("version", 0) != kStateVersion) {
      return InvalidArgument("not a jepsen-flink cluster state (version {} expected)",
                             kStateVersion);
    }
    LocalCluster c;
    c.state_dir_ = j.at("state_dir").get<std::string>();
    c.subnet_ = j.at("subnet").get<std::string>();
    c.bridge_ip_ = j.at("bridge_ip").get<std::string>();
    for (const auto& n : j.at("nodes")) {
      LocalNode node;
      node.name = n.at("name").get<std::string>();
      node.ip = n.at("ip").get<std::string>();
      node.init_pid = n.at("init_pid").get<int>();
      node.root_dir = n.at("root_dir").get<std::string>();
      c.nodes_.push_back(std::move(node));
    }
    if (c.nodes_.empty()) return InvalidArgument("cluster state lists no nodes");
    return c;
  } catch (const nlohmann::json::exception& e) {
    return InvalidArgument("malformed cluster state: {}", e.what());
  }
}

Status DownAll(const std::string& state_dir) {
  auto t0 = Clock::now();
  if (state_dir.empty() || !fs::path(state_dir).is_absolute()) {
    return InvalidArgument("state dir '{}' must be an absolute path", state_dir);
  }
  std::string dir = fs::path(state_dir).lexically_normal().string();
  while (dir.size() > 1 && dir.back() == '/') dir.pop_back();
  if (dir == "/") return InvalidArgument("state dir must not be /");

  RealSystemProbe probe;
  std::vector<std::string> problems;
  auto note = [&](const Status& s) {
    if (!s.ok()) problems.push_back(s.message());
  };
  // A frozen process does not die until it is thawed; then processes, since a namespace's
  // processes keep its mounts and network devices alive.
  note(ThawAll());
  note(KillOurProcesses(probe, dir));
  note(RemoveNetwork(probe));
  note(RemoveHostChains(probe));
  note(RemoveMounts(probe, dir));

  // Directories, but never while something is mounted below them: remove_all would descend
  // into the mount.
  bool mounted = false;
  if (auto mi = probe.Mountinfo(); mi.ok()) {
    for (const auto& m : ParseMountinfo(*mi)) {
      if (m.mount_point.rfind(dir + "/", 0) == 0) mounted = true;
    }
  } else {
    mounted = true;
  }
  if (mounted) {
    problems.push_back(
        fmt::format("not removing {0}/nodes, {0}/shared and {0}/ssh: mounts remain", dir));
  } else {
    std::error_code ec;
    for (const char* sub : {"nodes", "shared", "ssh", "cluster.json", "cluster.json.tmp"}) {
      fs::remove_all(dir + "/" + sub, ec);
      if (ec) problems.push_back(fmt::format("cannot remove {}/{}: {}", dir, sub, ec.message()));
    }
  }
  ReapSpawned();

  if (problems.empty()) {
    // Re-check by the detector's rules, so down and leaks agree.
    for (const auto& leak : FindLeaks(probe, dir)) {
      problems.push_back("left over: " + leak.detail);
    }
  }
  if (!problems.empty()) {
    std::string all;
    for (const auto& p : problems) all += (all.empty() ? "" : "; ") + p;
    return Internal("cleanup incomplete: {}", all);
  }
  spdlog::info("removed every local-cluster resource ({} ms)", ElapsedMs(t0));
  return Status::Ok();
}

}  // namespace jf
