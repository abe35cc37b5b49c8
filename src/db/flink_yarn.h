// Flink on YARN: the deployment modes yarn-session, yarn-application and yarn-job (per-job, Flink
// 1.x only), run the way a user runs them: Flink's own client (bin/yarn-session.sh, bin/flink)
// on the first node, with HADOOP_CLASSPATH and HADOOP_CONF_DIR pointing at the Hadoop jars and
// configuration YarnDb installed there. The client uploads the distribution to HDFS (its staging
// directory) and YARN starts the JobManager as the application master and the TaskManagers as
// containers, on Java 17 (YarnDb's NodeManagers hand their JAVA_HOME on).
//
// High availability: ZooKeeper, with Flink's own choice of cluster id, the application id; the
// leader's REST address is published under /flink/<application id>. A killed JobManager ends its
// attempt; YARN starts the next (up to yarn.application-attempts, which the ResourceManager caps
// at kAmMaxAttempts) and the new JobManager, usually on another node, recovers the jobs from
// ZooKeeper and HDFS. TaskManager containers are kept across attempts.
//
// Ports: the JobManager's REST endpoint binds kFlinkRestPort wherever it runs (one application
// per run, so one JobManager per node at a time); TaskManagers, several of which may share a
// node, take ports from ranges.
//
// Kills and pauses find the JobManager (the mode's entry class) and the TaskManagers
// (YarnTaskExecutorRunner) on whichever node YARN placed them.
//
// Thread-safety: like every Db, driven by one thread; HaClusterId, RestUrls and
// ResourceManagerReport may be called from any thread once Setup (and, for application and
// per-job modes, LaunchJob) returned.
#ifndef JF_DB_FLINK_YARN_H_
#define JF_DB_FLINK_YARN_H_

#include <memory>
#include <string>
#include <vector>

#include "db/db.h"
#include "db/flink_config.h"
#include "db/flink_deployment.h"

