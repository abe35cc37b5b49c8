#include "cluster/leaks.h"

#include "cluster/freezer.h"

#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "cluster/freezer.h"
#include "cluster/local_cluster.h"
#include "control/subprocess.h"

namespace jf {
namespace {

namespace fs = std::filesystem;

constexpr char kNetnsDir[] = "/run/netns";
constexpr size_t kMaxCmdlineInDetail = 160;

bool StartsWith(const std::string& s, const std::string& prefix) {
  return s.compare(0, prefix.size(), prefix) == 0;
}

bool IsOurName(const std::string& name) { return StartsWith(name, kNamePrefix); }

// Characters that continue a path component: a match of "/a/b" inside "/a/bc" or "/x/a/b" is
// a different path.
bool IsPathWordChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == '_';
}

// True if `path` occurs in `text` as a whole path (or a prefix of a longer one, "<path>/...").
bool MentionsPath(const std::string& text, const std::string& path) {
  if (path.empty()) return false;
  for (size_t pos = text.find(path); pos != std::string::npos; pos = text.find(path, pos + 1)) {
    if (pos > 0 && IsPathWordChar(text[pos - 1])) continue;
    size_t end = pos + path.size();
    if (end < text.size() && IsPathWordChar(text[end])) continue;
    return true;
  }
  return false;
}

bool IsHarnessCommand(const std::string& cmdline) {
  std::string argv0 = cmdline.substr(0, cmdline.find(' '));
  return fs::path(argv0).filename() == "jepsen-flink";
}

// True for an OpenSSH server: argv[0] `sshd` or `.../sshd`, or a title it set itself ("sshd:
// /usr/sbin/sshd -f ... [listener] ...", "sshd: root@notty").
bool IsSshd(const std::string& cmdline) {
  std::string argv0 = cmdline.substr(0, cmdline.find(' '));
  return argv0 == "sshd:" || fs::path(argv0).filename() == "sshd";
}

bool ContainsWord(const std::string& text, const std::string& word) {
  for (size_t pos = text.find(word); pos != std::string::npos; pos = text.find(word, pos + 1)) {
    bool start_ok = pos == 0 || text[pos - 1] == ' ';
    size_t end = pos + word.size();
    bool end_ok = end == text.size() || text[end] == ' ';
    if (start_ok && end_ok) return true;
  }
  return false;
}

std::string Truncate(const std::string& s, size_t n) {
  return s.size() <= n ? s : s.substr(0, n) + "...";
}

std::string Where(const std::string& netns) {
  return netns.empty() ? "the host" : "netns " + netns;
}

std::string NormalizeDir(const std::string& dir) {
  std::string d = fs::path(dir).lexically_normal().string();
  while (d.size() > 1 && d.back() == '/') d.pop_back();
  return d;
}

std::string ReadSmallFile(const std::string& path, bool* ok) {
  std::ifstream in(path, std::ios::binary);
  *ok = static_cast<bool>(in);
  if (!in) return "";
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Parses /proc/PID/stat: "pid (comm) S ppid ...". comm may contain spaces and parentheses.
bool ParseStat(const std::string& stat, char* state, int* ppid) {
  size_t close = stat.rfind(')');
  if (close == std::string::npos || close + 4 > stat.size()) return false;
  std::istringstream rest(stat.substr(close + 2));
  std::string st;
  rest >> st >> *ppid;
  if (st.empty() || !rest) return false;
  *state = st[0];
  return true;
}

// Names in directory `dir`, without ever throwing (a range-for over directory_iterator throws
// when an increment fails).
Result<std::vector<std::string>> ListDir(const std::string& dir) {
  std::vector<std::string> out;
  std::error_code ec;
  fs::directory_iterator it(dir, ec), end;
  for (; !ec && it != end; it.increment(ec)) out.push_back(it->path().filename().string());
  if (ec) return Internal("cannot list {}: {}", dir, ec.message());
  std::sort(out.begin(), out.end());
  return out;
}

std::string QdiscDetail(const QdiscInfo& q, const std::string& where) {
  return fmt::format("qdisc {} {}{} on {} in {}", q.kind, q.handle,
                     q.parent.empty() ? "" : " (parent " + q.parent + ")", q.dev, where);
}

bool IsOurQdisc(const QdiscInfo& q) {
  auto lower = [](std::string s) {
    for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
  };
  return StartsWith(lower(q.handle), kQdiscHandleMajor) ||
         StartsWith(lower(q.parent), kQdiscHandleMajor);
}

}  // namespace

bool PathIsUnder(const std::string& mount_point, const std::string& dir) {
  if (dir.empty()) return false;
  if (dir == "/") return true;
  return mount_point == dir || StartsWith(mount_point, dir + "/");
}

std::vector<IptablesChain> ParseIptablesChains(const std::string& iptables_save) {
  std::vector<IptablesChain> out;
  std::istringstream in(iptables_save);
  std::string line, table;
  while (std::getline(in, line)) {
    if (StartsWith(line, "*")) {
      table = line.substr(1);
    } else if (StartsWith(line, ":")) {
      out.push_back({table, line.substr(1, line.find(' ') - 1)});
    }
  }
  return out;
}

std::vector<MountInfo> ParseMountinfo(const std::string& mountinfo) {
  auto unescape = [](const std::string& s) {
    std::string out;
    for (size_t i = 0; i < s.size(); ++i) {
      if (s[i] == '\\' && i + 3 < s.size() && std::isdigit(static_cast<unsigned char>(s[i + 1])) &&
          std::isdigit(static_cast<unsigned char>(s[i + 2])) &&
          std::isdigit(static_cast<unsigned char>(s[i + 3]))) {
        out += static_cast<char>(std::stoi(s.substr(i + 1, 3), nullptr, 8));
        i += 3;
      } else {
        out += s[i];
      }
    }
    return out;
  };
  std::vector<MountInfo> out;
  std::istringstream in(mountinfo);
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    std::vector<std::string> f;
    for (std::string w; fields >> w;) f.push_back(w);
    if (f.size() < 5) continue;
    MountInfo m;
    m.mount_point = unescape(f[4]);
    auto sep = std::find(f.begin() + 5, f.end(), "-");
    if (sep != f.end() && sep + 1 != f.end()) m.fstype = *(sep + 1);
    out.push_back(std::move(m));
  }
  return out;
}

