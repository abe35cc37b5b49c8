// Nemeses against fakes: which targets they pick, what they record, and that Heal() undoes what
// is still active. The mechanisms themselves are proven on real nodes in tests/integration.
#include <gtest/gtest.h>
#include <signal.h>

#include <mutex>

#include "nemesis/freeze.h"
#include "nemesis/kill.h"
#include "nemesis/namenode.h"
#include "nemesis/partition.h"
#include "nemesis/pause.h"

namespace jf {
namespace {

// Records every command; every command succeeds with empty output.
class RecordingRemote : public Remote {
 public:
  explicit RecordingRemote(std::string node) : node_(std::move(node)) {}
  const std::string& node() const override { return node_; }
  Result<ExecResult> Exec(const std::vector<std::string>& argv, const ExecOptions&) override {
    std::lock_guard<std::mutex> lock(mu_);
    calls.push_back(argv);
    ExecResult r;
    r.exit_code = 0;
    return r;
  }
  Status Upload(const std::string&, const std::string&) override { return Status::Ok(); }
  Status Download(const std::string&, const std::string&) override { return Status::Ok(); }
  Status UploadTree(const std::string&, const std::string&) override { return Status::Ok(); }

  std::vector<std::vector<std::string>> calls;

 private:
  std::string node_;
  std::mutex mu_;
};

// Every role on every node; Signal reports one process per call and records it.
class FakeKill : public Kill {
 public:
  std::vector<std::string> Roles() const override { return {"taskmanager", "zookeeper"}; }
  std::vector<NodeHandle> NodesWithRole(const DeployContext& ctx,
                                        const std::string&) const override {
    return ctx.nodes;
  }
  Result<std::vector<ProcessRef>> Processes(const NodeHandle& n, const std::string& role) override {
    return std::vector<ProcessRef>{{n.name, role, 42, 4242}};
  }
  Result<std::vector<ProcessRef>> Signal(const NodeHandle& n, const std::string& role,
                                         int sig) override {
    signaled.push_back(n.name);
    return std::vector<ProcessRef>{{n.name, role, 42, 4242}};
  }
  std::vector<std::string> signaled;
};

class FakeFreeze : public NodeFreeze {
 public:
  Result<std::vector<int>> Freeze(const std::string& node) override {
    frozen.insert(node);
    return std::vector<int>{1, 2};
  }
  Status Thaw(const std::string& node) override {
    frozen.erase(node);
    return Status::Ok();
  }
  std::set<std::string> frozen;
};

class NemesisTest : public testing::Test {
 protected:
  void SetUp() override {
    for (const char* n : {"n1", "n2", "n3"}) {
      remotes_.push_back(std::make_unique<RecordingRemote>(n));
      ctx_.nodes.push_back({n, fmt::format("10.0.0.{}", n[1] - '0'), remotes_.back().get()});
    }
  }
  DeployContext ctx_;
  std::vector<std::unique_ptr<RecordingRemote>> remotes_;
  FakeKill kill_;
  Rng rng_{1};
};

TEST_F(NemesisTest, ZooKeeperQuorumCutsEveryServerFromTheOthersOnTheEnsemblePortsOnly) {
  PartitionNemesis p(&ctx_, &rng_, &kill_);
  auto r = p.Invoke("partition-start", {{"shape", "zookeeper-quorum"}});
  ASSERT_FALSE(r.error) << *r.error;
  EXPECT_TRUE(r.hit);
  EXPECT_EQ(r.value["tcp-ports"], nlohmann::json({2888, 3888}));
  for (const auto& n : ctx_.nodes) {
    EXPECT_EQ(r.value["drops"][n.name].size(), 2u) << n.name;
  }
  // Each node's script got the ports first, then the two other servers' addresses.
  const auto& argv = remotes_[0]->calls.back();
  ASSERT_GE(argv.size(), 3u);
  auto it = std::find(argv.begin(), argv.end(), "2888,3888");
  ASSERT_NE(it, argv.end());
  EXPECT_EQ(std::vector<std::string>(it + 1, argv.end()),
            (std::vector<std::string>{"10.0.0.2", "10.0.0.3"}));
}

TEST_F(NemesisTest, BusyTargetingHitsOnlyANodeTheLocatorNames) {
  TargetLocator locate = [](const std::string& role,
                            Targeting t) -> Result<std::vector<std::string>> {
    EXPECT_EQ(t, Targeting::kBusy);
    return std::vector<std::string>{"n2"};
  };
  KillNemesis k({{"kill", "taskmanager", Targeting::kOne}}, &kill_, &ctx_, &rng_, locate);
  for (int i = 0; i < 5; ++i) {
    auto r = k.Invoke("kill", {{"role", "taskmanager"}, {"targeting", "busy"}});
    EXPECT_TRUE(r.hit);
  }
  EXPECT_EQ(kill_.signaled, std::vector<std::string>(5, "n2"));
  // Without a locator the op fails with the reason and hits nothing.
  KillNemesis blind({{"kill", "taskmanager", Targeting::kOne}}, &kill_, &ctx_, &rng_);
  auto r = blind.Invoke("kill", {{"targeting", "busy"}});
  EXPECT_FALSE(r.hit);
  EXPECT_TRUE(r.value.value("no-target", false));
}

TEST_F(NemesisTest, FreezeRecordsWhatItFrozeAndHealThawsIt) {
  FakeFreeze freeze;
  FreezeNemesis f(&freeze, &kill_, &ctx_, &rng_);
  auto r = f.Invoke("freeze-start", {{"role", "zookeeper"}, {"targeting", "majority"}});
  ASSERT_TRUE(r.hit);
  EXPECT_EQ(r.value["nodes"].size(), 2u);
  EXPECT_EQ(freeze.frozen.size(), 2u);
  ASSERT_TRUE(f.Heal().ok());
  EXPECT_TRUE(freeze.frozen.empty());
  // Where nodes cannot be frozen, the op says why.
  FreezeNemesis none(nullptr, &kill_, &ctx_, &rng_);
  auto n = none.Invoke("freeze-start", {});
  ASSERT_TRUE(n.error);
  EXPECT_NE(n.error->find("freezer"), std::string::npos);
  EXPECT_TRUE(none.Heal().ok());
}

TEST_F(NemesisTest, PauseStopsTheTargetsAndHealContinuesExactlyThose) {
  PauseNemesis p(&kill_, &ctx_, &rng_);
  auto r = p.Invoke("pause-start", {{"role", "zookeeper"}, {"targeting", "majority"}});
  ASSERT_TRUE(r.hit);
  EXPECT_EQ(r.value["role"], "zookeeper");
  EXPECT_EQ(r.value["targets"].size(), 2u);
  EXPECT_EQ(kill_.signaled.size(), 2u);
  ASSERT_TRUE(p.Heal().ok());
  int continued = 0;
  for (const auto& rem : remotes_) {
    for (const auto& argv : rem->calls) {
      if (argv == std::vector<std::string>{"kill", "-CONT", "42"}) ++continued;
    }
  }
  EXPECT_EQ(continued, 2);
  // A targeting it does not know hits nothing and says why.
  auto bad = p.Invoke("pause-start", {{"targeting", "everyone"}});
  EXPECT_FALSE(bad.hit);
  ASSERT_TRUE(bad.error);
  EXPECT_NE(bad.error->find("everyone"), std::string::npos);
  EXPECT_EQ(kill_.signaled.size(), 2u);
  FakeFreeze freeze;
  FreezeNemesis f(&freeze, &kill_, &ctx_, &rng_);
  EXPECT_FALSE(f.Invoke("freeze-start", {{"targeting", "everyone"}}).hit);
  EXPECT_TRUE(freeze.frozen.empty());
}

TEST_F(NemesisTest, NameNodeOpsWithoutHdfsFailWithTheReason) {
  NameNodeNemesis nn(nullptr, &ctx_);
  auto r = nn.Invoke("fail-name-node-start", {});
  ASSERT_TRUE(r.error);
  EXPECT_FALSE(r.hit);
  EXPECT_TRUE(nn.Heal().ok());
}

}  // namespace
}  // namespace jf
