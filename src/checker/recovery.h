// Recovery times, measured two ways from a history (pure; no node is asked):
//  - harness: from each kill that hit a process to the first poll that saw the job running with
//    all its tasks again, after a poll that saw it down (kills the job never noticed have none);
//  - flink: Flink's own clock, from each time the job entered RESTARTING to the time it next
//    entered RUNNING, as /jobs/:id `timestamps` reported them in the polls.
// Faults that share a recovery (the same first running poll after their outage) are one recovery,
// measured from the latest of them; the others name it as "superseded_by" and are counted in the
// harness summary's "superseded". Each measure lists every recovery and gives min/median/max in
// seconds.
#ifndef JF_CHECKER_RECOVERY_H_
#define JF_CHECKER_RECOVERY_H_

#include <vector>

#include <nlohmann/json.hpp>

#include "history/op.h"

namespace jf {

nlohmann::json RecoveryTimes(const std::vector<Op>& history);

// {"count", "min", "median", "max"} of the values (seconds); count 0 and nulls when empty.
nlohmann::json Summary(std::vector<double> values);

}  // namespace jf

#endif  // JF_CHECKER_RECOVERY_H_
