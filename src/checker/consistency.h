// ConsistencyChecker: judges what Flink itself reported about its jobs during the run, as sampled
// by ConsistencyProbe (client/consistency_probe.h) into ok completions of the `jobmanagers` and
// `checkpoints` ops; invocations and fail/info completions of those are ignored. The submitted
// jobs are the keys of the ok `jobs-running?` polls (as AvailabilityChecker has it); the
// harness's own ok `cancel-jobs` and `stop-job` ops say which jobs it ended itself (the jobs their
// value names, as a string or an array of strings; every job when it names none).
//
// Rules, one anomaly per violation (at most kMaxAnomaliesPerRule listed per rule, all counted in
// details.rules). Timestamps are Flink's, in ms since the epoch.
//  checkpoint-id-reused     one job's completed checkpoint id seen with two trigger timestamps:
//                           "Checkpoint <id> of job <job> completed twice (triggered at <t1> and
//                           <t2> ms)."
//  checkpoint-id-decreased  ids of one job's completed checkpoints must grow with completion
//                           time (latest ack): A.ack < B.ack but A.id > B.id. Savepoints are left
//                           out, since a savepoint may complete after a checkpoint with a higher
//                           id. One anomaly per B, naming the highest such A:
//                           "Checkpoint <B> of job <job> completed at <B.ack> ms, after checkpoint
//                           <A> had completed at <A.ack> ms: checkpoint ids must grow with
//                           completion time."
//  restore-rollback         each distinct restore (id, at) of a job must restore an id >= that of
//                           every completed checkpoint (not savepoint) acked more than
//                           kRestoreMarginMs before `at` (one acked just before may have been
//                           finalized, i.e. written and added to the store, after the restore
//                           began; the REST API gives no completion time):
//                           "Job <job> restored checkpoint <id> at <at> ms, but checkpoint <C> had
//                           completed at <C.ack> ms: the restore rolled back."
//  two-jobmanagers          URLs list one submitted job RUNNING with different start-times (a
//                           standby's REST endpoint forwards to the leader, so the same start-time
//                           on two URLs is one JobMaster seen twice) in every answered jobmanagers
//                           sample for at least kTwoJobMastersToleranceNs (harness time, from the
//                           first such sample): two JobMasters run it at once. Shorter overlaps
//                           are counted only (details.jobs.*.two_jobmasters_samples): a deposed
//                           leader that resumes from a pause serves its stale view until its
//                           ZooKeeper client learns that its session expired. One anomaly per
//                           overlap: "Job <job> runs on two JobMasters at once for <d> s: <url1>
//                           lists it RUNNING since <t1> ms, <url2> since <t2> ms."
//  job-lost                 the last jobmanagers sample in which a JobManager answered lists a
//                           submitted job in no answer, in any state, and the harness had not
//                           ended it by then: "Job <job> is lost: no JobManager knows it at the
//                           end." Earlier samples without it are only counted
//                           (details.jobs.*.absent_samples): a YARN application master that
//                           restarts can briefly list no jobs. Not checked on truncated runs.
//  job-id-changed           in any jobmanagers sample, a job that was not submitted is RUNNING
//                           under the name of a submitted job (as the samples list it): the job got
//                           a new id. First occurrence per such id:
//                           "Job <new> is RUNNING under the name \"<name>\" of submitted job <job>:
//                           the job got a new id."
// Any anomaly makes the history invalid. A history without ok jobmanagers or checkpoints ops
// (older, or a run that never got that far) is valid with details {"samples": 0}.
//
// Details: {"samples", "jobmanagers_samples", "checkpoints_samples",
//           "jobs": {job: {"completed_checkpoints", "highest_completed_id", "restores": [{"id",
//                    "at"}], "samples" (answered jobmanagers samples listing it),
//                    "absent_samples", "two_jobmasters_samples"}},
//           "rules": {rule: violations}}.
#ifndef JF_CHECKER_CONSISTENCY_H_
#define JF_CHECKER_CONSISTENCY_H_

#include <cstddef>

#include "checker/checker.h"

namespace jf {

inline constexpr const char* kStopJobF = "stop-job";
inline constexpr size_t kMaxAnomaliesPerRule = 20;
inline constexpr int64_t kRestoreMarginMs = 1000;
inline constexpr int64_t kTwoJobMastersToleranceNs = 5'000'000'000;

class ConsistencyChecker : public Checker {
 public:
  std::string name() const override { return "consistency"; }
  CheckResult Check(const CheckOptions& opts, const std::vector<Op>& history) const override;
};

}  // namespace jf

#endif  // JF_CHECKER_CONSISTENCY_H_
