// Packet delay between nodes without netem: the packets a node receives from some peers go
// through the kernel's NFQUEUE to jf-delayer (src/net/delayer), a small user-space program that
// holds each one for the delay (plus jitter, never reordering) and then lets it through.
//
// Everything on the node is ours: the program at kDelayerNodePath (UploadDelayer puts it there),
// run as a daemon with kDelayerPidFile and kDelayerLogFile, and our chain JF-DELAY in the raw
// table with one rule per peer, `-s <peer> -j NFQUEUE --queue-num 19014 --queue-bypass`, reached
// by one jump at the top of the raw table's PREROUTING. So the delay is on what the node receives:
// a delay on n2 from n1 holds n1's packets to n2, and n1's round trips to n2 grow by the delay.
// The delayer is running and bound before any packet is sent to the queue, and --queue-bypass
// passes packets whenever no program is bound to it, so a delayer that exits (it does by itself
// after max_seconds) or dies never cuts the network. Healing removes the jump and the chain
// (nothing else) and then stops the delayer, which lets go of what it still holds.
//
// Why on the way in, in raw PREROUTING, and not in OUTPUT (both measured on this project's
// cluster): (1) a queued packet whose verdict is NF_ACCEPT skips the rest of the table it was
// queued from for that hook, so a delay at the top of the filter table's OUTPUT would let delayed
// packets past every later filter rule, ours (partitions) or not; raw PREROUTING runs before
// conntrack and before every filter rule, which all still see the packet after the delay. (2) A
// packet held on its sender still counts against its TCP socket's small-queue budget (TSQ), so
// delaying a TCP sender's own packets throttles it to a couple of packets per delay (256 KiB took
// 17.5 s under 200 ms, against 1.3 s when the receiver delays them).
//
// Needs the kernel's nfnetlink_queue (ProbeNfqueue) and, on the node, libnetfilter_queue's
// shared libraries (jf-delayer is linked with them).
//
// Thread-safety: calls on different nodes may run in parallel; calls on one node must be
// serialized (they share the queue, the chain and the pid file).
#ifndef JF_NET_DELAY_H_
#define JF_NET_DELAY_H_

#include <string>
#include <vector>

#include "db/db.h"

namespace jf {

// Our NFQUEUE queue number: 0x4a46, "JF", like the tc handle 4a46: in shaping.h.
inline constexpr int kDelayQueue = 19014;
inline constexpr const char* kDelayChain = "JF-DELAY";
inline constexpr const char* kDelayTable = "raw";  // chain and jump (from PREROUTING) live here
// Where UploadDelayer puts the program, and where the daemon keeps its pid and output.
inline constexpr const char* kDelayerNodePath = "/opt/jepsen/bin/jf-delayer";
inline constexpr const char* kDelayerPidFile = "/opt/jepsen/run/jf-delayer.pid";
inline constexpr const char* kDelayerLogFile = "/var/log/jepsen/jf-delayer.log";

// Copies the local jf-delayer at `local_path` to kDelayerNodePath on the node (any Remote),
// executable. Replaces the file by rename, so it works while an older copy runs.
Status UploadDelayer(const NodeHandle& node, const std::string& local_path);

// Delays what `node` receives from `peer_ips` by `delay_ms` (1..60000) plus a uniform
// 0..`jitter_ms` (0..60000) per packet. First undoes an earlier delay of ours on the node (rules,
// then delayer); then starts the delayer at `delayer_path_on_node` for at most `max_seconds` (> 0),
// waits up to 5 s for it to be bound to the queue (an error with the end of its log if it exits
// or does not get there, and nothing installed), and only then installs the rules. InvalidArgument
// for values out of range or no peers. On an error nothing of ours is left behind if possible.
Status ApplyDelay(const NodeHandle& node, const std::vector<std::string>& peer_ips, int delay_ms,
                  int jitter_ms, double max_seconds, const std::string& delayer_path_on_node);

// Removes the jump and our chains, then stops the delayer (SIGTERM; it accepts what it holds and
// exits). Succeeds when nothing is there; may be called any number of times.
Status HealDelay(const NodeHandle& node);

// The jf-delayer in the directory of the running executable, or "" if there is none.
std::string DefaultDelayerPath();

// Whether the node's kernel can queue packets to user space: it has nfnetlink_queue
// (/proc/net/netfilter/nfnetlink_queue, as the node's network namespace sees it) and iptables
// accepts an NFQUEUE rule in the raw table (tried in a chain of ours, JF-DELAY-PROBE, that nothing
// jumps to, and removed again).
bool ProbeNfqueue(const NodeHandle& node);

// The delayer's command line (exposed for tests).
std::vector<std::string> DelayerArgv(const std::string& delayer_path, int delay_ms, int jitter_ms,
                                     double max_seconds);

// The shell script that removes our jump(s) from raw PREROUTING and our chains in raw and, given
// peers, installs them again. Arguments: the queue number, then the peers' addresses (none = remove
// only). Exposed for tests.
std::string DelayRulesScript();

}  // namespace jf

#endif  // JF_NET_DELAY_H_
