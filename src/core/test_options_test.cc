#include "core/test_options.h"

#include <gtest/gtest.h>

namespace jf {
namespace {

Status Validate(TestOptions o) { return o.Validate(); }

TEST(TestOptionsTest, YarnModesRunAndImplyHdfs) {
  for (const char* mode : {"yarn-session", "yarn-application"}) {
    TestOptions o;
    o.deployment_mode = mode;
    EXPECT_TRUE(Validate(o).ok()) << mode << ": " << Validate(o).message();
    EXPECT_TRUE(o.UsesHdfs()) << mode;
  }
  TestOptions per_job;
  per_job.deployment_mode = "yarn-job";
  per_job.flink_version = "1.20.5";
  EXPECT_TRUE(Validate(per_job).ok()) << Validate(per_job).message();
  TestOptions standalone;
  EXPECT_FALSE(standalone.UsesHdfs());
}

TEST(TestOptionsTest, RefusalsSayWhy) {
  TestOptions per_job_2x;
  per_job_2x.deployment_mode = "yarn-job";
  per_job_2x.flink_version = "2.2.1";
  Status s = Validate(per_job_2x);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("no per-job mode"), std::string::npos) << s.message();

  TestOptions mesos;
  mesos.deployment_mode = "mesos-session";
  s = Validate(mesos);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("Mesos"), std::string::npos) << s.message();

  TestOptions two_jobs;
  two_jobs.deployment_mode = "yarn-application";
  two_jobs.jobs = {JobSpec{}, JobSpec{}};
  s = Validate(two_jobs);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("one job per test"), std::string::npos) << s.message();
  two_jobs.deployment_mode = "yarn-session";
  EXPECT_TRUE(Validate(two_jobs).ok()) << Validate(two_jobs).message();
}

TEST(TestOptionsTest, NodeManagerKillsNeedYarn) {
  TestOptions o;
  o.nemesis_gen = "kill-single-node-manager";
  o.nemesis_gen_given = true;
  Status s = Validate(o);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("yarn"), std::string::npos) << s.message();
  o.deployment_mode = "yarn-session";
  EXPECT_TRUE(Validate(o).ok()) << Validate(o).message();
}


TEST(TestOptionsTest, SshNodesNeedSharedStorageForStandaloneHa) {
  TestOptions o;
  o.nodes = {"h1", "h2", "h3"};
  Status s = Validate(o);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("--shared-dir"), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("--hdfs"), std::string::npos) << s.message();
  o.hdfs = true;
  EXPECT_TRUE(Validate(o).ok()) << Validate(o).message();
  o.hdfs = false;
  o.shared_dir = "/mnt/nfs/jf";
  EXPECT_TRUE(Validate(o).ok()) << Validate(o).message();
  EXPECT_EQ(o.NodeCount(), 3);
  o.shared_dir = "relative";
  EXPECT_FALSE(Validate(o).ok());
  TestOptions yarn;  // YARN deploys HDFS anyway
  yarn.nodes = {"h1", "h2"};
  yarn.deployment_mode = "yarn-session";
  EXPECT_TRUE(Validate(yarn).ok()) << Validate(yarn).message();
}

TEST(TestOptionsTest, SshOptionsAreChecked) {
  auto base = [] {
    TestOptions o;
    o.nodes = {"h1"};
    o.hdfs = true;
    return o;
  };
  TestOptions o = base();
  o.nodes_file = "/nonexistent";
  EXPECT_NE(Validate(o).message().find("exclusive"), std::string::npos);
  o = base();
  o.nodes = {"h1; touch /tmp/canary"};
  EXPECT_EQ(Validate(o).code(), StatusCode::kInvalidArgument);
  o = base();
  o.ssh_port = 0;
  EXPECT_EQ(Validate(o).code(), StatusCode::kInvalidArgument);
  o = base();
  o.ssh_user = "-oProxyCommand=x";
  EXPECT_EQ(Validate(o).code(), StatusCode::kInvalidArgument);
  o = base();
  o.ssh_private_key = "/nonexistent/key";
  EXPECT_NE(Validate(o).message().find("no such file"), std::string::npos);
  o = base();
  o.ssh_options = {"-F/tmp/x"};
  EXPECT_EQ(Validate(o).code(), StatusCode::kInvalidArgument);
  o = base();
  o.nemesis = {"freeze"};
  EXPECT_NE(Validate(o).message().find("freeze"), std::string::npos);
  o = base();
  o.spare_slots = 1;  // one node, one slot: nothing left for the job
  EXPECT_EQ(Validate(o).code(), StatusCode::kInvalidArgument);
  // SSH-only options without SSH nodes are a mistake, not ignored.
  TestOptions local;
  local.shared_dir = "/mnt/nfs";
  EXPECT_NE(Validate(local).message().find("SSH nodes"), std::string::npos);
  // The key's path is recorded, never its contents.
  o = base();
  o.ssh_private_key = "/etc/hostname";
  ASSERT_TRUE(Validate(o).ok()) << Validate(o).message();
  EXPECT_EQ(o.ToJson()["ssh"]["private-key"], "/etc/hostname");
}

}  // namespace
}  // namespace jf