std::vector<ProcessInfo> OurProcesses(const std::vector<ProcessInfo>& procs,
                                      const std::string& state_dir) {
  const std::string dir = NormalizeDir(state_dir);
  const std::string nodes_dir = dir + "/nodes";
  const std::string shared_dir = dir + "/shared";
  const std::string ssh_dir = dir + "/ssh";
  std::set<int> ours;
  std::multimap<int, int> children;
  for (const auto& p : procs) {
    children.emplace(p.ppid, p.pid);
    if (p.pid <= 1) continue;
    bool seed = IsOurName(p.netns) || ContainsWord(p.cmdline, kNodeInitMarker) ||
                (!IsHarnessCommand(p.cmdline) &&
                 (MentionsPath(p.cmdline, nodes_dir) || MentionsPath(p.cmdline, shared_dir))) ||
                (IsSshd(p.cmdline) && MentionsPath(p.cmdline, ssh_dir));
    if (seed) ours.insert(p.pid);
  }
  std::vector<int> todo(ours.begin(), ours.end());
  while (!todo.empty()) {
    int pid = todo.back();
    todo.pop_back();
    auto [b, e] = children.equal_range(pid);
    for (auto it = b; it != e; ++it) {
      if (ours.insert(it->second).second) todo.push_back(it->second);
    }
  }
  std::vector<ProcessInfo> out;
  for (const auto& p : procs) {
    if (p.state != 'Z' && ours.count(p.pid)) out.push_back(p);
  }
  std::sort(out.begin(), out.end(),
            [](const ProcessInfo& a, const ProcessInfo& b) { return a.pid < b.pid; });
  return out;
}

