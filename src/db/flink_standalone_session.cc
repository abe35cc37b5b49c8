#include "db/flink_standalone_session.h"

#include <spdlog/spdlog.h>

#include <set>
#include <thread>

#include "client/flink_rest.h"
#include "control/processes.h"
#include "control/supervisor.h"

namespace jf {
namespace {

constexpr const char* kHome = kFlinkHome;
constexpr const char* kLogDir = kFlinkLogDir;
constexpr const char* kJmService = "flink-jobmanager";
constexpr const char* kTmService = "flink-taskmanager";
constexpr const char* kJmClass = "org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint";
constexpr const char* kTmClass = "org.apache.flink.runtime.taskexecutor.TaskManagerRunner";

std::map<std::string, std::string> DaemonEnv(const DeployContext& ctx) {
  std::map<std::string, std::string> env = ctx.flink_env;
  env["JAVA_HOME"] = ctx.java_home;
  env["FLINK_CONF_DIR"] = std::string(kHome) + "/conf";
  env["FLINK_LOG_DIR"] = kLogDir;
  env["FLINK_PID_DIR"] = kHome;
  return env;
}

}  // namespace

std::vector<NodeHandle> FlinkStandaloneSessionDb::JobManagerNodes(const DeployContext& ctx) {
  // Without HA a second JobManager would be a second, separate cluster: one only.
  const size_t count = HighAvailability(ctx) ? 2 : 1;
  std::vector<NodeHandle> jms(ctx.nodes.begin(),
                              ctx.nodes.begin() + std::min(count, ctx.nodes.size()));
  return jms;
}

std::vector<std::string> FlinkStandaloneSessionDb::JobManagerUrls(const DeployContext& ctx) {
  std::vector<std::string> urls;
  for (const auto& n : JobManagerNodes(ctx)) {
    urls.push_back(fmt::format("http://{}:{}", n.ip, kFlinkRestPort));
  }
  return urls;
}

Status FlinkStandaloneSessionDb::Setup(DeployContext& ctx) {
  FlinkConfig cluster = ClusterFlinkConfig(ctx);
  // Storage every JobManager sees; a fresh directory per run, so nothing is "recovered".
  auto r = ExecShell(*ctx.nodes[0].remote,
                     "rm -rf \"$1\" && mkdir -p \"$1/ha\" \"$1/checkpoints\" \"$1/savepoints\" "
                     "\"$1/job/commits\" \"$1/job/alerts\"",
                     {ctx.RunSharedDir()});
  if (!r.ok()) return r.status();
  auto jms = JobManagerNodes(ctx);
  const bool ha = HighAvailability(ctx);
  if (!ha) spdlog::info("High availability is off: one JobManager, on {}", jms.front().name);
  JF_RETURN_IF_ERROR(ForEachNode(ctx.nodes, [&](const NodeHandle& n) {
    FlinkConfig c = NodeFlinkConfig(cluster, n);
    // Without HA, TaskManagers find the JobManager by its address, not through ZooKeeper.
    if (!ha) c["jobmanager.rpc.address"] = jms.front().ip;
    return InstallFlink(ctx, n, RenderConfigYaml(c));
  }));

  auto delay = std::chrono::milliseconds(static_cast<int64_t>(ctx.restart_delay_s * 1000));
  const ServiceSpec jm_spec{.name = kJmService,
                            .argv = {std::string(kHome) + "/bin/jobmanager.sh", "start-foreground"},
                            .env = DaemonEnv(ctx),
                            .log_file = std::string(kLogDir) + "/jobmanager.out",
                            .restart_delay = delay};
  ServiceSpec tm_spec = jm_spec;
  tm_spec.name = kTmService;
  tm_spec.argv = {std::string(kHome) + "/bin/taskmanager.sh", "start-foreground"};
  tm_spec.log_file = std::string(kLogDir) + "/taskmanager.out";
  const std::pair<std::string, std::pair<const ServiceSpec*, std::vector<NodeHandle>>> daemons[] = {
      {"JobManager", {&jm_spec, jms}}, {"TaskManager", {&tm_spec, ctx.nodes}}};
  for (const auto& [role, what] : daemons) {
    JF_RETURN_IF_ERROR(ForEachNode(what.second, [&](const NodeHandle& n) -> Status {
      JF_RETURN_IF_ERROR(StartService(*n.remote, *what.first));
      spdlog::info("Started {} on {} (supervised)", role, n.name);
      return Status::Ok();
    }));
  }

  // Wait until a JobManager serves REST and every TaskManager has registered.
  auto start = std::chrono::steady_clock::now();
  auto deadline = start + std::chrono::milliseconds(static_cast<int64_t>(ctx.readiness_timeout_s * 1000));
  std::string last_problem = "no JobManager answered on REST";
  std::string ready_url;
  while (std::chrono::steady_clock::now() < deadline) {
    for (const auto& url : JobManagerUrls(ctx)) {
      FlinkRest rest(url, std::chrono::seconds(3));
      auto tms = rest.TaskManagers();
      if (!tms.ok()) {
        last_problem = fmt::format("REST at {}: {}", url, tms.status().message());
        continue;
      }
      std::set<std::string> registered;
      for (const auto& tm : *tms) registered.insert(NodeOfTaskManager(ctx, tm));
      std::string missing;
      for (const auto& n : ctx.nodes) {
        if (!registered.count(n.name)) missing += (missing.empty() ? "" : ", ") + n.name;
      }
      if (missing.empty()) {
        ready_url = url;
        break;
      }
      last_problem = fmt::format("TaskManager on {} did not register", missing);
    }
    if (!ready_url.empty()) break;
    if (ctx.Cancelled()) return Cancelled("interrupted while waiting for Flink to be ready");
    // A daemon that keeps dying will never register: fail fast rather than wait.
    for (const auto& [role, what] : daemons) {
      for (const auto& n : what.second) {
        int exits = ServiceExits(*n.remote, *what.first);
        if (exits >= 3) {
          return Internal("the {} on {} exited {} times during start-up; see {}/ on {} (in the "
                          "store: {}/flink/)", role, n.name, exits, kLogDir, n.name, n.name);
        }
      }
    }
    std::this_thread::sleep_for(std::chrono::seconds(1));
  }
  if (ready_url.empty()) {
    return Timeout("Flink was not ready within {:.0f} s: {}; see the JobManager and TaskManager "
                   "logs in {}/ on the nodes (in the store: <node>/flink/)",
                   ctx.readiness_timeout_s, last_problem, kLogDir);
  }
  spdlog::info("Flink is up: {} TaskManagers registered after {:.1f} s (REST {})",
               ctx.nodes.size(),
               std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(),
               ready_url);

  if (!ctx.flink_overrides.empty()) {
    JF_ASSIGN_OR_RETURN(auto effective, FlinkRest(ready_url).JobManagerConfig());
    JF_RETURN_IF_ERROR(CheckFlinkOverrides(ctx.flink_overrides, effective));
    spdlog::info("All {} --flink-config overrides are in effect", ctx.flink_overrides.size());
  }
  return Status::Ok();
}

Status FlinkStandaloneSessionDb::Teardown(DeployContext& ctx) {
  return ForEachNode(ctx.nodes, [&](const NodeHandle& n) -> Status {
    JF_RETURN_IF_ERROR(StopService(*n.remote, kTmService, std::chrono::seconds(5)));
    JF_RETURN_IF_ERROR(StopService(*n.remote, kJmService, std::chrono::seconds(5)));
    return Status::Ok();
  });
}

std::vector<LogPath> FlinkStandaloneSessionDb::LogPaths(const NodeHandle&) const {
  return {{kLogDir, "flink"}, {std::string(kHome) + "/conf", "flink/conf"}};
}

Result<std::string> FlinkStandaloneSessionDb::EntryClass(const std::string& role) {
  if (role == "jobmanager") return std::string(kJmClass);
  if (role == "taskmanager") return std::string(kTmClass);
  return InvalidArgument("no Flink role '{}'", role);
}

std::vector<NodeHandle> FlinkStandaloneSessionDb::NodesWithRole(const DeployContext& ctx,
                                                                const std::string& role) const {
  if (role == "jobmanager") return JobManagerNodes(ctx);
  if (role == "taskmanager") return ctx.nodes;
  return {};
}

Result<std::vector<ProcessRef>> FlinkStandaloneSessionDb::Processes(const NodeHandle& node,
                                                                    const std::string& role) {
  JF_ASSIGN_OR_RETURN(std::string cls, EntryClass(role));
  return RoleProcesses(node, role, cls);
}

Result<std::vector<ProcessRef>> FlinkStandaloneSessionDb::Signal(const NodeHandle& node,
                                                                 const std::string& role,
                                                                 int signal) {
  JF_ASSIGN_OR_RETURN(std::string cls, EntryClass(role));
  return SignalRole(node, role, cls, signal);
}

}  // namespace jf
