// Applying grudges with iptables inside the nodes' own network namespaces. Every rule lives in a
// chain of our own, JF-PARTITION, reached by one jump at the top of INPUT; healing removes that
// jump and that chain and nothing else, so rules that are not ours are never flushed. Traffic
// from the harness's machine (the bridge address) is never dropped: only node addresses are named.
//
// Thread-safety: operations on different nodes run in parallel inside; callers serialize calls.
#ifndef JF_NET_PARTITION_H_
#define JF_NET_PARTITION_H_

#include <string>
#include <vector>

#include "db/db.h"
#include "net/grudge.h"

namespace jf {

inline constexpr const char* kPartitionChain = "JF-PARTITION";

// The shell script that makes a node drop traffic from the addresses given as its arguments
// (after removing an earlier partition of ours). Its first argument is a comma-separated list of
// TCP ports ("" = all traffic), the rest are addresses; no address = heal.
std::string PartitionScript();

// Makes every node drop what the grudge says (nodes missing from it are healed). With
// `tcp_ports`, only TCP traffic to or from those ports is dropped (e.g. ZooKeeper's quorum ports,
// to cut the ensemble while its clients still reach every server).
Status ApplyGrudge(const std::vector<NodeHandle>& nodes, const Grudge& grudge,
                   const std::vector<int>& tcp_ports = {});

// Removes our chain and its jump from every node.
Status HealPartitions(const std::vector<NodeHandle>& nodes);

}  // namespace jf

#endif  // JF_NET_PARTITION_H_
