#include "net/delay_line.h"

#include <gtest/gtest.h>

namespace jf {
namespace {

using std::chrono::microseconds;
using std::chrono::milliseconds;
using TimePoint = DelayLine::TimePoint;

const TimePoint kT0 = TimePoint() + std::chrono::hours(1);

DelayLine::Options Opts(int delay_ms, int jitter_ms = 0, size_t capacity = 100) {
  DelayLine::Options o;
  o.delay = milliseconds(delay_ms);
  o.jitter = milliseconds(jitter_ms);
  o.capacity = capacity;
  o.seed = 7;
  return o;
}

TEST(DelayLineTest, HoldsEachPacketForTheDelay) {
  DelayLine line(Opts(200));
  EXPECT_FALSE(line.NextRelease().has_value());
  ASSERT_TRUE(line.Push(1, kT0));
  ASSERT_TRUE(line.Push(2, kT0 + milliseconds(50)));
  EXPECT_EQ(line.NextRelease(), kT0 + milliseconds(200));
  std::vector<uint32_t> out;
  EXPECT_EQ(line.PopDue(kT0 + milliseconds(199), &out), 0u);
  EXPECT_EQ(line.PopDue(kT0 + milliseconds(200), &out), 1u);
  EXPECT_EQ(out, std::vector<uint32_t>({1}));
  EXPECT_EQ(line.NextRelease(), kT0 + milliseconds(250));
  EXPECT_EQ(line.PopDue(kT0 + milliseconds(1000), &out), 1u);
  EXPECT_EQ(out, std::vector<uint32_t>({1, 2}));
  EXPECT_EQ(line.size(), 0u);
  EXPECT_EQ(line.held_total(), 2u);
  EXPECT_EQ(line.released(), 2u);
  EXPECT_TRUE(line.ids_increasing());
}

TEST(DelayLineTest, JitterStaysInRangeAndNeverReorders) {
  DelayLine line(Opts(100, 50, 100000));
  std::vector<TimePoint> arrivals;
  for (uint32_t id = 1; id <= 5000; ++id) {
    TimePoint now = kT0 + microseconds(id * 37);  // closer together than the jitter
    arrivals.push_back(now);
    ASSERT_TRUE(line.Push(id, now));
  }
  // Release in small steps; each packet comes out in order, no earlier than its delay and no
  // later than delay + jitter after the latest arrival ahead of it.
  std::vector<uint32_t> out;
  TimePoint now = kT0;
  std::chrono::microseconds min_held = std::chrono::hours(1), max_held{0};
  while (line.size() > 0) {
    now += microseconds(100);
    size_t before = out.size();
    line.PopDue(now, &out);
    for (size_t i = before; i < out.size(); ++i) {
      ASSERT_EQ(out[i], i + 1) << "released out of order";
      auto held = std::chrono::duration_cast<microseconds>(now - arrivals[i]);
      min_held = std::min(min_held, held);
      max_held = std::max(max_held, held);
    }
  }
  EXPECT_GE(min_held, milliseconds(100));
  EXPECT_LE(max_held, milliseconds(150) + microseconds(100));  // + one step of the loop
  // The jitter is real: some packets were held clearly longer than the base delay.
  EXPECT_GT(max_held, milliseconds(130)) << max_held.count() << " us";
}

TEST(DelayLineTest, ReleaseTimesNeverDecrease) {
  DelayLine line(Opts(10, 1000, 1000));
  TimePoint prev{};
  for (uint32_t id = 1; id <= 500; ++id) {
    ASSERT_TRUE(line.Push(id, kT0 + microseconds(id)));
  }
  std::vector<uint32_t> out;
  while (line.size() > 0) {
    auto next = line.NextRelease();
    ASSERT_TRUE(next.has_value());
    EXPECT_GE(*next, prev);
    prev = *next;
    line.PopDue(*next, &out);
  }
  ASSERT_EQ(out.size(), 500u);
  for (size_t i = 0; i < out.size(); ++i) EXPECT_EQ(out[i], i + 1);
}

TEST(DelayLineTest, RefusesBeyondCapacityAndCountsIt) {
  DelayLine line(Opts(100, 0, 3));
  EXPECT_TRUE(line.Push(1, kT0));
  EXPECT_TRUE(line.Push(2, kT0));
  EXPECT_TRUE(line.Push(3, kT0));
  EXPECT_FALSE(line.Push(4, kT0));
  EXPECT_FALSE(line.Push(5, kT0));
  EXPECT_EQ(line.size(), 3u);
  EXPECT_EQ(line.overflowed(), 2u);
  std::vector<uint32_t> out;
  line.PopDue(kT0 + milliseconds(100), &out);
  EXPECT_TRUE(line.Push(6, kT0 + milliseconds(100)));  // room again
  EXPECT_EQ(line.held_total(), 4u);
}

TEST(DelayLineTest, PopAllReleasesEverythingInOrder) {
  DelayLine line(Opts(1000));
  for (uint32_t id = 10; id < 15; ++id) ASSERT_TRUE(line.Push(id, kT0));
  std::vector<uint32_t> out;
  EXPECT_EQ(line.PopAll(&out), 5u);
  EXPECT_EQ(out, std::vector<uint32_t>({10, 11, 12, 13, 14}));
  EXPECT_FALSE(line.NextRelease().has_value());
  EXPECT_EQ(line.released(), 5u);
}

TEST(DelayLineTest, NoticesIdsThatDoNotIncrease) {
  DelayLine line(Opts(10));
  ASSERT_TRUE(line.Push(5, kT0));
  ASSERT_TRUE(line.Push(6, kT0));
  EXPECT_TRUE(line.ids_increasing());
  ASSERT_TRUE(line.Push(6, kT0));
  EXPECT_FALSE(line.ids_increasing());
}

TEST(DelayLineTest, ZeroDelayReleasesAtOnce) {
  DelayLine line(Opts(0));
  ASSERT_TRUE(line.Push(1, kT0));
  std::vector<uint32_t> out;
  EXPECT_EQ(line.PopDue(kT0, &out), 1u);
}

}  // namespace
}  // namespace jf