std::vector<Leak> FindLeaks(SystemProbe& probe, const std::string& state_dir) {
  const std::string dir = NormalizeDir(state_dir);
  std::vector<Leak> leaks;
  auto probe_error = [&](const std::string& what, const Status& s) {
    leaks.push_back({"probe-error", what + ": " + s.message()});
  };

  std::vector<std::string> our_netns;
  if (auto ns = probe.NetworkNamespaces(); ns.ok()) {
    for (const auto& name : *ns) {
      if (!IsOurName(name)) continue;
      our_netns.push_back(name);
      leaks.push_back({"netns", "network namespace " + name});
    }
  } else {
    probe_error("listing network namespaces", ns.status());
  }

  if (auto links = probe.HostLinks(); links.ok()) {
    for (const auto& link : *links) {
      if (IsOurName(link)) leaks.push_back({"link", "host link " + link});
    }
  } else {
    probe_error("listing host links", links.status());
  }

  std::vector<std::string> places = {""};
  places.insert(places.end(), our_netns.begin(), our_netns.end());
  for (const auto& netns : places) {
    auto save = probe.IptablesSave(netns);
    if (!save.ok()) {
      probe_error("iptables-save in " + Where(netns), save.status());
      continue;
    }
    for (const auto& c : ParseIptablesChains(*save)) {
      if (StartsWith(c.chain, kChainPrefix)) {
        leaks.push_back({"iptables-chain", fmt::format("iptables chain {} (table {}) in {}",
                                                       c.chain, c.table, Where(netns))});
      }
    }
  }
  for (const auto& netns : places) {
    auto qdiscs = probe.Qdiscs(netns);
    if (!qdiscs.ok()) {
      probe_error("listing qdiscs in " + Where(netns), qdiscs.status());
      continue;
    }
    for (const auto& q : *qdiscs) {
      // On the host only our own links count: a foreign 4a46: handle is not ours to judge.
      if (netns.empty() && !IsOurName(q.dev)) continue;
      if (IsOurQdisc(q)) leaks.push_back({"qdisc", QdiscDetail(q, Where(netns))});
    }
  }

  if (auto mi = probe.Mountinfo(); mi.ok()) {
    const std::string netns_prefix = std::string(kNetnsDir) + "/" + kNamePrefix;
    for (const auto& m : ParseMountinfo(*mi)) {
      // Strictly under: a mount on the state dir itself (say, a tmpfs the user put there) is not
      // ours.
      if (StartsWith(m.mount_point, dir + "/") || StartsWith(m.mount_point, netns_prefix)) {
        leaks.push_back({"mount", fmt::format("mount {} ({})", m.mount_point, m.fstype)});
      }
    }
  } else {
    probe_error("reading mountinfo", mi.status());
  }

  if (auto groups = probe.Cgroups(); groups.ok()) {
    for (const auto& g : *groups) leaks.push_back({"cgroup", "freezer cgroup " + g});
  } else {
    probe_error("listing cgroups", groups.status());
  }

  if (auto procs = probe.Processes(); procs.ok()) {
    for (const auto& p : OurProcesses(*procs, dir)) {
      bool stopped = p.state == 'T' || p.state == 't';
      std::string where = p.netns.empty() ? "" : " in netns " + p.netns;
      leaks.push_back({stopped ? "stopped-process" : "process",
                       fmt::format("{}process {}{}: {}", stopped ? "stopped " : "", p.pid, where,
                                   Truncate(p.cmdline, kMaxCmdlineInDetail))});
    }
  } else {
    probe_error("listing processes", procs.status());
  }
  return leaks;
}

// ---- RealSystemProbe ----

Result<std::vector<std::string>> RealSystemProbe::NetworkNamespaces() {
  std::error_code ec;
  if (!fs::exists(kNetnsDir, ec)) return std::vector<std::string>{};
  return ListDir(kNetnsDir);
}

