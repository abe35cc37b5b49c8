#include "control/ports.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace jf {
namespace {

using ::testing::ElementsAre;

// As Debian 12's ss (iproute2 6.1) prints it inside a node's namespace.
constexpr char kSs[] =
    "LISTEN 0      50           0.0.0.0:8081       0.0.0.0:*    "
    "users:((\"python3\",pid=41,fd=3))\n"
    "LISTEN 0      4096   [::ffff:10.77.7.11]:6123         *:*    "
    "users:((\"java\",pid=7,fd=212),(\"java\",pid=7,fd=211))\n"
    "LISTEN 0      128             [::]:8081          [::]:*    "
    "users:((\"python3\",pid=41,fd=4))\n"
    "LISTEN 0      5          127.0.0.1:2181       0.0.0.0:*\n"
    "garbage\n"
    "LISTEN 0      5          127.0.0.1:notaport   0.0.0.0:*\n";

TEST(PortsTest, ParsesAddressPortAndHolder) {
  auto l = ParseSsListeners(kSs);
  ASSERT_EQ(l.size(), 4u);
  EXPECT_EQ(l[0].address, "0.0.0.0");
  EXPECT_EQ(l[0].port, 8081);
  EXPECT_EQ(l[0].program, "python3");
  EXPECT_EQ(l[0].pid, 41);
  EXPECT_EQ(l[1].address, "[::ffff:10.77.7.11]");
  EXPECT_EQ(l[1].port, 6123);
  EXPECT_EQ(l[1].pid, 7);
  EXPECT_EQ(l[3].program, "");  // ss without the rights to see the process
  EXPECT_EQ(l[3].port, 2181);
}

TEST(PortsTest, ConflictsNameThePortItsUseAndItsHolderOnce) {
  auto c = PortConflicts(ParseSsListeners(kSs),
                         {{8081, "Flink REST"}, {2181, "ZooKeeper clients"}, {6122, "x"}});
  EXPECT_THAT(c, ElementsAre("port 8081 (Flink REST) is in use by python3 (pid 41) on 0.0.0.0",
                             "port 2181 (ZooKeeper clients) is in use by another process on "
                             "127.0.0.1"));
  EXPECT_TRUE(PortConflicts(ParseSsListeners(kSs), {{9870, "HDFS"}}).empty());
}

}  // namespace
}  // namespace jf
