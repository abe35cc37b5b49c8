// A degraded network between nodes, applied in the nodes' own namespaces and only through what is
// ours: packet loss with `iptables -m statistic` in our chain JF-LOSS (one jump from INPUT), and a
// bandwidth limit with a tbf root qdisc whose handle is ours (4a46:). This kernel has no netem,
// prio, fq, sfq or fq_codel, so delay and jitter are not offered; ProbeQdisc tells what exists.
//
// Thread-safety: operations on different nodes run in parallel inside; callers serialize calls.
#ifndef JF_NET_SHAPING_H_
#define JF_NET_SHAPING_H_

#include <string>
#include <vector>

#include "db/db.h"

namespace jf {

inline constexpr const char* kLossChain = "JF-LOSS";
inline constexpr const char* kQdiscHandle = "4a46:";

// Makes `node` drop incoming packets from `peers` with probability `p` (0 < p < 1).
Status ApplyLoss(const NodeHandle& node, const std::vector<std::string>& peer_ips, double p);
Status HealLoss(const NodeHandle& node);

// Limits what `node` sends on its interface to `kbit_per_s`.
Status ApplyBandwidth(const NodeHandle& node, int kbit_per_s);
Status HealBandwidth(const NodeHandle& node);

// Whether the kernel accepts a qdisc of this kind (tried on a node's loopback and removed again).
bool ProbeQdisc(const NodeHandle& node, const std::string& kind);

}  // namespace jf

#endif  // JF_NET_SHAPING_H_
