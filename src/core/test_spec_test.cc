#include "core/test_spec.h"

#include <gtest/gtest.h>

#include <filesystem>

namespace jf {
namespace {

TEST(TestSpecTest, ParsesEveryField) {
  auto spec = ParseTestSpec(R"(
deployment-mode = "standalone-session"
dbs = ["flink-standalone-session", "zookeeper"]
[flink-config]
"execution.checkpointing.incremental" = true
"taskmanager.numberOfTaskSlots" = 2
[[jobs]]
jar = "test-job"
args = ["--rate", "200"]
[[jobs]]
jar = "/tmp/other.jar"
main-class = "com.example.Main"
)",
                            "s.toml");
  ASSERT_TRUE(spec.ok()) << spec.status().ToString();
  EXPECT_EQ(spec->deployment_mode, "standalone-session");
  EXPECT_EQ(spec->flink_config.at("execution.checkpointing.incremental"), "true");
  EXPECT_EQ(spec->flink_config.at("taskmanager.numberOfTaskSlots"), "2");
  ASSERT_EQ(spec->jobs.size(), 2u);
  EXPECT_EQ(spec->jobs[0].jar, kBuiltinTestJob);
  EXPECT_EQ(spec->jobs[0].args, (std::vector<std::string>{"--rate", "200"}));
  EXPECT_EQ(spec->jobs[1].main_class, "com.example.Main");
}

TEST(TestSpecTest, RefusesWhatItDoesNotKnow) {
  for (const char* bad : {"deploymentmode = \"x\"", "dbs = \"zookeeper\"", "[[jobs]]\njarr = \"x\"",
                          "[flink-config]\nk = [1]", "this is not toml"}) {
    auto spec = ParseTestSpec(bad, "bad.toml");
    EXPECT_EQ(spec.status().code(), StatusCode::kInvalidArgument) << bad;
    EXPECT_NE(spec.status().message().find("bad.toml"), std::string::npos) << bad;
  }
}

TEST(TestSpecTest, ASpecThatContradictsTheCommandLineIsRefused) {
  auto spec = ParseTestSpec("deployment-mode = \"yarn-session\"", "s.toml");
  ASSERT_TRUE(spec.ok());
  TestOptions opts;
  opts.deployment_mode = "standalone-session";
  opts.deployment_mode_given = true;
  EXPECT_EQ(ApplyTestSpec(*spec, opts).code(), StatusCode::kInvalidArgument);

  auto cfg = ParseTestSpec("[flink-config]\n\"jobmanager.scheduler\" = \"adaptive\"", "s.toml");
  ASSERT_TRUE(cfg.ok());
  TestOptions o2;
  o2.flink_config = {"jobmanager.scheduler=default"};
  EXPECT_EQ(ApplyTestSpec(*cfg, o2).code(), StatusCode::kInvalidArgument);
  TestOptions o3;
  o3.flink_config = {"jobmanager.scheduler=adaptive"};  // the same value: fine, not doubled
  ASSERT_TRUE(ApplyTestSpec(*cfg, o3).ok());
  EXPECT_EQ(o3.flink_config.size(), 1u);
}

TEST(TestSpecTest, DbsMustBeTheModes) {
  TestOptions opts;
  auto mismatch = ParseTestSpec("dbs = [\"zookeeper\", \"flink-yarn-session\"]", "s.toml");
  ASSERT_TRUE(mismatch.ok());
  EXPECT_EQ(ApplyTestSpec(*mismatch, opts).code(), StatusCode::kInvalidArgument);
  auto kafka = ParseTestSpec("dbs = [\"kafka\"]", "s.toml");
  ASSERT_TRUE(kafka.ok());
  Status s = ApplyTestSpec(*kafka, opts);
  EXPECT_NE(s.message().find("kafka"), std::string::npos) << s.ToString();
}

TEST(TestSpecTest, ModesAreRefusedWithTheirReason) {
  TestOptions mesos;
  mesos.deployment_mode = "mesos-session";
  EXPECT_NE(mesos.Validate().message().find("1.14"), std::string::npos);
  TestOptions per_job;
  per_job.deployment_mode = "yarn-job";
  per_job.flink_version = "2.2.1";
  EXPECT_NE(per_job.Validate().message().find("per-job"), std::string::npos);
  TestOptions unknown;
  unknown.deployment_mode = "kubernetes";
  EXPECT_EQ(unknown.Validate().code(), StatusCode::kInvalidArgument);
}

// Every spec shipped in specs/ parses, applies to default options and validates.
TEST(TestSpecTest, ShippedSpecsParse) {
  int n = 0;
  for (const auto& e :
       std::filesystem::recursive_directory_iterator(std::string(JF_SOURCE_ROOT) + "/specs")) {
    if (e.path().extension() != ".toml") continue;
    auto spec = LoadTestSpec(e.path().string());
    ASSERT_TRUE(spec.ok()) << spec.status().ToString();
    TestOptions opts;
    EXPECT_TRUE(ApplyTestSpec(*spec, opts).ok()) << e.path();
    // ...and passes validation (per-job needs a 1.x Flink).
    if (opts.deployment_mode == "yarn-job") opts.flink_version = "1.20.5";
    Status valid = opts.Validate();
    EXPECT_TRUE(valid.ok()) << e.path() << ": " << valid.message();
    ++n;
  }
  EXPECT_GE(n, 8);
}

}  // namespace
}  // namespace jf
