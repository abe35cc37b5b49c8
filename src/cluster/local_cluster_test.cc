#include "cluster/local_cluster.h"

#include <gtest/gtest.h>

namespace jf {
namespace {

TEST(SubnetTest, ParsesA24) {
  auto s = ParseSubnet("10.77.7.0/24");
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(s->ToString(), "10.77.7.0/24");
  EXPECT_EQ(s->Address(1), "10.77.7.1");
  EXPECT_EQ(s->Address(11), "10.77.7.11");
}

TEST(SubnetTest, RejectsOtherShapes) {
  for (const char* bad : {"10.77.7.0", "10.77.7.0/16", "10.77.7.0/25", "10.77.7.5/24",
                          "10.77.300.0/24", "fd00::/64", "", "/24", "10.77.7.0/24x"}) {
    auto s = ParseSubnet(bad);
    EXPECT_FALSE(s.ok()) << bad;
    if (!s.ok()) {
      EXPECT_EQ(s.status().code(), StatusCode::kInvalidArgument) << bad;
    }
  }
  auto s = ParseSubnet("10.77.7.5/24");
  EXPECT_NE(s.status().message().find("10.77.7.0/24"), std::string::npos) << s.status().message();
}

TEST(SubnetTest, ClashWithRoutesAndAddresses) {
  Ipv4Subnet s = *ParseSubnet("10.77.7.0/24");
  auto routes = nlohmann::json::parse(R"([
    {"dst":"default","gateway":"192.0.2.1","dev":"eth0"},
    {"type":"local","dst":"127.0.0.0/8","dev":"lo","table":"local"},
    {"dst":"192.0.2.0/24","dev":"eth0"}])");
  auto addrs = nlohmann::json::parse(R"([
    {"ifname":"eth0","addr_info":[{"family":"inet","local":"192.0.2.2","prefixlen":24}]}])");
  EXPECT_TRUE(CheckSubnetFree(s, routes, addrs).ok());

  // A wider route covering ours.
  auto wide = nlohmann::json::parse(R"([{"dst":"10.0.0.0/8","dev":"tun0"}])");
  Status st = CheckSubnetFree(s, wide, nlohmann::json::array());
  EXPECT_EQ(st.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(st.message().find("10.0.0.0/8"), std::string::npos) << st.message();
  EXPECT_NE(st.message().find("tun0"), std::string::npos) << st.message();
  // A host route inside ours.
  auto host = nlohmann::json::parse(R"([{"dst":"10.77.7.200","dev":"wg0"}])");
  EXPECT_FALSE(CheckSubnetFree(s, host, nlohmann::json::array()).ok());
  // An address inside ours.
  auto addr = nlohmann::json::parse(R"([
    {"ifname":"br9","addr_info":[{"family":"inet","local":"10.77.7.9","prefixlen":24}]}])");
  st = CheckSubnetFree(s, nlohmann::json::array(), addr);
  EXPECT_FALSE(st.ok());
  EXPECT_NE(st.message().find("br9"), std::string::npos) << st.message();
  // A neighbour /24 does not clash.
  auto next = nlohmann::json::parse(R"([{"dst":"10.77.8.0/24","dev":"x"}])");
  EXPECT_TRUE(CheckSubnetFree(s, next, nlohmann::json::array()).ok());
}

TEST(PlanNodesTest, AssignsNamesAddressesAndDirs) {
  LocalClusterOptions o;
  o.nodes = 3;
  o.subnet = "10.9.8.0/24";
  o.state_dir = "/var/lib/jf-test/";
  auto nodes = PlanNodes(o);
  ASSERT_TRUE(nodes.ok()) << nodes.status().ToString();
  ASSERT_EQ(nodes->size(), 3u);
  EXPECT_EQ((*nodes)[0].name, "n1");
  EXPECT_EQ((*nodes)[0].ip, "10.9.8.11");
  EXPECT_EQ((*nodes)[2].name, "n3");
  EXPECT_EQ((*nodes)[2].ip, "10.9.8.13");
  EXPECT_EQ((*nodes)[1].root_dir, "/var/lib/jf-test/nodes/n2");
  EXPECT_EQ(NetnsName("n3"), "jf-n3");
  EXPECT_EQ(HostVethName("n9"), "jf-n9-h");
  EXPECT_LE(HostVethName("n9").size(), 15u);  // IFNAMSIZ - 1
}

TEST(PlanNodesTest, RejectsBadCounts) {
  LocalClusterOptions o;
  o.state_dir = "/var/lib/jf-test";
  for (int n : {0, -1, 10}) {
    o.nodes = n;
    auto r = PlanNodes(o);
    EXPECT_FALSE(r.ok()) << n;
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  }
  o.nodes = 9;
  EXPECT_TRUE(PlanNodes(o).ok());
}

