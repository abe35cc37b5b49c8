#include "db/flink_yarn.h"

#include <gtest/gtest.h>

#include <algorithm>

namespace jf {
namespace {

DeployContext Ctx(const std::string& version = "2.2.1") {
  DeployContext ctx;
  ctx.nodes = {{"n1", "10.77.7.11", nullptr}, {"n2", "10.77.7.12", nullptr}};
  ctx.run_id = "r1";
  ctx.flink_version = version;
  ctx.shared_dir = "/shared";
  return ctx;
}

bool Has(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

TEST(FlinkYarnTest, ConfigLeavesTheClusterIdToYarn) {
  DeployContext ctx = Ctx();
  FlinkConfig c = YarnFlinkConfig(ClusterFlinkConfig(ctx), ctx);
  EXPECT_EQ(c.count("high-availability.cluster-id"), 0u);
  EXPECT_EQ(c.count("io.tmp.dirs"), 0u);
  EXPECT_EQ(c["rest.bind-port"], "8081");
  EXPECT_EQ(c["yarn.application-attempts"], "1000");
  EXPECT_EQ(c["taskmanager.data.port"], "0");
  EXPECT_NE(c["taskmanager.rpc.port"].find('-'), std::string::npos);
  EXPECT_NE(c["env.java.opts.taskmanager"].find("<LOG_DIR>"), std::string::npos);
  EXPECT_EQ(c["high-availability.type"], "zookeeper");
}

TEST(FlinkYarnTest, OverridesWin) {
  DeployContext ctx = Ctx();
  ctx.flink_overrides = {{"yarn.application-attempts", "3"}, {"rest.bind-port", "9000"}};
  FlinkConfig c = YarnFlinkConfig(ClusterFlinkConfig(ctx), ctx);
  EXPECT_EQ(c["yarn.application-attempts"], "3");
  EXPECT_EQ(c["rest.bind-port"], "9000");
}

TEST(FlinkYarnTest, FindsTheApplicationIdInClientOutput) {
  EXPECT_EQ(FindApplicationId("2026 INFO Submitted application application_1795620916441_0001\n"
                              "JobManager Web Interface: http://n1:8081"),
            "application_1795620916441_0001");
  EXPECT_EQ(FindApplicationId("no application here"), "");
}

TEST(FlinkYarnTest, ModesAndTheirEntryClasses) {
  EXPECT_EQ(MakeFlinkYarnDb("standalone-session", "/lib"), nullptr);
  auto session = MakeFlinkYarnDb("yarn-session", "/lib");
  auto app = MakeFlinkYarnDb("yarn-application", "/lib");
  auto job = MakeFlinkYarnDb("yarn-job", "/lib");
  ASSERT_TRUE(session && app && job);
  EXPECT_FALSE(session->LaunchesJobs());
  EXPECT_TRUE(app->LaunchesJobs());
  EXPECT_TRUE(job->LaunchesJobs());
  EXPECT_EQ(*session->EntryClass("jobmanager"), kYarnSessionEntrypointClass);
  EXPECT_EQ(*app->EntryClass("jobmanager"), kYarnApplicationEntrypointClass);
  EXPECT_EQ(*job->EntryClass("jobmanager"), kYarnJobEntrypointClass);
  EXPECT_EQ(*job->EntryClass("taskmanager"), kYarnTaskManagerClass);
  EXPECT_FALSE(job->EntryClass("zookeeper").ok());
  // Containers may land on any node.
  EXPECT_EQ(session->NodesWithRole(Ctx(), "jobmanager").size(), 2u);
  EXPECT_EQ(session->RestUrls(Ctx()),
            (std::vector<std::string>{"http://10.77.7.11:8081", "http://10.77.7.12:8081"}));
}

TEST(FlinkYarnTest, SessionsTakeJobsOverRest) {
  DeployContext ctx = Ctx();
  auto session = MakeFlinkYarnDb("yarn-session", "/lib");
  auto r = session->LaunchJob(ctx, JobLaunch{});
  EXPECT_EQ(r.status().code(), StatusCode::kFailedPrecondition);
}

TEST(FlinkYarnTest, ClientCommandPerMode) {
  JobLaunch job{
      .jar = "/h/job.jar", .entry_class = "a.Main", .args = {"--x", "1"}, .parallelism = 3};
  auto session = MakeFlinkYarnDb("yarn-session", "/lib")->ClientArgv(Ctx(), nullptr, "");
  EXPECT_EQ(session.front(), "/opt/flink/bin/yarn-session.sh");
  EXPECT_TRUE(Has(session, "--detached"));

  auto app2 = MakeFlinkYarnDb("yarn-application", "/lib")->ClientArgv(Ctx(), &job, "/j/job.jar");
  EXPECT_EQ(app2[1], "run");  // 2.x: run -t yarn-application
  EXPECT_TRUE(Has(app2, "yarn-application"));
  EXPECT_TRUE(Has(app2, "-Dparallelism.default=3"));
  auto app1 =
      MakeFlinkYarnDb("yarn-application", "/lib")->ClientArgv(Ctx("1.20.5"), &job, "/j/job.jar");
  EXPECT_EQ(app1[1], "run-application");
  // The jar, then its arguments, last.
  EXPECT_EQ(std::vector<std::string>(app1.end() - 3, app1.end()),
            (std::vector<std::string>{"/j/job.jar", "--x", "1"}));

  auto per_job = MakeFlinkYarnDb("yarn-job", "/lib")->ClientArgv(Ctx("1.20.5"), &job, "/j/job.jar");
  EXPECT_TRUE(Has(per_job, "yarn-per-job"));
  EXPECT_TRUE(Has(per_job, "--detached"));
  auto c = std::find(per_job.begin(), per_job.end(), "-c");
  ASSERT_NE(c, per_job.end());
  EXPECT_EQ(*(c + 1), "a.Main");
}

}  // namespace
}  // namespace jf
