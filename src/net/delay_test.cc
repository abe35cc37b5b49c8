#include "net/delay.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <tuple>

namespace jf {
namespace {

namespace fs = std::filesystem;

// Records what it is asked to do and does none of it: every command "succeeds" with no output.
class RecordingRemote : public Remote {
 public:
  const std::string& node() const override { return name_; }
  Result<ExecResult> Exec(const std::vector<std::string>& argv, const ExecOptions&) override {
    execs.push_back(argv);
    ExecResult r;
    r.exit_code = 0;
    return r;
  }
  Status Upload(const std::string& local, const std::string& remote) override {
    uploads.push_back({local, remote});
    return Status::Ok();
  }
  Status Download(const std::string&, const std::string&) override { return Internal("unused"); }
  Status UploadTree(const std::string&, const std::string&) override { return Internal("unused"); }

  std::vector<std::vector<std::string>> execs;
  std::vector<std::pair<std::string, std::string>> uploads;

 private:
  std::string name_ = "n2";
};

// A directory with a fake `iptables` that logs its arguments and keeps just enough state for the
// rules script: whether our chain exists and how many jumps to it PREROUTING has (table raw).
class FakeIptables {
 public:
  FakeIptables() : dir_(fs::temp_directory_path() / fmt::format("jf_delay_test_{}", getpid())) {
    fs::create_directories(dir_);
    std::ofstream(dir_ / "iptables") << R"SH(#!/bin/sh
d=$(dirname "$0")
echo "$*" >> "$d/log"
case "$*" in
  "-w -t raw -D PREROUTING -j JF-DELAY")
    n=$(cat "$d/jumps" 2>/dev/null || echo 0)
    [ "$n" -gt 0 ] || exit 1
    echo $((n - 1)) > "$d/jumps";;
  "-w -t raw -n -L JF-DELAY") [ -e "$d/chain" ] || exit 1;;
  "-w -t raw -n -L JF-DELAY-PROBE") exit 1;;
esac
exit 0
)SH";
    fs::permissions(dir_ / "iptables", fs::perms::owner_all);
  }
  ~FakeIptables() { fs::remove_all(dir_); }

  void SetState(bool chain, int jumps) {
    if (chain) std::ofstream(dir_ / "chain") << "";
    std::ofstream(dir_ / "jumps") << jumps;
  }
  // Runs the rules script with `args` and returns the iptables calls it made.
  std::vector<std::string> Run(const std::vector<std::string>& args) {
    fs::remove(dir_ / "log");
    std::vector<std::string> argv = {"sh", "-c", DelayRulesScript(), "sh"};
    argv.insert(argv.end(), args.begin(), args.end());
    ExecOptions o;
    o.env["PATH"] = dir_.string() + ":/usr/bin:/bin";
    auto r = RunProcess(argv, o);
    EXPECT_TRUE(r.ok() && r->ok()) << (r.ok() ? r->Describe() : r.status().ToString());
    std::vector<std::string> calls;
    std::ifstream in(dir_ / "log");
    for (std::string line; std::getline(in, line);) calls.push_back(line);
    return calls;
  }

 private:
  fs::path dir_;
};

TEST(DelayHarnessTest, DelayerArgvNamesOurQueue) {
  EXPECT_EQ(
      DelayerArgv("/opt/jepsen/bin/jf-delayer", 200, 20, 60),
      std::vector<std::string>({"/opt/jepsen/bin/jf-delayer", "--queue", "19014", "--delay-ms",
                                "200", "--jitter-ms", "20", "--max-seconds", "60"}));
  EXPECT_EQ(DelayerArgv("d", 1, 0, 2.5).back(), "2.5");
}

