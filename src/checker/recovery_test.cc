#include "checker/recovery.h"

#include <gtest/gtest.h>

#include "checker/availability.h"

namespace jf {
namespace {

constexpr int64_t kS = 1'000'000'000;

Op Poll(double t, bool running, nlohmann::json flink = nullptr) {
  Op op{.time = static_cast<int64_t>(t * kS), .type = OpType::kOk, .process = 0,
        .f = kJobsRunningF, .value = {{"j", running}}};
  if (!flink.is_null()) op.ext["flink"] = {{"j", flink}};
  return op;
}

Op Kill(double t, bool hit) {
  return Op{.time = static_cast<int64_t>(t * kS), .type = OpType::kInfo,
            .process = kNemesisProcess, .f = "kill-task-managers",
            .value = {{"targets", hit ? nlohmann::json::array({{{"node", "n1"}}})
                                      : nlohmann::json::array()}}};
}

TEST(RecoveryTest, HarnessMeasureRunsFromKillToRunningAfterOutage) {
  std::vector<Op> h = {Poll(0, true), Kill(1, true), Poll(2, true),  // not noticed yet
                       Poll(3, false), Poll(4, false), Poll(7.5, true), Kill(8, false),
                       Poll(9, true)};
  auto r = RecoveryTimes(h);
  auto& kills = r["harness"]["kills"];
  ASSERT_EQ(kills.size(), 1u);  // the kill that found nothing is not a recovery
  EXPECT_DOUBLE_EQ(kills[0]["seconds"].get<double>(), 6.5);
  EXPECT_EQ(r["harness"]["summary"]["count"], 1);
}

TEST(RecoveryTest, KillWithoutOutageAndUnrecoveredAreMarked) {
  auto r = RecoveryTimes({Kill(1, true), Poll(2, true), Poll(3, true)});
  EXPECT_EQ(r["harness"]["kills"][0]["outage"], false);
  r = RecoveryTimes({Kill(1, true), Poll(2, false)});
  EXPECT_EQ(r["harness"]["kills"][0]["recovered"], false);
  EXPECT_EQ(r["harness"]["summary"]["count"], 0);
}

TEST(RecoveryTest, FlinkMeasurePairsRestartingWithTheNextRunning) {
  std::vector<Op> h = {
      Poll(0, true, {{"state", "RUNNING"}, {"timestamps", {{"RUNNING", 1000}}}}),
      Poll(1, false, {{"state", "RESTARTING"}, {"timestamps", {{"RUNNING", 1000}, {"RESTARTING", 5000}}}}),
      Poll(2, true, {{"state", "RUNNING"}, {"timestamps", {{"RUNNING", 8500}, {"RESTARTING", 5000}}}}),
      Poll(3, false, {{"state", "RESTARTING"}, {"timestamps", {{"RUNNING", 8500}, {"RESTARTING", 9000}}}}),
      Poll(4, true, {{"state", "RUNNING"}, {"timestamps", {{"RUNNING", 13000}, {"RESTARTING", 9000}}}}),
  };
  auto r = RecoveryTimes(h);
  auto& s = r["flink"]["summary"];
  EXPECT_EQ(s["count"], 2);
  EXPECT_DOUBLE_EQ(s["min"].get<double>(), 3.5);
  EXPECT_DOUBLE_EQ(s["max"].get<double>(), 4.0);
  EXPECT_DOUBLE_EQ(s["median"].get<double>(), 3.75);
}

TEST(RecoveryTest, StatesNeverEnteredAreIgnored) {
  std::vector<Op> h = {
      Poll(0, true, {{"state", "RUNNING"}, {"timestamps", {{"RUNNING", 1000}, {"RESTARTING", 0}}}}),
  };
  EXPECT_EQ(RecoveryTimes(h)["flink"]["summary"]["count"], 0);
}

TEST(RecoveryTest, WindowedFaultsCountFromTheHealAndKillFamilyCounts) {
  auto window = [](double t, const std::string& f) {
    return Op{.time = static_cast<int64_t>(t * kS), .type = OpType::kInfo,
              .process = kNemesisProcess, .f = f, .value = {{"node", "n1"}}};
  };
  Op family_kill = Kill(20, true);
  family_kill.f = "kill";
  std::vector<Op> h = {Poll(0, true),  window(1, "pause-start"), Poll(2, false),
                       Poll(3, false), window(5, "pause-stop"),  Poll(6, false),
                       Poll(8, true),  window(10, "partition-start"), Poll(11, true),
                       window(12, "partition-stop"), Poll(13, true),  family_kill,
                       Poll(21, false), Poll(24, true)};
  auto r = RecoveryTimes(h);
  auto& w = r["harness"]["windows"];
  ASSERT_EQ(w.size(), 2u);
  EXPECT_DOUBLE_EQ(w[0]["seconds_after_heal"].get<double>(), 3);  // healed at 5, running at 8
  EXPECT_EQ(w[1]["outage"], false);
  ASSERT_EQ(r["harness"]["kills"].size(), 1u);
  EXPECT_DOUBLE_EQ(r["harness"]["kills"][0]["seconds"].get<double>(), 4);
  EXPECT_EQ(r["harness"]["summary"]["count"], 2);
}

// An hour of kill-task-managers kills every 3 s; the job runs again only after the last one.
// Counting each kill from its own time to that recovery made 826 "recoveries" with a median of
// half the run.
TEST(RecoveryTest, FaultsBeforeTheJobRecoversAreOneRecoveryFromTheLast) {
  auto window = [](double t, const std::string& f) {
    return Op{.time = static_cast<int64_t>(t * kS), .type = OpType::kInfo,
              .process = kNemesisProcess, .f = f, .value = {{"node", "n1"}}};
  };
  std::vector<Op> h = {Poll(0, true), Kill(1, true), Poll(2, false), Kill(4, true),
                       Poll(5, false), Kill(7, true), Poll(8, false), Poll(20, true),
                       // A kill during a window, then the heal: measured from the heal.
                       window(30, "pause-start"), Poll(31, false), Kill(32, true),
                       window(35, "pause-stop"), Poll(36, false), Poll(40, true),
                       // Still down at the end: one unrecovered outage, not two.
                       Kill(50, true), Poll(51, false), Kill(53, true), Poll(54, false)};
  for (size_t i = 0; i < h.size(); ++i) h[i].index = static_cast<int64_t>(i);
  auto r = RecoveryTimes(h);
  const auto& kills = r["harness"]["kills"];
  ASSERT_EQ(kills.size(), 6u);
  EXPECT_EQ(kills[0]["superseded_by"], 5);
  EXPECT_EQ(kills[1]["superseded_by"], 5);
  EXPECT_FALSE(kills[2].contains("superseded_by"));
  EXPECT_DOUBLE_EQ(kills[2]["seconds"].get<double>(), 13);
  EXPECT_EQ(kills[3]["superseded_by"], 8);  // the pause's heal came later
  EXPECT_EQ(kills[4]["superseded_by"], 16);
  EXPECT_EQ(kills[5]["recovered"], false);
  EXPECT_FALSE(kills[5].contains("superseded_by"));
  EXPECT_DOUBLE_EQ(r["harness"]["windows"][0]["seconds_after_heal"].get<double>(), 5);
  const auto& s = r["harness"]["summary"];
  EXPECT_EQ(s["count"], 2);
  EXPECT_EQ(s["superseded"], 4);
  EXPECT_DOUBLE_EQ(s["max"].get<double>(), 13);
}

TEST(SummaryTest, MedianOfOddAndEven) {
  EXPECT_DOUBLE_EQ(Summary({3, 1, 2})["median"].get<double>(), 2);
  EXPECT_DOUBLE_EQ(Summary({4, 1, 2, 3})["median"].get<double>(), 2.5);
  EXPECT_EQ(Summary({})["count"], 0);
}

}  // namespace
}  // namespace jf
