#include "core/progress.h"

#include <gtest/gtest.h>
#include <spdlog/logger.h>
#include <spdlog/sinks/base_sink.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>

namespace jf {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

size_t CodePoints(const std::string& s) {
  size_t n = 0;
  for (char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

ProgressState FaultPhase() {
  ProgressState s;
  s.phase = ProgressPhase::kFaults;
  s.phase_elapsed_s = 35.4;
  s.phase_limit_s = 60;
  s.run_elapsed_s = 102;
  s.active_faults = {"partition-majorities-ring"};
  s.polling = true;
  s.job_state = "RUNNING";
  s.last_recovery_s = 3.14;
  return s;
}

TEST(RenderProgressLineTest, PlainLineHasEverythingAndIsNeverCut) {
  EXPECT_EQ(RenderProgressLine(FaultPhase(), 0),
            "progress: fault phase 35/60 s (25 s left) | active: partition-majorities-ring | "
            "job RUNNING | last recovery 3.1 s | 1:42 total");
  ProgressState many = FaultPhase();
  for (int i = 0; i < 20; ++i) many.active_faults.push_back("pause-zookeeper-majority");
  std::string line = RenderProgressLine(many, 0);
  EXPECT_GT(line.size(), 400u);
  EXPECT_EQ(line.find("..."), std::string::npos);
  EXPECT_NE(line.find("1:42 total"), std::string::npos);
}

TEST(RenderProgressLineTest, InPlaceLineFitsTheTerminal) {
  std::string wide = RenderProgressLine(FaultPhase(), 200);
  EXPECT_EQ(wide,
            "fault phase 35/60 s (25 s left) | active: partition-majorities-ring | job RUNNING | "
            "last recovery 3.1 s | 1:42 total");
  for (int width : {1, 2, 4, 5, 20, 40, 80}) {
    std::string line = RenderProgressLine(FaultPhase(), width);
    EXPECT_LE(CodePoints(line), static_cast<size_t>(width - 1)) << width << ": " << line;
    if (width >= 5) {
      EXPECT_TRUE(line.ends_with("...")) << line;
    }
    if (width >= 20) {
      EXPECT_TRUE(line.starts_with("fault phase")) << line;
    }
  }
  // Exactly width - 1 columns fit uncut.
  EXPECT_EQ(RenderProgressLine(FaultPhase(), static_cast<int>(wide.size()) + 1), wide);
  // Cut by code points, never inside one.
  ProgressState utf8 = FaultPhase();
  utf8.job_state = "RUNNING \u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9";
  for (int width = 60; width < 110; ++width) {
    std::string line = RenderProgressLine(utf8, width);
    EXPECT_LE(CodePoints(line), static_cast<size_t>(width - 1));
    for (size_t i = 0; i < line.size(); ++i) {
      if (static_cast<unsigned char>(line[i]) == 0xC3) {
        EXPECT_TRUE(i + 1 < line.size() && (line[i + 1] & 0xC0) == 0x80) << width << ": " << line;
      }
    }
  }
}

TEST(RenderProgressLineTest, NoActiveFaults) {
  ProgressState s = FaultPhase();
  s.active_faults.clear();
  EXPECT_NE(RenderProgressLine(s, 0).find("| active: none |"), std::string::npos);
  s.phase = ProgressPhase::kRecoveryWait;
  EXPECT_NE(RenderProgressLine(s, 0).find("recovery wait 35/60 s (25 s left) | active: none"),
            std::string::npos);
  // Outside the fault phase and the recovery wait there is nothing to say about faults.
  s.phase = ProgressPhase::kSettingUp;
  s.phase_limit_s.reset();
  EXPECT_EQ(RenderProgressLine(s, 0),
            "progress: setting up 35 s | job RUNNING | last recovery 3.1 s | 1:42 total");
}

TEST(RenderProgressLineTest, UnknownJobState) {
  ProgressState s = FaultPhase();
  s.job_state.reset();
  EXPECT_NE(RenderProgressLine(s, 0).find("| job unknown |"), std::string::npos);
  // Before the first poll there is no job to speak of.
  ProgressState start;
  start.run_elapsed_s = 4000;
  EXPECT_EQ(RenderProgressLine(start, 0), "progress: setting up 0 s | 1:06:40 total");
}

TEST(RenderProgressLineTest, RemainingTimeIsNeverNegative) {
  ProgressState s = FaultPhase();
  s.phase_elapsed_s = 71.7;
  std::string line = RenderProgressLine(s, 0);
  EXPECT_NE(line.find("fault phase 71/60 s (0 s left)"), std::string::npos) << line;
  s.phase_elapsed_s = -3;  // clocks never go back, but the line would not say so either
  s.run_elapsed_s = -1;
  line = RenderProgressLine(s, 0);
  EXPECT_NE(line.find("fault phase 0/60 s (60 s left)"), std::string::npos) << line;
  EXPECT_NE(line.find("0:00 total"), std::string::npos) << line;
  EXPECT_EQ(line.find(" -"), std::string::npos) << line;
  EXPECT_EQ(line.find("(-"), std::string::npos) << line;
}

TEST(RenderProgressLineTest, KillsAndInterruption) {
  ProgressState s = FaultPhase();
  s.kills = 3;
  s.last_kill = "kill-task-managers";
  s.last_kill_ago_s = 2.5;
  s.interrupted = true;
  std::string line = RenderProgressLine(s, 0);
  EXPECT_NE(line.find("(25 s left) (interrupted) |"), std::string::npos) << line;
  EXPECT_NE(line.find("| 3 kills (last kill-task-managers 2 s ago) |"), std::string::npos);
  s.last_kill_ago_s = kShowLastKillSeconds;
  s.kills = 1;
  EXPECT_NE(RenderProgressLine(s, 0).find("| 1 kill |"), std::string::npos);
}

TEST(FaultLabelTest, NamesTheGist) {
  EXPECT_EQ(FaultLabel("partition", {{"shape", "majorities-ring"}}), "partition-majorities-ring");
  EXPECT_EQ(FaultLabel("pause", {{"role", "jobmanager"}, {"targeting", "leader"}}),
            "pause-jobmanager-leader");
  EXPECT_EQ(FaultLabel("freeze", {{"role", "taskmanager"}, {"targeting", "one"}}),
            "freeze-taskmanager");
  EXPECT_EQ(FaultLabel("loss", {{"p", 0.3}}), "loss-30%");
  EXPECT_EQ(FaultLabel("delay", {{"ms", 200}, {"for_s", 80}}), "delay-200ms");
  EXPECT_EQ(FaultLabel("bandwidth", {{"kbit", 1000}}), "bandwidth-1000kbit");
  EXPECT_EQ(FaultLabel("fail-name-node", nullptr), "fail-name-node");
}

class ProgressTrackerTest : public ::testing::Test {
 protected:
  Clock::time_point At(double s) { return t0_ + milliseconds(static_cast<int64_t>(s * 1000)); }
  Clock::time_point t0_ = Clock::now();
  ProgressTracker tracker_{t0_};
};

TEST_F(ProgressTrackerTest, PhasesAndDeadlines) {
  tracker_.SetPhase(ProgressPhase::kFaults, At(10), At(70));
  ProgressState s = tracker_.Snapshot(At(45));
  EXPECT_EQ(s.phase, ProgressPhase::kFaults);
  EXPECT_DOUBLE_EQ(s.phase_elapsed_s, 35);
  EXPECT_DOUBLE_EQ(*s.phase_limit_s, 60);
  EXPECT_DOUBLE_EQ(s.run_elapsed_s, 45);
  tracker_.SetPhase(ProgressPhase::kRecoveryWait, At(70), At(136));
  tracker_.SetDeadline(At(140));
  EXPECT_DOUBLE_EQ(*tracker_.Snapshot(At(71)).phase_limit_s, 70);
  tracker_.SetPhase(ProgressPhase::kStopping, At(90));
  EXPECT_FALSE(tracker_.Snapshot(At(91)).phase_limit_s);
}

TEST_F(ProgressTrackerTest, WindowedFaultsAreActiveUntilStoppedOrHealed) {
  tracker_.OnNemesisOp("partition-start", {{"shape", "majorities-ring"}}, true, At(1));
  tracker_.OnNemesisOp("pause-start", {{"role", "zookeeper"}}, false, At(1));  // no target
  EXPECT_EQ(tracker_.Snapshot(At(2)).active_faults,
            std::vector<std::string>{"partition-majorities-ring"});
  tracker_.OnNemesisOp("pause-stop", {{"role", "zookeeper"}}, true, At(3));
  tracker_.OnNemesisOp("loss-start", {{"p", 0.2}}, true, At(4));
  EXPECT_EQ(tracker_.Snapshot(At(4)).active_faults,
            (std::vector<std::string>{"loss-20%", "partition-majorities-ring"}));
  tracker_.OnNemesisOp("partition-stop", {{"shape", "majorities-ring"}}, true, At(5));
  EXPECT_EQ(tracker_.Snapshot(At(5)).active_faults, std::vector<std::string>{"loss-20%"});
  tracker_.OnHeal(At(6));
  EXPECT_TRUE(tracker_.Snapshot(At(6)).active_faults.empty());
}

TEST_F(ProgressTrackerTest, KillsAreCountedAndTheLastShownForAWhile) {
  tracker_.OnNemesisOp("kill-task-managers", nullptr, true, At(1));
  tracker_.OnNemesisOp("kill-task-managers", nullptr, false, At(2));  // nothing to kill
  tracker_.OnNemesisOp("kill", {{"role", "jobmanager"}, {"targeting", "leader"}}, true, At(3));
  ProgressState s = tracker_.Snapshot(At(4));
  EXPECT_EQ(s.kills, 2);
  EXPECT_EQ(s.last_kill, "kill-jobmanager-leader");
  EXPECT_DOUBLE_EQ(s.last_kill_ago_s, 1);
  EXPECT_TRUE(s.active_faults.empty());
  EXPECT_EQ(RenderProgressLine(tracker_.Snapshot(At(20)), 0).find("last kill"), std::string::npos);
}

TEST_F(ProgressTrackerTest, RecoveryFromAKillToTheFirstRunningPollAfterAnOutage) {
  tracker_.OnPoll(true, true, "RUNNING (all tasks)", At(0.5));
  tracker_.OnNemesisOp("kill-task-managers", nullptr, true, At(1));
  tracker_.OnPoll(true, true, "RUNNING (all tasks)", At(1.2));  // Flink has not noticed yet
  EXPECT_FALSE(tracker_.Snapshot(At(1.2)).last_recovery_s);
  tracker_.OnPoll(true, false, "RESTARTING", At(2));
  EXPECT_EQ(tracker_.Snapshot(At(2)).job_state, "RESTARTING");
  tracker_.OnPoll(false, false, "", At(3));  // no JobManager answered
  EXPECT_FALSE(tracker_.Snapshot(At(3)).job_state);
  EXPECT_TRUE(tracker_.Snapshot(At(3)).polling);
  tracker_.OnPoll(true, false, "RUNNING", At(3.5));
  EXPECT_EQ(tracker_.Snapshot(At(3.5)).job_state, "RUNNING (not all tasks)");
  tracker_.OnPoll(true, true, "RUNNING (all tasks)", At(4.1));
  ProgressState s = tracker_.Snapshot(At(5));
  EXPECT_EQ(s.job_state, "RUNNING");
  ASSERT_TRUE(s.last_recovery_s);
  EXPECT_NEAR(*s.last_recovery_s, 3.1, 1e-9);
  // A kill the job rode out leaves the last recovery as it was.
  tracker_.OnNemesisOp("kill-task-managers", nullptr, true, At(6));
  tracker_.OnPoll(true, true, "RUNNING (all tasks)", At(7));
  EXPECT_NEAR(*tracker_.Snapshot(At(8)).last_recovery_s, 3.1, 1e-9);
}

TEST_F(ProgressTrackerTest, RecoveryFromAWindowIsMeasuredFromItsHeal) {
  tracker_.OnNemesisOp("partition-start", {{"shape", "isolate"}}, true, At(1));
  tracker_.OnPoll(true, false, "RESTARTING", At(2));
  tracker_.OnPoll(true, true, "RUNNING (all tasks)", At(3));  // back during the window
  EXPECT_FALSE(tracker_.Snapshot(At(3)).last_recovery_s);
  tracker_.OnNemesisOp("partition-stop", {{"shape", "isolate"}}, true, At(10));
  tracker_.OnPoll(true, true, "RUNNING (all tasks)", At(12));
  EXPECT_NEAR(*tracker_.Snapshot(At(12)).last_recovery_s, 2, 1e-9);
  // Healed by the end of the fault phase rather than by its stop op.
  tracker_.OnNemesisOp("freeze-start", {{"role", "jobmanager"}}, true, At(20));
  tracker_.OnPoll(false, false, "", At(21));
  tracker_.OnHeal(At(25));
  tracker_.OnPoll(true, true, "RUNNING (all tasks)", At(30.5));
  EXPECT_NEAR(*tracker_.Snapshot(At(31)).last_recovery_s, 5.5, 1e-9);
}

TEST(ParseProgressModeTest, AutoFollowsTheTerminal) {
  EXPECT_EQ(*ParseProgressMode("auto", true), ProgressMode::kTty);
  EXPECT_EQ(*ParseProgressMode("auto", false), ProgressMode::kPlain);
  EXPECT_EQ(*ParseProgressMode("tty", false), ProgressMode::kTty);
  EXPECT_EQ(*ParseProgressMode("plain", true), ProgressMode::kPlain);
  EXPECT_EQ(*ParseProgressMode("off", true), ProgressMode::kOff);
  auto bad = ParseProgressMode("fancy", true);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(bad.status().message().find("auto, tty, plain or off"), std::string::npos);
}

// A console sink that writes to the same FILE as the status line, as stderr_color_sink does.
class FileSink : public spdlog::sinks::base_sink<std::mutex> {
 public:
  explicit FileSink(std::FILE* out) : out_(out) {}

 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override {
    spdlog::memory_buf_t buf;
    formatter_->format(msg, buf);
    std::fwrite(buf.data(), 1, buf.size(), out_);
  }
  void flush_() override { std::fflush(out_); }

 private:
  std::FILE* out_;
};

std::string Contents(std::FILE* f) {
  std::fflush(f);
  std::rewind(f);
  std::string out;
  char buf[4096];
  for (size_t n; (n = std::fread(buf, 1, sizeof buf, f)) > 0;) out.append(buf, n);
  std::fseek(f, 0, SEEK_END);
  return out;
}

class ProgressOutputTest : public ::testing::Test {
 protected:
  void TearDown() override { std::fclose(out_); }
  std::shared_ptr<spdlog::logger> Logger(Progress& p) {
    auto inner = std::make_shared<FileSink>(out_);
    inner->set_level(spdlog::level::info);
    auto logger = std::make_shared<spdlog::logger>("progress-test", p.ConsoleSink(inner));
    logger->set_pattern("%v");
    logger->set_level(spdlog::level::debug);
    return logger;
  }
  std::FILE* out_ = std::tmpfile();
};

TEST_F(ProgressOutputTest, InPlaceLineIsClearedAroundLogLinesAndAtStop) {
  setenv("COLUMNS", "200", 1);  // a tmpfile has no window size
  // A tick longer than the test: every redraw seen here is an event's, and Stop must wake it.
  auto p = std::make_unique<Progress>(ProgressMode::kTty, out_, std::chrono::hours(1));
  auto logger = Logger(*p);
  p->SetPhase(ProgressPhase::kFaults, Clock::now() + std::chrono::seconds(60));
  std::string drawn = Contents(out_);
  EXPECT_TRUE(drawn.starts_with("\rfault phase 0/60 s (60 s left) | active: none | 0:00 total"))
      << drawn;
  EXPECT_TRUE(drawn.ends_with("\x1b[K")) << drawn;
  EXPECT_EQ(drawn.find('\n'), std::string::npos);

  logger->info("Nemesis: kill-task-managers");
  logger->debug("not shown on the console");  // the line is left alone
  std::string after = Contents(out_).substr(drawn.size());
  // Cleared, the log line on a line of its own, then the status line again.
  ASSERT_TRUE(after.starts_with("\r\x1b[KNemesis: kill-task-managers\n\rfault phase")) << after;
  EXPECT_TRUE(after.ends_with("\x1b[K"));
  EXPECT_EQ(after.find("not shown"), std::string::npos);

  auto t = Clock::now();
  p->Stop();
  EXPECT_LT(Clock::now() - t, std::chrono::milliseconds(500));  // the ticker is woken
  std::string all = Contents(out_);
  EXPECT_TRUE(all.ends_with("\r\x1b[K")) << all;  // the verdict starts on a clean line
  // After Stop (and after the Progress is gone) log lines pass through untouched.
  p->SetPhase(ProgressPhase::kChecking);
  p.reset();
  logger->info("verdict");
  EXPECT_EQ(Contents(out_), all + "verdict\n");
}

TEST_F(ProgressOutputTest, PlainLinesAtPhaseChangesNeverBetweenTheLogsBytes) {
  Progress p(ProgressMode::kPlain, out_);
  auto logger = Logger(p);
  logger->info("Setting up ZooKeeper");
  p.OnPoll(true, true, "RUNNING (all tasks)");
  p.SetPhase(ProgressPhase::kRecoveryWait, Clock::now() + std::chrono::seconds(66));
  logger->info("Job state: RUNNING (all tasks)");
  p.Stop();
  EXPECT_EQ(Contents(out_),
            "Setting up ZooKeeper\n"
            "progress: recovery wait 0/66 s (66 s left) | active: none | job RUNNING | 0:00 "
            "total\n"
            "Job state: RUNNING (all tasks)\n");
}

TEST_F(ProgressOutputTest, OffWritesNothingAndKeepsTheSink) {
  Progress p(ProgressMode::kOff, out_);
  auto inner = std::make_shared<FileSink>(out_);
  EXPECT_EQ(p.ConsoleSink(inner), inner);
  p.SetPhase(ProgressPhase::kFaults);
  p.OnNemesisOp("partition-start", {{"shape", "bridge"}}, true);
  p.Stop();
  EXPECT_EQ(Contents(out_), "");
}

TEST_F(ProgressOutputTest, EventsFromSeveralThreads) {
  Progress p(ProgressMode::kTty, out_);
  auto logger = Logger(p);
  p.SetPhase(ProgressPhase::kSettingUp);  // the status line is up before the first log line
  std::thread poller([&] {
    for (int i = 0; i < 200; ++i) p.OnPoll(true, i % 2 == 0, "RESTARTING");
  });
  std::thread logs([&] {
    for (int i = 0; i < 200; ++i) logger->info("line {}", i);
  });
  for (int i = 0; i < 200; ++i) {
    p.OnNemesisOp(i % 2 ? "pause-stop" : "pause-start", {{"role", "taskmanager"}}, true);
    if (i % 50 == 0) p.SetPhase(ProgressPhase::kFaults);
  }
  poller.join();
  logs.join();
  p.Stop();
  // Every log line is whole: cleared before, on a line of its own.
  std::string all = Contents(out_);
  for (int i = 0; i < 200; ++i) {
    EXPECT_NE(all.find(fmt::format("\x1b[Kline {}\n", i)), std::string::npos) << i;
  }
}

}  // namespace
}  // namespace jf
