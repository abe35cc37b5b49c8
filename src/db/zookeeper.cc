#include "db/zookeeper.h"

#include <spdlog/spdlog.h>

#include <thread>

#include "control/supervisor.h"
#include "net/four_letter_word.h"

namespace jf {
namespace {

constexpr const char* kHome = "/opt/zookeeper";
constexpr const char* kLogDir = "/var/log/zookeeper";
constexpr const char* kService = "zookeeper";
constexpr const char* kMainClass = "org.apache.zookeeper.server.quorum.QuorumPeerMain";

constexpr const char* kLogback = R"(<configuration>
  <appender name="FILE" class="ch.qos.logback.core.FileAppender">
    <file>/var/log/zookeeper/zookeeper.log</file>
    <encoder><pattern>%d{ISO8601} [myid:%X{myid}] - %-5p [%t:%C{1}@%L] - %m%n</pattern></encoder>
  </appender>
  <root level="INFO"><appender-ref ref="FILE"/></root>
</configuration>
)";

}  // namespace

std::string ZooKeeperDb::RenderZooCfg(const DeployContext& ctx) {
  // tickTime 500 ms: quorum forms and a lost server is noticed in seconds. maxSessionTimeout
  // lets Flink's session timeout (>= 10 s) through instead of clamping it to 20 x tickTime.
  std::string cfg = fmt::format(
      "tickTime=500\ninitLimit=20\nsyncLimit=10\ndataDir={}/data\nclientPort={}\n"
      "maxSessionTimeout=60000\n4lw.commands.whitelist=ruok,srvr,stat,mntr,conf\n"
      "admin.enableServer=false\n",
      kHome, kZooKeeperClientPort);
  for (size_t i = 0; i < ctx.nodes.size(); ++i) {
    cfg += fmt::format("server.{}={}:{}:{}\n", i + 1, ctx.nodes[i].ip, kZooKeeperQuorumPort,
                       kZooKeeperElectionPort);
  }
  return cfg;
}

Status ZooKeeperDb::Setup(DeployContext& ctx) {
  std::string cfg = RenderZooCfg(ctx);
  ServiceSpec spec;
  spec.name = kService;
  spec.restart_delay = std::chrono::milliseconds(static_cast<int64_t>(ctx.restart_delay_s * 1000));
  spec.argv = {ctx.java_home + "/bin/java",
               "-Xmx256m",
               "-XX:+UseSerialGC",
               "-XX:TieredStopAtLevel=1",
               fmt::format("-Xlog:gc*:file={}/zookeeper-gc.log:time,uptime:filecount=2,filesize=10M",
                           kLogDir),
               "-Dzookeeper.log.dir=" + std::string(kLogDir),
               "-Dlogback.configurationFile=file:" + std::string(kHome) + "/conf/logback.xml",
               "-cp",
               std::string(kHome) + "/lib/*",
               kMainClass,
               std::string(kHome) + "/conf/zoo.cfg"};
  spec.log_file = std::string(kLogDir) + "/zookeeper.out";
  JF_RETURN_IF_ERROR(ForEachNode(ctx.nodes, [&](const NodeHandle& n) -> Status {
    size_t id = 0;
    while (ctx.nodes[id].name != n.name) ++id;
    JF_RETURN_IF_ERROR(n.remote->UploadTree(ctx.zookeeper_lib_dir, std::string(kHome) + "/lib"));
    auto r = ExecShell(*n.remote,
                       "rm -rf \"$1/data\" \"$2\" && mkdir -p \"$1/data\" \"$1/conf\" \"$2\" && "
                       "echo \"$3\" > \"$1/data/myid\" && printf '%s' \"$4\" > \"$1/conf/zoo.cfg\" "
                       "&& printf '%s' \"$5\" > \"$1/conf/logback.xml\"",
                       {kHome, kLogDir, std::to_string(id + 1), cfg, kLogback});
    if (!r.ok()) return r.status();
    JF_RETURN_IF_ERROR(StartService(*n.remote, spec));
    spdlog::info("Started ZooKeeper on {} (supervised)", n.name);
    return Status::Ok();
  }));

  auto deadline = std::chrono::steady_clock::now() +
                  std::chrono::milliseconds(static_cast<int64_t>(ctx.readiness_timeout_s * 1000));
  while (true) {
    std::string waiting;
    for (const auto& n : ctx.nodes) {
      auto mode = ZooKeeperMode(n.ip, kZooKeeperClientPort);
      if (!mode.ok() || (*mode != "leader" && *mode != "follower" && *mode != "standalone")) {
        waiting = n.name;
        break;
      }
    }
    if (waiting.empty()) break;
    if (ctx.Cancelled()) return Cancelled("interrupted while waiting for ZooKeeper's quorum");
    for (const auto& n : ctx.nodes) {
      if (ServiceExits(*n.remote, spec) >= 2) {
        return Internal("ZooKeeper on {} exited during start-up; see zookeeper.log and "
                        "zookeeper.out in {}/ on that node (in the store: {}/zookeeper/)",
                        n.name, kLogDir, n.name);
      }
    }
    if (std::chrono::steady_clock::now() > deadline) {
      return Timeout("ZooKeeper on {} did not join a quorum within {:.0f} s; see {}/zookeeper.log "
                     "on that node (in the store: {}/zookeeper/)",
                     waiting, ctx.readiness_timeout_s, kLogDir, waiting);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
  }
  spdlog::info("ZooKeeper ensemble is serving on {}", ctx.ZooKeeperQuorum());
  return Status::Ok();
}

Status ZooKeeperDb::Teardown(DeployContext& ctx) {
  return ForEachNode(ctx.nodes, [&](const NodeHandle& n) -> Status {
    JF_RETURN_IF_ERROR(StopService(*n.remote, kService, std::chrono::seconds(5)));
    auto r = n.remote->Exec({"rm", "-rf", std::string(kHome) + "/data"});
    return r.ok() ? Status::Ok() : r.status();
  });
}

Result<std::vector<ProcessRef>> ZooKeeperDb::Processes(const NodeHandle& node,
                                                       const std::string& role) {
  return RoleProcesses(node, role, kMainClass);
}

Result<std::vector<ProcessRef>> ZooKeeperDb::Signal(const NodeHandle& node, const std::string& role,
                                                    int signal) {
  return SignalRole(node, role, kMainClass, signal);
}

std::vector<LogPath> ZooKeeperDb::LogPaths(const NodeHandle&) const {
  return {{kLogDir, "zookeeper"}, {std::string(kHome) + "/conf", "zookeeper/conf"}};
}

}  // namespace jf
