// KillNemesis: SIGKILL of a role's processes (TaskManagers, JobManagers) through the Db's Kill
// capability, on the nodes a targeter picks, and the watch for their comeback: once a killed
// role runs a process that was not there at the kill, Observe() reports "process-started" with
// its PIDs.
//
// Thread-safety: driven by one thread.
#ifndef JF_NEMESIS_KILL_H_
#define JF_NEMESIS_KILL_H_

#include <chrono>
#include <functional>
#include <map>
#include <set>

#include "db/db.h"
#include "generator/schedule.h"
#include "nemesis/nemesis.h"

namespace jf {

// Which nodes of a role a fault hits. kLeader and kBusy depend on the cluster's state and are
// resolved by a TargetLocator: the role's current leader (the leading JobManager, the ZooKeeper
// leader), or the TaskManagers that run tasks of the test job.
enum class Targeting { kAll, kOne, kRandomHalf, kMajority, kLeader, kBusy };

// The nodes a state-dependent targeting (kLeader, kBusy) names for `role`, as the cluster is now.
using TargetLocator =
    std::function<Result<std::vector<std::string>>(const std::string& role, Targeting t)>;

struct KillSpec {
  std::string f;     // the op name, e.g. "kill-task-managers"
  std::string role;  // "taskmanager" or "jobmanager"
  Targeting targeting = Targeting::kAll;
};

class KillNemesis : public Nemesis {
 public:
  // `db` and `ctx` must outlive the nemesis; `rng` is the run's RNG.
  KillNemesis(std::vector<KillSpec> specs, Kill* db, const DeployContext* ctx, Rng* rng,
              TargetLocator locate = nullptr);

  // f is one of the specs' names; args may override {"role", "targeting": "all" | "one" | "half" |
  // "majority" | "leader" | "busy"}.
  NemesisResult Invoke(const std::string& f, const nlohmann::json& args) override;
  bool Handles(const std::string& f) const override;
  std::vector<NemesisEvent> Observe() override;
  Status Heal() override { return Status::Ok(); }  // a kill has nothing to undo

  // Picks the target nodes of a kill (exposed for tests). kLeader and kBusy give none here.
  static std::vector<NodeHandle> PickTargets(const std::vector<NodeHandle>& nodes, Targeting t,
                                             Rng& rng);

  // Targets for `role` under `t`, asking `locate` for kLeader and kBusy (one random node of those
  // it names, for kBusy).
  static Result<std::vector<NodeHandle>> Targets(Kill& db, const DeployContext& ctx,
                                                 const std::string& role, Targeting t, Rng& rng,
                                                 const TargetLocator& locate);

 private:
  struct Watch {
    NodeHandle node;
    std::string role;
    std::set<int> gone;  // PIDs at the time of the kill
  };

  std::vector<KillSpec> specs_;
  Kill* db_;
  const DeployContext* ctx_;
  Rng* rng_;
  TargetLocator locate_;
  std::vector<Watch> watches_;
};

nlohmann::json ProcessRefToJson(const ProcessRef& p);

// The role a fault's args name ({"role"}; "taskmanager" if none).
std::string ArgRole(const nlohmann::json& args);
// The nodes of that role the args' {"targeting"} ("one" if none) picks now.
Result<std::vector<NodeHandle>> ArgTargets(Kill& db, const DeployContext& ctx,
                                           const nlohmann::json& args, Rng& rng,
                                           const TargetLocator& locate);
Result<Targeting> ParseTargeting(const std::string& s);

}  // namespace jf

#endif  // JF_NEMESIS_KILL_H_
