#include "generator/schedule.h"

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
  if (gen == "kill-task-managers") {
    double t = Uniform(rng, 0, 2 * kStaggerSeconds);
    while (t < time_limit_s) {
      ops.push_back({t, gen});
      t += Uniform(rng, 0, 2 * kStaggerSeconds);
    }
    return ops;
  }
  return InvalidArgument("no schedule for --nemesis-gen '{}'", gen);
}

}  // namespace jf
