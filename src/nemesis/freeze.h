// FreezeNemesis: pauses whole nodes ("freeze-start", args {"role", "targeting"} as for pauses: the
// node of the leading JobManager, one ZooKeeper node, ...) and thaws them ("freeze-stop", and
// Heal()). Every process of a frozen node stops at once, without a signal it could notice: to its
// peers the host is simply gone, while its sockets stay open.
//
// The freezing itself is a capability of where the nodes live (NodeFreeze): the local cluster has
// it (the cgroup freezer, cluster/freezer.h); remote hosts do not, and the ops then fail with the
// reason.
//
// Thread-safety: driven by one thread.
#ifndef JF_NEMESIS_FREEZE_H_
#define JF_NEMESIS_FREEZE_H_

#include <set>

#include "db/db.h"
#include "generator/schedule.h"
#include "nemesis/kill.h"
#include "nemesis/nemesis.h"

namespace jf {

class NodeFreeze {
 public:
  virtual ~NodeFreeze() = default;
  // Freezes every process of `node`; returns the host PIDs frozen.
  virtual Result<std::vector<int>> Freeze(const std::string& node) = 0;
  // Thaws `node`; Ok if it was not frozen.
  virtual Status Thaw(const std::string& node) = 0;
};

class FreezeNemesis : public Nemesis {
 public:
  // `freeze` may be null (no way to freeze a node here); `roles` finds the nodes of a role.
  FreezeNemesis(NodeFreeze* freeze, Kill* roles, const DeployContext* ctx, Rng* rng,
                TargetLocator locate = nullptr)
      : freeze_(freeze), roles_(roles), ctx_(ctx), rng_(rng), locate_(std::move(locate)) {}

  NemesisResult Invoke(const std::string& f, const nlohmann::json& args) override;
  bool Handles(const std::string& f) const override {
    return f == "freeze-start" || f == "freeze-stop";
  }
  std::vector<NemesisEvent> Observe() override { return {}; }
  Status Heal() override;

 private:
  Status ThawAll(nlohmann::json* thawed);

  NodeFreeze* freeze_;
  Kill* roles_;
  const DeployContext* ctx_;
  Rng* rng_;
  TargetLocator locate_;
  std::set<std::string> frozen_;
};

}  // namespace jf

#endif  // JF_NEMESIS_FREEZE_H_
