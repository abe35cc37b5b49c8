#include "db/flink_standalone_session.h"

#include <gtest/gtest.h>

namespace jf {
namespace {

TaskManagerInfo Tm(const std::string& ip, int slots, int free) {
  TaskManagerInfo tm;
  tm.id = ip + ":6122-abc";
  tm.path = "pekko.tcp://flink@" + ip + ":6122/user/rpc/taskmanager_0";
  tm.slots_number = slots;
  tm.free_slots = free;
  return tm;
}

TEST(FlinkStandaloneSessionTest, BusyTaskManagersHoldSlots) {
  DeployContext ctx;
  ctx.nodes = {
      {"n1", "10.77.7.11", nullptr}, {"n2", "10.77.7.12", nullptr}, {"n3", "10.77.7.13", nullptr}};
  // n2 is idle (every slot free); an unknown address maps to no node.
  auto busy = BusyTaskManagerNodes(
      ctx, {Tm("10.77.7.13", 2, 1), Tm("10.77.7.12", 1, 1), Tm("10.77.7.11", 1, 0),
            Tm("10.9.9.9", 1, 0)});
  EXPECT_EQ(busy, (std::vector<std::string>{"n1", "n3"}));
  EXPECT_TRUE(BusyTaskManagerNodes(ctx, {}).empty());
}

}  // namespace
}  // namespace jf
