#include "control/supervisor.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <thread>

namespace jf {
namespace {

// Runs commands on this machine: enough to exercise scripts that only need a shell.
class HostRemote : public Remote {
 public:
  const std::string& node() const override { return name_; }
  Result<ExecResult> Exec(const std::vector<std::string>& argv, const ExecOptions& o) override {
    return RunProcess(argv, o);
  }
  Status Upload(const std::string&, const std::string&) override { return Internal("unused"); }
  Status Download(const std::string&, const std::string&) override { return Internal("unused"); }
  Status UploadTree(const std::string&, const std::string&) override { return Internal("unused"); }

 private:
  std::string name_ = "host";
};

TEST(SupervisorTest, ExitsCountedAreTheOnesTheFinishScriptWrites) {
  auto dir = std::filesystem::temp_directory_path() / fmt::format("jf_sv_test_{}", getpid());
  std::filesystem::create_directories(dir);
  ServiceSpec spec{.name = "svc", .argv = {"true"}, .log_file = (dir / "svc.out").string(),
                   .restart_delay = std::chrono::milliseconds(0)};
  HostRemote host;
  EXPECT_EQ(ServiceExits(host, spec), 0);  // no log yet
  for (int i = 0; i < 2; ++i) {
    auto r = RunProcess({"sh", "-c", RenderFinishScript(spec), "finish", "-1", "9"});
    ASSERT_TRUE(r.ok() && r->ok());
  }
  ServiceSpec other = spec;
  other.name = "other";
  ASSERT_TRUE(RunProcess({"sh", "-c", RenderFinishScript(other), "finish", "0", "0"})->ok());
  EXPECT_EQ(ServiceExits(host, spec), 2);
  EXPECT_EQ(ServiceExits(host, other), 1);
  std::filesystem::remove_all(dir);
}

TEST(SupervisorTest, RunScriptQuotesEverything) {
  ServiceSpec spec{.name = "svc", .argv = {"echo", "a b", "$(x)"}, .env = {{"K", "v w"}},
                   .log_file = "/var/log/x y.out"};
  std::string run = RenderRunScript(spec);
  EXPECT_NE(run.find("exec env 'K=v w' echo 'a b' '$(x)'"), std::string::npos) << run;
  EXPECT_NE(run.find(">> '/var/log/x y.out'"), std::string::npos) << run;
}

// A real runsv on this machine (the unit tests run as root where runit is installed): a service
// taken down stays down although runsv still watches it, and comes back on UpService.
TEST(SupervisorTest, DownServiceKeepsItDownUntilUpService) {
  if (geteuid() != 0 ||
      RunProcess({"sh", "-c", "command -v runsv && command -v sv"})->exit_code != 0) {
    GTEST_SKIP() << "needs root and runit (runsv, sv)";
  }
  HostRemote host;
  const std::string name = fmt::format("jf-unit-test-{}", getpid());
  const std::string dir = std::string(kServiceRoot) + "/" + name;
  const bool had_root = std::filesystem::exists(kServiceRoot);
  ServiceSpec spec{.name = name, .argv = {"sleep", "1000.25"}, .log_file = dir + "/out.log",
                   .restart_delay = std::chrono::milliseconds(100)};
  auto pid_soon = [&](bool want_running) {
    for (int i = 0; i < 100; ++i) {
      auto p = ServicePid(host, name);
      if (p.ok() && (*p > 0) == want_running) return p.value_or(0);
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return -1;
  };
  EXPECT_FALSE(UpService(host, name).ok()) << "no runsv watches the service yet";
  ASSERT_TRUE(StartService(host, spec).ok());
  int first = pid_soon(true);
  EXPECT_GT(first, 0);
  EXPECT_TRUE(DownService(host, name, std::chrono::seconds(2)).ok());
  EXPECT_EQ(ServicePid(host, name).value_or(-1), 0);
  std::this_thread::sleep_for(std::chrono::milliseconds(1000));  // 10 x the restart delay
  EXPECT_EQ(ServicePid(host, name).value_or(-1), 0) << "runsv restarted a service taken down";
  EXPECT_TRUE(DownService(host, name).ok()) << "taking a down service down again";
  EXPECT_TRUE(UpService(host, name).ok());
  int second = pid_soon(true);
  EXPECT_GT(second, 0);
  EXPECT_NE(second, first);
  EXPECT_TRUE(StopService(host, name, std::chrono::seconds(2)).ok());
  EXPECT_EQ(pid_soon(false), 0);
  std::filesystem::remove_all(dir);
  if (!had_root) {  // leave this machine's /opt as it was
    std::error_code ec;
    std::filesystem::remove(kServiceRoot, ec);
    std::filesystem::remove(std::filesystem::path(kServiceRoot).parent_path(), ec);
  }
}

}  // namespace
}  // namespace jf
