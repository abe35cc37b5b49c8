#include "db/hdfs.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <regex>

#include "dist/flink_dist.h"

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
  std::regex re("<property><name>" + name + "</name><value>([^<]*)</value></property>");
  return std::regex_search(xml, m, re) ? m[1].str() : "<missing>";
}

TEST(HdfsTest, CoreSitePointsAtTheNameNodeOnTheFirstNode) {
  auto ctx = Ctx(3);
  std::string xml = HdfsDb::RenderCoreSite(ctx);
  EXPECT_EQ(Prop(xml, "fs.defaultFS"), "hdfs://10.1.2.11:8020");
  EXPECT_EQ(HdfsDb::DefaultFsUri(ctx), "hdfs://10.1.2.11:8020");
  EXPECT_EQ(Prop(xml, "hadoop.tmp.dir"), "/opt/hadoop-data/tmp");
  EXPECT_EQ(xml.rfind("<?xml", 0), 0u);
  EXPECT_NE(xml.find("</configuration>"), std::string::npos);
}

TEST(HdfsTest, HdfsSiteHasTheKeysTheLocalClusterNeeds) {
  std::string xml = HdfsDb::RenderHdfsSite(Ctx(3));
  EXPECT_EQ(Prop(xml, "dfs.namenode.rpc-address"), "10.1.2.11:8020");
  EXPECT_EQ(Prop(xml, "dfs.namenode.http-address"), "10.1.2.11:9870");
  EXPECT_EQ(Prop(xml, "dfs.datanode.address"), "0.0.0.0:9866");
  EXPECT_EQ(Prop(xml, "dfs.namenode.name.dir"), "file:///opt/hadoop-data/name");
  EXPECT_EQ(Prop(xml, "dfs.datanode.data.dir"), "file:///opt/hadoop-data/data");
  EXPECT_EQ(Prop(xml, "dfs.replication"), "3");
  EXPECT_EQ(Prop(xml, "dfs.permissions.enabled"), "false");
  EXPECT_EQ(Prop(xml, "dfs.namenode.datanode.registration.ip-hostname-check"), "false");
  EXPECT_EQ(Prop(xml, "dfs.heartbeat.interval"), "1");
  EXPECT_EQ(Prop(xml, "dfs.namenode.heartbeat.recheck-interval"), "5000");
  EXPECT_EQ(Prop(xml, "dfs.namenode.safemode.extension"), "5000");
  EXPECT_EQ(Prop(xml, "dfs.client.block.write.replace-datanode-on-failure.best-effort"), "true");
}

TEST(HdfsTest, ReplicationIsAtMostThreeAndAtMostTheNodes) {
  EXPECT_EQ(Prop(HdfsDb::RenderHdfsSite(Ctx(1)), "dfs.replication"), "1");
  EXPECT_EQ(Prop(HdfsDb::RenderHdfsSite(Ctx(2)), "dfs.replication"), "2");
  EXPECT_EQ(Prop(HdfsDb::RenderHdfsSite(Ctx(5)), "dfs.replication"), "3");
}

TEST(HdfsTest, Log4jSendsDaemonsToFilesAndClientsToStderr) {
  std::string p = HdfsDb::RenderLog4jProperties();
  EXPECT_NE(p.find("log4j.rootLogger=${hadoop.root.logger}"), std::string::npos);
  EXPECT_NE(p.find("hadoop.root.logger=WARN,console"), std::string::npos);
  EXPECT_NE(p.find("log4j.appender.RFA.File=${hadoop.log.dir}/${hadoop.log.file}"),
            std::string::npos);
  EXPECT_NE(p.find("log4j.appender.console.target=System.err"), std::string::npos);
}

TEST(HdfsTest, RolesAndTheirNodes) {
  auto ctx = Ctx(3);
  HdfsDb db("/lib");
  EXPECT_EQ(db.Roles(), (std::vector<std::string>{"namenode", "datanode"}));
  auto nn = db.NodesWithRole(ctx, "namenode");
  ASSERT_EQ(nn.size(), 1u);
  EXPECT_EQ(nn[0].name, "n1");
  EXPECT_EQ(db.NodesWithRole(ctx, "datanode").size(), 3u);
  EXPECT_TRUE(db.NodesWithRole(ctx, "taskmanager").empty());
  EXPECT_TRUE(db.NodesWithRole(DeployContext{}, "namenode").empty());
  EXPECT_EQ(db.LogPaths(ctx.nodes[1]).front().remote, "/var/log/hadoop");
}

TEST(HdfsTest, FsShellRunsWithTheConfFirstOnTheClasspath) {
  auto argv = HdfsDb::FsShellArgv(Ctx(3), {"-cat", "hdfs://10.1.2.11:8020/x"});
  ASSERT_GE(argv.size(), 5u);
  EXPECT_EQ(argv.front(), "/jdk17/bin/java");
  auto cp = std::find(argv.begin(), argv.end(), "-cp");
  ASSERT_NE(cp, argv.end());
  EXPECT_EQ(*(cp + 1), "/opt/hadoop/conf:/opt/hadoop/lib/*");
  EXPECT_EQ(*(cp + 2), kFsShellClass);
  EXPECT_EQ(argv[argv.size() - 2], "-cat");
  EXPECT_EQ(argv.back(), "hdfs://10.1.2.11:8020/x");
  EXPECT_NE(std::find(argv.begin(), argv.end(), "-Dhadoop.root.logger=WARN,console"), argv.end());
}

