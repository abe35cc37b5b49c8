// FlinkStandaloneSessionDb: a highly available Flink standalone session cluster. JobManagers run
// on the first two nodes (leader and standby, elected through ZooKeeper), one TaskManager runs on
// every node. Daemons are started as the distribution's own scripts start them in the foreground
// (bin/jobmanager.sh / bin/taskmanager.sh start-foreground) on Java 17, each under runit
// supervision, so a killed daemon comes back after the restart delay, as in the original.
//
// Setup returns once the REST API reports every TaskManager registered; then it checks that every
// --flink-config override is in effect (GET /jobmanager/config), because Flink ignores keys it
// does not know.
#ifndef JF_DB_FLINK_STANDALONE_SESSION_H_
#define JF_DB_FLINK_STANDALONE_SESSION_H_

#include "client/flink_rest.h"
#include "db/db.h"
#include "db/flink_config.h"
#include "db/flink_deployment.h"

namespace jf {

class FlinkStandaloneSessionDb : public Db,
                                 public LogFiles,
                                 public Kill,
                                 public ListenPorts,
                                 public FlinkDeployment {
 public:
  std::string name() const override { return "flink-standalone-session"; }
  Status Setup(DeployContext& ctx) override;
  Status Teardown(DeployContext& ctx) override;
  std::vector<LogPath> LogPaths(const NodeHandle& node) const override;
  std::map<int, std::string> Ports(const DeployContext& ctx) const override {
    return FlinkListenPorts(ClusterFlinkConfig(ctx));
  }

  std::vector<std::string> Roles() const override { return {"jobmanager", "taskmanager"}; }
  std::vector<NodeHandle> NodesWithRole(const DeployContext& ctx,
                                        const std::string& role) const override;
  Result<std::vector<ProcessRef>> Processes(const NodeHandle& node,
                                            const std::string& role) override;
  Result<std::vector<ProcessRef>> Signal(const NodeHandle& node, const std::string& role,
                                         int signal) override;

  // The entry class that identifies a role's JVM (standalone session mode).
  static Result<std::string> EntryClass(const std::string& role);

  // The nodes that run a JobManager: the first two of the sorted node list; the first alone
  // when high availability is off.
  static std::vector<NodeHandle> JobManagerNodes(const DeployContext& ctx);
  // REST base URLs of every JobManager.
  static std::vector<std::string> JobManagerUrls(const DeployContext& ctx);

  // FlinkDeployment: the run's own cluster id; every JobManager's REST URL.
  std::string HaClusterId(const DeployContext& ctx) const override { return jf::HaClusterId(ctx); }
  std::vector<std::string> RestUrls(const DeployContext& ctx) const override {
    return JobManagerUrls(ctx);
  }
};

}  // namespace jf

#endif  // JF_DB_FLINK_STANDALONE_SESSION_H_
