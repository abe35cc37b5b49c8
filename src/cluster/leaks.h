// Leak detector: finds what a local cluster (see local_cluster.h) may have left on this machine,
// by its fixed names, without any state file: network namespaces jf-*, the bridge and veths
// jf-*, iptables chains JF-* (host and our namespaces), tc qdiscs with handle 4a46: (in our
// namespaces and on our host links), mounts under the state dir or /run/netns/jf-*, and the
// nodes' processes (also those stopped with SIGSTOP, and the nodes' sshd, see OurProcesses).
//
// SystemProbe is the only way the detector looks at the machine, so tests use a fake.
//
// Thread-safety: FindLeaks and OurProcesses keep no state; RealSystemProbe keeps none either and
// may be shared between threads. A fake probe is as thread-safe as its author makes it.
#ifndef JF_CLUSTER_LEAKS_H_
#define JF_CLUSTER_LEAKS_H_

#include <string>
#include <vector>

#include "common/status.h"

namespace jf {

struct ProcessInfo {
  int pid = 0;
  int ppid = 0;
  char state = 'S';     // as in /proc/PID/stat: R, S, D, T (stopped), t, Z, ...
  std::string cmdline;  // arguments joined by single spaces
  std::string netns;    // name in /run/netns of the process's network namespace, "" if none
};

struct QdiscInfo {
  std::string dev;
  std::string kind;    // tbf, noqueue, ...
  std::string handle;  // "4a46:"
  std::string parent;  // "" for a root qdisc, else e.g. "4a46:1"
};

struct MountInfo {
  std::string mount_point;  // unescaped
  std::string fstype;
};

class SystemProbe {
 public:
  virtual ~SystemProbe() = default;
  // Every name in /run/netns (ours or not); empty if the directory does not exist.
  virtual Result<std::vector<std::string>> NetworkNamespaces() = 0;
  // Names of the host's network interfaces.
  virtual Result<std::vector<std::string>> HostLinks() = 0;
  // `iptables-save` output (all tables) in network namespace `netns`, "" for the host.
  virtual Result<std::string> IptablesSave(const std::string& netns) = 0;
  // Every qdisc of every device in `netns`, "" for the host.
  virtual Result<std::vector<QdiscInfo>> Qdiscs(const std::string& netns) = 0;
  // The host's /proc/self/mountinfo.
  virtual Result<std::string> Mountinfo() = 0;
  // Every process except the calling process and its ancestors (the harness and what started it).
  virtual Result<std::vector<ProcessInfo>> Processes() = 0;
  // Paths of our freezer cgroups (cluster/freezer.h) that exist.
  virtual Result<std::vector<std::string>> Cgroups() = 0;
};

// The machine as it is: /run/netns, `ip -j link`, iptables-save and tc (entered with
// `ip netns exec` / `tc -n`), /proc.
class RealSystemProbe : public SystemProbe {
 public:
  Result<std::vector<std::string>> NetworkNamespaces() override;
  Result<std::vector<std::string>> HostLinks() override;
  Result<std::string> IptablesSave(const std::string& netns) override;
  Result<std::vector<QdiscInfo>> Qdiscs(const std::string& netns) override;
  Result<std::string> Mountinfo() override;
  Result<std::vector<ProcessInfo>> Processes() override;
  Result<std::vector<std::string>> Cgroups() override;
};

struct Leak {
  // netns, link, iptables-chain, qdisc, mount, cgroup, process, stopped-process, or probe-error (the
  // machine could not be inspected, so it cannot be called clean).
  std::string kind;
  std::string detail;
};

// Everything of ours that is still there. Empty means clean.
std::vector<Leak> FindLeaks(SystemProbe& probe, const std::string& state_dir);

// The processes among `procs` that belong to a local cluster: those in a jf-* network namespace,
// the unshare/tini wrappers (command line has kNodeInitMarker), those whose command line names
// <state_dir>/nodes or <state_dir>/shared (not the jepsen-flink harness itself), an sshd whose
// command line names <state_dir>/ssh (a node's sshd that escaped its node; an ssh client using
// the cluster's key is the user's, not ours), and every descendant of those. Zombies are left
// out: they hold nothing and only their parent can reap them.
std::vector<ProcessInfo> OurProcesses(const std::vector<ProcessInfo>& procs,
                                      const std::string& state_dir);

// Parsers shared with DownAll.
struct IptablesChain {
  std::string table;
  std::string chain;
};
std::vector<IptablesChain> ParseIptablesChains(const std::string& iptables_save);
std::vector<MountInfo> ParseMountinfo(const std::string& mountinfo);
// True if `mount_point` is `dir` or lies under it.
bool PathIsUnder(const std::string& mount_point, const std::string& dir);

}  // namespace jf

#endif  // JF_CLUSTER_LEAKS_H_
