// Fault schedules as data: what the nemesis does and when, computed up front from the schedule's
// name, the time limit and the run's seed (the same seed gives the same schedule). Times are
// seconds from the start of the fault phase. Pure: touches no node and no clock.
#ifndef JF_GENERATOR_SCHEDULE_H_
#define JF_GENERATOR_SCHEDULE_H_

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/status.h"

namespace jf {

struct ScheduledOp {
  double at_s = 0;  // seconds after the fault phase began
  std::string f;    // e.g. "kill-task-managers"
  nlohmann::json args = nullptr;  // e.g. {"role": "jobmanager"}
};

// Jepsen's `stagger dt`: each op follows the previous one after a uniform random 0..2*dt s.
inline constexpr double kStaggerSeconds = 3.0;
inline constexpr int kBurstKills = 20;
inline constexpr double kBurstPauseSeconds = 300;
inline constexpr double kJobManagerKillSpacing = 0.5;

// The schedule of --nemesis-gen `gen`: ops within [0, time_limit_s). InvalidArgument for an
// unknown name.
Result<std::vector<ScheduledOp>> NemesisSchedule(const std::string& gen, double time_limit_s,
                                                 uint64_t seed);

// --nemesis FAMILIES: faults drawn at random from the families ("kill", "pause": SIGSTOP of a
// role's process, "freeze": every process of a role's node, "partition", "loss": 10-50% of a
// node's incoming packets, "delay": 50/200/1000 ms on what one node sends, "bandwidth":
// 250/1000/4000 kbit/s out of a node), one after each uniformly random 0..2*interval s gap, with
// random roles (and partition shapes). Windowed faults (all but kill) last 0.5..1.5 x interval
// and never overlap another fault. Roles and targetings are drawn from `roles` (default:
// taskmanager, jobmanager, zookeeper) and {one, leader (jobmanager, zookeeper), majority
// (zookeeper), busy (a taskmanager that runs tasks)}.
Result<std::vector<ScheduledOp>> CombinedSchedule(const std::vector<std::string>& families,
                                                  double interval_s, double time_limit_s,
                                                  uint64_t seed,
                                                  const std::vector<std::string>& roles = {
                                                      "taskmanager", "jobmanager", "zookeeper"});

const std::vector<std::string>& KnownNemesisFamilies();

// The run's RNG: one per run, seeded with --seed.
using Rng = std::mt19937_64;

// Uniform double in [lo, hi), the same on every platform for a given RNG state.
double Uniform(Rng& rng, double lo, double hi);

}  // namespace jf

#endif  // JF_GENERATOR_SCHEDULE_H_