TEST(DelayHarnessTest, RejectsBadValuesWithoutTouchingTheNode) {
  RecordingRemote remote;
  NodeHandle node{"n2", "10.77.7.12", &remote};
  const std::vector<std::string> peers = {"10.77.7.11"};
  const std::string path = kDelayerNodePath;
  for (auto [delay, jitter, secs] :
       std::vector<std::tuple<int, int, double>>{{0, 0, 10},
                                                 {-5, 0, 10},
                                                 {60001, 0, 10},
                                                 {100, -1, 10},
                                                 {100, 60001, 10},
                                                 {100, 0, 0},
                                                 {100, 0, -1},
                                                 {100, 0, std::nan("")},
                                                 {100, 0, 1e8}}) {
    Status s = ApplyDelay(node, peers, delay, jitter, secs, path);
    EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << delay << " " << jitter << " " << secs;
  }
  EXPECT_EQ(ApplyDelay(node, {}, 100, 0, 10, path).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ApplyDelay(node, peers, 100, 0, 10, "").code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(remote.execs.empty());
}

TEST(DelayHarnessTest, HealRemovesTheRulesBeforeStoppingTheDelayer) {
  RecordingRemote remote;
  NodeHandle node{"n2", "10.77.7.12", &remote};
  ASSERT_TRUE(HealDelay(node).ok());
  ASSERT_GE(remote.execs.size(), 2u);
  // First the rules script, with the queue number and no peers (= remove only) ...
  EXPECT_EQ(remote.execs[0],
            std::vector<std::string>({"sh", "-c", DelayRulesScript(), "sh", "19014"}));
  // ... then the delayer, found through its pid file (none runs here, so it only removes that).
  EXPECT_EQ(remote.execs[1].back(), kDelayerPidFile);
  EXPECT_EQ(remote.execs.back(), std::vector<std::string>({"rm", "-f", kDelayerPidFile}));
}

TEST(DelayHarnessTest, RulesScriptRemovesOnlyOurJumpsAndChains) {
  FakeIptables ipt;
  ipt.SetState(/*chain=*/true, /*jumps=*/2);
  auto calls = ipt.Run({"19014"});
  EXPECT_EQ(calls, std::vector<std::string>({
                       "-w -t raw -D PREROUTING -j JF-DELAY",
                       "-w -t raw -D PREROUTING -j JF-DELAY",
                       "-w -t raw -D PREROUTING -j JF-DELAY",  // fails: no jump left
                       "-w -t raw -n -L JF-DELAY",
                       "-w -t raw -F JF-DELAY",
                       "-w -t raw -X JF-DELAY",
                       "-w -t raw -n -L JF-DELAY-PROBE",
                   }));
}

TEST(DelayHarnessTest, RulesScriptSendsEachPeerToOurQueueWithBypass) {
  FakeIptables ipt;
  ipt.SetState(/*chain=*/false, /*jumps=*/0);
  auto calls = ipt.Run({"19014", "10.77.7.11", "10.77.7.13"});
  EXPECT_EQ(calls,
            std::vector<std::string>({
                "-w -t raw -D PREROUTING -j JF-DELAY",
                "-w -t raw -n -L JF-DELAY",
                "-w -t raw -n -L JF-DELAY-PROBE",
                "-w -t raw -N JF-DELAY",
                "-w -t raw -A JF-DELAY -s 10.77.7.11 -j NFQUEUE --queue-num 19014 --queue-bypass",
                "-w -t raw -A JF-DELAY -s 10.77.7.13 -j NFQUEUE --queue-num 19014 --queue-bypass",
                "-w -t raw -I PREROUTING 1 -j JF-DELAY",
            }));
}

TEST(DelayHarnessTest, UploadGoesBesideTheProgramAndIsRenamedOverIt) {
  RecordingRemote remote;
  NodeHandle node{"n2", "10.77.7.12", &remote};
  EXPECT_EQ(UploadDelayer(node, "/nonexistent/jf-delayer").code(), StatusCode::kNotFound);
  EXPECT_TRUE(remote.uploads.empty());

  auto local = fs::temp_directory_path() / fmt::format("jf_delay_test_bin_{}", getpid());
  std::ofstream(local) << "#!/bin/sh\n";
  ASSERT_TRUE(UploadDelayer(node, local.string()).ok());
  fs::remove(local);
  const std::string tmp = std::string(kDelayerNodePath) + ".new";
  ASSERT_EQ(remote.uploads.size(), 1u);
  EXPECT_EQ(remote.uploads[0], std::make_pair(local.string(), tmp));
  ASSERT_EQ(remote.execs.size(), 1u);
  const auto& mv = remote.execs[0];
  ASSERT_GE(mv.size(), 2u);
  EXPECT_EQ(std::vector<std::string>(mv.end() - 2, mv.end()),
            std::vector<std::string>({tmp, kDelayerNodePath}));
}

}  // namespace
}  // namespace jf
