#include "db/flink_deployment.h"

#include <set>

#include "control/remote.h"

namespace jf {
namespace {

std::string Trim(std::string s) {
  while (!s.empty() && isspace(static_cast<unsigned char>(s.back()))) s.pop_back();
  size_t i = 0;
  while (i < s.size() && isspace(static_cast<unsigned char>(s[i]))) ++i;
  return s.substr(i);
}

}  // namespace

std::string NodeOfTaskManager(const DeployContext& ctx, const TaskManagerInfo& tm) {
  for (const auto& n : ctx.nodes) {
    if (tm.path.find("@" + n.ip + ":") != std::string::npos ||
        tm.path.find("@" + n.name + ":") != std::string::npos) {
      return n.name;
    }
  }
  return "";
}

std::vector<std::string> BusyTaskManagerNodes(const DeployContext& ctx,
                                              const std::vector<TaskManagerInfo>& tms) {
  std::set<std::string> busy;
  for (const auto& tm : tms) {
    std::string node = NodeOfTaskManager(ctx, tm);
    if (!node.empty() && tm.free_slots < tm.slots_number) busy.insert(node);
  }
  return {busy.begin(), busy.end()};
}

Status CheckFlinkOverrides(const std::map<std::string, std::string>& overrides,
                           const std::map<std::string, std::string>& effective) {
  std::string bad;
  for (const auto& [k, v] : overrides) {
    auto it = effective.find(k);
    if (it == effective.end()) {
      bad +=
          fmt::format("{}{} is not in Flink's effective configuration", bad.empty() ? "" : "; ", k);
    } else if (Trim(it->second) != Trim(v)) {
      bad +=
          fmt::format("{}{} is '{}' in Flink, not '{}'", bad.empty() ? "" : "; ", k, it->second, v);
    }
  }
  if (bad.empty()) return Status::Ok();
  return InvalidArgument("--flink-config did not take effect: {}", bad);
}

LeaderFinder::LeaderSource FlinkLeaderSource(std::shared_ptr<ZkLeaderLookup> zk,
                                             const DeployContext& ctx,
                                             const std::string& cluster_id) {
  std::map<std::string, std::string> hosts;
  for (const auto& n : ctx.nodes) hosts[n.name] = n.ip;
  return LeaderFinder::MapHosts(LeaderFinder::ZooKeeperSource(std::move(zk), "/flink", cluster_id),
                                std::move(hosts));
}

Status InstallFlink(const DeployContext& ctx, const NodeHandle& n, const std::string& yaml) {
  JF_RETURN_IF_ERROR(n.remote->UploadTree(ctx.flink_home, kFlinkHome));
  auto r = ExecShell(*n.remote,
                     R"SH(set -e
home=$1; logs=$2
# Logs and temporary files of an earlier run on a reused node would be taken for this run's.
rm -rf "$logs" /tmp/flink && mkdir -p "$logs" /tmp/flink
cp -r "$home/conf" "$home/conf.new" && rm -rf "$home/conf" && mv "$home/conf.new" "$home/conf"
printf '%s' "$3" > "$home/conf/config.yaml")SH",
                     {kFlinkHome, kFlinkLogDir, yaml});
  return r.ok() ? Status::Ok() : r.status();
}

}  // namespace jf
