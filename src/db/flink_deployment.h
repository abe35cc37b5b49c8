// FlinkDeployment: what a run asks of the Flink Db of its deployment mode beyond Db, Kill and
// LogFiles: where the HA leader is published, which JobManager REST endpoints to try when
// ZooKeeper names none, how jobs are started, and what the resource manager (YARN) knows.
//
// Session modes (standalone-session, yarn-session) start a cluster in Setup() and the run submits
// jobs to it over REST. Application and per-job modes (yarn-application, yarn-job) start one
// cluster per job: LaunchJob() deploys it together with its job.
//
// Thread-safety: the const methods may be called from any thread once Setup() returned (the
// client thread asks RestUrls and HaClusterId while the driver runs faults); LaunchJob only from
// the thread that drives the Db.
#ifndef JF_DB_FLINK_DEPLOYMENT_H_
#define JF_DB_FLINK_DEPLOYMENT_H_

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "client/flink_rest.h"
#include "client/leader.h"
#include "common/status.h"
#include "db/db.h"

namespace jf {

// One job to start: a jar on the harness's machine, its entry class ("" = the manifest's), its
// arguments and parallelism.
struct JobLaunch {
  std::string jar;
  std::string entry_class;
  std::vector<std::string> args;
  int parallelism = 1;
};

// A job a deployment started, and where: the JobManager REST URL that reported it (may be "").
struct LaunchedJob {
  std::string job_id;
  std::string jobmanager;
};

class FlinkDeployment {
 public:
  virtual ~FlinkDeployment() = default;

  // high-availability.cluster-id of the cluster that runs the jobs, under the ZooKeeper root
  // "/flink" (the leader's REST address is published below it). Known once Setup() returned
  // (YARN: the application id, which is only known then).
  virtual std::string HaClusterId(const DeployContext& ctx) const = 0;

  // JobManager REST base URLs to probe when ZooKeeper names no leader, in order.
  virtual std::vector<std::string> RestUrls(const DeployContext& ctx) const = 0;

  // True when jobs are started with LaunchJob (application and per-job modes), false when the
  // run submits them to the session cluster over REST.
  virtual bool LaunchesJobs() const { return false; }

  // Starts `job` (deploying its cluster); returns its job id once Flink reports the job.
  // Unimplemented in session modes.
  virtual Result<LaunchedJob> LaunchJob(DeployContext& ctx, const JobLaunch& job) {
    (void)ctx;
    (void)job;
    return FailedPrecondition("this deployment mode runs jobs submitted over REST");
  }

  // What the resource manager knows about the deployment at the end (YARN: the application and
  // its attempts), for the store; null where there is none.
  virtual nlohmann::json ResourceManagerReport(const DeployContext& ctx) const {
    (void)ctx;
    return nullptr;
  }
};

// The node (by name) of a TaskManager, from its RPC path (pekko.tcp://flink@10.77.7.13:6122/...)
// or its host name; "" if it is none of ctx's nodes. Pure.
std::string NodeOfTaskManager(const DeployContext& ctx, const TaskManagerInfo& tm);

// The nodes whose TaskManager holds slots of a job (fewer free slots than slots), sorted, unique.
std::vector<std::string> BusyTaskManagerNodes(const DeployContext& ctx,
                                              const std::vector<TaskManagerInfo>& tms);

// Compares --flink-config overrides with Flink's effective configuration; InvalidArgument listing
// every key that is missing or has another value. Pure.
Status CheckFlinkOverrides(const std::map<std::string, std::string>& overrides,
                           const std::map<std::string, std::string>& effective);

// The leader of `cluster_id` (under "/flink") as published in ZooKeeper, with node names mapped to
// node addresses (the harness may not resolve the names a JobManager publishes).
LeaderFinder::LeaderSource FlinkLeaderSource(std::shared_ptr<ZkLeaderLookup> zk,
                                             const DeployContext& ctx,
                                             const std::string& cluster_id);

// Where Flink lives on a node and logs: the same in every mode.
inline constexpr char kFlinkHome[] = "/opt/flink";
inline constexpr char kFlinkLogDir[] = "/var/log/flink";

// Installs the distribution ctx.flink_home at kFlinkHome on `node` (read-only: on local nodes the
// files are hard links to the cache), with a conf/ of the node's own holding `config_yaml`, and
// empties kFlinkLogDir and /tmp/flink.
Status InstallFlink(const DeployContext& ctx, const NodeHandle& node,
                    const std::string& config_yaml);

}  // namespace jf

#endif  // JF_DB_FLINK_DEPLOYMENT_H_
