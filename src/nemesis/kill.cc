#include "nemesis/kill.h"

#include <fmt/ranges.h>
#include <signal.h>
#include <spdlog/spdlog.h>

#include <algorithm>

namespace jf {

nlohmann::json ProcessRefToJson(const ProcessRef& p) {
  nlohmann::json j = {{"node", p.node}, {"role", p.role}, {"pid", p.pid}};
  if (p.host_pid > 0) j["host-pid"] = p.host_pid;
  return j;
}

KillNemesis::KillNemesis(std::vector<KillSpec> specs, Kill* db, const DeployContext* ctx, Rng* rng,
                         TargetLocator locate)
    : specs_(std::move(specs)), db_(db), ctx_(ctx), rng_(rng), locate_(std::move(locate)) {}

Result<std::vector<NodeHandle>> KillNemesis::Targets(Kill& db, const DeployContext& ctx,
                                                     const std::string& role, Targeting t, Rng& rng,
                                                     const TargetLocator& locate) {
  auto nodes = db.NodesWithRole(ctx, role);
  if (t != Targeting::kLeader && t != Targeting::kBusy) return PickTargets(nodes, t, rng);
  const char* what = t == Targeting::kLeader ? "the leader" : "the busy nodes";
  if (!locate) return FailedPrecondition("no way to find {} of {}", what, role);
  JF_ASSIGN_OR_RETURN(auto names, locate(role, t));
  std::vector<NodeHandle> found;
  for (const auto& n : nodes) {
    if (std::find(names.begin(), names.end(), n.name) != names.end()) found.push_back(n);
  }
  if (found.empty()) {
    return NotFound("{} of {} ({}) run no {}", what, role, fmt::join(names, ", "), role);
  }
  if (t == Targeting::kLeader) return std::vector<NodeHandle>{found.front()};
  return std::vector<NodeHandle>{found[static_cast<size_t>(Uniform(rng, 0, found.size()))]};
}

std::vector<NodeHandle> KillNemesis::PickTargets(const std::vector<NodeHandle>& nodes, Targeting t,
                                                 Rng& rng) {
  if (nodes.empty()) return {};
  switch (t) {
    case Targeting::kAll:
      return nodes;
    case Targeting::kOne:
      return {nodes[static_cast<size_t>(Uniform(rng, 0, nodes.size()))]};
    case Targeting::kRandomHalf: {
      // Each node with probability 1/2, at least one (the original's random-sample 0.5).
      std::vector<NodeHandle> picked;
      for (const auto& n : nodes) {
        if (Uniform(rng, 0, 1) < 0.5) picked.push_back(n);
      }
      if (picked.empty())
        picked.push_back(nodes[static_cast<size_t>(Uniform(rng, 0, nodes.size()))]);
      return picked;
    }
    case Targeting::kMajority: {
      std::vector<NodeHandle> shuffled = nodes;
      for (size_t i = shuffled.size(); i > 1; --i) {
        std::swap(shuffled[i - 1], shuffled[static_cast<size_t>(Uniform(rng, 0, i))]);
      }
      shuffled.resize(nodes.size() / 2 + 1);
      return shuffled;
    }
    case Targeting::kLeader:
    case Targeting::kBusy:
      return {};
  }
  return {};
}

bool KillNemesis::Handles(const std::string& f) const {
  return std::any_of(specs_.begin(), specs_.end(), [&](const KillSpec& s) { return s.f == f; });
}

std::string ArgRole(const nlohmann::json& args) {
  return args.is_object() ? args.value("role", "taskmanager") : "taskmanager";
}

Result<std::vector<NodeHandle>> ArgTargets(Kill& db, const DeployContext& ctx,
                                           const nlohmann::json& args, Rng& rng,
                                           const TargetLocator& locate) {
  JF_ASSIGN_OR_RETURN(Targeting t,
                      ParseTargeting(args.is_object() ? args.value("targeting", "one") : "one"));
  return KillNemesis::Targets(db, ctx, ArgRole(args), t, rng, locate);
}

Result<Targeting> ParseTargeting(const std::string& s) {
  if (s == "all") return Targeting::kAll;
  if (s == "one") return Targeting::kOne;
  if (s == "half") return Targeting::kRandomHalf;
  if (s == "majority") return Targeting::kMajority;
  if (s == "leader") return Targeting::kLeader;
  if (s == "busy") return Targeting::kBusy;
  return InvalidArgument("unknown targeting '{}'", s);
}

NemesisResult KillNemesis::Invoke(const std::string& f, const nlohmann::json& args) {
  NemesisResult result;
  auto found =
      std::find_if(specs_.begin(), specs_.end(), [&](const KillSpec& s) { return s.f == f; });
  if (found == specs_.end()) {
    result.error = "unknown kill op " + f;
    return result;
  }
  KillSpec spec = *found;
  if (args.is_object()) {
    spec.role = args.value("role", spec.role);
    if (args.contains("targeting")) {
      auto t = ParseTargeting(args["targeting"].get<std::string>());
      if (!t.ok()) {
        result.error = t.status().message();
        return result;
      }
      spec.targeting = *t;
    }
  }
  auto picked = Targets(*db_, *ctx_, spec.role, spec.targeting, *rng_, locate_);
  if (!picked.ok()) {
    result.error = picked.status().message();
    result.value = {{"targets", nlohmann::json::array()}, {"no-target", true}};
    return result;
  }
  const auto& targets = *picked;
  nlohmann::json killed = nlohmann::json::array();
  nlohmann::json nodes = nlohmann::json::array();
  std::string errors;
  for (const auto& n : targets) {
    nodes.push_back(n.name);
    auto hit = db_->Signal(n, spec.role, SIGKILL);
    if (!hit.ok()) {
      errors += (errors.empty() ? "" : "; ") + n.name + ": " + hit.status().message();
      continue;
    }
    Watch w{n, spec.role, {}};
    for (const auto& p : *hit) {
      killed.push_back(ProcessRefToJson(p));
      w.gone.insert(p.pid);
    }
    if (!hit->empty()) {
      // A newer kill of the same role on the same node replaces the older watch.
      std::erase_if(watches_,
                    [&](const Watch& o) { return o.node.name == n.name && o.role == w.role; });
      watches_.push_back(std::move(w));
    }
  }
  result.hit = !killed.empty();
  result.value = {{"nodes", nodes}, {"targets", killed}};
  if (!result.hit) result.value["no-target"] = true;
  if (!errors.empty()) result.error = errors;
  return result;
}

std::vector<NemesisEvent> KillNemesis::Observe() {
  std::vector<NemesisEvent> events;
  for (auto it = watches_.begin(); it != watches_.end();) {
    auto now = db_->Processes(it->node, it->role);
    bool started = false;
    if (now.ok()) {
      for (const auto& p : *now) {
        if (it->gone.count(p.pid)) continue;
        events.push_back({"process-started", ProcessRefToJson(p)});
        started = true;
      }
    }
    it = started ? watches_.erase(it) : it + 1;
  }
  return events;
}

}  // namespace jf
