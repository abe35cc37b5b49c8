#include "nemesis/freeze.h"

namespace jf {

Status FreezeNemesis::ThawAll(nlohmann::json* thawed) {
  Status first;
  for (auto it = frozen_.begin(); it != frozen_.end();) {
    Status s = freeze_->Thaw(*it);
    if (s.ok()) {
      if (thawed) thawed->push_back(*it);
      it = frozen_.erase(it);
    } else {
      if (first.ok()) first = s.WithContext("thawing " + *it);
      ++it;
    }
  }
  return first;
}

NemesisResult FreezeNemesis::Invoke(const std::string& f, const nlohmann::json& args) {
  NemesisResult r;
  if (!freeze_) {
    r.error = "whole-node pauses need the local namespace cluster (the cgroup freezer)";
    r.value = {{"no-target", true}};
    return r;
  }
  if (f == "freeze-stop") {
    nlohmann::json thawed = nlohmann::json::array();
    Status s = ThawAll(&thawed);
    r.value = {{"thawed", thawed}};
    r.hit = !thawed.empty();
    if (!s.ok()) r.error = s.message();
    return r;
  }
  const std::string role = ArgRole(args);
  auto targets = ArgTargets(*roles_, *ctx_, args, *rng_, locate_);
  if (!targets.ok() || targets->empty()) {
    r.error = targets.ok() ? "no node runs " + role : targets.status().message();
    r.value = {{"role", role}, {"nodes", nlohmann::json::array()}, {"no-target", true}};
    return r;
  }
  nlohmann::json nodes = nlohmann::json::array();
  std::string errors;
  for (const auto& n : *targets) {
    frozen_.insert(n.name);  // before freezing: a half-done freeze is thawed too
    auto pids = freeze_->Freeze(n.name);
    if (!pids.ok()) {
      errors += (errors.empty() ? "" : "; ") + n.name + ": " + pids.status().message();
      continue;
    }
    nodes.push_back({{"node", n.name}, {"host-pids", *pids}});
  }
  r.hit = !nodes.empty();
  r.value = {{"role", role}, {"nodes", nodes}, {"how", "cgroup freezer"}};
  if (!r.hit) r.value["no-target"] = true;
  if (!errors.empty()) r.error = errors;
  return r;
}

Status FreezeNemesis::Heal() {
  if (!freeze_) return Status::Ok();
  return ThawAll(nullptr);
}

}  // namespace jf