namespace jf {
namespace {

TEST(TestOptionsTest, TarballUriShapeIsCheckedAndVersionLeftToTheTarball) {
  TestOptions o;
  o.tarball = "file:///opt/flink-2.1.0-bin-scala_2.12.tgz";
  ASSERT_TRUE(o.Validate().ok()) << o.Validate().message();
  // No default release: the version is the tarball's, known once it is fetched.
  EXPECT_EQ(o.flink_version, "");
  EXPECT_TRUE(o.CheckDistributionVersion("2.1.0").ok());
  EXPECT_TRUE(o.CheckDistributionVersion("1.20.1").ok());

  TestOptions bad;
  bad.tarball = "https://ci:s3cret@mirror.example/flink-2.1.0.zip";
  Status s = bad.Validate();
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find(".tgz"), std::string::npos) << s.message();
  EXPECT_EQ(s.message().find("s3cret"), std::string::npos) << s.message();
}

TEST(TestOptionsTest, TarballAndFlinkVersionMustAgree) {
  TestOptions o;
  o.tarball = "https://ci:s3cret@mirror.example/flink-2.1.0-bin-scala_2.12.tgz";
  o.flink_version = "2.1.0";  // not a known release: with a tarball any 2.x or 1.20.x will do
  ASSERT_TRUE(o.Validate().ok()) << o.Validate().message();
  EXPECT_TRUE(o.CheckDistributionVersion("2.1.0").ok());
  Status s = o.CheckDistributionVersion("2.2.1");
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("contradicts --tarball https://ci:***@mirror.example/"),
            std::string::npos)
      << s.message();
  EXPECT_EQ(s.message().find("s3cret"), std::string::npos) << s.message();

  TestOptions off_line = o;
  off_line.flink_version = "1.19.1";
  EXPECT_EQ(Validate(off_line).code(), StatusCode::kInvalidArgument);
}

TEST(TestOptionsTest, PerJobModeWithATarballNeedsFlink1) {
  TestOptions o;
  o.deployment_mode = "yarn-job";
  o.tarball = "file:///opt/flink.tgz";
  ASSERT_TRUE(o.Validate().ok()) << o.Validate().message();
  EXPECT_TRUE(o.CheckDistributionVersion("1.20.1").ok());
  Status s = o.CheckDistributionVersion("2.1.0");
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("no per-job mode"), std::string::npos) << s.message();
  // Given a 2.x version too, it is refused up front.
  o.flink_version = "2.1.0";
  EXPECT_EQ(Validate(o).code(), StatusCode::kInvalidArgument);
}

TEST(TestOptionsTest, NemesisIntervalMustBePositive) {
  for (double interval : {0.0, -1.0, 3601.0}) {
    TestOptions o;
    o.nemesis_interval_s = interval;
    Status s = Validate(o);
    EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << interval;
    EXPECT_NE(s.message().find("--nemesis-interval"), std::string::npos) << s.message();
  }
}

TEST(TestOptionsTest, RetentionOptionsMustNotBeNegative) {
  TestOptions o;
  o.keep_runs = -1;
  EXPECT_EQ(Validate(o).code(), StatusCode::kInvalidArgument);
  o.keep_runs = 3;
  o.min_free_disk_mb = -1;
  EXPECT_EQ(Validate(o).code(), StatusCode::kInvalidArgument);
  o.min_free_disk_mb = 0;
  EXPECT_TRUE(Validate(o).ok()) << Validate(o).message();
}

TEST(TestOptionsTest, ProgressModes) {
  for (const char* mode : {"auto", "tty", "plain", "off"}) {
    TestOptions o;
    o.progress = mode;
    EXPECT_TRUE(Validate(o).ok()) << mode << ": " << Validate(o).message();
  }
  TestOptions o;
  o.progress = "fancy";
  Status s = Validate(o);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("--progress"), std::string::npos) << s.message();
}

}  // namespace
}  // namespace jf
