#include "core/run_lock.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <optional>
#include <string>

namespace jf {
namespace {

// Under /var/tmp: NormalizeStateDir refuses /tmp (the nodes replace it with their own).
class RunLockTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/var/tmp/jf-run-lock-test.XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string dir_;
};

TEST_F(RunLockTest, ASecondRunIsRefusedUntilTheFirstEnds) {
  std::optional<RunLock> first;
  {
    auto taken = RunLock::Take(dir_);
    ASSERT_TRUE(taken.ok()) << taken.status().message();
    first.emplace(std::move(*taken));
  }
  auto second = RunLock::Take(dir_);
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(second.status().message().find("(pid " + std::to_string(getpid()) + ")"),
            std::string::npos)
      << second.status().message();
  first.reset();
  EXPECT_TRUE(RunLock::Take(dir_).ok());
}

TEST_F(RunLockTest, ARefusedStateDirIsAnArgumentError) {
  EXPECT_EQ(RunLock::Take("relative/dir").status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace jf
