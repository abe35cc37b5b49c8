#include "core/interrupt.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <string>

namespace jf {
namespace {

// The handlers write to a pipe here; raise() runs the handler before it returns.
class InterruptTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(pipe2(fds_, O_NONBLOCK), 0);
    sigaction(SIGINT, nullptr, &old_int_);
    sigaction(SIGTERM, nullptr, &old_term_);
    InstallInterruptHandlers(fds_[1]);
    ResetInterruptsForTest();
  }
  void TearDown() override {
    sigaction(SIGINT, &old_int_, nullptr);
    sigaction(SIGTERM, &old_term_, nullptr);
    ResetInterruptsForTest();
    close(fds_[0]);
    close(fds_[1]);
  }
  std::string Written() {
    std::string out;
    char buf[512];
    ssize_t n;
    while ((n = read(fds_[0], buf, sizeof buf)) > 0) out.append(buf, static_cast<size_t>(n));
    return out;
  }

  int fds_[2];
  struct sigaction old_int_ {}, old_term_ {};
};

TEST_F(InterruptTest, TheFirstInterruptOnlyAsksTheRunToStop) {
  EXPECT_FALSE(Interrupted());
  raise(SIGINT);
  EXPECT_TRUE(Interrupted());
  EXPECT_EQ(InterruptCount(), 1);
  EXPECT_EQ(Written(), "");
}

TEST_F(InterruptTest, AFurtherInterruptSaysWhatIsStillBeingUndone) {
  SetUndoing("healing every fault (nemesis pause)");
  raise(SIGTERM);
  raise(SIGINT);
  std::string out = Written();
  EXPECT_NE(out.find("still undoing: healing every fault (nemesis pause)."), std::string::npos)
      << out;
  EXPECT_NE(out.find("kill -9 " + std::to_string(getpid()) + ","), std::string::npos) << out;
  EXPECT_NE(out.find("jepsen-flink cluster down --all"), std::string::npos) << out;
  SetUndoing("tearing down zookeeper");
  raise(SIGINT);
  EXPECT_NE(Written().find("still undoing: tearing down zookeeper."), std::string::npos);
  EXPECT_EQ(InterruptCount(), 3);
}

TEST_F(InterruptTest, LongTextIsCutAndSlotsAreReused) {
  for (int i = 0; i < 20; ++i) SetUndoing("step " + std::to_string(i));
  SetUndoing(std::string(1000, 'x'));
  raise(SIGINT);
  raise(SIGINT);
  std::string out = Written();
  EXPECT_NE(out.find(std::string(200, 'x') + "."), std::string::npos);
  EXPECT_EQ(out.find(std::string(201, 'x')), std::string::npos);
}

}  // namespace
}  // namespace jf
