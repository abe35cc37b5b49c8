#include "generator/schedule.h"

#include <fmt/ranges.h>

#include <algorithm>
#include <cmath>

namespace jf {

double Uniform(Rng& rng, double lo, double hi) {
  // 53 random bits -> [0, 1); unlike std::uniform_real_distribution, this does not depend on the
  // standard library's implementation, so a seed replays on every build.
  double u = static_cast<double>(rng() >> 11) * (1.0 / 9007199254740992.0);
  return lo + u * (hi - lo);
}

Result<std::vector<ScheduledOp>> NemesisSchedule(const std::string& gen, double time_limit_s,
                                                 uint64_t seed) {
  Rng rng(seed);
  std::vector<ScheduledOp> ops;
  if (gen == "utopia") return ops;
  if (gen == "kill-task-managers" || gen == "kill-single-task-manager" ||
      gen == "kill-random-task-managers" || gen == "kill-single-node-manager") {
    double t = Uniform(rng, 0, 2 * kStaggerSeconds);
    while (t < time_limit_s) {
      ops.push_back({t, gen});
      t += Uniform(rng, 0, 2 * kStaggerSeconds);
    }
    return ops;
  }
  if (gen == "kill-task-managers-bursts") {
    // The original: 20 back-to-back kills of every TaskManager, then 300 s of quiet.
    for (double t = 0; t < time_limit_s; t += kBurstPauseSeconds) {
      for (int i = 0; i < kBurstKills; ++i) ops.push_back({t, "kill-task-managers"});
    }
    return ops;
  }
  if (gen == "kill-job-managers") {
    // The original killed the JobManagers back to back for the whole time limit; one kill every
    // half second keeps that pressure and bounds the loop.
    for (double t = 0; t < time_limit_s; t += kJobManagerKillSpacing) {
      ops.push_back({t, gen});
    }
    return ops;
  }
  if (gen == "fail-name-node-during-recovery") {
    // The original's, minus its first 60 s (faults here start once the job runs): random halves
    // and the NameNode stopped together; the partition heals after 20 s; the NameNode comes back
    // 60 s later. It ignores the time limit, as the original did.
    ops.push_back({0, "partition-start", {{"shape", "random-halves"}}});
    ops.push_back({0, "fail-name-node-start"});
    ops.push_back({20, "partition-stop"});
    ops.push_back({80, "fail-name-node-stop"});
    return ops;
  }
  return InvalidArgument("no schedule for --nemesis-gen '{}'", gen);
}

const std::vector<std::string>& KnownNemesisFamilies() {
  static const std::vector<std::string> kFamilies = {"kill",      "pause", "freeze", "partition",
                                                     "loss",      "delay", "bandwidth"};
  return kFamilies;
}

Result<std::vector<ScheduledOp>> CombinedSchedule(const std::vector<std::string>& families,
                                                  double interval_s, double time_limit_s,
                                                  uint64_t seed,
                                                  const std::vector<std::string>& roles) {
  if (families.empty()) return InvalidArgument("--nemesis needs at least one fault family");
  for (const auto& f : families) {
    if (std::find(KnownNemesisFamilies().begin(), KnownNemesisFamilies().end(), f) ==
        KnownNemesisFamilies().end()) {
      return InvalidArgument("--nemesis: unknown fault family '{}' (known: {})", f,
                             fmt::join(KnownNemesisFamilies(), ", "));
    }
  }
  if (!(interval_s > 0)) return InvalidArgument("--nemesis-interval must be positive");
  if (roles.empty()) return InvalidArgument("no roles to fault");
  static const char* kShapes[] = {"random-halves",  "isolate",
                                  "majorities-ring", "bridge",
                                  "isolate-leader",  "taskmanager-from-jobmanagers",
                                  "zookeeper-quorum"};
  constexpr size_t kShapeCount = sizeof(kShapes) / sizeof(kShapes[0]);
  // A role, and how to target it: one random node, the leader, a TaskManager that runs tasks, or
  // (ZooKeeper) a majority.
  auto pick_target = [&](Rng& r) {
    std::string role = roles[static_cast<size_t>(Uniform(r, 0, roles.size()))];
    std::vector<std::string> ways = {"one"};
    if (role == "jobmanager" || role == "zookeeper") ways.push_back("leader");
    if (role == "zookeeper") ways.push_back("majority");
    if (role == "taskmanager") ways.push_back("busy");
    std::string way = ways[static_cast<size_t>(Uniform(r, 0, ways.size()))];
    return nlohmann::json{{"role", role}, {"targeting", way}};
  };
  Rng rng(seed);
  std::vector<ScheduledOp> ops;
  double t = Uniform(rng, 0, 2 * interval_s);
  while (t < time_limit_s) {
    const std::string& family = families[static_cast<size_t>(Uniform(rng, 0, families.size()))];
    if (family == "kill") {
      ops.push_back({t, "kill", pick_target(rng)});
    } else {
      double duration = std::min(Uniform(rng, 0.5, 1.5) * interval_s, time_limit_s - t);
      nlohmann::json args;
      if (family == "pause" || family == "freeze") {
        args = pick_target(rng);
      } else if (family == "loss") {
        args = {{"p", Uniform(rng, 0.1, 0.5)}};
      } else if (family == "bandwidth") {
        static const int kKbit[] = {250, 1000, 4000};
        args = {{"kbit", kKbit[static_cast<size_t>(Uniform(rng, 0, 3))]}};
      } else if (family == "delay") {
        static const int kMs[] = {50, 200, 1000};
        // The delayer ends by itself a while after the window, should the stop op never come.
        args = {{"ms", kMs[static_cast<size_t>(Uniform(rng, 0, 3))]},
                {"for_s", std::ceil(duration) + 60}};
      } else {
        args = {{"shape", kShapes[static_cast<size_t>(Uniform(rng, 0, kShapeCount))]}};
      }
      ops.push_back({t, family + "-start", args});
      ops.push_back({t + duration, family + "-stop", args});
      t += duration;
    }
    t += Uniform(rng, 0, 2 * interval_s);
  }
  return ops;
}

}  // namespace jf
