// NetworkNemesis: a degraded network instead of a cut one (net/shaping.h). "loss-start" makes one
// random node drop a share of the packets it receives from every other node (args {"p"}),
// "bandwidth-start" limits what one random node sends (args {"kbit"}); the "-stop" ops and
// Heal() remove only our chain and our qdisc from every node.
//
// Thread-safety: driven by one thread.
#ifndef JF_NEMESIS_NETWORK_H_
#define JF_NEMESIS_NETWORK_H_

#include "db/db.h"
#include "generator/schedule.h"
#include "nemesis/nemesis.h"

namespace jf {

class NetworkNemesis : public Nemesis {
 public:
  NetworkNemesis(const DeployContext* ctx, Rng* rng) : ctx_(ctx), rng_(rng) {}

  NemesisResult Invoke(const std::string& f, const nlohmann::json& args) override;
  bool Handles(const std::string& f) const override {
    return f == "loss-start" || f == "loss-stop" || f == "bandwidth-start" ||
           f == "bandwidth-stop";
  }
  std::vector<NemesisEvent> Observe() override { return {}; }
  Status Heal() override;

 private:
  const DeployContext* ctx_;
  Rng* rng_;
  bool loss_ = false, bandwidth_ = false;
};

}  // namespace jf

#endif  // JF_NEMESIS_NETWORK_H_
