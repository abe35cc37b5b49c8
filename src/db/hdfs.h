// HdfsDb: HDFS with one NameNode (on the first node) and a DataNode on every node, run from the
// Maven Central jars of Hadoop 3.5 (src/dist/hadoop-pom.xml, HadoopLibDir) on Java 17 as plain
// `java -cp` daemons, each under runit supervision like Flink's daemons, so a killed daemon comes
// back. No Hadoop tarball and no Hadoop scripts are used: the configuration (core-site.xml,
// hdfs-site.xml, log4j.properties) is written into a per-node conf dir that is first on every
// Hadoop classpath, which is where Hadoop's Configuration looks.
//
// Setup wipes the HDFS data, formats the NameNode afresh and returns once the NameNode is out of
// safe mode and reports every DataNode live. For the original's fail-name-node-during-recovery,
// StopNameNode / StartNameNode take the NameNode down on purpose (runit keeps it down) and bring it
// back (without re-formatting).
//
// Node layout: /opt/hadoop/{lib,conf} (lib: the jars, read-only), /opt/hadoop-data/{name,data,tmp}
// (the NameNode's metadata, the DataNode's blocks), /var/log/hadoop (daemon logs: <role>.log from
// log4j, <role>.out from runit, namenode-format.out, GC logs). All are node-local on the namespace
// cluster.
//
// Thread-safety: like every Db, driven by one thread (it fans out to the nodes inside); the static
// helpers are pure or only talk HTTP and may be called from any thread.
#ifndef JF_DB_HDFS_H_
#define JF_DB_HDFS_H_

#include <string>
#include <vector>

#include "db/db.h"

namespace jf {

// Ports (fixed, so partition rules can name them): the NameNode's RPC (clients, DataNodes) and
// HTTP (web UI, /jmx), and the DataNode's block transfer, HTTP and IPC ports (Hadoop 3 defaults).
inline constexpr int kNameNodeRpcPort = 8020;
inline constexpr int kNameNodeHttpPort = 9870;
inline constexpr int kDataNodeTransferPort = 9866;
inline constexpr int kDataNodeHttpPort = 9864;
inline constexpr int kDataNodeIpcPort = 9867;

// Entry classes: how the daemons are found among a node's processes.
inline constexpr char kNameNodeClass[] = "org.apache.hadoop.hdfs.server.namenode.NameNode";
inline constexpr char kDataNodeClass[] = "org.apache.hadoop.hdfs.server.datanode.DataNode";
inline constexpr char kFsShellClass[] = "org.apache.hadoop.fs.FsShell";

// Where things are on every node.
inline constexpr char kHadoopHome[] = "/opt/hadoop";
inline constexpr char kHadoopLibDir[] = "/opt/hadoop/lib";
inline constexpr char kHadoopConfDir[] = "/opt/hadoop/conf";
inline constexpr char kHadoopDataDir[] = "/opt/hadoop-data";
inline constexpr char kHadoopLogDir[] = "/var/log/hadoop";

// After a NameNode restart, how long it stays in safe mode once enough blocks are reported. The
// default, 30 s, would refuse every write (Flink's checkpoints) for 30 s after each restart.
inline constexpr int kSafeModeExtensionMs = 5000;

// What the NameNode says about itself (its JMX beans).
struct NameNodeStatus {
  bool safe_mode = true;
  int live_datanodes = 0;
  std::string safe_mode_tip;  // the NameNode's own explanation while in safe mode, else empty
};

class HdfsDb : public Db, public LogFiles, public Kill, public ListenPorts {
 public:
  // `hadoop_lib_dir`: the harness's directory of Hadoop jars (HadoopLibDir()); Setup installs it
  // on every node as kHadoopLibDir.
  explicit HdfsDb(std::string hadoop_lib_dir) : hadoop_lib_dir_(std::move(hadoop_lib_dir)) {}

  std::string name() const override { return "hdfs"; }
  std::map<int, std::string> Ports(const DeployContext&) const override {
    return {{kNameNodeRpcPort, "HDFS NameNode RPC"},
            {kNameNodeHttpPort, "HDFS NameNode HTTP"},
            {kDataNodeTransferPort, "HDFS DataNode transfer"},
            {kDataNodeHttpPort, "HDFS DataNode HTTP"},
            {kDataNodeIpcPort, "HDFS DataNode IPC"}};
  }
  // Installs jars and configuration on every node, formats the NameNode (its output is kept in
  // kHadoopLogDir/namenode-format.out), starts the NameNode and the DataNodes and waits as
  // AwaitReady does.
  Status Setup(DeployContext& ctx) override;
  // Stops every daemon (and kills any stray Hadoop daemon JVM, e.g. a format run cut short) and
  // removes kHadoopDataDir. Logs and configuration stay for the store.
  Status Teardown(DeployContext& ctx) override;
  std::vector<LogPath> LogPaths(const NodeHandle& node) const override;

