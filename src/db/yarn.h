// YarnDb: Hadoop YARN with one ResourceManager (on the second node, or the only one) and a
// NodeManager on every node, run from the Maven Central jars of Hadoop 3.5
// (src/dist/hadoop-pom.xml, HadoopLibDir) on Java 17 as plain `java -cp` daemons, each under runit
// supervision like Flink's daemons, so a killed daemon comes back. As for HdfsDb, no Hadoop tarball
// and no Hadoop scripts: the configuration (yarn-site.xml, core-site.xml, hdfs-site.xml,
// capacity-scheduler.xml, log4j.properties) is written into a per-node conf dir that is first on
// the daemons' classpath.
//
// What the configuration is for (see RenderYarnSite):
//   - containers run on Java 17: the NodeManagers run with JAVA_HOME = ctx.java_home, which YARN
//     passes on to every container that does not set JAVA_HOME itself (env-whitelist);
//   - a NodeManager that stops heartbeating is LOST after kNodeManagerExpiryMs (not 10 min);
//   - applications may have many attempts (yarn.resourcemanager.am.max-attempts =
//     kAmMaxAttempts); Flink's own cap is its yarn.application-attempts;
//   - no log aggregation: container logs stay in kYarnContainerLogDir on their node, which
//     LogPaths collects;
//   - yarn.application.classpath lists the Hadoop client jars installed on every node, so
//     containers (Flink's JobManager and TaskManagers) find Hadoop without a Hadoop tarball.
// fs.defaultFS (YARN's and Flink's staging directory) is HdfsDb's NameNode unless another file
// system is given.
//
// Setup wipes YARN's local data and logs and returns once the ResourceManager's REST API lists
// every node's NodeManager RUNNING. The ResourceManager keeps no state across restarts (no RM
// recovery): a killed ResourceManager comes back empty, and running applications are lost.
// NodeManagers do recover (Hadoop's work-preserving NodeManager restart): the containers of a
// killed NodeManager keep running, and the one runit starts next takes them over and keeps their
// logs (without recovery it would delete every earlier application's logs on its node as it
// starts). Back within kNodeManagerExpiryMs, it only reconnects; later, the ResourceManager has
// already declared it LOST and its containers lost. A NodeManager stopped on purpose (SIGTERM)
// stops its containers.
//
// Node layout: /opt/hadoop-yarn/{lib,conf} (lib: the jars, read-only), /opt/hadoop-yarn-data
// (NodeManager local dirs: localized files, container work dirs), /var/log/hadoop-yarn
// (<role>.log from log4j, <role>.out from runit, GC logs, and containers/: the container logs,
// <application id>/<container id>/...). All are node-local on the namespace cluster.
//
// Thread-safety: like every Db, driven by one thread (it fans out to the nodes inside); the static
// helpers are pure or only talk HTTP and may be called from any thread.
#ifndef JF_DB_YARN_H_
#define JF_DB_YARN_H_

#include <string>
#include <vector>

#include "db/db.h"

