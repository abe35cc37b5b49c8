#include "generator/schedule.h"

#include <gtest/gtest.h>

#include <set>

namespace jf {
namespace {

TEST(ScheduleTest, KillTaskManagersGapsAreWithinZeroToSixSeconds) {
  for (uint64_t seed = 1; seed <= 50; ++seed) {
    auto s = NemesisSchedule("kill-task-managers", 120, seed);
    ASSERT_TRUE(s.ok());
    ASSERT_FALSE(s->empty());
    double prev = 0;
    for (const auto& op : *s) {
      EXPECT_EQ(op.f, "kill-task-managers");
      EXPECT_GE(op.at_s - prev, 0.0);
      EXPECT_LT(op.at_s - prev, 6.0);
      prev = op.at_s;
    }
  }
}

TEST(ScheduleTest, EndsWithinTheTimeLimit) {
  for (double limit : {1.0, 7.5, 60.0, 600.0}) {
    auto s = NemesisSchedule("kill-task-managers", limit, 42);
    ASSERT_TRUE(s.ok());
    for (const auto& op : *s) EXPECT_LT(op.at_s, limit);
  }
}

TEST(ScheduleTest, MeanGapIsAboutThreeSeconds) {
  auto s = NemesisSchedule("kill-task-managers", 30000, 7);
  ASSERT_TRUE(s.ok());
  double mean = s->back().at_s / s->size();
  EXPECT_NEAR(mean, 3.0, 0.15);
}

TEST(ScheduleTest, SameSeedSameScheduleOtherSeedOther) {
  auto a = NemesisSchedule("kill-task-managers", 60, 1234);
  auto b = NemesisSchedule("kill-task-managers", 60, 1234);
  auto c = NemesisSchedule("kill-task-managers", 60, 1235);
  ASSERT_TRUE(a.ok() && b.ok() && c.ok());
  ASSERT_EQ(a->size(), b->size());
  for (size_t i = 0; i < a->size(); ++i) EXPECT_DOUBLE_EQ((*a)[i].at_s, (*b)[i].at_s);
  EXPECT_NE((*a)[0].at_s, (*c)[0].at_s);
}

TEST(ScheduleTest, UtopiaHasNoFaultsAndUnknownNamesAreRefused) {
  auto u = NemesisSchedule("utopia", 60, 1);
  ASSERT_TRUE(u.ok());
  EXPECT_TRUE(u->empty());
  EXPECT_EQ(NemesisSchedule("chaos", 60, 1).status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace jf

namespace jf {
namespace {

TEST(ScheduleTest, OriginalGeneratorsHaveTheirShapes) {
  auto bursts = NemesisSchedule("kill-task-managers-bursts", 60, 1);
  ASSERT_TRUE(bursts.ok());
  EXPECT_EQ(bursts->size(), 20u);  // one burst in 60 s, as the original's default
  for (const auto& op : *bursts) EXPECT_EQ(op.at_s, 0);
  auto jm = NemesisSchedule("kill-job-managers", 10, 1);
  ASSERT_TRUE(jm.ok());
  EXPECT_EQ(jm->size(), 20u);
  EXPECT_EQ(jm->front().f, "kill-job-managers");
  for (const char* g : {"kill-single-task-manager", "kill-random-task-managers"}) {
    auto s = NemesisSchedule(g, 60, 3);
    ASSERT_TRUE(s.ok());
    EXPECT_FALSE(s->empty());
    EXPECT_EQ(s->front().f, g);
  }
}

TEST(CombinedScheduleTest, WindowsNeverOverlapAndEndWithinTheLimit) {
  for (uint64_t seed = 1; seed < 30; ++seed) {
    auto s = CombinedSchedule({"kill", "pause", "partition"}, 5, 120, seed);
    ASSERT_TRUE(s.ok());
    bool open = false;
    double prev = 0;
    for (const auto& op : *s) {
      EXPECT_GE(op.at_s, prev);
      EXPECT_LE(op.at_s, 120);
      prev = op.at_s;
      bool start = op.f.ends_with("-start"), stop = op.f.ends_with("-stop");
      if (start) {
        EXPECT_FALSE(open) << "overlapping windows at " << op.at_s;
        open = true;
      } else if (stop) {
        EXPECT_TRUE(open);
        open = false;
      } else {
        EXPECT_FALSE(open) << "a kill inside a window";
        EXPECT_EQ(op.f, "kill");
      }
    }
    EXPECT_FALSE(open);
  }
}

TEST(CombinedScheduleTest, SameSeedSameFaultsRolesAndTimes) {
  auto a = CombinedSchedule({"kill", "pause", "partition"}, 5, 200, 77);
  auto b = CombinedSchedule({"kill", "pause", "partition"}, 5, 200, 77);
  ASSERT_TRUE(a.ok() && b.ok());
  ASSERT_EQ(a->size(), b->size());
  std::set<std::string> fs, roles;
  for (size_t i = 0; i < a->size(); ++i) {
    EXPECT_EQ((*a)[i].f, (*b)[i].f);
    EXPECT_EQ((*a)[i].args, (*b)[i].args);
    EXPECT_DOUBLE_EQ((*a)[i].at_s, (*b)[i].at_s);
    fs.insert((*a)[i].f);
    if ((*a)[i].args.contains("role")) roles.insert((*a)[i].args["role"].get<std::string>());
  }
  EXPECT_EQ(fs.size(), 5u);  // kill, pause-start/stop, partition-start/stop all drawn
  EXPECT_EQ(roles.size(), 3u);  // taskmanager, jobmanager, zookeeper
}

TEST(CombinedScheduleTest, RefusesUnknownFamilies) {
  EXPECT_EQ(CombinedSchedule({"kill", "meteor"}, 5, 60, 1).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_FALSE(CombinedSchedule({}, 5, 60, 1).ok());
}

}  // namespace
}  // namespace jf

namespace jf {
namespace {

TEST(CombinedScheduleTest, NetworkFamiliesCarryTheirSettings) {
  auto s = CombinedSchedule({"loss", "bandwidth"}, 5, 300, 9);
  ASSERT_TRUE(s.ok());
  std::set<std::string> fs;
  for (const auto& op : *s) {
    fs.insert(op.f);
    if (op.f == "loss-start") {
      double p = op.args["p"].get<double>();
      EXPECT_GE(p, 0.1);
      EXPECT_LT(p, 0.5);
    }
    if (op.f == "bandwidth-start") EXPECT_GT(op.args["kbit"].get<int>(), 0);
  }
  EXPECT_EQ(fs, (std::set<std::string>{"loss-start", "loss-stop", "bandwidth-start", "bandwidth-stop"}));
}

TEST(CombinedScheduleTest, FreezeDelayAndTargetingsAreDrawn) {
  auto s = CombinedSchedule({"freeze", "delay", "pause", "partition"}, 5, 2000, 3);
  ASSERT_TRUE(s.ok());
  std::set<std::string> fs, ways, shapes;
  for (const auto& op : *s) {
    fs.insert(op.f);
    if (op.args.contains("targeting")) ways.insert(op.args["targeting"].get<std::string>());
    if (op.args.contains("shape")) shapes.insert(op.args["shape"].get<std::string>());
    if (op.f == "delay-start") EXPECT_GT(op.args["ms"].get<int>(), 0);
    if (op.f == "freeze-start") EXPECT_TRUE(op.args.contains("role"));
  }
  EXPECT_TRUE(fs.count("freeze-start") && fs.count("freeze-stop"));
  EXPECT_TRUE(fs.count("delay-start") && fs.count("delay-stop"));
  EXPECT_EQ(ways, (std::set<std::string>{"one", "leader", "majority", "busy"}));
  EXPECT_EQ(shapes.size(), 7u) << "every partition shape, zookeeper-quorum included";
}

}  // namespace
}  // namespace jf

namespace jf {
namespace {

TEST(NemesisScheduleTest, FailNameNodeDuringRecoveryIsTheOriginals) {
  auto s = NemesisSchedule("fail-name-node-during-recovery", 5, 1);
  ASSERT_TRUE(s.ok());
  ASSERT_EQ(s->size(), 4u);
  EXPECT_EQ((*s)[0].f, "partition-start");
  EXPECT_EQ((*s)[0].args["shape"], "random-halves");
  EXPECT_EQ((*s)[1].f, "fail-name-node-start");
  EXPECT_DOUBLE_EQ((*s)[2].at_s, 20);
  EXPECT_EQ((*s)[2].f, "partition-stop");
  EXPECT_DOUBLE_EQ((*s)[3].at_s, 80);  // 20 s + the original's 60 s
  EXPECT_EQ((*s)[3].f, "fail-name-node-stop");
}

}  // namespace
}  // namespace jf

