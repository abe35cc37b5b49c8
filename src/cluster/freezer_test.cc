#include "cluster/freezer.h"

#include <gtest/gtest.h>

#include <algorithm>

namespace jf {
namespace {

constexpr char kHybridMounts[] =
    "tmpfs /sys/fs/cgroup tmpfs rw,relatime,mode=755 0 0\n"
    "cgroup /sys/fs/cgroup/cpu cgroup rw,relatime,cpu 0 0\n"
    "cgroup /sys/fs/cgroup/freezer cgroup rw,relatime,freezer 0 0\n"
    "cgroup2 /sys/fs/cgroup/unified cgroup2 rw,relatime 0 0\n";

TEST(FreezerTest, PrefersCgroupV2AndFallsBackToTheV1Freezer) {
  auto m = FindFreezer(kHybridMounts);
  ASSERT_TRUE(m);
  EXPECT_TRUE(m->v2);
  EXPECT_EQ(m->root, "/sys/fs/cgroup/unified");
  EXPECT_EQ(AllFreezers(kHybridMounts).size(), 2u);

  auto v1 = FindFreezer(
      "cgroup /sys/fs/cgroup/freezer cgroup rw,relatime,freezer 0 0\n"
      "cgroup /sys/fs/cgroup/cpu cgroup rw,cpu,cpuacct 0 0\n");
  ASSERT_TRUE(v1);
  EXPECT_FALSE(v1->v2);
  EXPECT_EQ(v1->root, "/sys/fs/cgroup/freezer");

  EXPECT_FALSE(FindFreezer("cgroup /sys/fs/cgroup/cpu cgroup rw,cpu 0 0\n"));
  // "freezer" must be a whole option, not part of one.
  EXPECT_FALSE(FindFreezer("cgroup /x cgroup rw,name=nofreezer 0 0\n"));
}

TEST(FreezerTest, ProcessTreeIsTheInitAndItsDescendantsOnly) {
  // 10 is the node's init; 11 and 12 descend from it; 20 is an nsenter child of the harness (30),
  // so it and its child 21 stay out even though they live in the node.
  std::vector<ProcEntry> procs = {{1, 0},   {30, 1},  {10, 1},  {11, 10},
                                  {12, 11}, {20, 30}, {21, 20}, {13, 10}};
  auto tree = ProcessTree(procs, 10);
  ASSERT_FALSE(tree.empty());
  EXPECT_EQ(tree.front(), 10);
  std::sort(tree.begin(), tree.end());
  EXPECT_EQ(tree, (std::vector<int>{10, 11, 12, 13}));
  EXPECT_EQ(ProcessTree({}, 10), (std::vector<int>{10}));
}

TEST(FreezerTest, CgroupOfReadsTheRightHierarchy) {
  const std::string cg =
      "9:name=systemd:/\n"
      "6:freezer:/jepsen-flink/n1\n"
      "4:memory:/process_api/x\n"
      "1:cpu,cpuacct:/a\n"
      "0::/user.slice/session-2.scope\n";
  EXPECT_EQ(CgroupOf(cg, {true, "/sys/fs/cgroup/unified"}), "/user.slice/session-2.scope");
  EXPECT_EQ(CgroupOf(cg, {false, "/sys/fs/cgroup/freezer"}), "/jepsen-flink/n1");
  EXPECT_EQ(CgroupOf("4:memory:/x\n", {false, "/f"}), "/");
}

}  // namespace
}  // namespace jf
