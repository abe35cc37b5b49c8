#include "db/yarn.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <regex>

namespace jf {
namespace {

DeployContext Ctx(int nodes) {
  DeployContext ctx;
  for (int i = 1; i <= nodes; ++i) {
    ctx.nodes.push_back({fmt::format("n{}", i), fmt::format("10.1.2.{}", 10 + i), nullptr});
  }
  ctx.java_home = "/jdk17";
  return ctx;
}

// The value of property `name` in a *-site.xml, or "<missing>".
std::string Prop(const std::string& xml, const std::string& name) {
  std::smatch m;
  std::regex re("<property><name>" + std::regex_replace(name, std::regex("\\."), "\\.") +
                "</name><value>([^<]*)</value></property>");
  return std::regex_search(xml, m, re) ? m[1].str() : "<missing>";
}

TEST(YarnTest, ResourceManagerRunsOnTheSecondNodeOrTheOnlyOne) {
  EXPECT_EQ(YarnDb::ResourceManagerHost(Ctx(3)).name, "n2");
  EXPECT_EQ(YarnDb::ResourceManagerHost(Ctx(2)).name, "n2");
  EXPECT_EQ(YarnDb::ResourceManagerHost(Ctx(1)).name, "n1");
  EXPECT_EQ(YarnDb::RestUrl(Ctx(3)), "http://10.1.2.12:8088/ws/v1/cluster");
  EXPECT_EQ(YarnDb::RestUrl(Ctx(1)), "http://10.1.2.11:8088/ws/v1/cluster");
}

TEST(YarnTest, YarnSiteHasTheResourceManagerAndThisNodesNodeManager) {
  auto ctx = Ctx(3);
  std::string xml = YarnDb::RenderYarnSite(ctx, ctx.nodes[2], "/c,/j.jar");
  EXPECT_EQ(xml.rfind("<?xml", 0), 0u);
  EXPECT_EQ(Prop(xml, "yarn.resourcemanager.hostname"), "10.1.2.12");
  EXPECT_EQ(Prop(xml, "yarn.resourcemanager.address"), "10.1.2.12:8032");
  EXPECT_EQ(Prop(xml, "yarn.resourcemanager.scheduler.address"), "10.1.2.12:8030");
  EXPECT_EQ(Prop(xml, "yarn.resourcemanager.resource-tracker.address"), "10.1.2.12:8031");
  EXPECT_EQ(Prop(xml, "yarn.resourcemanager.admin.address"), "10.1.2.12:8033");
  EXPECT_EQ(Prop(xml, "yarn.resourcemanager.webapp.address"), "10.1.2.12:8088");
  EXPECT_EQ(Prop(xml, "yarn.node-attribute.fs-store.root-dir"),
            "file:///opt/hadoop-yarn-data/node-attribute");
  EXPECT_EQ(Prop(xml, "yarn.nodemanager.hostname"), "10.1.2.13");
  EXPECT_EQ(Prop(xml, "yarn.nodemanager.address"), "10.1.2.13:8041");
  EXPECT_EQ(Prop(xml, "yarn.nodemanager.localizer.address"), "10.1.2.13:8040");
  EXPECT_EQ(Prop(xml, "yarn.nodemanager.webapp.address"), "10.1.2.13:8042");
  EXPECT_EQ(Prop(xml, "yarn.application.classpath"), "/c,/j.jar");
  // Only the NodeManager's own address differs between the nodes.
  std::string n1 = YarnDb::RenderYarnSite(ctx, ctx.nodes[0], "/c,/j.jar");
  EXPECT_EQ(Prop(n1, "yarn.nodemanager.address"), "10.1.2.11:8041");
  EXPECT_EQ(std::regex_replace(n1, std::regex("10\\.1\\.2\\.11"), "X"),
            std::regex_replace(xml, std::regex("10\\.1\\.2\\.13"), "X"));
}

TEST(YarnTest, YarnSiteSizesNodeManagersAndDetectsLossInSeconds) {
  auto ctx = Ctx(3);
  std::string xml = YarnDb::RenderYarnSite(ctx, ctx.nodes[0], "");
  EXPECT_EQ(Prop(xml, "yarn.nodemanager.resource.memory-mb"), "4096");
  EXPECT_EQ(Prop(xml, "yarn.nodemanager.resource.cpu-vcores"), "4");
  EXPECT_EQ(Prop(xml, "yarn.scheduler.minimum-allocation-mb"), "256");
  EXPECT_EQ(Prop(xml, "yarn.scheduler.maximum-allocation-mb"), "4096");
  EXPECT_EQ(Prop(xml, "yarn.scheduler.maximum-allocation-vcores"), "4");
  EXPECT_EQ(Prop(xml, "yarn.nodemanager.vmem-check-enabled"), "false");
  EXPECT_EQ(
      Prop(xml, "yarn.nodemanager.disk-health-checker.max-disk-utilization-per-disk-percentage"),
      "99");
  EXPECT_EQ(Prop(xml, "yarn.nm.liveness-monitor.expiry-interval-ms"), "6000");
  EXPECT_EQ(Prop(xml, "yarn.resourcemanager.nodemanagers.heartbeat-interval-ms"), "1000");
  EXPECT_LE(std::stoi(Prop(xml, "yarn.nm.liveness-monitor.expiry-interval-ms")), 10000);
  EXPECT_EQ(Prop(xml, "yarn.resourcemanager.connect.retry-interval.ms"), "1000");
  EXPECT_EQ(Prop(xml, "yarn.resourcemanager.am.max-attempts"), "1000");
  EXPECT_EQ(Prop(xml, "yarn.am.liveness-monitor.expiry-interval-ms"), "30000");
  EXPECT_EQ(Prop(xml, "yarn.resourcemanager.scheduler.class"),
            "org.apache.hadoop.yarn.server.resourcemanager.scheduler.capacity.CapacityScheduler");
}

TEST(YarnTest, ContainersGetJava17AndKeepTheirLogsOnTheNode) {
  auto ctx = Ctx(3);
  std::string xml = YarnDb::RenderYarnSite(ctx, ctx.nodes[0], "");
  EXPECT_EQ(Prop(xml, "yarn.log-aggregation-enable"), "false");
  EXPECT_EQ(Prop(xml, "yarn.nodemanager.log-dirs"), "/var/log/hadoop-yarn/containers");
  EXPECT_EQ(Prop(xml, "yarn.nodemanager.local-dirs"), "/opt/hadoop-yarn-data/local");
  // A restarted NodeManager without recovery deletes every earlier application's logs.
  EXPECT_EQ(Prop(xml, "yarn.nodemanager.recovery.enabled"), "true");
  EXPECT_EQ(Prop(xml, "yarn.nodemanager.recovery.dir"), "/opt/hadoop-yarn-data/recovery");
  EXPECT_EQ(Prop(xml, "yarn.nodemanager.recovery.supervised"), "false");
  // JAVA_HOME comes from the NodeManager's environment through the whitelist, not admin-env:
  // admin-env appends to a value the container sets ("a:b"), which breaks $JAVA_HOME/bin/java.
  std::string wl = Prop(xml, "yarn.nodemanager.env-whitelist");
  EXPECT_NE(("," + wl + ",").find(",JAVA_HOME,"), std::string::npos) << wl;
  EXPECT_NE(("," + wl + ",").find(",HADOOP_CONF_DIR,"), std::string::npos) << wl;
  EXPECT_EQ(Prop(xml, "yarn.nodemanager.admin-env"), "<missing>");
}

TEST(YarnTest, CoreSiteAndCapacityScheduler) {
  std::string core = YarnDb::RenderCoreSite("hdfs://10.1.2.11:8020");
  EXPECT_EQ(Prop(core, "fs.defaultFS"), "hdfs://10.1.2.11:8020");
  EXPECT_EQ(Prop(core, "hadoop.tmp.dir"), "/opt/hadoop-yarn-data/tmp");
  EXPECT_EQ(Prop(core, "hadoop.http.staticuser.user"), "root");
  EXPECT_EQ(YarnDb::DefaultFs(Ctx(3), ""), "hdfs://10.1.2.11:8020");
  EXPECT_EQ(YarnDb::DefaultFs(Ctx(3), "file:///"), "file:///");

  std::string cs = YarnDb::RenderCapacitySchedulerXml();
  EXPECT_EQ(Prop(cs, "yarn.scheduler.capacity.root.queues"), "default");
  EXPECT_EQ(Prop(cs, "yarn.scheduler.capacity.root.default.capacity"), "100");
  EXPECT_EQ(Prop(cs, "yarn.scheduler.capacity.maximum-am-resource-percent"), "0.5");
}

TEST(YarnTest, ApplicationClasspathIsTheConfDirAndTheClientJars) {
  std::vector<std::string> jars = {"hadoop-common-3.5.0.jar",
                                   "hadoop-yarn-client-3.5.0.jar",
                                   "hadoop-yarn-server-nodemanager-3.5.0.jar",
                                   "hadoop-hdfs-3.5.0.jar",
                                   "reload4j-1.2.22.jar",
                                   "slf4j-reload4j-1.7.36.jar",
                                   "NOTICE.txt"};
  EXPECT_EQ(YarnDb::ApplicationClasspath(jars),
            "/opt/hadoop-yarn/conf,/opt/hadoop-yarn/lib/hadoop-common-3.5.0.jar,"
            "/opt/hadoop-yarn/lib/hadoop-yarn-client-3.5.0.jar");
}

TEST(YarnTest, MissingJarsNamesWhatTheDaemonsNeed) {
  std::vector<std::string> all = {"hadoop-yarn-server-resourcemanager-3.5.0.jar",
                                  "hadoop-yarn-server-nodemanager-3.5.0.jar",
                                  "hadoop-yarn-server-timelineservice-3.5.0.jar"};
  EXPECT_TRUE(YarnDb::MissingJars(all).empty());
  all.pop_back();
  EXPECT_EQ(YarnDb::MissingJars(all),
            std::vector<std::string>{"hadoop-yarn-server-timelineservice-*.jar"});
  EXPECT_EQ(YarnDb::MissingJars({}).size(), 3u);
}

TEST(YarnTest, DaemonsRunOnJava17WithASmallHeapAndTheConfFirst) {
  auto argv = YarnDb::DaemonArgv(Ctx(3), "nodemanager");
  ASSERT_GE(argv.size(), 5u);
  EXPECT_EQ(argv.front(), "/jdk17/bin/java");
  EXPECT_EQ(argv.back(), kNodeManagerClass);
  auto has = [&](const std::string& a) {
    return std::find(argv.begin(), argv.end(), a) != argv.end();
  };
  EXPECT_TRUE(has("-Xmx384m"));
  EXPECT_TRUE(has("-XX:+UseSerialGC"));
  EXPECT_TRUE(has("--add-opens=java.base/java.lang=ALL-UNNAMED"));
  EXPECT_TRUE(has("-Dhadoop.log.dir=/var/log/hadoop-yarn"));
  EXPECT_TRUE(has("-Dhadoop.log.file=nodemanager.log"));
  auto cp = std::find(argv.begin(), argv.end(), "-cp");
  ASSERT_NE(cp, argv.end());
  EXPECT_EQ(*(cp + 1), "/opt/hadoop-yarn/conf:/opt/hadoop-yarn/lib/*");
  EXPECT_EQ(YarnDb::DaemonArgv(Ctx(3), "resourcemanager").back(), kResourceManagerClass);
  EXPECT_TRUE(YarnDb::DaemonArgv(Ctx(3), "namenode").empty());
}

TEST(YarnTest, RolesAndTheirNodes) {
  auto ctx = Ctx(3);
  YarnDb db("/lib");
  EXPECT_EQ(db.Roles(), (std::vector<std::string>{"resourcemanager", "nodemanager"}));
  auto rm = db.NodesWithRole(ctx, "resourcemanager");
  ASSERT_EQ(rm.size(), 1u);
  EXPECT_EQ(rm[0].name, "n2");
  EXPECT_EQ(db.NodesWithRole(ctx, "nodemanager").size(), 3u);
  EXPECT_TRUE(db.NodesWithRole(ctx, "taskmanager").empty());
  EXPECT_TRUE(db.NodesWithRole(DeployContext{}, "resourcemanager").empty());
  auto logs = db.LogPaths(ctx.nodes[0]);
  ASSERT_FALSE(logs.empty());
  EXPECT_EQ(logs.front().remote, "/var/log/hadoop-yarn");
  // The container logs are inside the collected directory.
  EXPECT_EQ(std::string(kYarnContainerLogDir).rfind(logs.front().remote + "/", 0), 0u);
  EXPECT_FALSE(db.Processes(ctx.nodes[0], "jobmanager").ok());
}

// Answers as Hadoop 3.5.0's ResourceManager gives them (trimmed).
constexpr const char* kNodes =
    R"({"nodes":{"node":[{"rack":"/default-rack","state":"RUNNING","id":"n1:8041",
  "nodeHostName":"n1","nodeHTTPAddress":"n1:8042","healthReport":"","numContainers":0},
  {"rack":"/default-rack","state":"LOST","id":"n3:8041","nodeHostName":"n3",
  "nodeHTTPAddress":"","healthReport":""}]}})";

