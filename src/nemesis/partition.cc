#include "nemesis/partition.h"

#include <algorithm>

#include "db/zookeeper.h"
#include "net/partition.h"

namespace jf {

Result<Grudge> PartitionNemesis::MakeGrudge(const std::vector<std::string>& nodes,
                                            const nlohmann::json& args, Rng& rng) {
  std::string shape = args.is_object() ? args.value("shape", "random-halves") : "random-halves";
  if (shape == "random-halves") return RandomHalves(nodes, rng);
  if (shape == "majorities-ring") return MajoritiesRing(nodes, rng);
  if (shape == "bridge") return Bridge(nodes, rng);
  if (shape == "isolate") {
    std::string node = args.value("node", "");
    if (node.empty()) node = nodes[static_cast<size_t>(Uniform(rng, 0, nodes.size()))];
    return Isolate(nodes, node);
  }
  return InvalidArgument("unknown partition shape '{}'", shape);
}

Result<Grudge> PartitionNemesis::RoleGrudge(const std::vector<std::string>& names,
                                            const std::string& shape) {
  if (shape == "zookeeper-quorum") {
    // Every ZooKeeper server alone (on the ensemble's ports): no majority is left.
    if (!roles_) return FailedPrecondition("no way to find the ZooKeeper nodes");
    Components alone;
    for (const auto& n : roles_->NodesWithRole(*ctx_, "zookeeper")) alone.push_back({n.name});
    if (alone.size() < 2) return FailedPrecondition("fewer than 2 ZooKeeper servers to cut");
    return CompleteGrudge(alone);
  }
  if (shape == "isolate-leader") {
    if (!locate_) return FailedPrecondition("no way to find the leading JobManager");
    JF_ASSIGN_OR_RETURN(auto leader, locate_("jobmanager", Targeting::kLeader));
    if (leader.empty()) return NotFound("no leading JobManager");
    return Isolate(names, leader.front());
  }
  // taskmanager-from-jobmanagers: one TaskManager node (preferably one without a JobManager) cut
  // from the JobManagers' nodes, and from nothing else.
  if (!roles_) return FailedPrecondition("no way to find the JobManager nodes");
  std::vector<std::string> jms, others;
  for (const auto& n : roles_->NodesWithRole(*ctx_, "jobmanager")) jms.push_back(n.name);
  for (const auto& n : roles_->NodesWithRole(*ctx_, "taskmanager")) {
    if (std::find(jms.begin(), jms.end(), n.name) == jms.end()) others.push_back(n.name);
  }
  const auto& pool = others.empty() ? names : others;
  std::string tm = pool[static_cast<size_t>(Uniform(*rng_, 0, pool.size()))];
  return CutOff(tm, jms);
}

NemesisResult PartitionNemesis::Invoke(const std::string& f, const nlohmann::json& args) {
  NemesisResult r;
  if (f == "partition-stop") {
    Status s = HealPartitions(ctx_->nodes);
    active_ = !s.ok();
    r.value = {{"grudge", "fully connected"}};
    r.hit = s.ok();
    if (!s.ok()) r.error = s.message();
    return r;
  }
  if (f != "partition-start") {
    r.error = "unknown partition op " + f;
    return r;
  }
  std::vector<std::string> names;
  for (const auto& n : ctx_->nodes) names.push_back(n.name);
  std::string shape = args.is_object() ? args.value("shape", "random-halves") : "random-halves";
  bool role_aware = shape == "isolate-leader" || shape == "taskmanager-from-jobmanagers" ||
                    shape == "zookeeper-quorum";
  auto grudge = role_aware ? RoleGrudge(names, shape) : MakeGrudge(names, args, *rng_);
  std::vector<int> ports;
  if (shape == "zookeeper-quorum") ports = {kZooKeeperQuorumPort, kZooKeeperElectionPort};
  if (!grudge.ok()) {
    r.error = grudge.status().message();
    return r;
  }
  active_ = true;
  Status s = ApplyGrudge(ctx_->nodes, *grudge, ports);
  nlohmann::json drops = nlohmann::json::object();
  for (const auto& [node, peers] : *grudge) drops[node] = peers;
  r.value = {{"shape", shape},
             {"drops", drops},
             {"description", DescribeGrudge(*grudge)},
             {"chain", kPartitionChain}};
  if (!ports.empty()) r.value["tcp-ports"] = ports;
  r.hit = s.ok();
  if (!s.ok()) r.error = s.message();
  return r;
}

Status PartitionNemesis::Heal() {
  if (!active_) return Status::Ok();
  Status s = HealPartitions(ctx_->nodes);
  if (s.ok()) active_ = false;
  return s;
}

}  // namespace jf
