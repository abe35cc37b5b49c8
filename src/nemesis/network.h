// NetworkNemesis: a degraded network instead of a cut one (net/shaping.h, net/delay.h).
// "loss-start" makes one random node drop a share of the packets it receives from every other node
// (args {"p"}), "delay-start" makes one random node hold what it receives from every other node
// (args {"ms", "for_s": the delayer's own time bound}), "bandwidth-start" limits what one random
// node sends (args {"kbit"}); the "-stop" ops and Heal() remove only our chains, our delayer and
// our qdisc from every node.
//
// Thread-safety: driven by one thread.
#ifndef JF_NEMESIS_NETWORK_H_
#define JF_NEMESIS_NETWORK_H_

#include <set>

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
           f == "bandwidth-stop" || f == "delay-start" || f == "delay-stop";
  }
  std::vector<NemesisEvent> Observe() override { return {}; }
  Status Heal() override;

 private:
  const DeployContext* ctx_;
  Rng* rng_;
  Status StartDelay(const NodeHandle& node, const std::vector<std::string>& peers, int ms,
                    double for_s);

  bool loss_ = false, bandwidth_ = false, delay_ = false;
  std::set<std::string> delayer_uploaded_;  // nodes that have the delayer
};

}  // namespace jf

#endif  // JF_NEMESIS_NETWORK_H_
