#include "nemesis/network.h"

#include "net/shaping.h"

namespace jf {

NemesisResult NetworkNemesis::Invoke(const std::string& f, const nlohmann::json& args) {
  NemesisResult r;
  auto heal_all = [&](Status (*heal)(const NodeHandle&)) {
    return ForEachNode(ctx_->nodes, [&](const NodeHandle& n) { return heal(n); });
  };
  if (f == "loss-stop" || f == "bandwidth-stop") {
    bool loss = f == "loss-stop";
    Status s = heal_all(loss ? &HealLoss : &HealBandwidth);
    (loss ? loss_ : bandwidth_) = !s.ok();
    r.value = {{"healed", loss ? "loss" : "bandwidth"}};
    r.hit = s.ok();
    if (!s.ok()) r.error = s.message();
    return r;
  }
  const NodeHandle& node =
      ctx_->nodes[static_cast<size_t>(Uniform(*rng_, 0, ctx_->nodes.size()))];
  Status s;
  if (f == "loss-start") {
    double p = args.is_object() ? args.value("p", 0.3) : 0.3;
    std::vector<std::string> peers;
    for (const auto& n : ctx_->nodes) {
      if (n.name != node.name) peers.push_back(n.ip);
    }
    loss_ = true;
    s = ApplyLoss(node, peers, p);
    r.value = {{"node", node.name}, {"p", p}, {"from", peers}, {"chain", kLossChain}};
  } else {
    int kbit = args.is_object() ? args.value("kbit", 1000) : 1000;
    bandwidth_ = true;
    s = ApplyBandwidth(node, kbit);
    r.value = {{"node", node.name}, {"kbit", kbit}, {"qdisc", std::string("tbf ") + kQdiscHandle}};
  }
  r.hit = s.ok();
  if (!s.ok()) r.error = s.message();
  return r;
}

Status NetworkNemesis::Heal() {
  Status first;
  if (loss_) {
    first = ForEachNode(ctx_->nodes, [](const NodeHandle& n) { return HealLoss(n); });
    if (first.ok()) loss_ = false;
  }
  if (bandwidth_) {
    Status s = ForEachNode(ctx_->nodes, [](const NodeHandle& n) { return HealBandwidth(n); });
    if (s.ok()) bandwidth_ = false;
    if (first.ok()) first = s;
  }
  return first;
}

}  // namespace jf
