#include "dist/flink_dist.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

namespace fs = std::filesystem;

namespace jf {
namespace {

class FlinkLayoutTest : public testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() / fmt::format("jf_layout_test_{}", getpid());
    fs::remove_all(root_);
    // An unpacked apache-flink wheel: pyflink/bin and pyflink/conf, without exec bits.
    for (const char* s : {"config.sh", "jobmanager.sh", "taskmanager.sh", "flink",
                          "flink-console.sh", "bash-java-utils.sh"}) {
      Touch(root_ / "wheel/pyflink/bin" / s);
    }
    Touch(root_ / "wheel/pyflink/conf/config.yaml");
    Touch(root_ / "wheel/pyflink/conf/log4j-console.properties");
    // An unpacked apache-flink-libraries sdist: <pkg>/deps/{lib,opt,plugins,bin}.
    Touch(root_ / "libs/apache_flink_libraries-1.20.5/deps/lib/flink-dist-1.20.5.jar");
    Touch(root_ / "libs/apache_flink_libraries-1.20.5/deps/lib/log4j-api-2.24.3.jar");
    Touch(root_ / "libs/apache_flink_libraries-1.20.5/deps/opt/flink-python-1.20.5.jar");
    Touch(root_ / "libs/apache_flink_libraries-1.20.5/deps/plugins/README.txt");
    Touch(root_ / "libs/apache_flink_libraries-1.20.5/deps/bin/bash-java-utils.jar");
  }
  void TearDown() override { fs::remove_all(root_); }
  static void Touch(const fs::path& p) {
    fs::create_directories(p.parent_path());
    std::ofstream(p) << "x";
  }
  fs::path root_;
};

TEST_F(FlinkLayoutTest, LaysOutAnOfficialDistribution) {
  auto home = root_ / "home";
  Status s = LayOutFlink((root_ / "wheel").string(), (root_ / "libs").string(), home.string());
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_TRUE(fs::exists(home / "lib/flink-dist-1.20.5.jar"));
  EXPECT_TRUE(fs::exists(home / "bin/bash-java-utils.jar"));
  EXPECT_TRUE(fs::exists(home / "opt/flink-python-1.20.5.jar"));
  EXPECT_TRUE(fs::exists(home / "conf/log4j-console.properties"));
  // The shipped configuration file is gone; the harness writes its own.
  EXPECT_FALSE(fs::exists(home / "conf/config.yaml"));
  EXPECT_EQ(access((home / "bin/jobmanager.sh").c_str(), X_OK), 0);
}

TEST_F(FlinkLayoutTest, RefusesTwoDistJars) {
  auto home = root_ / "home";
  ASSERT_TRUE(LayOutFlink((root_ / "wheel").string(), (root_ / "libs").string(), home.string()).ok());
  Touch(home / "lib/flink-dist-other.jar");
  auto s = CheckFlinkLayout(home.string());
  EXPECT_FALSE(s.ok());
  EXPECT_THAT(s.message(), testing::HasSubstr("2 flink-dist*.jar"));
}

TEST_F(FlinkLayoutTest, RefusesMissingExecBitAndShippedConfig) {
  auto home = root_ / "home";
  ASSERT_TRUE(LayOutFlink((root_ / "wheel").string(), (root_ / "libs").string(), home.string()).ok());
  fs::permissions(home / "bin/taskmanager.sh", fs::perms::owner_read | fs::perms::owner_write);
  EXPECT_THAT(CheckFlinkLayout(home.string()).message(), testing::HasSubstr("not executable"));
  fs::permissions(home / "bin/taskmanager.sh", fs::perms::owner_all);
  Touch(home / "conf/flink-conf.yaml");
  EXPECT_THAT(CheckFlinkLayout(home.string()).message(), testing::HasSubstr("flink-conf.yaml"));
}

TEST_F(FlinkLayoutTest, RefusesLibrariesWithoutDistJar) {
  fs::remove(root_ / "libs/apache_flink_libraries-1.20.5/deps/lib/flink-dist-1.20.5.jar");
  auto s = LayOutFlink((root_ / "wheel").string(), (root_ / "libs").string(),
                       (root_ / "home").string());
  EXPECT_FALSE(s.ok());
}

TEST(FlinkReleaseTest, KnownVersionsOnlyAndTwoLines) {
  EXPECT_TRUE(FindFlinkRelease("2.2.1").ok());
  EXPECT_TRUE(FindFlinkRelease("1.20.5").ok());
  auto bad = FindFlinkRelease("2.2");
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(bad.status().message(), testing::HasSubstr("2.2.1"));
  EXPECT_TRUE(FindFlinkRelease(kDefaultFlinkVersion).ok());
  for (const auto& r : KnownFlinkReleases()) {
    EXPECT_EQ(r.wheel.sha256.size(), 64u);
    EXPECT_EQ(r.libraries.sha256.size(), 64u);
  }
}

TEST(FlinkKeysTest, KnownKeysAndMapPrefixes) {
  std::set<std::string> known = {"heartbeat.timeout"};
  EXPECT_TRUE(IsKnownFlinkKey(known, "heartbeat.timeout"));
  EXPECT_TRUE(IsKnownFlinkKey(known, "metrics.reporter.prom.factory.class"));
  EXPECT_FALSE(IsKnownFlinkKey(known, "heartbeat.timeot"));
  EXPECT_FALSE(IsKnownFlinkKey(known, "metrics.reporter."));
}

}  // namespace
}  // namespace jf
