// AvailabilityChecker: the original jepsen.flink model (JobRunningWithinGracePeriod), per job.
//
// Client ops `jobs-running?` carry {job id: running?}. Nemesis ops move the "last failure" time:
// an f ending in "-start" opens a fault window, "-stop" closes it; any other nemesis op (a kill,
// a supervised process starting again) is a failure at its time. Invocation records (no value)
// and kills that found no process are not failures, nor is the final "heal". Rules, each reported with its time:
//  - no job was ever seen: invalid;
//  - the cluster should be healthy (no active fault, and the grace period since the last failure
//    has passed) but a poll failed or timed out: "Cluster is not running.";
//  - the cluster should be healthy but the job was not running: "Job is not running.";
//  - the job is not healthy at the end: its trailing run of running polls must cover
//    healthy_threshold x 5 s (the original counted polls made every 5 s).
// With --client-gen cancel-jobs: a failed cancel-jobs op is an anomaly; a job still running more
// than the cancellation grace period (10 s) after it is "running after cancellation"; a canceled
// job need not run, and counts as healthy at the end.
// The first op's time starts the grace period, as in the original.
#ifndef JF_CHECKER_AVAILABILITY_H_
#define JF_CHECKER_AVAILABILITY_H_

#include "checker/checker.h"

namespace jf {

inline constexpr double kHealthyPollUnitSeconds = 5.0;
inline constexpr const char* kJobsRunningF = "jobs-running?";
inline constexpr const char* kCancelJobsF = "cancel-jobs";

class AvailabilityChecker : public Checker {
 public:
  std::string name() const override { return "availability"; }
  CheckResult Check(const CheckOptions& opts, const std::vector<Op>& history) const override;
};

}  // namespace jf

#endif  // JF_CHECKER_AVAILABILITY_H_
