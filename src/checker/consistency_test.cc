#include "checker/consistency.h"

#include <gtest/gtest.h>

#include <fmt/format.h>

#include "checker/availability.h"
#include "client/consistency_probe.h"

namespace jf {
namespace {

using nlohmann::json;

constexpr int64_t kS = 1'000'000'000;
const std::string kJob = "5d8e2b1c3a4f6e7d8c9b0a1f2e3d4c5b";
const std::string kNewJob = "0f1e2d3c4b5a69788796a5b4c3d2e1f0";
const std::string kName = "jepsen-counter";
const std::string kJm1 = "http://10.77.7.11:8081";
const std::string kJm2 = "http://10.77.7.12:8081";
const std::string kJm3 = "http://10.77.7.13:8081";

// A history of client ops, each an invocation and its completion at the same time.
class Builder {
 public:
  Builder& Client(double t_s, const std::string& f, json value, OpType type = OpType::kOk) {
    const auto t = static_cast<int64_t>(t_s * kS);
    ops_.push_back(Op{.index = idx_++, .time = t, .type = OpType::kInvoke, .process = 0, .f = f});
    Op done{.index = idx_++, .time = t, .type = type, .process = 0, .f = f,
            .value = std::move(value)};
    if (type != OpType::kOk) done.error = "timeout";
    ops_.push_back(std::move(done));
    return *this;
  }
  Builder& Poll(double t_s) { return Client(t_s, kJobsRunningF, {{kJob, true}}); }
  Builder& JobManagers(double t_s, json value, OpType type = OpType::kOk) {
    return Client(t_s, kJobManagersF, std::move(value), type);
  }
  Builder& Checkpoints(double t_s, json value, OpType type = OpType::kOk) {
    return Client(t_s, kCheckpointsF, std::move(value), type);
  }
  std::vector<Op> ops() const { return ops_; }