TEST(StateDirTest, Normalizes) {
  EXPECT_EQ(*NormalizeStateDir("/var/lib/jepsen-flink/"), "/var/lib/jepsen-flink");
  EXPECT_EQ(*NormalizeStateDir("/srv//jf/./x/.."), "/srv/jf");
  for (const char* bad :
       {"", "relative/dir", "/", "/tmp/jf", "/tmp", "/opt/jf", "/var/log/jf", "/run/jf"}) {
    auto r = NormalizeStateDir(bad);
    EXPECT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument) << bad;
  }
  EXPECT_TRUE(NormalizeStateDir("/tmpfoo/jf").ok());
}

TEST(DefaultStateDirTest, EnvOverrides) {
  setenv("JEPSEN_FLINK_STATE_DIR", "/srv/jf-state", 1);
  EXPECT_EQ(DefaultStateDir(), "/srv/jf-state");
  setenv("JEPSEN_FLINK_STATE_DIR", "", 1);
  EXPECT_EQ(DefaultStateDir(), "/var/lib/jepsen-flink");
  unsetenv("JEPSEN_FLINK_STATE_DIR");
  EXPECT_EQ(DefaultStateDir(), "/var/lib/jepsen-flink");
}

TEST(HostsFileTest, ListsLocalhostAndEveryNode) {
  LocalClusterOptions o;
  o.state_dir = "/var/lib/jf-test";
  std::string hosts = RenderHostsFile(*PlanNodes(o));
  EXPECT_NE(hosts.find("127.0.0.1\tlocalhost\n"), std::string::npos) << hosts;
  EXPECT_NE(hosts.find("10.77.7.11\tn1\n"), std::string::npos) << hosts;
  EXPECT_NE(hosts.find("10.77.7.12\tn2\n"), std::string::npos) << hosts;
  EXPECT_NE(hosts.find("10.77.7.13\tn3\n"), std::string::npos) << hosts;
  // A node's own name must resolve to its bridge address, never to loopback.
  EXPECT_EQ(hosts.find("127.0.1.1"), std::string::npos) << hosts;
}

TEST(StateFileTest, RoundTrips) {
  nlohmann::json j = {{"version", 1},
                      {"state_dir", "/var/lib/jf-test"},
                      {"subnet", "10.77.7.0/24"},
                      {"bridge", "jf-br0"},
                      {"bridge_ip", "10.77.7.1"},
                      {"shared_dir", "/var/lib/jf-test/shared"},
                      {"nodes",
                       {{{"name", "n1"},
                         {"ip", "10.77.7.11"},
                         {"init_pid", 4242},
                         {"root_dir", "/var/lib/jf-test/nodes/n1"},
                         {"netns", "jf-n1"},
                         {"host_veth", "jf-n1-h"}},
                        {{"name", "n2"},
                         {"ip", "10.77.7.12"},
                         {"init_pid", 4343},
                         {"root_dir", "/var/lib/jf-test/nodes/n2"},
                         {"netns", "jf-n2"},
                         {"host_veth", "jf-n2-h"}}}}};
  auto c = LocalCluster::FromJson(j);
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->nodes().size(), 2u);
  EXPECT_EQ(c->nodes()[1].init_pid, 4343);
  EXPECT_EQ(c->bridge_ip(), "10.77.7.1");
  EXPECT_EQ(c->shared_dir(), "/var/lib/jf-test/shared");
  EXPECT_EQ(c->ToJson(), j);
  auto again = LocalCluster::FromJson(nlohmann::json::parse(c->ToJson().dump()));
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->ToJson(), j);

  auto remote = c->RemoteFor("n2");
  ASSERT_NE(remote, nullptr);
  EXPECT_EQ(remote->node(), "n2");
  EXPECT_EQ(c->RemoteFor("n7"), nullptr);
}

TEST(StateFileTest, RejectsMalformed) {
  EXPECT_FALSE(LocalCluster::FromJson(nlohmann::json::array()).ok());
  EXPECT_FALSE(LocalCluster::FromJson({{"version", 2}}).ok());
  EXPECT_FALSE(LocalCluster::FromJson({{"version", "x"}}).ok());
  nlohmann::json j = {{"version", 1},
                      {"state_dir", "/x"},
                      {"subnet", "10.77.7.0/24"},
                      {"bridge_ip", "10.77.7.1"},
                      {"nodes", {{{"name", "n1"}}}}};
  auto r = LocalCluster::FromJson(j);
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace jf