namespace jf {

// Ports (fixed, so partition rules can name them). ResourceManager: the scheduler (AMs), the
// resource tracker (NodeManagers), clients, admin, and HTTP (web UI, REST API); yarn-default.xml's
// defaults. NodeManager: container management (default: an ephemeral port; fixed here, so a
// restarted NodeManager keeps its node id), the localizer, and HTTP.
inline constexpr int kResourceManagerSchedulerPort = 8030;
inline constexpr int kResourceManagerTrackerPort = 8031;
inline constexpr int kResourceManagerPort = 8032;
inline constexpr int kResourceManagerAdminPort = 8033;
inline constexpr int kResourceManagerWebPort = 8088;
inline constexpr int kNodeManagerPort = 8041;
inline constexpr int kNodeManagerLocalizerPort = 8040;
inline constexpr int kNodeManagerWebPort = 8042;

// Entry classes: how the daemons are found among a node's processes.
inline constexpr char kResourceManagerClass[] =
    "org.apache.hadoop.yarn.server.resourcemanager.ResourceManager";
inline constexpr char kNodeManagerClass[] = "org.apache.hadoop.yarn.server.nodemanager.NodeManager";

// Where things are on every node.
inline constexpr char kYarnHome[] = "/opt/hadoop-yarn";
inline constexpr char kYarnLibDir[] = "/opt/hadoop-yarn/lib";
inline constexpr char kYarnConfDir[] = "/opt/hadoop-yarn/conf";  // HADOOP_CONF_DIR for clients
inline constexpr char kYarnDataDir[] = "/opt/hadoop-yarn-data";
inline constexpr char kYarnLogDir[] = "/var/log/hadoop-yarn";
inline constexpr char kYarnContainerLogDir[] = "/var/log/hadoop-yarn/containers";

// Resources. The machine has 2 cores and 24 GiB for 3 nodes and everything else; YARN only does
// the bookkeeping (vcores are not enforced without cgroups), so 4 GiB and 4 vcores per NodeManager
// leave room for Flink's containers and the other daemons.
inline constexpr int kNodeManagerMemoryMb = 4096;
inline constexpr int kNodeManagerVcores = 4;
inline constexpr int kMinimumAllocationMb = 256;
// NodeManagers heartbeat every second; one silent for this long is LOST (the default is 10 min).
inline constexpr int kNodeManagerHeartbeatMs = 1000;
inline constexpr int kNodeManagerExpiryMs = 6000;
// An AM that stops heartbeating (paused, cut off) is expired after this long (default 15 min).
// Flink's AM heartbeats every 5 s (yarn.heartbeat.interval).
inline constexpr int kAmExpiryMs = 30000;
// The ResourceManager's cap on attempts per application (the default is 2).
inline constexpr int kAmMaxAttempts = 1000;

// The jars YarnDb needs in the Hadoop lib dir besides HDFS's: the daemons, and the timeline
// service classes the ResourceManager's web app links against (a `provided` dependency of
// hadoop-yarn-server-resourcemanager, so not resolved with it).
inline constexpr const char* kYarnRequiredJarPrefixes[] = {"hadoop-yarn-server-resourcemanager-",
                                                           "hadoop-yarn-server-nodemanager-",
                                                           "hadoop-yarn-server-timelineservice-"};

// One NodeManager as the ResourceManager sees it (/ws/v1/cluster/nodes).
struct YarnNode {
  std::string id;     // host:port, the node id
  std::string host;   // nodeHostName
  std::string state;  // NEW, RUNNING, UNHEALTHY, LOST, SHUTDOWN, DECOMMISSIONED, ...
  std::string http_address;
  std::string health_report;
};

// One application (/ws/v1/cluster/apps, /ws/v1/cluster/apps/{id}).
struct YarnApp {
  std::string id;  // application_<cluster timestamp>_<n>
  std::string name;
  std::string state;  // NEW, NEW_SAVING, SUBMITTED, ACCEPTED, RUNNING, FINISHED, FAILED, KILLED
  std::string final_status;          // UNDEFINED, SUCCEEDED, FAILED, KILLED
  std::string am_host_http_address;  // the current attempt's NodeManager, host:port; may be empty
  std::string diagnostics;
};

// One attempt of an application (/ws/v1/cluster/apps/{id}/appattempts).
struct YarnAppAttempt {
  int id = 0;                // 1, 2, ...
  std::string attempt_id;    // appattempt_<cluster timestamp>_<n>_<attempt>
  std::string state;         // appAttemptState, e.g. RUNNING, FAILED (absent on old RMs: empty)
  std::string container_id;  // the AM container
  std::string node_id;
};

class YarnDb : public Db, public LogFiles, public Kill, public ListenPorts {
 public:
  // `hadoop_lib_dir`: the harness's directory of Hadoop jars (HadoopLibDir()); Setup installs it
  // on every node as kYarnLibDir. `default_fs`: fs.defaultFS; empty means HdfsDb's NameNode
  // (HdfsDb::DefaultFsUri), and then HdfsDb's hdfs-site.xml goes into the conf dir as well.
  explicit YarnDb(std::string hadoop_lib_dir, std::string default_fs = "")
      : hadoop_lib_dir_(std::move(hadoop_lib_dir)), default_fs_(std::move(default_fs)) {}

