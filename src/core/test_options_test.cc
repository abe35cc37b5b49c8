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

}  // namespace
}  // namespace jf
