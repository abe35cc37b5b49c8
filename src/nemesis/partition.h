// PartitionNemesis: network partitions between nodes (iptables in the nodes' namespaces, see
// net/partition.h). "partition-start" cuts the cluster by a shape (random halves by default, as
// the original did); "partition-stop" and Heal() restore full connectivity.
//
// Thread-safety: driven by one thread.
#ifndef JF_NEMESIS_PARTITION_H_
#define JF_NEMESIS_PARTITION_H_

#include "db/db.h"
#include "generator/schedule.h"
#include "nemesis/kill.h"
#include "nemesis/nemesis.h"
#include "net/grudge.h"

namespace jf {

class PartitionNemesis : public Nemesis {
 public:
  // `roles` (may be null) finds the JobManager nodes, `locate` the leading JobManager's node, for
  // the shapes that aim at them.
  PartitionNemesis(const DeployContext* ctx, Rng* rng, Kill* roles = nullptr,
                   TargetLocator locate = nullptr)
      : ctx_(ctx), rng_(rng), roles_(roles), locate_(std::move(locate)) {}

  // f: "partition-start" (args: {"shape": "random-halves" | "isolate" | "majorities-ring" |
  // "bridge" | "isolate-leader" | "taskmanager-from-jobmanagers" | "zookeeper-quorum", "node":
  // for isolate}) or "partition-stop". zookeeper-quorum cuts every ZooKeeper server from the others
  // on the ensemble's ports only, so the ensemble loses its quorum while every other link works.
  NemesisResult Invoke(const std::string& f, const nlohmann::json& args) override;
  bool Handles(const std::string& f) const override {
    return f == "partition-start" || f == "partition-stop";
  }
  std::vector<NemesisEvent> Observe() override { return {}; }
  Status Heal() override;

  static Result<Grudge> MakeGrudge(const std::vector<std::string>& nodes,
                                   const nlohmann::json& args, Rng& rng);

 private:
  // The grudges of the role-aware shapes (isolate-leader, taskmanager-from-jobmanagers,
  // zookeeper-quorum).
  Result<Grudge> RoleGrudge(const std::vector<std::string>& names, const std::string& shape);

  const DeployContext* ctx_;
  Rng* rng_;
  Kill* roles_;
  TargetLocator locate_;
  bool active_ = false;
};

}  // namespace jf

#endif  // JF_NEMESIS_PARTITION_H_