  std::string name() const override { return "yarn"; }
  std::map<int, std::string> Ports(const DeployContext&) const override {
    return {{kResourceManagerSchedulerPort, "YARN ResourceManager scheduler"},
            {kResourceManagerTrackerPort, "YARN ResourceManager tracker"},
            {kResourceManagerPort, "YARN ResourceManager"},
            {kResourceManagerAdminPort, "YARN ResourceManager admin"},
            {kResourceManagerWebPort, "YARN ResourceManager web"},
            {kNodeManagerPort, "YARN NodeManager"},
            {kNodeManagerLocalizerPort, "YARN NodeManager localizer"},
            {kNodeManagerWebPort, "YARN NodeManager web"}};
  }
  // Installs jars and configuration on every node, starts the ResourceManager and the
  // NodeManagers and waits as AwaitReady does. FailedPrecondition, naming setup.sh, if the lib dir
  // lacks a jar of kYarnRequiredJarPrefixes.
  Status Setup(DeployContext& ctx) override;
  // Stops every daemon (the NodeManagers stop their containers), kills what is left (stray daemon
  // JVMs, containers whose NodeManager was down) and removes kYarnDataDir. Logs and configuration
  // stay for the store.
  Status Teardown(DeployContext& ctx) override;
  // kYarnLogDir (daemon logs and, in containers/, the container logs) and kYarnConfDir.
  std::vector<LogPath> LogPaths(const NodeHandle& node) const override;

  // Roles "resourcemanager" (ResourceManagerHost) and "nodemanager" (every node).
  std::vector<std::string> Roles() const override { return {"resourcemanager", "nodemanager"}; }
  std::vector<NodeHandle> NodesWithRole(const DeployContext& ctx,
                                        const std::string& role) const override;
  Result<std::vector<ProcessRef>> Processes(const NodeHandle& node,
                                            const std::string& role) override;
  Result<std::vector<ProcessRef>> Signal(const NodeHandle& node, const std::string& role,
                                         int signal) override;

  // Waits until the ResourceManager lists every node's NodeManager RUNNING. Bounded by
  // ctx.readiness_timeout_s (kTimeout); kCancelled once ctx.Cancelled(); kInternal, naming the
  // log, if a daemon exits again and again meanwhile.
  Status AwaitReady(const DeployContext& ctx);

  // Takes the NodeManager on `node` down (SIGTERM, SIGKILL after 10 s) and keeps it down: runit
  // does not restart it until StartNodeManager. Its containers stop with it.
  Status StopNodeManager(const NodeHandle& node);
  // Brings it back; returns once runit started it, without waiting for it to register.
  Status StartNodeManager(const NodeHandle& node);

  // The node that runs the ResourceManager: the second node, or the first if there is one.
  static const NodeHandle& ResourceManagerHost(const DeployContext& ctx);
  // http://<ResourceManager ip>:8088/ws/v1/cluster: the REST API's base (nodes, apps, metrics).
  static std::string RestUrl(const DeployContext& ctx);
  // fs.defaultFS for `default_fs` as the constructor takes it.
  static std::string DefaultFs(const DeployContext& ctx, const std::string& default_fs);

  // yarn.application.classpath: the conf dir, then the Hadoop client jars of `jar_names` as
  // installed in kYarnLibDir (HadoopClasspathForFlink's choice: no logging backend, no daemons),
  // comma-separated. Flink's YARN client puts these after Flink's own files on every container's
  // CLASSPATH. Pure.
  static std::string ApplicationClasspath(const std::vector<std::string>& jar_names);
  // Which of kYarnRequiredJarPrefixes no jar of `jar_names` has. Pure.
  static std::vector<std::string> MissingJars(const std::vector<std::string>& jar_names);

