// ClusterTest: the gtest fixture of the C++ integration tests. It loads the local cluster the
// CTest fixture (cluster_setup) brought up and gives each node as a NodeHandle; tests must leave
// the nodes as they found them.
//
// Thread-safety: as gtest fixtures, one test at a time.
#ifndef JF_TESTS_INTEGRATION_CLUSTER_FIXTURE_H_
#define JF_TESTS_INTEGRATION_CLUSTER_FIXTURE_H_

#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <thread>
#include <vector>

#include "cluster/local_cluster.h"
#include "db/db.h"

namespace jf {

class ClusterTest : public testing::Test {
 protected:
  void SetUp() override {
    auto c = LocalCluster::Load(DefaultStateDir());
    ASSERT_TRUE(c.ok()) << "the fixture's cluster is not up: " << c.status().ToString();
    cluster_ = std::make_unique<LocalCluster>(std::move(*c));
    for (const auto& n : cluster_->nodes()) {
      remotes_.push_back(cluster_->RemoteFor(n.name));
      nodes_.push_back({n.name, n.ip, remotes_.back().get()});
    }
    ASSERT_GE(nodes_.size(), 3u);
  }

  // Polls `pred` every 250 ms for up to `seconds`; its last answer.
  template <typename Pred>
  bool WaitFor(Pred pred, int seconds) {
    for (int i = 0; i < seconds * 4; ++i) {
      if (pred()) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(250));
    }
    return pred();
  }

  std::unique_ptr<LocalCluster> cluster_;
  std::vector<std::unique_ptr<Remote>> remotes_;
  std::vector<NodeHandle> nodes_;
};

}  // namespace jf

#endif  // JF_TESTS_INTEGRATION_CLUSTER_FIXTURE_H_