TEST(YarnTest, ParsesNodes) {
  auto nodes = YarnDb::ParseNodes(kNodes);
  ASSERT_TRUE(nodes.ok()) << nodes.status().ToString();
  ASSERT_EQ(nodes->size(), 2u);
  EXPECT_EQ((*nodes)[0].id, "n1:8041");
  EXPECT_EQ((*nodes)[0].host, "n1");
  EXPECT_EQ((*nodes)[0].state, "RUNNING");
  EXPECT_EQ((*nodes)[0].http_address, "n1:8042");
  EXPECT_EQ((*nodes)[1].state, "LOST");
  // None yet, in both spellings; a single node as an object.
  auto none = YarnDb::ParseNodes(R"({"nodes":{}})");
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());
  none = YarnDb::ParseNodes(R"({"nodes":null})");
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());
  auto one = YarnDb::ParseNodes(R"({"nodes":{"node":{"id":"n2:8041","state":"NEW"}}})");
  ASSERT_TRUE(one.ok());
  ASSERT_EQ(one->size(), 1u);
  EXPECT_EQ(one->front().state, "NEW");
  EXPECT_FALSE(YarnDb::ParseNodes("<html>").ok());
  EXPECT_FALSE(YarnDb::ParseNodes(R"({"apps":{}})").ok());
}

