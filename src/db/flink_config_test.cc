#include "db/flink_config.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "db/flink_standalone_session.h"
#include "db/zookeeper.h"

namespace jf {
namespace {

DeployContext Ctx(int nodes = 3) {
  DeployContext c;
  for (int i = 1; i <= nodes; ++i) {
    c.nodes.push_back({fmt::format("n{}", i), fmt::format("10.77.7.{}", 10 + i), nullptr});
  }
  c.run_id = "20261125T101500-123";
  c.shared_dir = "/var/lib/jepsen-flink/shared";
  return c;
}

// Parses the rendered YAML back: every line is `key: <JSON string>`.
std::map<std::string, std::string> ParseBack(const std::string& yaml) {
  std::map<std::string, std::string> out;
  std::istringstream in(yaml);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    auto colon = line.find(": ");
    out[line.substr(0, colon)] = nlohmann::json::parse(line.substr(colon + 2)).get<std::string>();
  }
  return out;
}

TEST(FlinkConfigTest, HaDefaultsNameTheRunAndTheQuorum) {
  auto c = ClusterFlinkConfig(Ctx());
  EXPECT_EQ(c["high-availability.type"], "zookeeper");
  EXPECT_EQ(c["high-availability.zookeeper.quorum"],
            "10.77.7.11:2181,10.77.7.12:2181,10.77.7.13:2181");
  EXPECT_EQ(c["high-availability.cluster-id"], "/jf-20261125T101500-123");
  EXPECT_EQ(c["high-availability.storageDir"],
            "file:///var/lib/jepsen-flink/shared/20261125T101500-123/ha");
  EXPECT_EQ(c["parallelism.default"], "3");
  // No spare slots by default: parallelism uses every slot.
  auto ctx = Ctx();
  ctx.taskmanager_slots = 2;
  ctx.spare_slots = 1;
  EXPECT_EQ(ClusterFlinkConfig(ctx)["parallelism.default"], "5");
}

TEST(FlinkConfigTest, TunedForASmallMachine) {
  auto c = ClusterFlinkConfig(Ctx());
  EXPECT_THAT(c["env.java.opts.all"], testing::HasSubstr("-XX:+UseSerialGC"));
  EXPECT_THAT(c["env.java.opts.all"], testing::HasSubstr("-XX:TieredStopAtLevel=1"));
  EXPECT_THAT(c["env.java.opts.all"],
              testing::HasSubstr("--add-opens=java.base/java.util=ALL-UNNAMED"));
  int heartbeat = std::stoi(c["heartbeat.timeout"]);
  EXPECT_GE(heartbeat, 10000);
  EXPECT_LE(heartbeat, 15000);
  EXPECT_GE(std::stoi(c["high-availability.zookeeper.client.session-timeout"]), 10000);
  EXPECT_THAT(c["env.java.opts.taskmanager"], testing::HasSubstr("-Xlog:gc"));
}

TEST(FlinkConfigTest, OverridesWinOverDefaultsButNotOverNodeKeys) {
  auto ctx = Ctx();
  ctx.flink_overrides = {{"restart-strategy.type", "none"}, {"rest.address", "1.2.3.4"}};
  auto cluster = ClusterFlinkConfig(ctx);
  EXPECT_EQ(cluster["restart-strategy.type"], "none");
  auto node = NodeFlinkConfig(cluster, ctx.nodes[1]);
  EXPECT_EQ(node["rest.address"], "10.77.7.12");
  EXPECT_EQ(node["taskmanager.host"], "10.77.7.12");
  EXPECT_EQ(node["jobmanager.rpc.address"], "10.77.7.12");
}

TEST(FlinkConfigTest, ListenPortsAreTheFixedOnesAfterOverrides) {
  DeployContext ctx = Ctx();
  auto ports = FlinkListenPorts(ClusterFlinkConfig(ctx));
  EXPECT_EQ(ports.size(), 5u);
  EXPECT_EQ(ports[8081], "Flink REST, rest.port");
  EXPECT_EQ(ports[6123], "JobManager RPC, jobmanager.rpc.port");
  for (int p : {6121, 6122, 6124}) EXPECT_TRUE(ports.contains(p)) << p;
  ctx.flink_overrides = {{"rest.port", "9000"},
                         {"taskmanager.rpc.port", "50100-50200"},
                         {"taskmanager.data.port", "0"},
                         {"blob.server.port", "6124999"}};
  ports = FlinkListenPorts(ClusterFlinkConfig(ctx));
  EXPECT_EQ(ports.size(), 2u);  // ranges, 0 and nonsense are not fixed ports
  EXPECT_TRUE(ports.contains(9000));
  EXPECT_TRUE(ports.contains(6123));
  EXPECT_TRUE(FlinkListenPorts({{"rest.port", "9000"}, {"rest.bind-port", "8081"}}).contains(8081));
}

TEST(FlinkConfigTest, RendersValuesThatSurviveYaml) {
  FlinkConfig c = {{"a.b", "1 s"}, {"quote", "say \"hi\": #not a comment"}, {"dash", "--x=y"}};
  auto yaml = RenderConfigYaml(c);
  EXPECT_EQ(ParseBack(yaml), c);
  // Both Flink lines read exactly this format (config.yaml, standard YAML): one file.
  auto full =
      ParseBack(RenderConfigYaml(NodeFlinkConfig(ClusterFlinkConfig(Ctx()), Ctx().nodes[0])));
  EXPECT_EQ(full["rest.address"], "10.77.7.11");
}

TEST(FlinkConfigTest, ParsesOverrides) {
  auto kv = ParseFlinkOverride("a.b=c=d");
  ASSERT_TRUE(kv.ok());
  EXPECT_EQ(kv->first, "a.b");
  EXPECT_EQ(kv->second, "c=d");
  EXPECT_FALSE(ParseFlinkOverride("novalue").ok());
  EXPECT_FALSE(ParseFlinkOverride("=x").ok());
  EXPECT_FALSE(ParseFlinkOverride("a b=c").ok());
}

TEST(FlinkStandaloneSessionTest, OverrideCheckNamesEveryKeyNotTaken) {
  std::map<std::string, std::string> effective = {{"a", "1"}, {"b", "x"}};
  EXPECT_TRUE(CheckFlinkOverrides({{"a", "1"}}, effective).ok());
  auto s = CheckFlinkOverrides({{"a", "2"}, {"c", "3"}}, effective);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(s.message(), testing::HasSubstr("a is '1' in Flink, not '2'"));
  EXPECT_THAT(s.message(), testing::HasSubstr("c is not in Flink's effective configuration"));
}

TEST(FlinkStandaloneSessionTest, JobManagersOnTheFirstTwoNodes) {
  auto jms = FlinkStandaloneSessionDb::JobManagerNodes(Ctx());
  ASSERT_EQ(jms.size(), 2u);
  EXPECT_EQ(jms[0].name, "n1");
  EXPECT_EQ(jms[1].name, "n2");
  EXPECT_EQ(FlinkStandaloneSessionDb::JobManagerNodes(Ctx(1)).size(), 1u);
}

TEST(FlinkStandaloneSessionTest, WithoutHighAvailabilityOneJobManager) {
  for (const auto& [key, value] :
       std::vector<std::pair<std::string, std::string>>{{"high-availability.type", "NONE"},
                                                        {"high-availability.type", "none"},
                                                        {"high-availability", "NONE"}}) {
    DeployContext c = Ctx();
    c.flink_overrides[key] = value;
    EXPECT_FALSE(HighAvailability(c)) << key << "=" << value;
    auto jms = FlinkStandaloneSessionDb::JobManagerNodes(c);
    ASSERT_EQ(jms.size(), 1u) << key << "=" << value;
    EXPECT_EQ(jms[0].name, "n1");
    EXPECT_EQ(FlinkStandaloneSessionDb::JobManagerUrls(c),
              std::vector<std::string>{"http://10.77.7.11:8081"});
  }
  DeployContext c = Ctx();
  EXPECT_TRUE(HighAvailability(c));
  c.flink_overrides["high-availability.type"] = "zookeeper";
  EXPECT_TRUE(HighAvailability(c));
}

TEST(ZooKeeperTest, ZooCfgListsEveryServer) {
  auto cfg = ZooKeeperDb::RenderZooCfg(Ctx());
  EXPECT_THAT(cfg, testing::HasSubstr("server.1=10.77.7.11:2888:3888\n"));
  EXPECT_THAT(cfg, testing::HasSubstr("server.3=10.77.7.13:2888:3888\n"));
  EXPECT_THAT(cfg, testing::HasSubstr("4lw.commands.whitelist=ruok,srvr"));
  EXPECT_THAT(cfg, testing::HasSubstr("admin.enableServer=false"));
}

}  // namespace
}  // namespace jf
