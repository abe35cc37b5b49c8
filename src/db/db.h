// Db: Jepsen's DB protocol for one piece of the system under test (ZooKeeper, Flink in one
// deployment mode, later HDFS and YARN). Setup() installs, configures and starts it on the
// deployment's nodes and returns once it is ready; Teardown() stops it and removes what Setup()
// put on the nodes, and must succeed on a half-set-up deployment too.
//
// Optional capabilities are separate interfaces a Db may also implement (checked with
// dynamic_cast): LogFiles, ListenPorts, Kill.
//
// Thread-safety: a Db is driven by one thread; it may fan out to the nodes in parallel inside.
#ifndef JF_DB_DB_H_
#define JF_DB_DB_H_

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "common/status.h"
#include "control/remote.h"

namespace jf {

struct NodeHandle {
  std::string name;  // n1, n2, ...: roles use the sorted node list, as the original did
  std::string ip;
  Remote* remote = nullptr;
};

// Everything a Db needs to deploy, fixed for one run.
struct DeployContext {
  std::vector<NodeHandle> nodes;
  std::string run_id;        // unique per run; used for the HA cluster id and directories
  std::string java_home;     // Java 17 on the nodes
  std::string flink_home;    // the laid-out distribution, readable on the nodes
  std::string flink_version;
  std::string zookeeper_lib_dir;  // ZooKeeper's jars, readable on the nodes
  std::string shared_dir;    // storage every node sees at this same path
  // True when shared_dir is each node's own directory instead (SSH nodes with HDFS and no
  // --shared-dir): then only the test job's side files (commit logs, alerts) go there, each on
  // the node whose task wrote it, and the run collects them from every node.
  bool shared_dir_per_node = false;
  // Where Flink keeps HA metadata, checkpoints and savepoints: "" = file://RunSharedDir(), else a
  // URI prefix such as hdfs://10.77.7.11:8020/jf/<run_id>.
  std::string storage_uri;
  // Extra environment of Flink's daemons (e.g. HADOOP_CLASSPATH when HDFS is deployed).
  std::map<std::string, std::string> flink_env;
  std::map<std::string, std::string> flink_overrides;  // --flink-config, in order of keys
  int taskmanager_slots = 1;
  int spare_slots = 0;  // slots left free: parallelism = nodes x slots - spare
  double readiness_timeout_s = 120;
  double restart_delay_s = 1;  // supervised daemons come back this long after they die
  // Asked by long waits in Setup() (readiness): true once the run was interrupted (SIGINT/SIGTERM),
  // so a Setup() returns kCancelled instead of waiting out its timeout.
  std::function<bool()> cancelled;

  bool Cancelled() const { return cancelled && cancelled(); }

  std::string ZooKeeperQuorum() const;  // ip:2181,ip:2181,...
  std::string RunSharedDir() const { return shared_dir + "/" + run_id; }
  std::string StorageUri() const {
    return storage_uri.empty() ? "file://" + RunSharedDir() : storage_uri;
  }
};

class Db {
 public:
  virtual ~Db() = default;
  virtual std::string name() const = 0;
  virtual Status Setup(DeployContext& ctx) = 0;
  virtual Status Teardown(DeployContext& ctx) = 0;
};

// Capability: the fixed TCP ports this Db's daemons listen on, each with what it is for. The run
// checks them free on every node before any Setup (a superset: a port a daemon has on one node is
// checked on all), so a port another process holds is a clear error, not a daemon that dies.
class ListenPorts {
 public:
  virtual ~ListenPorts() = default;
  virtual std::map<int, std::string> Ports(const DeployContext& ctx) const = 0;
};

// A file or directory on a node and where it goes in the store, under <store>/<node>/.
struct LogPath {
  std::string remote;  // absolute path on the node; directories are collected whole
  std::string local;   // relative path under the node's folder in the store
};

// Capability: which files on a node hold this Db's logs (collected into the store).
class LogFiles {
 public:
  virtual ~LogFiles() = default;
  virtual std::vector<LogPath> LogPaths(const NodeHandle& node) const = 0;
};

// A process a fault hit: where, what, and its PID as the node and the harness see it.
struct ProcessRef {
  std::string node;
  std::string role;
  int pid = 0;        // in the node's PID namespace
  int host_pid = -1;  // as the harness's machine sees it; -1 if unknown
};

// Capability: the processes of each role can be found and signalled (kills, pauses).
class Kill {
 public:
  virtual ~Kill() = default;
  // Roles this Db runs, e.g. "taskmanager", "jobmanager".
  virtual std::vector<std::string> Roles() const = 0;
  // The nodes that run `role`.
  virtual std::vector<NodeHandle> NodesWithRole(const DeployContext& ctx,
                                                const std::string& role) const = 0;
  // The current processes of `role` on `node`.
  virtual Result<std::vector<ProcessRef>> Processes(const NodeHandle& node,
                                                    const std::string& role) = 0;
  // Sends `signal` to them; returns the processes it reached (empty: none was running).
  virtual Result<std::vector<ProcessRef>> Signal(const NodeHandle& node, const std::string& role,
                                                 int signal) = 0;
};

// The processes on `node` whose argv holds `entry_class`, as ProcessRefs of `role` (host PIDs
// resolved where the Remote can).
Result<std::vector<ProcessRef>> RoleProcesses(const NodeHandle& node, const std::string& role,
                                              const std::string& entry_class);
// Signals them; returns those reached.
Result<std::vector<ProcessRef>> SignalRole(const NodeHandle& node, const std::string& role,
                                           const std::string& entry_class, int signal);

// Kill over several Dbs: each role goes to the Db that runs it.
class KillRouter : public Kill {
 public:
  void Add(Kill* k) { parts_.push_back(k); }
  std::vector<std::string> Roles() const override;
  std::vector<NodeHandle> NodesWithRole(const DeployContext& ctx,
                                        const std::string& role) const override;
  Result<std::vector<ProcessRef>> Processes(const NodeHandle& node,
                                            const std::string& role) override;
  Result<std::vector<ProcessRef>> Signal(const NodeHandle& node, const std::string& role,
                                         int signal) override;

 private:
  Kill* For(const std::string& role) const;
  std::vector<Kill*> parts_;
};

// Runs fn(node) on every node in parallel and returns the first error (all calls finish first).
Status ForEachNode(const std::vector<NodeHandle>& nodes,
                   const std::function<Status(const NodeHandle&)>& fn);

}  // namespace jf

#endif  // JF_DB_DB_H_
