#include "control/supervisor.h"

#include <gtest/gtest.h>

#include <filesystem>

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

}  // namespace
}  // namespace jf
