// SSH access to the nodes of the local cluster (`cluster up --ssh`): the real OpenSSH server runs
// in every node, listening on the node's address, port 22, so that users, and tests of the SSH
// control path, reach the nodes like real hosts (`ssh root@10.77.7.11`).
//
// Everything lives in <state_dir>/ssh/ (mode 0700, so that sshd's StrictModes accepts the keys):
// the client key pair id_ed25519{,.pub}, one host key for the whole cluster
// (ssh_host_ed25519_key{,.pub}), authorized_keys (the client key), known_hosts (every node's
// address and name with the host key), one sshd_config.<node> per node (ListenAddress differs),
// and the node lists `nodes` (one address per line, what --nodes-file reads) and nodes.json.
// Each node's sshd logs to the node's /var/log/sshd.log (<state_dir>/nodes/<node>/log/sshd.log
// on the host) and keeps its PID file in the node's /run. It daemonizes inside the node's PID
// namespace, so killing the node's init at `cluster down` ends it; DownAll removes
// <state_dir>/ssh, and the leak detector knows an sshd by its config path (leaks.h).
//
// Thread-safety: the pure helpers (SshFilesFor, Render*, NodeSshArgv, SshUsage) may run anywhere.
// StartSsh changes the nodes and the files and must not run concurrently with itself, or with
// LocalCluster::Up or Down; SshStatus only reads and may run at any time.
#ifndef JF_CLUSTER_SSH_NODES_H_
#define JF_CLUSTER_SSH_NODES_H_

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "cluster/local_cluster.h"
#include "common/status.h"

namespace jf {

inline constexpr int kSshPort = 22;
inline constexpr char kSshUser[] = "root";
inline constexpr char kSshdBinary[] = "/usr/sbin/sshd";
// Paths inside a node (node-private: /var/log and /run are the node's own).
inline constexpr char kNodeSshdLog[] = "/var/log/sshd.log";
inline constexpr char kNodeSshdPidFile[] = "/run/sshd.pid";

// The files of <state_dir>/ssh. Absolute paths.
struct SshFiles {
  std::string dir;              // <state_dir>/ssh
  std::string private_key;      // id_ed25519: the client key users and tests log in with
  std::string public_key;       // id_ed25519.pub
  std::string host_key;         // ssh_host_ed25519_key: every node's sshd presents this one
  std::string host_public_key;  // ssh_host_ed25519_key.pub
  std::string authorized_keys;  // the client public key
  std::string known_hosts;      // every node's address and name with the host key
  std::string nodes_file;       // nodes: one node address per line
  std::string nodes_json;       // nodes.json: nodes, user, port, key and known_hosts paths

  // sshd_config.<node>.
  std::string SshdConfig(const std::string& node) const;
};

SshFiles SshFilesFor(const std::string& state_dir);

// The sshd_config of a node that listens on `listen_ip`:22. `strict_modes` = false only where
// sshd would refuse the keys' directory (see FirstInsecureDir).
std::string RenderSshdConfig(const SshFiles& files, const std::string& listen_ip,
                             bool strict_modes);
// One line per node, "<ip>,<name> <key type> <base64>", from the host key's .pub contents.
// InvalidArgument if `host_public_key` is not "<type> <base64> [comment]".
Result<std::string> RenderKnownHosts(const std::vector<LocalNode>& nodes,
                                     const std::string& host_public_key);
// One node address per line.
std::string RenderNodesFile(const std::vector<LocalNode>& nodes);
// {"nodes":[{"name","ip"}],"user":"root","port":22,"private_key":...,"known_hosts":...}.
nlohmann::json RenderNodesJson(const std::vector<LocalNode>& nodes, const SshFiles& files);
// The ssh command line that runs `command` on the node at `ip` as root with the cluster's key,
// checking the host key against known_hosts only, never prompting (BatchMode) and reading no
// ssh_config (so a user's ~/.ssh/config cannot redirect it).
std::vector<std::string> NodeSshArgv(const SshFiles& files, const std::string& ip,
                                 const std::vector<std::string>& command);
// What `cluster up --ssh` prints for the user: where the files are and an example command.
std::string SshUsage(const SshFiles& files, const std::vector<LocalNode>& nodes);

// The first directory from `path` up to / that sshd's StrictModes refuses (owned by someone
// other than root, or writable by group or others: e.g. /var/tmp), or "" if there is none.
std::string FirstInsecureDir(const std::string& path);

// Makes the keys and files of <state_dir>/ssh afresh (replacing any), starts sshd on every node
// of `cluster`, and waits until each node's port 22 accepts and `ssh root@<ip> hostname` prints
// the node's name. FailedPrecondition if sshd or ssh-keygen is missing; otherwise errors name the
// node and its sshd log. The caller removes the cluster if this fails.
Result<SshFiles> StartSsh(const LocalCluster& cluster);

// What `cluster status` shows: the files of <state_dir>/ssh and the nodes' sshd configs and logs
// (host paths), or null if there is no <state_dir>/ssh.
nlohmann::json SshStatus(const LocalCluster& cluster);

}  // namespace jf

#endif  // JF_CLUSTER_SSH_NODES_H_