namespace jf {

inline constexpr char kYarnTaskManagerClass[] = "org.apache.flink.yarn.YarnTaskExecutorRunner";
inline constexpr char kYarnSessionEntrypointClass[] =
    "org.apache.flink.yarn.entrypoint.YarnSessionClusterEntrypoint";
inline constexpr char kYarnApplicationEntrypointClass[] =
    "org.apache.flink.yarn.entrypoint.YarnApplicationClusterEntryPoint";
inline constexpr char kYarnJobEntrypointClass[] =
    "org.apache.flink.yarn.entrypoint.YarnJobClusterEntrypoint";
// Flink's YARN clients, so that a client still running at tear-down is stopped.
inline constexpr char kYarnSessionCliClass[] = "org.apache.flink.yarn.cli.FlinkYarnSessionCli";
inline constexpr char kFlinkCliClass[] = "org.apache.flink.client.cli.CliFrontend";

// The cap on application attempts Flink asks for (yarn.application-attempts); YARN's own cap is
// kAmMaxAttempts.
inline constexpr int kFlinkYarnApplicationAttempts = 1000;

// The cluster configuration for YARN modes: `cluster` (ClusterFlinkConfig) without what YARN
// decides (cluster id, io.tmp.dirs), with attempts, fixed REST and ranged TaskManager ports, and
// GC logs in the container's log dir. User overrides (ctx.flink_overrides) stay on top. Pure.
FlinkConfig YarnFlinkConfig(const FlinkConfig& cluster, const DeployContext& ctx);

// The first YARN application id ("application_<ts>_<n>") in a client's output, or "". Pure.
std::string FindApplicationId(const std::string& client_output);

class FlinkYarnDb : public Db,
                    public LogFiles,
                    public Kill,
                    public ListenPorts,
                    public FlinkDeployment {
 public:
  // `hadoop_lib_dir`: the harness's Hadoop jars (the client's HADOOP_CLASSPATH is built from
  // their names as YarnDb installed them on the nodes).
  explicit FlinkYarnDb(std::string hadoop_lib_dir) : hadoop_lib_dir_(std::move(hadoop_lib_dir)) {}

  // Installs Flink and its configuration on the client node (the first) and, in session mode,
  // starts the session and waits until its JobManager serves REST.
  Status Setup(DeployContext& ctx) override;
  // Stops the clients still running and kills this run's YARN applications through the
  // ResourceManager (their containers stop; YarnDb's tear-down stops whatever is left).
  Status Teardown(DeployContext& ctx) override;
  // The client's logs and configuration (the JobManager's and TaskManagers' logs are container
  // logs, which YarnDb collects).
  std::vector<LogPath> LogPaths(const NodeHandle& node) const override;
  // The containers' fixed ports (REST, JobManager RPC, blob server), on any node.
  std::map<int, std::string> Ports(const DeployContext& ctx) const override {
    return FlinkListenPorts(YarnFlinkConfig(ClusterFlinkConfig(ctx), ctx));
  }

  std::vector<std::string> Roles() const override { return {"jobmanager", "taskmanager"}; }
  // Any node: YARN decides where containers run.
  std::vector<NodeHandle> NodesWithRole(const DeployContext& ctx,
                                        const std::string& role) const override;
  Result<std::vector<ProcessRef>> Processes(const NodeHandle& node,
                                            const std::string& role) override;
  Result<std::vector<ProcessRef>> Signal(const NodeHandle& node, const std::string& role,
                                         int signal) override;

  // The application id (Flink's HA cluster id on YARN); "" before the application exists.
  std::string HaClusterId(const DeployContext& ctx) const override;
  // Every node's kFlinkRestPort: the JobManager binds it wherever YARN placed it.
  std::vector<std::string> RestUrls(const DeployContext& ctx) const override;
  // {"application": the RM's app, "attempts": [...]} for the run's application.
  nlohmann::json ResourceManagerReport(const DeployContext& ctx) const override;

  const std::string& application_id() const { return application_id_; }

  // Application and per-job modes: deploys the job's own application with the client and returns
  // the job once its JobManager reports it. One job per Db (a second is FailedPrecondition).
  Result<LaunchedJob> LaunchJob(DeployContext& ctx, const JobLaunch& job) override;

  // The entry class of `role`'s JVM in this mode.
  Result<std::string> EntryClass(const std::string& role) const;

  // argv of the client command that deploys the cluster (session) or the job (application,
  // per-job), after the environment; `jar_on_node` is the job jar's path on the client node.
  // Exposed for tests. Pure.
  virtual std::vector<std::string> ClientArgv(const DeployContext& ctx, const JobLaunch* job,
                                              const std::string& jar_on_node) const = 0;

 protected:
  virtual std::string JobManagerClass() const = 0;

  // Runs ClientArgv on the client node, finds the application it created and waits until its
  // JobManager serves REST (the leader published in ZooKeeper). Sets application_id_.
  Status DeployWithClient(DeployContext& ctx, const JobLaunch* job);
  // Waits until the JobManager of application_id_ reports a job; returns it.
  Result<LaunchedJob> AwaitJob(const DeployContext& ctx);
  // Appends the job's parallelism, entry class, jar and arguments (in that order) to a client's
  // argv.
  static void AppendJob(std::vector<std::string>& argv, const JobLaunch& job,
                        const std::string& jar_on_node);

  std::string hadoop_lib_dir_;
  std::string application_id_;
  std::string client_classpath_;  // HADOOP_CLASSPATH of the client
  std::string last_rest_url_;     // where the JobManager answered last during set-up
  int clients_run_ = 0;
};

// yarn-session: bin/yarn-session.sh --detached starts the session in Setup; the run submits jobs
// over REST.
class FlinkYarnSessionDb : public FlinkYarnDb {
 public:
  using FlinkYarnDb::FlinkYarnDb;
  std::string name() const override { return "flink-yarn-session"; }
  Status Setup(DeployContext& ctx) override;
  std::vector<std::string> ClientArgv(const DeployContext& ctx, const JobLaunch* job,
                                      const std::string& jar_on_node) const override;

 protected:
  std::string JobManagerClass() const override { return kYarnSessionEntrypointClass; }
};

// yarn-application: the job's main() runs in the JobManager; `flink run -t yarn-application`
// (2.x) or `flink run-application -t yarn-application` (1.x) in LaunchJob.
class FlinkYarnApplicationDb : public FlinkYarnDb {
 public:
  using FlinkYarnDb::FlinkYarnDb;
  std::string name() const override { return "flink-yarn-application"; }
  bool LaunchesJobs() const override { return true; }
  std::vector<std::string> ClientArgv(const DeployContext& ctx, const JobLaunch* job,
                                      const std::string& jar_on_node) const override;

 protected:
  std::string JobManagerClass() const override { return kYarnApplicationEntrypointClass; }
};

// yarn-job (per-job; removed in Flink 2.0): `flink run -t yarn-per-job --detached` in LaunchJob.
class FlinkYarnJobDb : public FlinkYarnDb {
 public:
  using FlinkYarnDb::FlinkYarnDb;
  std::string name() const override { return "flink-yarn-job"; }
  bool LaunchesJobs() const override { return true; }
  std::vector<std::string> ClientArgv(const DeployContext& ctx, const JobLaunch* job,
                                      const std::string& jar_on_node) const override;

 protected:
  std::string JobManagerClass() const override { return kYarnJobEntrypointClass; }
};

// The Db of a YARN deployment mode ("yarn-session", "yarn-application", "yarn-job"); nullptr for
// any other name.
std::unique_ptr<FlinkYarnDb> MakeFlinkYarnDb(const std::string& mode, std::string hadoop_lib_dir);

}  // namespace jf

#endif  // JF_DB_FLINK_YARN_H_