  // Roles "namenode" (the first node) and "datanode" (every node).
  std::vector<std::string> Roles() const override { return {"namenode", "datanode"}; }
  std::vector<NodeHandle> NodesWithRole(const DeployContext& ctx,
                                        const std::string& role) const override;
  Result<std::vector<ProcessRef>> Processes(const NodeHandle& node,
                                            const std::string& role) override;
  Result<std::vector<ProcessRef>> Signal(const NodeHandle& node, const std::string& role,
                                         int signal) override;

  // Waits until the NameNode is out of safe mode and reports every node's DataNode live. Bounded
  // by ctx.readiness_timeout_s (kTimeout); kCancelled once ctx.Cancelled(); kInternal, naming the
  // log, if a daemon exits again and again meanwhile.
  Status AwaitReady(const DeployContext& ctx);

  // Takes the NameNode down (SIGTERM, SIGKILL after 10 s) and keeps it down: runit does not
  // restart it until StartNameNode. The DataNodes keep running and retry.
  Status StopNameNode(const DeployContext& ctx);
  // Brings the NameNode back on its existing metadata. Returns once runit started it, without
  // waiting for it to serve (AwaitReady does that).
  Status StartNameNode(const DeployContext& ctx);

  // The node that runs the NameNode: the first node.
  static const NodeHandle& NameNodeHost(const DeployContext& ctx) { return ctx.nodes.front(); }
  // hdfs://<NameNode ip>:8020: the prefix of full HDFS URIs (high-availability.storageDir,
  // checkpoint directories), which need no Hadoop configuration to resolve.
  static std::string DefaultFsUri(const DeployContext& ctx);

  // The configuration files, the same on every node (exposed for tests).
  static std::string RenderCoreSite(const DeployContext& ctx);
  static std::string RenderHdfsSite(const DeployContext& ctx);
  static std::string RenderLog4jProperties();

  // argv that runs Hadoop's FsShell (`hadoop fs`) on any node after Setup, e.g.
  // FsShellArgv(ctx, {"-cat", DefaultFsUri(ctx) + "/x"}). It logs warnings to stderr only.
  static std::vector<std::string> FsShellArgv(const DeployContext& ctx,
                                              const std::vector<std::string>& args);

  // Asks the NameNode at `ip` over HTTP (/jmx). kUnavailable/kTimeout if it does not answer.
  static Result<NameNodeStatus> QueryNameNode(const std::string& ip);
  // Parses the answers of /jmx?qry=Hadoop:service=NameNode,name=FSNamesystemState (FSState,
  // NumLiveDataNodes) and ...,name=NameNodeInfo (Safemode). kInternal if they lack those.
  static Result<NameNodeStatus> ParseNameNodeJmx(const std::string& fs_state_json,
                                                 const std::string& info_json);

 private:
  std::string hadoop_lib_dir_;
};

// What Flink's daemons need on HADOOP_CLASSPATH for `hdfs://` paths (Flink's HadoopFsFactory, in
// flink-dist, loads only if Hadoop's Configuration and FileSystem classes are on the classpath):
// `conf_dir` (core-site.xml, hdfs-site.xml), then each jar of `jar_names` under `lib_dir` except
// the ones a Flink JVM must not get: Hadoop's logging backend and SLF4J (Flink brings its own; two
// bindings clash) and the jars of Hadoop's server side (HDFS and YARN daemons, the HDFS web apps).
// Flink's scripts append HADOOP_CLASSPATH after Flink's own jars. Pure.
std::string HadoopClasspathForFlink(const std::vector<std::string>& jar_names,
                                    const std::string& lib_dir, const std::string& conf_dir);

// The same for Flink on nodes where the jars of the harness's `local_lib_dir` are installed in
// `node_lib_dir` (HdfsDb: kHadoopLibDir; YarnDb: kYarnLibDir), with `node_conf_dir`. NotFound if
// the directory has no jars.
Result<std::string> HadoopClasspathForFlinkOnNodes(const std::string& local_lib_dir,
                                                   const std::string& node_lib_dir = kHadoopLibDir,
                                                   const std::string& node_conf_dir = kHadoopConfDir);

}  // namespace jf

#endif  // JF_DB_HDFS_H_
