#include "db/flink_config.h"

#include <algorithm>
#include <cctype>
#include <nlohmann/json.hpp>

namespace jf {
namespace {

// The module flags Flink's own config.yaml passes on Java 17 (env.java.opts.all of the 1.20
// distribution, a superset of 2.x's). The scripts read them from the configuration, so the
// harness's configuration must carry them.
constexpr const char* kJava17Opens =
    "--add-exports=java.base/sun.net.util=ALL-UNNAMED "
    "--add-exports=java.rmi/sun.rmi.registry=ALL-UNNAMED "
    "--add-exports=jdk.compiler/com.sun.tools.javac.api=ALL-UNNAMED "
    "--add-exports=jdk.compiler/com.sun.tools.javac.file=ALL-UNNAMED "
    "--add-exports=jdk.compiler/com.sun.tools.javac.parser=ALL-UNNAMED "
    "--add-exports=jdk.compiler/com.sun.tools.javac.tree=ALL-UNNAMED "
    "--add-exports=jdk.compiler/com.sun.tools.javac.util=ALL-UNNAMED "
    "--add-exports=java.security.jgss/sun.security.krb5=ALL-UNNAMED "
    "--add-opens=java.base/java.lang=ALL-UNNAMED --add-opens=java.base/java.net=ALL-UNNAMED "
    "--add-opens=java.base/java.io=ALL-UNNAMED --add-opens=java.base/java.nio=ALL-UNNAMED "
    "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED "
    "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED "
    "--add-opens=java.base/java.text=ALL-UNNAMED --add-opens=java.base/java.time=ALL-UNNAMED "
    "--add-opens=java.base/java.util=ALL-UNNAMED "
    "--add-opens=java.base/java.util.concurrent=ALL-UNNAMED "
    "--add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED "
    "--add-opens=java.base/java.util.concurrent.locks=ALL-UNNAMED";

std::string GcLog(const std::string& daemon) {
  return fmt::format("-Xlog:gc*:file=/var/log/flink/{}-gc.log:time,uptime:filecount=2,filesize=10M",
                     daemon);
}

}  // namespace

Result<std::pair<std::string, std::string>> ParseFlinkOverride(const std::string& arg) {
  auto eq = arg.find('=');
  if (eq == std::string::npos || eq == 0) {
    return InvalidArgument("--flink-config '{}': expected key=value", arg);
  }
  std::string key = arg.substr(0, eq);
  if (key.find_first_of(" \t:\"'") != std::string::npos) {
    return InvalidArgument("--flink-config '{}': '{}' is not a configuration key", arg, key);
  }
  return std::make_pair(key, arg.substr(eq + 1));
}

std::string HaClusterId(const DeployContext& ctx) { return "/jf-" + ctx.run_id; }

bool HighAvailability(const DeployContext& ctx) {
  for (const char* key : {"high-availability.type", "high-availability"}) {
    auto it = ctx.flink_overrides.find(key);
    if (it == ctx.flink_overrides.end()) continue;
    std::string v = it->second;
    std::transform(v.begin(), v.end(), v.begin(),
                   [](unsigned char ch) { return std::tolower(ch); });
    if (v == "none") return false;
  }
  return true;
}

std::map<int, std::string> FlinkListenPorts(const FlinkConfig& config) {
  // rest.bind-port, when set, is the port the REST server binds (rest.port is then the one
  // clients are told).
  const char* rest = config.contains("rest.bind-port") ? "rest.bind-port" : "rest.port";
  const std::pair<const char*, const char*> keys[] = {
      {rest, "Flink REST"},
      {"jobmanager.rpc.port", "JobManager RPC"},
      {"blob.server.port", "Flink blob server"},
      {"taskmanager.rpc.port", "TaskManager RPC"},
      {"taskmanager.data.port", "TaskManager data"}};
  std::map<int, std::string> ports;
  for (const auto& [key, what] : keys) {
    auto it = config.find(key);
    if (it == config.end() || it->second.empty() || it->second.size() > 5 ||
        !std::all_of(it->second.begin(), it->second.end(),
                     [](unsigned char c) { return std::isdigit(c); })) {
      continue;
    }
    int port = std::atoi(it->second.c_str());
    if (port > 0 && port < 65536) ports.emplace(port, fmt::format("{}, {}", what, key));
  }
  return ports;
}

int DefaultParallelism(const DeployContext& ctx) {
  return static_cast<int>(ctx.nodes.size()) * ctx.taskmanager_slots - ctx.spare_slots;
}

FlinkConfig ClusterFlinkConfig(const DeployContext& ctx) {
  FlinkConfig c = {
      // High availability through ZooKeeper, with a cluster id of its own per run.
      {"high-availability.type", "zookeeper"},
      {"high-availability.zookeeper.quorum", ctx.ZooKeeperQuorum()},
      {"high-availability.zookeeper.path.root", "/flink"},
      {"high-availability.cluster-id", HaClusterId(ctx)},
      {"high-availability.storageDir", ctx.StorageUri() + "/ha"},
      // A SIGKILLed leader is noticed when its ZooKeeper session expires; 2 cores running a
      // dozen JVMs see multi-second pauses, so not much lower than this.
      {"high-availability.zookeeper.client.session-timeout", "12000"},
      {"high-availability.zookeeper.client.connection-timeout", "5000"},
      {"high-availability.zookeeper.client.retry-wait", "1000"},
      {"heartbeat.interval", "3000"},
      {"heartbeat.timeout", "12000"},
      // Fixed ports, so that partitions can name them.
      {"high-availability.jobmanager.port", "6123"},
      {"jobmanager.rpc.port", "6123"},
      {"blob.server.port", "6124"},
      {"taskmanager.rpc.port", "6122"},
      {"taskmanager.data.port", "6121"},
      {"rest.port", std::to_string(kFlinkRestPort)},
      {"rest.bind-address", "0.0.0.0"},
      {"jobmanager.bind-host", "0.0.0.0"},
      {"taskmanager.bind-host", "0.0.0.0"},
      {"web.submit.enable", "true"},
      // Memory: 2 JobManagers and 3 TaskManagers fit in about 6 GiB.
      {"jobmanager.memory.process.size", "1024m"},
      {"taskmanager.memory.process.size", "1280m"},
      {"taskmanager.memory.managed.size", "128m"},
      {"taskmanager.numberOfTaskSlots", std::to_string(ctx.taskmanager_slots)},
      {"parallelism.default", std::to_string(DefaultParallelism(ctx))},
      {"jobmanager.execution.failover-strategy", "region"},
      {"restart-strategy.type", "fixed-delay"},
      {"restart-strategy.fixed-delay.attempts", "1000000"},
      {"restart-strategy.fixed-delay.delay", "1 s"},
      {"execution.checkpointing.interval", "2 s"},
      {"execution.checkpointing.dir", ctx.StorageUri() + "/checkpoints"},
      {"execution.checkpointing.savepoint-dir", ctx.StorageUri() + "/savepoints"},
      {"io.tmp.dirs", "/tmp/flink"},
      // Serial GC and C1 only: less CPU per JVM on a 2-core machine.
      {"env.java.opts.all",
       std::string("-XX:+UseSerialGC -XX:TieredStopAtLevel=1 ") + kJava17Opens},
      {"env.java.opts.jobmanager", GcLog("jobmanager")},
      {"env.java.opts.taskmanager", GcLog("taskmanager")},
  };
  for (const auto& [k, v] : ctx.flink_overrides) c[k] = v;
  return c;
}

FlinkConfig NodeFlinkConfig(const FlinkConfig& cluster, const NodeHandle& node) {
  FlinkConfig c = cluster;
  c["jobmanager.rpc.address"] = node.ip;
  c["rest.address"] = node.ip;
  c["taskmanager.host"] = node.ip;
  return c;
}

std::string RenderConfigYaml(const FlinkConfig& config) {
  std::string out = "# Written by jepsen-flink; the distribution's own file was removed.\n";
  for (const auto& [k, v] : config) out += k + ": " + nlohmann::json(v).dump() + "\n";
  return out;
}

}  // namespace jf
