#include "nemesis/network.h"

#include "net/delay.h"
#include "net/shaping.h"

namespace jf {

NemesisResult NetworkNemesis::Invoke(const std::string& f, const nlohmann::json& args) {
  NemesisResult r;
  auto heal_all = [&](Status (*heal)(const NodeHandle&)) {
    return ForEachNode(ctx_->nodes, [&](const NodeHandle& n) { return heal(n); });
  };
  if (f == "loss-stop" || f == "bandwidth-stop" || f == "delay-stop") {
    std::string what = f.substr(0, f.size() - 5);
    Status s = heal_all(what == "loss" ? &HealLoss : what == "delay" ? &HealDelay : &HealBandwidth);
    (what == "loss" ? loss_ : what == "delay" ? delay_ : bandwidth_) = !s.ok();
    r.value = {{"healed", what}};
    r.hit = s.ok();
    if (!s.ok()) r.error = s.message();
    return r;
  }
  const NodeHandle& node = ctx_->nodes[static_cast<size_t>(Uniform(*rng_, 0, ctx_->nodes.size()))];
  Status s;
  std::vector<std::string> peers;
  for (const auto& n : ctx_->nodes) {
    if (n.name != node.name) peers.push_back(n.ip);
  }
  if (f == "delay-start") {
    int ms = args.is_object() ? args.value("ms", 200) : 200;
    double for_s = args.is_object() ? args.value("for_s", 600.0) : 600.0;
    delay_ = true;
    s = StartDelay(node, peers, ms, for_s);
    r.value = {{"node", node.name},    {"ms", ms},
               {"from", peers},        {"chain", kDelayChain},
               {"table", kDelayTable}, {"queue", kDelayQueue}};
  } else if (f == "loss-start") {
    double p = args.is_object() ? args.value("p", 0.3) : 0.3;
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

Status NetworkNemesis::StartDelay(const NodeHandle& node, const std::vector<std::string>& peers,
                                  int ms, double for_s) {
  if (!delayer_uploaded_.count(node.name)) {
    std::string local = DefaultDelayerPath();
    if (local.empty()) return NotFound("jf-delayer is not next to the jepsen-flink binary");
    if (!ProbeNfqueue(node)) {
      return Unavailable(
          "{}'s kernel cannot queue packets to user space (no nfnetlink_queue "
          "or NFQUEUE target), so there is no delay without netem",
          node.name);
    }
    JF_RETURN_IF_ERROR(UploadDelayer(node, local));
    delayer_uploaded_.insert(node.name);
  }
  return ApplyDelay(node, peers, ms, /*jitter_ms=*/0, for_s, kDelayerNodePath);
}

Status NetworkNemesis::Heal() {
  Status first;
  if (delay_) {
    first = ForEachNode(ctx_->nodes, [](const NodeHandle& n) { return HealDelay(n); });
    if (first.ok()) delay_ = false;
  }
  if (loss_) {
    Status s = ForEachNode(ctx_->nodes, [](const NodeHandle& n) { return HealLoss(n); });
    if (s.ok()) loss_ = false;
    if (first.ok()) first = s;
  }
  if (bandwidth_) {
    Status s = ForEachNode(ctx_->nodes, [](const NodeHandle& n) { return HealBandwidth(n); });
    if (s.ok()) bandwidth_ = false;
    if (first.ok()) first = s;
  }
  return first;
}

}  // namespace jf
