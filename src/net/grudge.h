// Grudges: network partitions as data. A grudge maps each node to the nodes whose traffic it
// drops (Jepsen's representation). The shapes here are pure functions of the node list and the
// run's RNG; applying them is partition.h's job.
#ifndef JF_NET_GRUDGE_H_
#define JF_NET_GRUDGE_H_

#include <map>
#include <set>
#include <string>
#include <vector>

#include "generator/schedule.h"

namespace jf {

using Grudge = std::map<std::string, std::set<std::string>>;
using Components = std::vector<std::vector<std::string>>;

// Nodes in different components drop each other (symmetric).
Grudge CompleteGrudge(const Components& components);

// The first half and the rest (the first half is the smaller one for odd counts).
Components Bisect(const std::vector<std::string>& nodes);

std::vector<std::string> Shuffled(std::vector<std::string> nodes, Rng& rng);

// The original's partition: random halves, cut from each other.
Grudge RandomHalves(const std::vector<std::string>& nodes, Rng& rng);

// `node` alone against everyone else.
Grudge Isolate(const std::vector<std::string>& nodes, const std::string& node);

// `node` cut from `others` only (e.g. a TaskManager from the JobManagers); symmetric.
Grudge CutOff(const std::string& node, const std::vector<std::string>& others);

// Jepsen's majorities ring: every node sees a majority (itself included), and no two nodes see
// the same majority. Not symmetric in general.
Grudge MajoritiesRing(const std::vector<std::string>& nodes, Rng& rng);

// Jepsen's bridge: two halves that cannot talk, and one node in the middle that talks to both.
Grudge Bridge(const std::vector<std::string>& nodes, Rng& rng);

// The nodes `node` still talks to (itself included).
std::set<std::string> Sees(const Grudge& g, const std::vector<std::string>& nodes,
                           const std::string& node);

std::string DescribeGrudge(const Grudge& g);

}  // namespace jf

#endif  // JF_NET_GRUDGE_H_
