#include "generator/schedule.h"

#include <gtest/gtest.h>

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
