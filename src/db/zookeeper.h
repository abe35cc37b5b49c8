// ZooKeeperDb: a ZooKeeper ensemble with one server on every node (QuorumPeerMain from the
// Maven Central jars, on Java 17), each under runit supervision like Flink's daemons, so a killed
// server comes back. Setup wipes the data directory, so nothing of an earlier run survives, and
// returns once every server serves (srvr reports leader or follower).
#ifndef JF_DB_ZOOKEEPER_H_
#define JF_DB_ZOOKEEPER_H_

#include "db/db.h"

namespace jf {

inline constexpr int kZooKeeperClientPort = 2181;
// The ensemble's own ports: followers to the leader, and leader election.
inline constexpr int kZooKeeperQuorumPort = 2888;
inline constexpr int kZooKeeperElectionPort = 3888;

class ZooKeeperDb : public Db, public LogFiles, public Kill, public ListenPorts {
 public:
  std::string name() const override { return "zookeeper"; }
  Status Setup(DeployContext& ctx) override;
  Status Teardown(DeployContext& ctx) override;
  std::vector<LogPath> LogPaths(const NodeHandle& node) const override;
  std::map<int, std::string> Ports(const DeployContext&) const override {
    return {{kZooKeeperClientPort, "ZooKeeper clients"},
            {kZooKeeperQuorumPort, "ZooKeeper quorum"},
            {kZooKeeperElectionPort, "ZooKeeper leader election"}};
  }

  std::vector<std::string> Roles() const override { return {"zookeeper"}; }
  std::vector<NodeHandle> NodesWithRole(const DeployContext& ctx,
                                        const std::string& role) const override {
    return role == "zookeeper" ? ctx.nodes : std::vector<NodeHandle>{};
  }
  Result<std::vector<ProcessRef>> Processes(const NodeHandle& node,
                                            const std::string& role) override;
  Result<std::vector<ProcessRef>> Signal(const NodeHandle& node, const std::string& role,
                                         int signal) override;

  // zoo.cfg for the ensemble of `ctx.nodes` (exposed for tests).
  static std::string RenderZooCfg(const DeployContext& ctx);
};

}  // namespace jf

#endif  // JF_DB_ZOOKEEPER_H_