 private:
  std::vector<Op> ops_;
  int64_t idx_ = 0;
};

json Row(const std::string& id, const std::string& state, int64_t start_time,
         const std::string& name = kName) {
  return {{"id", id}, {"name", name}, {"state", state}, {"start-time", start_time}};
}
json Answer(std::vector<json> rows) { return {{"jobs", rows}}; }
json Error() { return {{"error", "GET http://...: timed out"}}; }

json Cp(int64_t id, int64_t trigger, int64_t ack, bool savepoint = false) {
  return {{"id", id}, {"trigger", trigger}, {"ack", ack}, {"savepoint", savepoint}};
}
// One job's checkpoints value, as ReduceCheckpoints gives it.
json Cps(std::vector<json> completed, json restored = nullptr) {
  return {{kJob,
           {{"counts", {{"completed", completed.size()}}},
            {"completed", completed},
            {"restored", std::move(restored)}}}};
}
json Restored(int64_t id, int64_t at) { return {{"id", id}, {"at", at}, {"savepoint", false}}; }

CheckResult Check(const std::vector<Op>& history, bool truncated = false) {
  CheckOptions opts;
  opts.truncated = truncated;
  return ConsistencyChecker().Check(opts, history);
}

// Expects `r` to be invalid, to list the anomaly `what`, and no other rule to have fired.
void ExpectOnly(const CheckResult& r, const std::string& rule, const std::string& what) {
  EXPECT_EQ(r.valid, Validity::kInvalid);
  bool found = false;
  for (const Anomaly& a : r.anomalies) found = found || a.what == what;
  EXPECT_TRUE(found) << "missing: " << what << "\nin: " << CheckResultToJson(r).dump(2);
  for (const auto& [name, count] : r.details["rules"].items()) {
    if (name != rule) {
      EXPECT_EQ(count, 0) << name << ": " << CheckResultToJson(r).dump(2);
    }
  }
}

// A run with everything the rules must allow: a standby forwarding to the leader (the same
// start-time on two URLs), a JobManager failover (a new start-time, the old leader down, then
// back as a standby), a YARN-style moment where the answering JobManager lists no job, a savepoint
// completing after a checkpoint with a higher id, a restore of the latest checkpoint, a
// checkpoint reported twice, and fail/info samples whose values would break every rule.
std::vector<Op> CleanRun() {
  Builder b;
  b.Poll(0);
  b.JobManagers(1, {{kJm1, Answer({Row(kJob, "RUNNING", 1000)})},
                    {kJm2, Answer({Row(kJob, "RUNNING", 1000)})},
                    {kJm3, Error()}});
  b.Checkpoints(2, Cps({Cp(1, 2000, 2100), Cp(2, 3000, 3100)}));
  // Savepoint 3 is triggered before checkpoint 4 and completes after it.
  b.Checkpoints(3, Cps({Cp(4, 5000, 5100), Cp(3, 4000, 5500, /*savepoint=*/true)}));
  b.Checkpoints(3.5, Cps({Cp(4, 5000, 5100)}));  // another probe reports 4 again
  // jm1, the leader, is killed; jm2 takes over and its JobMaster restores checkpoint 4.
  b.JobManagers(4, {{kJm1, Error()},
                    {kJm2, Answer({Row(kJob, "RUNNING", 9000)})},
                    {kJm3, Answer({Row(kJob, "RUNNING", 9000)})}});
  b.JobManagers(5, {{kJm1, Error()}, {kJm2, Answer({})}, {kJm3, Error()}});
  b.Checkpoints(6, Cps({Cp(5, 10000, 10100)}, Restored(4, 8000)));
  b.Checkpoints(7, Cps({}, Restored(4, 8000)));
  // jm1 is back as a standby; an older JobMaster lingering as SUSPENDED is not a second runner.
  b.JobManagers(8, {{kJm1, Answer({Row(kJob, "SUSPENDED", 1000)})},
                    {kJm2, Answer({Row(kJob, "RUNNING", 9000)})},
                    {kJm3, Answer({Row(kJob, "RUNNING", 9000),
                                   Row(kNewJob, "FINISHED", 500, kName),
                                   Row("ffff", "RUNNING", 700, "other-job")})}});
  // Not ok: ignored, whatever they say.
  b.JobManagers(9, {{kJm1, Answer({Row(kJob, "RUNNING", 1), Row(kNewJob, "RUNNING", 2)})},
                    {kJm2, Answer({Row(kJob, "RUNNING", 3)})}},
                OpType::kFail);
  b.JobManagers(9.5, {{kJm1, Answer({})}}, OpType::kInfo);
  b.Checkpoints(10, Cps({Cp(1, 99000, 1)}, Restored(0, 99999)), OpType::kInfo);
  b.Checkpoints(10.5, Cps({Cp(0, 99000, 99100)}), OpType::kFail);
  b.Poll(11);
  return b.ops();
}

TEST(ConsistencyCheckerTest, CleanRunIsValid) {
  auto r = Check(CleanRun());
  EXPECT_EQ(r.valid, Validity::kValid) << CheckResultToJson(r).dump(2);
  EXPECT_TRUE(r.anomalies.empty());
  EXPECT_EQ(r.details["samples"], 9);
  EXPECT_EQ(r.details["jobmanagers_samples"], 4);
  EXPECT_EQ(r.details["checkpoints_samples"], 5);
  const json& job = r.details["jobs"][kJob];
  EXPECT_EQ(job["completed_checkpoints"], 5);
  EXPECT_EQ(job["highest_completed_id"], 5);
  EXPECT_EQ(job["restores"], (json{{{"id", 4}, {"at", 8000}}}));
  EXPECT_EQ(job["samples"], 3);
  EXPECT_EQ(job["absent_samples"], 1);
  for (const char* rule : {"checkpoint-id-reused", "checkpoint-id-decreased", "restore-rollback",
                           "two-jobmanagers", "job-lost", "job-id-changed"}) {
    EXPECT_EQ(r.details["rules"][rule], 0) << rule;
  }
}

TEST(ConsistencyCheckerTest, HistoryWithoutSamplesIsValid) {
  Builder b;
  b.Poll(0).JobManagers(1, {{kJm1, Error()}}, OpType::kFail).Checkpoints(2, nullptr, OpType::kInfo);
  auto r = Check(b.ops());
  EXPECT_EQ(r.valid, Validity::kValid);
  EXPECT_EQ(r.details, (json{{"samples", 0}}));
  EXPECT_EQ(Check({}).details, (json{{"samples", 0}}));
}

TEST(ConsistencyCheckerTest, ReusedCheckpointIdIsFound) {
  // The job came back without its checkpoint counter (e.g. no HA) and completed 3 again.
  Builder b;
  b.Poll(0).JobManagers(1, {{kJm1, Answer({Row(kJob, "RUNNING", 1000)})}});
  b.Checkpoints(2, Cps({Cp(1, 1000, 1100), Cp(2, 2000, 2100), Cp(3, 3000, 3100)}));
  b.Checkpoints(3, Cps({Cp(3, 9000, 9100)}));
  auto r = Check(b.ops());
  ExpectOnly(r, "checkpoint-id-reused",
             fmt::format("Checkpoint 3 of job {} completed twice (triggered at 3000 and 9000 ms).",
                         kJob));
  ASSERT_EQ(r.anomalies.size(), 1u);
  EXPECT_EQ(r.anomalies[0].op_index, 7);  // the sample that showed the second one
  EXPECT_EQ(r.anomalies[0].time, 3 * kS);
}

TEST(ConsistencyCheckerTest, DecreasingCheckpointIdIsFound) {
  Builder b;
  b.Poll(0).JobManagers(1, {{kJm1, Answer({Row(kJob, "RUNNING", 1000)})}});
  b.Checkpoints(2, Cps({Cp(4, 4000, 4100), Cp(5, 5000, 5100)}));
  b.Checkpoints(3, Cps({Cp(3, 3000, 6100)}));  // 3 completes after 5
  auto r = Check(b.ops());
  ExpectOnly(r, "checkpoint-id-decreased",
             fmt::format("Checkpoint 3 of job {} completed at 6100 ms, after checkpoint 5 had "
                         "completed at 5100 ms: checkpoint ids must grow with completion time.",
                         kJob));
  EXPECT_EQ(r.details["rules"]["checkpoint-id-decreased"], 1);

  // The same order with 3 a savepoint is allowed.
  Builder sp;
  sp.Poll(0).Checkpoints(2, Cps({Cp(4, 4000, 4100), Cp(5, 5000, 5100)}));
  sp.Checkpoints(3, Cps({Cp(3, 3000, 6100, /*savepoint=*/true)}));
  EXPECT_EQ(Check(sp.ops()).valid, Validity::kValid);
}

TEST(ConsistencyCheckerTest, AnomaliesAreCappedPerRuleButAllCounted) {
  // 100 completes first, then 30 lower ids: 30 violations.
  std::vector<json> cps = {Cp(100, 1000, 1100)};
  for (int i = 1; i <= 30; ++i) cps.push_back(Cp(i, 500 + i, 2000 + i));
  Builder b;
  b.Poll(0).Checkpoints(1, Cps(cps));
  auto r = Check(b.ops());
  EXPECT_EQ(r.valid, Validity::kInvalid);
  EXPECT_EQ(r.anomalies.size(), kMaxAnomaliesPerRule);
  EXPECT_EQ(r.details["rules"]["checkpoint-id-decreased"], 30);
}

TEST(ConsistencyCheckerTest, RestoreRollbackIsFound) {
  Builder b;
  b.Poll(0).JobManagers(1, {{kJm1, Answer({Row(kJob, "RUNNING", 1000)})}});
  b.Checkpoints(2, Cps({Cp(3, 3000, 3100), Cp(4, 4000, 4100), Cp(5, 5000, 5100)}));
  b.Checkpoints(3, Cps({}, Restored(3, 9000)));
  b.Checkpoints(4, Cps({}, Restored(3, 9000)));  // the same restore, stated again
  auto r = Check(b.ops());
  ExpectOnly(r, "restore-rollback",
             fmt::format("Job {} restored checkpoint 3 at 9000 ms, but checkpoint 5 had "
                         "completed at 5100 ms: the restore rolled back.",
                         kJob));
  EXPECT_EQ(r.details["rules"]["restore-rollback"], 1);

  // Restoring 3 before 4 and 5 completed is no rollback.
  Builder early;
  early.Poll(0).Checkpoints(2, Cps({Cp(3, 3000, 3100)}, Restored(3, 3500)));
  early.Checkpoints(3, Cps({Cp(4, 4000, 4100), Cp(5, 5000, 5100)}, Restored(3, 3500)));
  EXPECT_EQ(Check(early.ops()).valid, Validity::kValid);

  // Checkpoint 5 acked within kRestoreMarginMs of the restore may have been finalized after it
  // began; 4, acked earlier, may not.
  Builder close;
  close.Poll(0).Checkpoints(2, Cps({Cp(4, 4000, 4100), Cp(5, 5000, 5100)}));
  close.Checkpoints(3, Cps({}, Restored(4, 5100 + kRestoreMarginMs)));
  EXPECT_EQ(Check(close.ops()).valid, Validity::kValid);
  Builder close_but_older;
  close_but_older.Poll(0).Checkpoints(2, Cps({Cp(4, 4000, 4100), Cp(5, 5000, 5100)}));
  close_but_older.Checkpoints(3, Cps({}, Restored(3, 5100 + kRestoreMarginMs)));
  EXPECT_EQ(Check(close_but_older.ops()).valid, Validity::kInvalid);
}

TEST(ConsistencyCheckerTest, TwoJobMastersRunningOneJobAreFound) {
  auto both = [](Builder& b, double t) {
    b.JobManagers(t, {{kJm1, Answer({Row(kJob, "RUNNING", 1000)})},
                      {kJm2, Answer({Row(kJob, "RUNNING", 2000)})},
                      {kJm3, Answer({Row(kJob, "RUNNING", 1000)})}});
  };
  Builder b;
  b.Poll(0);
  for (int t = 1; t <= 7; ++t) both(b, t);  // 6 s of overlap
  auto r = Check(b.ops());
  ExpectOnly(r, "two-jobmanagers",
             fmt::format("Job {} runs on two JobMasters at once for 5.0 s: {} lists it RUNNING "
                         "since 1000 ms, {} since 2000 ms.",
                         kJob, kJm1, kJm2));
  ASSERT_EQ(r.anomalies.size(), 1u);  // one per overlap
  EXPECT_EQ(r.anomalies[0].op_index, 13);  // the sample at 6 s, 5 s after the first
  EXPECT_EQ(r.details["jobs"][kJob]["two_jobmasters_samples"], 7);

  // A shorter overlap (a deposed leader resuming from a pause), interrupted by a sample with one
  // JobMaster, is only counted; a sample nobody answered neither ends nor starts one.
  Builder brief;
  brief.Poll(0);
  both(brief, 1);
  both(brief, 4);
  brief.JobManagers(5, {{kJm1, Answer({Row(kJob, "RUNNING", 2000)})}});
  both(brief, 6);
  brief.JobManagers(8, {{kJm1, Error()}, {kJm2, Error()}});
  both(brief, 10);
  auto ok = Check(brief.ops());
  EXPECT_EQ(ok.valid, Validity::kValid) << ok.details.dump();
  EXPECT_EQ(ok.details["jobs"][kJob]["two_jobmasters_samples"], 4);
  both(brief, 11);  // 5 s after the overlap began at 6 s
  EXPECT_EQ(Check(brief.ops()).valid, Validity::kInvalid);
}

TEST(ConsistencyCheckerTest, LostJobIsFound) {
  Builder b;
  b.Poll(0).JobManagers(1, {{kJm1, Answer({Row(kJob, "RUNNING", 1000)})}});
  b.JobManagers(2, {{kJm1, Answer({})}, {kJm2, Error()}});
  b.JobManagers(3, {{kJm1, Error()}, {kJm2, Error()}});  // nobody answered: not the last word
  const std::string what = fmt::format("Job {} is lost: no JobManager knows it at the end.", kJob);
  auto r = Check(b.ops());
  ExpectOnly(r, "job-lost", what);
  ASSERT_EQ(r.anomalies.size(), 1u);
  EXPECT_EQ(r.anomalies[0].op_index, 5);
  EXPECT_EQ(r.details["jobs"][kJob]["absent_samples"], 1);

  // Not on a truncated run.
  EXPECT_EQ(Check(b.ops(), /*truncated=*/true).valid, Validity::kValid);

  // Not when the harness ended the job before the sample...
  Builder canceled;
  canceled.Poll(0).JobManagers(1, {{kJm1, Answer({Row(kJob, "RUNNING", 1000)})}});
  canceled.Client(1.5, kCancelJobsF, {kJob});
  canceled.JobManagers(2, {{kJm1, Answer({})}});
  EXPECT_EQ(Check(canceled.ops()).valid, Validity::kValid);
  Builder stopped;
  stopped.Poll(0).Client(1.5, kStopJobF, kJob).JobManagers(2, {{kJm1, Answer({})}});
  EXPECT_EQ(Check(stopped.ops()).valid, Validity::kValid);

  // ...but when it ended it later, ended another job, or failed to end it.
  Builder late;
  late.Poll(0).JobManagers(2, {{kJm1, Answer({})}}).Client(3, kCancelJobsF, {kJob});
  ExpectOnly(Check(late.ops()), "job-lost", what);
  Builder other;
  other.Poll(0).Client(1, kStopJobF, "ffff").JobManagers(2, {{kJm1, Answer({})}});
  ExpectOnly(Check(other.ops()), "job-lost", what);
  Builder failed;
  failed.Poll(0).Client(1, kCancelJobsF, {kJob}, OpType::kFail);
  failed.JobManagers(2, {{kJm1, Answer({})}});
  ExpectOnly(Check(failed.ops()), "job-lost", what);
}

TEST(ConsistencyCheckerTest, JobRunningUnderANewIdIsFound) {
  Builder b;
  b.Poll(0).JobManagers(1, {{kJm1, Answer({Row(kJob, "RUNNING", 1000)})}});
  // After a failover the job runs again, under a new id, reported once.
  b.JobManagers(2, {{kJm2, Answer({Row(kJob, "FAILED", 1000), Row(kNewJob, "RUNNING", 5000)})}});
  b.JobManagers(3, {{kJm2, Answer({Row(kJob, "FAILED", 1000), Row(kNewJob, "RUNNING", 5000)})}});
  auto r = Check(b.ops());
  ExpectOnly(r, "job-id-changed",
             fmt::format("Job {} is RUNNING under the name \"{}\" of submitted job {}: the job "
                         "got a new id.",
                         kNewJob, kName, kJob));
  ASSERT_EQ(r.anomalies.size(), 1u);
  EXPECT_EQ(r.anomalies[0].op_index, 5);
}

}  // namespace
}  // namespace jf
