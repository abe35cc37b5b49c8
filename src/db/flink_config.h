// The Flink configuration the harness writes: defaults tuned for fault tests on a small machine,
// the user's --flink-config overrides merged over them, and the per-node keys. Rendered as
// config.yaml (standard YAML, flat keys), the one file both 2.x and 1.20 read.
#ifndef JF_DB_FLINK_CONFIG_H_
#define JF_DB_FLINK_CONFIG_H_

#include <map>
#include <string>

#include "common/status.h"
#include "db/db.h"

namespace jf {

using FlinkConfig = std::map<std::string, std::string>;

inline constexpr int kFlinkRestPort = 8081;

// Parses one --flink-config argument, "key=value" (value may contain '=').
Result<std::pair<std::string, std::string>> ParseFlinkOverride(const std::string& arg);

// Cluster-wide configuration: defaults, then ctx.flink_overrides on top.
FlinkConfig ClusterFlinkConfig(const DeployContext& ctx);

// The cluster configuration with the keys that name this node (RPC, REST and TaskManager
// addresses). These win over overrides; the post-start check reports an override they replaced.
FlinkConfig NodeFlinkConfig(const FlinkConfig& cluster, const NodeHandle& node);

// config.yaml text: one `key: "value"` line per entry (YAML double-quoted, JSON escaping).
std::string RenderConfigYaml(const FlinkConfig& config);

// False when the overrides turn Flink's high availability off (high-availability.type, or 1.x's
// deprecated high-availability, set to NONE in any case): a cluster without HA has one
// JobManager, which every TaskManager and client must address directly.
bool HighAvailability(const DeployContext& ctx);

// The fixed ports of Flink's daemons in `config` (REST, JobManager RPC, blob server, TaskManager
// RPC and data), each with what it is for; ranges and 0 (any free port) are left out.
std::map<int, std::string> FlinkListenPorts(const FlinkConfig& config);

// The default parallelism: every TaskManager slot of the cluster minus the spare ones.
int DefaultParallelism(const DeployContext& ctx);

// The leader's REST path in ZooKeeper for this deployment (root + cluster id).
std::string HaClusterId(const DeployContext& ctx);

}  // namespace jf

#endif  // JF_DB_FLINK_CONFIG_H_
