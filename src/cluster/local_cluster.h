// LocalCluster: a cluster of N "nodes" on this one Linux machine, each a set of namespaces.
//
// A node nX is a network namespace `jf-nX` (reached from a host bridge `jf-br0` through a veth pair
// `jf-nX-h` <-> `eth0`) plus a long-lived init (tini, PID 1 of the node's own PID namespace) in
// private mount and UTS namespaces: the node has its own hostname, its own /opt, /tmp, /var/log and
// /etc/hosts (bind mounts of directories under <state_dir>/nodes/nX), a tmpfs on /run, and its own
// /proc. Commands reach a node through NamespaceRemote (nsenter into the init's namespaces).
//
// Names are fixed (netns jf-nX, bridge jf-br0, veths jf-nX-h, iptables chains JF-*, tc handle
// 4a46:) so that DownAll and the leak detector find everything without any state; as a consequence
// there is at most one local cluster per machine. The cluster is recorded in
// <state_dir>/cluster.json so that later harness processes can Load it.
//
// Thread-safety: a LocalCluster is an immutable value after Up/Load; its const methods may be
// called from any number of threads. Up, Down and DownAll change machine-wide state and must not
// run concurrently with one another (in this or another process). Everything here needs root,
// except the pure helpers at the bottom, which tests use.
#ifndef JF_CLUSTER_LOCAL_CLUSTER_H_
#define JF_CLUSTER_LOCAL_CLUSTER_H_

#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "common/status.h"
#include "control/remote.h"

namespace jf {

inline constexpr int kMaxLocalNodes = 9;
inline constexpr char kBridgeName[] = "jf-br0";
// Prefix of everything of ours in the kernel's namespaces: netns, links.
inline constexpr char kNamePrefix[] = "jf-";
// Prefix of our iptables chains (in the host and in the nodes).
inline constexpr char kChainPrefix[] = "JF-";
// Major handle of our tc qdiscs ("JF" in ASCII).
inline constexpr char kQdiscHandleMajor[] = "4a46:";
// $0 of every node's setup script; makes the unshare/tini wrappers recognisable by command line.
inline constexpr char kNodeInitMarker[] = "jf-node-init";

// $JEPSEN_FLINK_STATE_DIR if set and non-empty, else /var/lib/jepsen-flink.
std::string DefaultStateDir();

struct LocalClusterOptions {
  int nodes = 3;
  std::string subnet = "10.77.7.0/24";
  std::string state_dir = DefaultStateDir();
};

struct LocalNode {
  std::string name;      // n1 .. nN
  std::string ip;        // n1 = .11 of the subnet, nK = .(10+K)
  int init_pid = 0;      // host PID of the node's init (tini, PID 1 inside the node)
  std::string root_dir;  // host dir holding the node's opt/, tmp/, log/ (<state_dir>/nodes/nX)
};

class LocalCluster {
 public:
  // Creates the cluster: validates the options (InvalidArgument), refuses if a cluster or
  // leftovers of an earlier run exist (FailedPrecondition, naming `cluster down [--all]`), checks
  // that the host firewall lets bridged traffic through, builds the network and the nodes, waits
  // until every node is ready and can reach the others, and writes <state_dir>/cluster.json.
  // On any failure everything created so far is removed before returning.
  static Result<LocalCluster> Up(const LocalClusterOptions& options);

  // Reads <state_dir>/cluster.json. NotFound if there is none; FailedPrecondition if it is stale
  // (a node's init is gone, e.g. after a reboot), naming `cluster down --all`.
  static Result<LocalCluster> Load(const std::string& state_dir);

  // Removes this cluster: kills each node's init (which ends every process of the node), then
  // does what DownAll does for this state_dir (names are fixed, so the two coincide).
  Status Down();

  const std::vector<LocalNode>& nodes() const { return nodes_; }
  // A remote for node `node` (n1..), or nullptr if there is no such node.
  std::unique_ptr<Remote> RemoteFor(const std::string& node) const;
  // <state_dir>/shared: the same path on the host and in every node (bind mount). It is a plain
  // directory on the host's file system: network partitions between nodes do not cut it.
  std::string shared_dir() const;
  // The host's address on the bridge (.1 of the subnet): the harness reaches nodes' ports from it.
  std::string bridge_ip() const { return bridge_ip_; }
  const std::string& state_dir() const { return state_dir_; }
  const std::string& subnet() const { return subnet_; }

  // The state file's contents (also what `cluster status` prints).
  nlohmann::json ToJson() const;
  // Inverse of ToJson; InvalidArgument if `j` is not a state file of ours. No liveness check.
  static Result<LocalCluster> FromJson(const nlohmann::json& j);

 private:
  std::string state_dir_;
  std::string subnet_;
  std::string bridge_ip_;
  std::vector<LocalNode> nodes_;
};

// Removes everything any local cluster left on this machine, also after a crash of the harness
// and with the state file missing or stale: processes of the nodes, netns jf-*, veths and bridge
// jf-*, iptables chains JF-* in the host (with the rules that jump to them; nothing else), mounts
// under state_dir or /run/netns/jf-*, and <state_dir>/{nodes,shared,ssh,cluster.json}. The
// state_dir itself is kept. Idempotent. Returns an error naming what could not be removed.
Status DownAll(const std::string& state_dir);

// ---- Pure helpers, exposed for tests. ----

struct Ipv4Subnet {
  uint32_t network = 0;  // host byte order, host bits zero
  int prefix_len = 24;

  std::string ToString() const;         // "10.77.7.0/24"
  std::string Address(int host) const;  // Address(1) = "10.77.7.1"
  bool Overlaps(uint32_t net, int len) const;
};

// Parses "a.b.c.d/24". InvalidArgument unless it is an IPv4 /24 with its host bits zero.
Result<Ipv4Subnet> ParseSubnet(const std::string& cidr);
// Checks that `subnet` overlaps none of the host's routes (`ip -4 -j route show table all`) or
// addresses (`ip -4 -j addr show`); InvalidArgument naming the clash otherwise.
Status CheckSubnetFree(const Ipv4Subnet& subnet, const nlohmann::json& routes,
                       const nlohmann::json& addrs);
// Normalises state_dir to an absolute path. InvalidArgument if it is relative, "/", or lies under
// a directory the nodes replace with their own (/tmp, /opt, /var/log, /run, /proc, /sys, /dev):
// the nodes would not see it at the same path.
Result<std::string> NormalizeStateDir(const std::string& state_dir);
// Names, addresses and root dirs of the nodes (init_pid = 0). InvalidArgument on bad options.
Result<std::vector<LocalNode>> PlanNodes(const LocalClusterOptions& options);
// The /etc/hosts every node gets: localhost, then "IP nK" for every node.
std::string RenderHostsFile(const std::vector<LocalNode>& nodes);
std::string NetnsName(const std::string& node);     // "jf-n1"
std::string HostVethName(const std::string& node);  // "jf-n1-h"

}  // namespace jf

#endif  // JF_CLUSTER_LOCAL_CLUSTER_H_
