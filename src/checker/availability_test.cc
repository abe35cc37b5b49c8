#include "checker/availability.h"

#include <gtest/gtest.h>

namespace jf {
namespace {

constexpr int64_t kS = 1'000'000'000;

class Builder {
 public:
  Builder& Poll(double t_s, std::optional<bool> running, OpType type = OpType::kOk) {
    int64_t t = static_cast<int64_t>(t_s * kS);
    ops_.push_back(Op{.index = idx_++, .time = t, .type = OpType::kInvoke, .process = 0,
                      .f = kJobsRunningF});
    Op done{.index = idx_++, .time = t, .type = type, .process = 0, .f = kJobsRunningF};
    if (type == OpType::kOk) done.value = {{"job1", running.value_or(false)}};
    if (type != OpType::kOk) done.error = "timeout";
    ops_.push_back(done);
    return *this;
  }
  Builder& PollsRunning(double from_s, double to_s, double every_s = 1) {
    for (double t = from_s; t <= to_s + 1e-9; t += every_s) Poll(t, true);
    return *this;
  }
  Builder& Nemesis(double t_s, const std::string& f) {
    // Jepsen's pair: the invocation (no value), then the completion with what was done.
    int64_t t = static_cast<int64_t>(t_s * kS);
    ops_.push_back(Op{.index = idx_++, .time = t, .type = OpType::kInfo,
                      .process = kNemesisProcess, .f = f});
    ops_.push_back(Op{.index = idx_++, .time = t, .type = OpType::kInfo,
                      .process = kNemesisProcess, .f = f, .value = {{"targets", {"n1"}}}});
    return *this;
  }
  Builder& Cancel(double t_s, bool ok = true, OpType failed_as = OpType::kFail) {
    int64_t t = static_cast<int64_t>(t_s * kS);
    ops_.push_back(Op{.index = idx_++, .time = t, .type = OpType::kInvoke, .process = 0,
                      .f = kCancelJobsF});
    Op done{.index = idx_++, .time = t, .type = ok ? OpType::kOk : failed_as, .process = 0,
            .f = kCancelJobsF};
    if (!ok) done.error = "HTTP 500";
    ops_.push_back(done);
    return *this;
  }
  std::vector<Op> ops() const { return ops_; }

