#include "nemesis/partition.h"

#include "net/partition.h"

#include <algorithm>

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
  if (shape == "isolate-leader") {
    if (!leader_) return FailedPrecondition("no way to find the leading JobManager");
    JF_ASSIGN_OR_RETURN(std::string node, leader_("jobmanager"));
    return Isolate(names, node);
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
  auto grudge = (shape == "isolate-leader" || shape == "taskmanager-from-jobmanagers")
                    ? RoleGrudge(names, shape)
                    : MakeGrudge(names, args, *rng_);
  if (!grudge.ok()) {
    r.error = grudge.status().message();
    return r;
  }
  active_ = true;
  Status s = ApplyGrudge(ctx_->nodes, *grudge);
  nlohmann::json drops = nlohmann::json::object();
  for (const auto& [node, peers] : *grudge) drops[node] = peers;
  r.value = {{"shape", shape},
             {"drops", drops},
             {"description", DescribeGrudge(*grudge)},
             {"chain", kPartitionChain}};
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
