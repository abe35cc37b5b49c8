#include "nemesis/pause.h"

#include <signal.h>

#include "nemesis/kill.h"

namespace jf {

Status PauseNemesis::Resume(nlohmann::json* resumed) {
  Status first;
  std::vector<std::pair<NodeHandle, ProcessRef>> still;
  for (auto& [node, p] : paused_) {
    auto r = node.remote->Exec({"kill", "-CONT", std::to_string(p.pid)});
    if (r.ok()) {
      if (resumed) resumed->push_back(ProcessRefToJson(p));
    } else {
      still.emplace_back(node, p);
      if (first.ok()) first = r.status();
    }
  }
  paused_ = std::move(still);
  return first;
}

NemesisResult PauseNemesis::Invoke(const std::string& f, const nlohmann::json& args) {
  NemesisResult r;
  if (f == "pause-stop") {
    nlohmann::json resumed = nlohmann::json::array();
    Status s = Resume(&resumed);
    r.value = {{"resumed", resumed}};
    r.hit = !resumed.empty();
    if (!s.ok()) r.error = s.message();
    return r;
  }
  const std::string role = ArgRole(args);
  nlohmann::json paused = nlohmann::json::array();
  std::string errors;
  auto targets = ArgTargets(*db_, *ctx_, args, *rng_, locate_);
  if (!targets.ok()) {
    r.error = targets.status().message();
    r.value = {{"role", role}, {"targets", nlohmann::json::array()}, {"no-target", true}};
    return r;
  }
  for (const auto& n : *targets) {
    auto hit = db_->Signal(n, role, SIGSTOP);
    if (!hit.ok()) {
      errors += (errors.empty() ? "" : "; ") + n.name + ": " + hit.status().message();
      continue;
    }
    for (const auto& p : *hit) {
      paused_.emplace_back(n, p);
      paused.push_back(ProcessRefToJson(p));
    }
  }
  r.hit = !paused.empty();
  r.value = {{"role", role}, {"targets", paused}};
  if (!r.hit) r.value["no-target"] = true;
  if (!errors.empty()) r.error = errors;
  return r;
}

Status PauseNemesis::Heal() { return Resume(nullptr); }

}  // namespace jf