TEST(YarnTest, NodeManagersNotRunningMatchesByNameOrAddress) {
  auto ctx = Ctx(3);
  auto nodes = YarnDb::ParseNodes(kNodes);
  ASSERT_TRUE(nodes.ok());
  EXPECT_EQ(YarnDb::NodeManagersNotRunning(*nodes, ctx.nodes),
            (std::vector<std::string>{"n2", "n3"}));
  std::vector<YarnNode> by_ip = {{.id = "10.1.2.11:8041", .host = "10.1.2.11", .state = "RUNNING"},
                                 {.id = "10.1.2.12:8041", .host = "10.1.2.12", .state = "RUNNING"},
                                 {.id = "10.1.2.13:8041", .host = "10.1.2.13", .state = "RUNNING"}};
  EXPECT_TRUE(YarnDb::NodeManagersNotRunning(by_ip, ctx.nodes).empty());
  by_ip[1].state = "UNHEALTHY";
  EXPECT_EQ(YarnDb::NodeManagersNotRunning(by_ip, ctx.nodes), std::vector<std::string>{"n2"});
  // Names of the ResourceManager's own (FQDNs of SSH hosts, say): enough RUNNING is enough.
  std::vector<YarnNode> fqdn = {{.id = "a.example:8041", .host = "a.example", .state = "RUNNING"},
                                {.id = "b.example:8041", .host = "b.example", .state = "RUNNING"},
                                {.id = "c.example:8041", .host = "c.example", .state = "RUNNING"}};
  EXPECT_TRUE(YarnDb::NodeManagersNotRunning(fqdn, ctx.nodes).empty());
  fqdn.pop_back();
  EXPECT_EQ(YarnDb::NodeManagersNotRunning(fqdn, ctx.nodes).size(), 3u);
  EXPECT_EQ(YarnDb::NodeManagersNotRunning({}, ctx.nodes).size(), 3u);
}

