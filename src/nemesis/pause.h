// PauseNemesis: SIGSTOP of a role's processes ("pause-start", args {"role", "targeting"}) and
// SIGCONT of exactly those ("pause-stop", and Heal()). A paused JVM keeps its sockets open but
// answers nothing: heartbeats and ZooKeeper sessions time out while it looks alive.
//
// Thread-safety: driven by one thread.
#ifndef JF_NEMESIS_PAUSE_H_
#define JF_NEMESIS_PAUSE_H_

#include "db/db.h"
#include "generator/schedule.h"
#include "nemesis/kill.h"
#include "nemesis/nemesis.h"

namespace jf {

class PauseNemesis : public Nemesis {
 public:
  PauseNemesis(Kill* db, const DeployContext* ctx, Rng* rng, TargetLocator locate = nullptr)
      : db_(db), ctx_(ctx), rng_(rng), locate_(std::move(locate)) {}

  NemesisResult Invoke(const std::string& f, const nlohmann::json& args) override;
  bool Handles(const std::string& f) const override {
    return f == "pause-start" || f == "pause-stop";
  }
  std::vector<NemesisEvent> Observe() override { return {}; }
  Status Heal() override;

 private:
  Status Resume(nlohmann::json* resumed);

  Kill* db_;
  const DeployContext* ctx_;
  Rng* rng_;
  TargetLocator locate_;
  std::vector<std::pair<NodeHandle, ProcessRef>> paused_;
};

}  // namespace jf

#endif  // JF_NEMESIS_PAUSE_H_