  // The configuration files (exposed for tests). yarn-site.xml differs per node (the NodeManager
  // binds to the node's address); `application_classpath` is ApplicationClasspath's.
  static std::string RenderYarnSite(const DeployContext& ctx, const NodeHandle& node,
                                    const std::string& application_classpath);
  static std::string RenderCoreSite(const std::string& default_fs);
  static std::string RenderCapacitySchedulerXml();

  // argv of the daemon of `role` (exposed for tests): Java 17 from ctx.java_home, small heap,
  // the conf dir first on the classpath.
  static std::vector<std::string> DaemonArgv(const DeployContext& ctx, const std::string& role);

  // The REST API's answers. A list that is absent or empty ({"nodes":null}, {"apps":{}}) is an
  // empty vector; a single entry may come as an object instead of an array. A RemoteException
  // answer is kNotFound for NotFoundException, else kInternal; anything else unparsable kInternal.
  static Result<std::vector<YarnNode>> ParseNodes(const std::string& json);  // /nodes
  static Result<std::vector<YarnApp>> ParseApps(const std::string& json);    // /apps
  static Result<YarnApp> ParseApp(const std::string& json);                  // /apps/{id}
  static Result<std::vector<YarnAppAttempt>> ParseAppAttempts(const std::string& json);
  // How many attempts /apps/{id}/appattempts lists.
  static Result<int> ParseAppAttemptCount(const std::string& json);
  // The names of the `nodes` whose NodeManager `reported` does not list RUNNING, matched by node
  // id or host name against the node's name or address; empty when every one runs (also when
  // the ResourceManager names them otherwise but lists at least as many RUNNING). Pure.
  static std::vector<std::string> NodeManagersNotRunning(const std::vector<YarnNode>& reported,
                                                         const std::vector<NodeHandle>& nodes);

  // The same, asked over HTTP of the ResourceManager. kUnavailable/kTimeout if it does not answer,
  // kUnavailable for an HTTP status other than 200 (or the RemoteException's code).
  static Result<std::vector<YarnNode>> QueryNodes(const DeployContext& ctx);
  static Result<std::vector<YarnApp>> QueryApps(const DeployContext& ctx);
  static Result<YarnApp> QueryApp(const DeployContext& ctx, const std::string& app_id);
  static Result<std::vector<YarnAppAttempt>> QueryAppAttempts(const DeployContext& ctx,
                                                              const std::string& app_id);

  // Asks the ResourceManager to kill the application (PUT /apps/{id}/state KILLED); Ok once the
  // request was accepted (200 or 202), also for an application that already ended.
  static Status KillApp(const DeployContext& ctx, const std::string& app_id);

  // A bare YARN application whose AM container runs the shell command `command` (no AM protocol:
  // when the command ends the attempt ends, and a non-zero exit fails it, so YARN starts another
  // until `max_attempts`). In the command, $JAVA_HOME is the container's Java and <LOG_DIR> its
  // log dir (kYarnContainerLogDir/<app>/<container>). The body of POST /apps (pure), and the
  // submission through the REST API as user root (new-application, then POST /apps; returns the
  // application id). For smoke tests: Flink submits through YARN's client protocol.
  static std::string RenderCommandAppSubmission(const std::string& app_id, const std::string& name,
                                                const std::string& command, int max_attempts,
                                                int memory_mb);
  static Result<std::string> SubmitCommandApp(const DeployContext& ctx, const std::string& name,
                                              const std::string& command, int max_attempts,
                                              int memory_mb = kMinimumAllocationMb);

 private:
  std::string hadoop_lib_dir_;
  std::string default_fs_;
};

}  // namespace jf

#endif  // JF_DB_YARN_H_