constexpr const char* kAttempts = R"({"appAttempts":{"appAttempt":[
  {"id":1,"startTime":1795612004132,"finishedTime":1795612004966,
   "containerId":"container_1795611946088_0001_01_000001","nodeHttpAddress":"n1:8042",
   "nodeId":"n1:8041","appAttemptId":"appattempt_1795611946088_0001_000001",
   "appAttemptState":"FAILED"},
  {"id":2,"startTime":1795612004971,"finishedTime":0,
   "containerId":"container_1795611946088_0001_02_000001","nodeHttpAddress":"n3:8042",
   "nodeId":"n3:8041","appAttemptId":"appattempt_1795611946088_0001_000002",
   "appAttemptState":"RUNNING"}]}})";

TEST(YarnTest, ParsesAppAttempts) {
  auto attempts = YarnDb::ParseAppAttempts(kAttempts);
  ASSERT_TRUE(attempts.ok()) << attempts.status().ToString();
  ASSERT_EQ(attempts->size(), 2u);
  EXPECT_EQ((*attempts)[0].id, 1);
  EXPECT_EQ((*attempts)[0].state, "FAILED");
  EXPECT_EQ((*attempts)[1].id, 2);
  EXPECT_EQ((*attempts)[1].attempt_id, "appattempt_1795611946088_0001_000002");
  EXPECT_EQ((*attempts)[1].container_id, "container_1795611946088_0001_02_000001");
  EXPECT_EQ((*attempts)[1].node_id, "n3:8041");
  EXPECT_EQ(YarnDb::ParseAppAttemptCount(kAttempts).value_or(-1), 2);
  // A single attempt as an object, with the number quoted.
  EXPECT_EQ(YarnDb::ParseAppAttemptCount(
                R"({"appAttempts":{"appAttempt":{"id":"1","appAttemptState":"RUNNING"}}})")
                .value_or(-1),
            1);
  EXPECT_EQ(YarnDb::ParseAppAttempts(R"({"appAttempts":{"appAttempt":{"id":"7"}}})")->front().id,
            7);
  EXPECT_EQ(YarnDb::ParseAppAttemptCount(R"({"appAttempts":{}})").value_or(-1), 0);
  auto missing = YarnDb::ParseAppAttemptCount(
      R"({"RemoteException":{"exception":"NotFoundException",
      "message":"app with id: application_1_0001 not found",
      "javaClassName":"org.apache.hadoop.yarn.webapp.NotFoundException"}})");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
  EXPECT_NE(missing.status().message().find("application_1_0001"), std::string::npos);
  EXPECT_FALSE(YarnDb::ParseAppAttemptCount("").ok());
}