Result<std::vector<std::string>> RealSystemProbe::HostLinks() {
  // Asked over netlink rather than read from /sys/class/net, which shows the links of whichever
  // network namespace mounted /sys, not necessarily ours.
  ExecOptions o;
  o.timeout = std::chrono::seconds(20);
  JF_ASSIGN_OR_RETURN(ExecResult r, RunChecked({"ip", "-j", "link", "show"}, o));
  auto j = nlohmann::json::parse(r.out, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_array()) return Internal("`ip -j link show` printed no JSON array");
  std::vector<std::string> out;
  for (const auto& link : j) {
    if (link.is_object() && link.contains("ifname") && link["ifname"].is_string()) {
      out.push_back(link["ifname"].get<std::string>());
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

Result<std::string> RealSystemProbe::IptablesSave(const std::string& netns) {
  std::vector<std::string> argv = {"iptables-save"};
  if (!netns.empty()) argv = {"ip", "netns", "exec", netns, "iptables-save"};
  ExecOptions o;
  o.timeout = std::chrono::seconds(20);
  JF_ASSIGN_OR_RETURN(ExecResult r, RunChecked(argv, o));
  return r.out;
}

Result<std::vector<QdiscInfo>> RealSystemProbe::Qdiscs(const std::string& netns) {
  std::vector<std::string> argv = {"tc"};
  if (!netns.empty()) argv.insert(argv.end(), {"-n", netns});
  argv.insert(argv.end(), {"-j", "qdisc", "show"});
  ExecOptions o;
  o.timeout = std::chrono::seconds(20);
  JF_ASSIGN_OR_RETURN(ExecResult r, RunChecked(argv, o));
  auto j = nlohmann::json::parse(r.out, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_array()) {
    return Internal("`{}` printed no JSON array", ShellJoin(argv));
  }
  std::vector<QdiscInfo> out;
  for (const auto& q : j) {
    if (!q.is_object()) continue;
    QdiscInfo info;
    info.dev = q.value("dev", "");
    info.kind = q.value("kind", "");
    info.handle = q.value("handle", "");
    if (q.contains("parent") && q["parent"].is_string()) info.parent = q["parent"];
    out.push_back(std::move(info));
  }
  return out;
}

Result<std::vector<std::string>> RealSystemProbe::Cgroups() { return OurCgroups(); }

Result<std::string> RealSystemProbe::Mountinfo() {
  bool ok = false;
  std::string text = ReadSmallFile("/proc/self/mountinfo", &ok);
  if (!ok) return Internal("cannot read /proc/self/mountinfo");
  return text;
}

Result<std::vector<ProcessInfo>> RealSystemProbe::Processes() {
  // Network namespace inode -> name in /run/netns.
  std::map<ino_t, std::string> netns_by_inode;
  JF_ASSIGN_OR_RETURN(auto namespaces, NetworkNamespaces());
  for (const auto& ns : namespaces) {
    struct stat st = {};
    if (stat((std::string(kNetnsDir) + "/" + ns).c_str(), &st) == 0) netns_by_inode[st.st_ino] = ns;
  }
  JF_ASSIGN_OR_RETURN(auto entries, ListDir("/proc"));
  std::vector<ProcessInfo> all;
  for (const auto& name : entries) {
    if (name.empty() || !std::all_of(name.begin(), name.end(), ::isdigit)) continue;
    const std::string dir = "/proc/" + name;
    ProcessInfo p;
    p.pid = std::atoi(name.c_str());
    bool ok = false;
    std::string stat_text = ReadSmallFile(dir + "/stat", &ok);
    if (!ok || !ParseStat(stat_text, &p.state, &p.ppid)) continue;  // it just exited
    p.cmdline = ReadSmallFile(dir + "/cmdline", &ok);
    std::replace(p.cmdline.begin(), p.cmdline.end(), '\0', ' ');
    while (!p.cmdline.empty() && p.cmdline.back() == ' ') p.cmdline.pop_back();
    struct stat st = {};
    if (stat((dir + "/ns/net").c_str(), &st) == 0) {
      auto it = netns_by_inode.find(st.st_ino);
      if (it != netns_by_inode.end()) p.netns = it->second;
    }
    all.push_back(std::move(p));
  }
  // Leave out this process and its ancestors.
  std::map<int, int> parent;
  for (const auto& p : all) parent[p.pid] = p.ppid;
  std::set<int> skip;
  for (int pid = getpid(); pid > 0 && skip.insert(pid).second;) {
    auto it = parent.find(pid);
    if (it == parent.end()) break;
    pid = it->second;
  }
  std::vector<ProcessInfo> out;
  for (auto& p : all) {
    if (!skip.count(p.pid)) out.push_back(std::move(p));
  }
  return out;
}

}  // namespace jf
