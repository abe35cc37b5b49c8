// SSH hosts: the nodes of a run on real hosts (`--nodes a,b,c` or `--nodes-file F`), as the
// original's Jepsen took them, and the SshOptions each node is reached with.
//
// A node is named by the host as the user gave it (a host name or an IPv4 address); the harness
// also needs its IPv4 address, since Flink, ZooKeeper and the firewall rules are configured with
// addresses (a name may resolve differently on the nodes than here).
//
// Host names are checked before anything runs: only letters, digits, '.', '-' and '_' (starting
// with a letter or digit), so a hostile entry in a nodes file (spaces, quotes, ';', "$()") is
// refused as a whole and never reaches ssh or a shell.
//
// Thread-safety: pure functions, except ReadNodesFile (reads a file) and ResolveIPv4 (the
// resolver); all may run concurrently.
#ifndef JF_CONTROL_SSH_HOSTS_H_
#define JF_CONTROL_SSH_HOSTS_H_

#include <string>
#include <vector>

#include "common/status.h"
#include "control/ssh_remote.h"

namespace jf {

// OK if `host` is a plain host name or IPv4 address as above; InvalidArgument naming it otherwise.
Status CheckHostName(const std::string& host);

// One host per line; blank lines and lines starting with '#' are skipped, surrounding whitespace
// is trimmed. InvalidArgument naming the line for an entry CheckHostName refuses, for a host
// listed twice, or for a file without hosts.
Result<std::vector<std::string>> ParseNodesFile(const std::string& text);
Result<std::vector<std::string>> ReadNodesFile(const std::string& path);

// The same rules for --nodes (already split at commas).
Status CheckNodeList(const std::vector<std::string>& hosts);

// The host's IPv4 address: itself if it is one, else the first A record the resolver gives.
// Unavailable naming the host if it does not resolve.
Result<std::string> ResolveIPv4(const std::string& host);

}  // namespace jf

#endif  // JF_CONTROL_SSH_HOSTS_H_