TEST(YarnTest, ParsesApps) {
  auto apps = YarnDb::ParseApps(R"({"apps":{"app":[{"id":"application_1795611946088_0001",
    "user":"root","name":"flink","queue":"root.default","state":"RUNNING",
    "finalStatus":"UNDEFINED","amHostHttpAddress":"n3:8042","diagnostics":""},
    {"id":"application_1795611946088_0002","name":"x","state":"FAILED","finalStatus":"FAILED",
    "diagnostics":"failed 3 times"}]}})");
  ASSERT_TRUE(apps.ok()) << apps.status().ToString();
  ASSERT_EQ(apps->size(), 2u);
  EXPECT_EQ((*apps)[0].id, "application_1795611946088_0001");
  EXPECT_EQ((*apps)[0].state, "RUNNING");
  EXPECT_EQ((*apps)[0].final_status, "UNDEFINED");
  EXPECT_EQ((*apps)[0].am_host_http_address, "n3:8042");
  EXPECT_EQ((*apps)[1].am_host_http_address, "");
  EXPECT_EQ((*apps)[1].diagnostics, "failed 3 times");
  EXPECT_TRUE(YarnDb::ParseApps(R"({"apps":{}})")->empty());
  EXPECT_TRUE(YarnDb::ParseApps(R"({"apps":null})")->empty());

  auto app = YarnDb::ParseApp(R"({"app":{"id":"application_1_0003","name":"flink",
    "state":"ACCEPTED","finalStatus":"UNDEFINED"}})");
  ASSERT_TRUE(app.ok()) << app.status().ToString();
  EXPECT_EQ(app->id, "application_1_0003");
  EXPECT_EQ(app->state, "ACCEPTED");
  EXPECT_FALSE(YarnDb::ParseApp(R"({"apps":{}})").ok());
}

TEST(YarnTest, CommandAppSubmissionBody) {
  auto body = nlohmann::json::parse(YarnDb::RenderCommandAppSubmission(
      "application_1_0001", "jf-check", "$JAVA_HOME/bin/java -version 2> <LOG_DIR>/v", 3, 256));
  EXPECT_EQ(body["application-id"], "application_1_0001");
  EXPECT_EQ(body["application-name"], "jf-check");
  EXPECT_EQ(body["am-container-spec"]["commands"]["command"],
            "$JAVA_HOME/bin/java -version 2> <LOG_DIR>/v");
  EXPECT_EQ(body["max-app-attempts"], 3);
  EXPECT_EQ(body["resource"]["memory"], 256);
  EXPECT_EQ(body["resource"]["vCores"], 1);
  EXPECT_EQ(body["queue"], "default");
}

}  // namespace
}  // namespace jf