 private:
  std::vector<Op> ops_;
  int64_t idx_ = 0;
};

CheckOptions Opts(double grace = 60) {
  CheckOptions o;
  o.healthy_threshold = 5;
  o.recovery_grace_period_s = grace;
  return o;
}

TEST(AvailabilityCheckerTest, RunningJobIsValid) {
  auto h = Builder().Poll(0, false).PollsRunning(1, 40).ops();
  auto r = AvailabilityChecker().Check(Opts(), h);
  EXPECT_EQ(r.valid, Validity::kValid) << CheckResultToJson(r).dump();
}

TEST(AvailabilityCheckerTest, NoJobEverSeenIsInvalid) {
  auto h = Builder().Poll(0, std::nullopt, OpType::kFail).Poll(1, std::nullopt, OpType::kInfo).ops();
  auto r = AvailabilityChecker().Check(Opts(), h);
  EXPECT_EQ(r.valid, Validity::kInvalid);
  ASSERT_FALSE(r.anomalies.empty());
  EXPECT_EQ(r.anomalies[0].what, "No job was ever seen.");
}

TEST(AvailabilityCheckerTest, JobNotRunningAfterGracePeriodIsInvalid) {
  // Healthy, a kill at 10 s, then the job never comes back; grace 20 s.
  auto h = Builder().PollsRunning(0, 9).Nemesis(10, "kill-task-managers").ops();
  auto b = Builder();
  auto ops = h;
  for (int t = 11; t <= 40; ++t) {
    auto p = Builder().Poll(t, false).ops();
    for (auto& op : p) { op.index = ops.size(); ops.push_back(op); }
  }
  auto r = AvailabilityChecker().Check(Opts(20), ops);
  EXPECT_EQ(r.valid, Validity::kInvalid);
  bool found = false;
  for (const auto& a : r.anomalies) {
    if (a.what.find("is not running") != std::string::npos) {
      found = true;
      EXPECT_GT(a.time, 30 * kS);  // only after the grace period
    }
  }
  EXPECT_TRUE(found);
}

TEST(AvailabilityCheckerTest, FailedPollsAfterGracePeriodAreInvalid) {
  auto b = Builder();
  b.PollsRunning(0, 5);
  for (int t = 6; t <= 30; ++t) b.Poll(t, std::nullopt, OpType::kInfo);
  b.PollsRunning(31, 60);
  auto r = AvailabilityChecker().Check(Opts(10), b.ops());
  EXPECT_EQ(r.valid, Validity::kInvalid);
  ASSERT_FALSE(r.anomalies.empty());
  EXPECT_EQ(r.anomalies[0].what, "Cluster is not running.");
}

TEST(AvailabilityCheckerTest, UnavailabilityDuringActiveFaultIsAllowed) {
  auto b = Builder();
  b.PollsRunning(0, 5).Nemesis(6, "partition-start");
  for (int t = 7; t <= 40; ++t) b.Poll(t, false);
  b.Nemesis(41, "partition-stop").PollsRunning(45, 80);
  auto r = AvailabilityChecker().Check(Opts(10), b.ops());
  EXPECT_EQ(r.valid, Validity::kValid) << CheckResultToJson(r).dump();
}

TEST(AvailabilityCheckerTest, NotHealthyAtTheEndIsInvalid) {
  // Running, then down for the last 10 s, all within the grace period.
  auto b = Builder();
  b.PollsRunning(0, 30);
  for (int t = 31; t <= 40; ++t) b.Poll(t, false);
  auto r = AvailabilityChecker().Check(Opts(180), b.ops());
  EXPECT_EQ(r.valid, Validity::kInvalid);
  ASSERT_EQ(r.anomalies.size(), 1u);
  EXPECT_NE(r.anomalies[0].what.find("not healthy at the end"), std::string::npos);
}

TEST(AvailabilityCheckerTest, TruncatedRunsSkipTheEndRulesButKeepTheOthers) {
  // Cut short (SIGINT) while the job is down: neither "healthy at the end" nor "no job was ever
  // seen" applies to a history without an end...
  auto o = Opts(180);
  o.truncated = true;
  auto b = Builder();
  b.PollsRunning(0, 30);
  for (int t = 31; t <= 35; ++t) b.Poll(t, false);
  EXPECT_EQ(AvailabilityChecker().Check(o, b.ops()).valid, Validity::kValid);
  auto none = Builder().Poll(0, std::nullopt, OpType::kFail).ops();
  EXPECT_EQ(AvailabilityChecker().Check(o, none).valid, Validity::kValid);
  // ...but an outage past the grace period before the cut is still an anomaly.
  b.Nemesis(36, "kill-task-managers");
  for (int t = 37; t <= 60; ++t) b.Poll(t, false);
  o.recovery_grace_period_s = 10;
  auto r = AvailabilityChecker().Check(o, b.ops());
  EXPECT_EQ(r.valid, Validity::kInvalid);
  ASSERT_FALSE(r.anomalies.empty());
  EXPECT_NE(r.anomalies[0].what.find("is not running"), std::string::npos);
}

TEST(AvailabilityCheckerTest, HealthyWindowIsThresholdTimesFiveSeconds) {
  // 1 s polls: 24 running polls cover 24 s < 25 s; 25 cover 25 s.
  auto short_run = Builder().Poll(0, false).PollsRunning(1, 24).ops();
  EXPECT_EQ(AvailabilityChecker().Check(Opts(), short_run).valid, Validity::kInvalid);
  auto long_run = Builder().Poll(0, false).PollsRunning(1, 25).ops();
  EXPECT_EQ(AvailabilityChecker().Check(Opts(), long_run).valid, Validity::kValid);
}

TEST(AvailabilityCheckerTest, GracePeriodRunsFromTheLaterOfKillAndProcessStart) {
  // Kill at 10 s, the process comes back at 25 s, the job stays down; grace 20 s: polls before
  // 45 s are within the grace period, later ones are not.
  auto b = Builder();
  b.PollsRunning(0, 9).Nemesis(10, "kill-task-managers").Nemesis(25, "process-started");
  for (int t = 11; t <= 50; ++t) b.Poll(t, false);
  auto r = AvailabilityChecker().Check(Opts(20), b.ops());
  EXPECT_EQ(r.valid, Validity::kInvalid);
  ASSERT_FALSE(r.anomalies.empty());
  EXPECT_GT(r.anomalies[0].time, 45 * kS);
  EXPECT_LE(r.anomalies[0].time, 46 * kS);
}

TEST(AvailabilityCheckerTest, KillsThatFoundNoProcessAreNoFaults) {
  auto b = Builder();
  b.PollsRunning(0, 9).Nemesis(10, "kill-task-managers");
  for (int t = 11; t <= 50; ++t) b.Poll(t, false);
  auto ops = b.ops();
  auto with_no_target = ops;
  Op none{.index = static_cast<int64_t>(ops.size()), .time = 40 * kS, .type = OpType::kInfo,
          .process = kNemesisProcess, .f = "kill-task-managers",
          .value = {{"targets", nlohmann::json::array()}, {"no-target", true}}};
  with_no_target.insert(with_no_target.begin() + 50, none);
  auto r = AvailabilityChecker().Check(Opts(20), with_no_target);
  ASSERT_FALSE(r.anomalies.empty());
  EXPECT_LE(r.anomalies[0].time, 31 * kS);  // the grace period ran from 10 s, not from 40 s
}

TEST(AvailabilityCheckerTest, CanceledJobGoneInTimeIsValid) {
  auto b = Builder();
  b.PollsRunning(0, 20).Cancel(21).PollsRunning(22, 28);  // still running within 10 s: allowed
  for (int t = 29; t <= 250; ++t) b.Poll(t, false);        // gone, past the grace period: fine
  auto r = AvailabilityChecker().Check(Opts(180), b.ops());
  EXPECT_EQ(r.valid, Validity::kValid) << CheckResultToJson(r).dump();
}

TEST(AvailabilityCheckerTest, JobRunningAfterCancellationIsInvalid) {
  auto b = Builder();
  b.PollsRunning(0, 20).Cancel(21).PollsRunning(22, 40);
  auto r = AvailabilityChecker().Check(Opts(180), b.ops());
  EXPECT_EQ(r.valid, Validity::kInvalid);
  ASSERT_FALSE(r.anomalies.empty());
  EXPECT_NE(r.anomalies[0].what.find("running after cancellation"), std::string::npos);
  EXPECT_GT(r.anomalies[0].time, 31 * kS);
}

TEST(AvailabilityCheckerTest, FailedCancellationIsInvalid) {
  auto b = Builder();
  b.PollsRunning(0, 40).Cancel(21, /*ok=*/false);
  auto r = AvailabilityChecker().Check(Opts(180), b.ops());
  EXPECT_EQ(r.valid, Validity::kInvalid);
  ASSERT_FALSE(r.anomalies.empty());
  EXPECT_NE(r.anomalies[0].what.find("cancel-jobs must not fail"), std::string::npos);
}

TEST(AvailabilityCheckerTest, IndeterminateCancellationIsNoAnomalyAndCancelsNothing) {
  // No JobManager answered before the end: the job was not canceled as far as anyone knows, so it
  // must still be judged as a running job.
  auto b = Builder();
  b.PollsRunning(0, 40).Cancel(41, /*ok=*/false, OpType::kInfo);
  EXPECT_EQ(AvailabilityChecker().Check(Opts(180), b.ops()).valid, Validity::kValid);
  auto down = Builder();
  down.PollsRunning(0, 30);
  for (int t = 31; t <= 40; ++t) down.Poll(t, false);
  down.Cancel(41, /*ok=*/false, OpType::kInfo);
  EXPECT_EQ(AvailabilityChecker().Check(Opts(180), down.ops()).valid, Validity::kInvalid)
      << "an indeterminate cancel must not excuse a job that is down at the end";
}

TEST(CombineTest, FalseBeatsUnknownBeatsTrue) {
  EXPECT_EQ(Combine(Validity::kValid, Validity::kUnknown), Validity::kUnknown);
  EXPECT_EQ(Combine(Validity::kUnknown, Validity::kInvalid), Validity::kInvalid);
  EXPECT_EQ(Combine(Validity::kValid, Validity::kValid), Validity::kValid);
}

}  // namespace
}  // namespace jf