constexpr const char* kOperational =
    R"({"beans":[{"name":"Hadoop:service=NameNode,name=FSNamesystemState",
  "FSState":"Operational","NumLiveDataNodes":3,"NumDeadDataNodes":0}]})";
constexpr const char* kInfoOff = R"({"beans":[{"name":"Hadoop:service=NameNode,name=NameNodeInfo",
  "Safemode":"","LiveNodes":"{}"}]})";

TEST(HdfsTest, ParsesAnOperationalNameNode) {
  auto st = HdfsDb::ParseNameNodeJmx(kOperational, kInfoOff);
  ASSERT_TRUE(st.ok()) << st.status().ToString();
  EXPECT_FALSE(st->safe_mode);
  EXPECT_EQ(st->live_datanodes, 3);
  EXPECT_EQ(st->safe_mode_tip, "");
}

TEST(HdfsTest, ParsesSafeModeFromEitherBean) {
  auto st = HdfsDb::ParseNameNodeJmx(
      R"({"beans":[{"FSState":"safeMode","NumLiveDataNodes":1}]})",
      R"({"beans":[{"Safemode":"Safe mode is ON. The reported blocks 0 needs more."}]})");
  ASSERT_TRUE(st.ok()) << st.status().ToString();
  EXPECT_TRUE(st->safe_mode);
  EXPECT_EQ(st->live_datanodes, 1);
  EXPECT_NE(st->safe_mode_tip.find("Safe mode is ON"), std::string::npos);
  // The state bean alone saying so is enough.
  st = HdfsDb::ParseNameNodeJmx(R"({"beans":[{"FSState":"safeMode","NumLiveDataNodes":3}]})",
                                kInfoOff);
  ASSERT_TRUE(st.ok());
  EXPECT_TRUE(st->safe_mode);
  EXPECT_FALSE(st->safe_mode_tip.empty());
}

TEST(HdfsTest, RejectsAnswersWithoutTheBeans) {
  EXPECT_FALSE(HdfsDb::ParseNameNodeJmx(R"({"beans":[]})", kInfoOff).ok());
  EXPECT_FALSE(HdfsDb::ParseNameNodeJmx("<html>", kInfoOff).ok());
  EXPECT_FALSE(HdfsDb::ParseNameNodeJmx(R"({"beans":[{"FSState":"Operational"}]})", kInfoOff).ok());
  EXPECT_FALSE(HdfsDb::ParseNameNodeJmx(kOperational, R"({"beans":[{}]})").ok());
}

TEST(HdfsTest, FlinkClasspathHasTheClientJarsButNoLoggingOrServerJars) {
  std::vector<std::string> jars = {
      "hadoop-common-3.5.0.jar",       "hadoop-hdfs-client-3.5.0.jar",
      "hadoop-hdfs-3.5.0.jar",         "hadoop-hdfs-3.5.0-tests.jar",
      "hadoop-yarn-api-3.5.0.jar",     "hadoop-yarn-server-nodemanager-3.5.0.jar",
      "reload4j-1.2.22.jar",           "slf4j-api-1.7.36.jar",
      "slf4j-reload4j-1.7.36.jar",     "guava-33.4.8-jre.jar",
      "hadoop-shaded-guava-1.5.0.jar", "README.txt"};
  std::string cp = HadoopClasspathForFlink(jars, "/opt/hadoop/lib", "/opt/hadoop/conf");
  EXPECT_EQ(
      cp,
      "/opt/hadoop/conf:/opt/hadoop/lib/guava-33.4.8-jre.jar:"
      "/opt/hadoop/lib/hadoop-common-3.5.0.jar:/opt/hadoop/lib/hadoop-hdfs-client-3.5.0.jar:"
      "/opt/hadoop/lib/hadoop-shaded-guava-1.5.0.jar:/opt/hadoop/lib/hadoop-yarn-api-3.5.0.jar");
}

TEST(HdfsTest, HadoopLibDirNamesTheSetUpCommandWhenMissing) {
  auto cache = std::filesystem::temp_directory_path() / fmt::format("jf_hadoop_cache_{}", getpid());
  std::filesystem::remove_all(cache);
  auto missing = HadoopLibDir(cache.string());
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
  EXPECT_NE(missing.status().message().find("setup.sh"), std::string::npos);
  std::filesystem::create_directories(cache / "hadoop" / "lib");
  for (const char* j : {"hadoop-common-3.5.0.jar", "hadoop-hdfs-3.5.0.jar"}) {
    std::ofstream(cache / "hadoop" / "lib" / j) << "x";
  }
  auto found = HadoopLibDir(cache.string());
  ASSERT_TRUE(found.ok()) << found.status().ToString();
  EXPECT_EQ(*found, (cache / "hadoop" / "lib").string());
  auto cp = HadoopClasspathForFlinkOnNodes(*found);
  ASSERT_TRUE(cp.ok());
  EXPECT_EQ(*cp, "/opt/hadoop/conf:/opt/hadoop/lib/hadoop-common-3.5.0.jar");
  std::filesystem::remove_all(cache);
}

}  // namespace
}  // namespace jf
