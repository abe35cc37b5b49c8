#include "control/ssh_hosts.h"

#include <gtest/gtest.h>

namespace jf {
namespace {

TEST(SshHostsTest, NodesFileSkipsCommentsAndBlankLines) {
  auto hosts = ParseNodesFile("# the cluster\n\n  n1.example.org \n10.77.7.12\r\nn_3\n");
  ASSERT_TRUE(hosts.ok()) << hosts.status().ToString();
  EXPECT_EQ(*hosts, (std::vector<std::string>{"n1.example.org", "10.77.7.12", "n_3"}));
}

TEST(SshHostsTest, HostileEntriesAreRefusedWholeNamingTheLine) {
  for (const std::string bad :
       {"n1; touch /tmp/canary", "$(touch /tmp/canary)", "`id`", "n1 n2", "'n1'", "\"n1\"",
        "-oProxyCommand=touch /tmp/canary", "n1|id", "n1&&id", "root@n1", "n1:22", "*"}) {
    auto hosts = ParseNodesFile("n0\n" + bad + "\n");
    ASSERT_FALSE(hosts.ok()) << bad;
    EXPECT_EQ(hosts.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(hosts.status().message().find("line 2"), std::string::npos)
        << hosts.status().message();
    EXPECT_FALSE(CheckNodeList({bad}).ok()) << bad;
  }
}

TEST(SshHostsTest, DuplicatesAndEmptyListsAreRefused) {
  EXPECT_FALSE(ParseNodesFile("n1\nn1\n").ok());
  EXPECT_FALSE(ParseNodesFile("# nothing\n\n").ok());
  EXPECT_FALSE(CheckNodeList({}).ok());
  EXPECT_FALSE(CheckNodeList({"n1", "n1"}).ok());
  EXPECT_TRUE(CheckNodeList({"n1", "n2"}).ok());
}

TEST(SshHostsTest, MissingNodesFileIsAnArgumentError) {
  auto hosts = ReadNodesFile("/nonexistent/nodes");
  ASSERT_FALSE(hosts.ok());
  EXPECT_EQ(hosts.status().code(), StatusCode::kInvalidArgument);
}

TEST(SshHostsTest, ResolvesAddressesAndLocalhost) {
  EXPECT_EQ(*ResolveIPv4("10.77.7.11"), "10.77.7.11");
  auto lo = ResolveIPv4("localhost");
  ASSERT_TRUE(lo.ok()) << lo.status().ToString();
  EXPECT_EQ(lo->rfind("127.", 0), 0u) << *lo;
  auto none = ResolveIPv4("no-such-host.invalid");
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(none.status().code(), StatusCode::kUnavailable);
}

}  // namespace
}  // namespace jf
