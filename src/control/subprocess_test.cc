#include "control/subprocess.h"

#include <gtest/gtest.h>

namespace jf {
namespace {

TEST(SubprocessTest, CapturesOutputAndExitCode) {
  auto r = RunProcess({"sh", "-c", "echo out; echo err >&2; exit 3"});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->exit_code, 3);
  EXPECT_EQ(r->out, "out\n");
  EXPECT_EQ(r->err, "err\n");
  EXPECT_EQ(r->Describe(), "exit 3: err");
}

TEST(SubprocessTest, FeedsStdin) {
  ExecOptions o;
  o.stdin_data = std::string(200000, 'x');
  auto r = RunProcess({"wc", "-c"}, o);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(std::stoi(r->out), 200000);
}

TEST(SubprocessTest, TimeoutKillsProcessGroup) {
  ExecOptions o;
  o.timeout = std::chrono::milliseconds(200);
  auto r = RunProcess({"sh", "-c", "sleep 30 & sleep 30"}, o);
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->timed_out);
  EXPECT_LT(r->elapsed.count(), 5000);
}

TEST(SubprocessTest, MissingProgramIsAnError) {
  auto r = RunProcess({"/nonexistent/prog"});
  EXPECT_FALSE(r.ok());
}

TEST(SubprocessTest, EnvironmentOverrides) {
  ExecOptions o;
  o.env["JF_TEST_VAR"] = "a b";
  auto r = RunProcess({"sh", "-c", "printf %s \"$JF_TEST_VAR\""}, o);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->out, "a b");
}

TEST(ShellQuoteTest, QuotesHostileWords) {
  EXPECT_EQ(ShellQuote("abc"), "abc");
  EXPECT_EQ(ShellQuote("a b"), "'a b'");
  EXPECT_EQ(ShellQuote("it's"), "'it'\\''s'");
  EXPECT_EQ(ShellQuote(""), "''");
  auto r = RunProcess({"sh", "-c", "printf %s " + ShellQuote("$(touch /tmp/jf-canary);`x`")});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->out, "$(touch /tmp/jf-canary);`x`");
}

}  // namespace
}  // namespace jf
