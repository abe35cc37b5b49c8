#include "db/hdfs.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cctype>
#include <csignal>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <thread>
#include <utility>

#include "client/http.h"
#include "control/supervisor.h"
#include "db/hadoop_conf.h"

namespace jf {
namespace {

constexpr const char* kNameNodeService = "hdfs-namenode";
constexpr const char* kDataNodeService = "hdfs-datanode";

// One daemon kind: its runit service, entry class, heap and log file stem.
struct Daemon {
  const char* service;
  const char* main_class;
  const char* heap;
  const char* stem;  // <stem>.log (log4j), <stem>.out (runit), <stem>-gc.log
};
constexpr Daemon kNameNode{kNameNodeService, kNameNodeClass, "-Xmx512m", "namenode"};
constexpr Daemon kDataNode{kDataNodeService, kDataNodeClass, "-Xmx256m", "datanode"};

// The JVM options every Hadoop JVM here gets. `root_logger` is log4j's "LEVEL,appender" (RFA: the
// file ${hadoop.log.dir}/${hadoop.log.file}; console: stderr).
std::vector<std::string> HadoopJava(const DeployContext& ctx, const std::string& heap,
                                    const std::string& root_logger, const std::string& log_file) {
  std::vector<std::string> argv = {
      ctx.java_home + "/bin/java", heap, "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
      // Hadoop's scripts set this too: the IPC code assumes IPv4.
      "-Djava.net.preferIPv4Stack=true", "-Dhadoop.home.dir=" + std::string(kHadoopHome),
      "-Dhadoop.log.dir=" + std::string(kHadoopLogDir), "-Dhadoop.root.logger=" + root_logger,
      "-Dlog4j.configuration=file:" + std::string(kHadoopConfDir) + "/log4j.properties"};
  if (!log_file.empty()) argv.push_back("-Dhadoop.log.file=" + log_file);
  return argv;
}

std::string Classpath() {
  return std::string(kHadoopConfDir) + ":" + std::string(kHadoopLibDir) + "/*";
}

ServiceSpec SpecFor(const DeployContext& ctx, const Daemon& d) {
  ServiceSpec spec;
  spec.name = d.service;
  spec.restart_delay = std::chrono::milliseconds(static_cast<int64_t>(ctx.restart_delay_s * 1000));
  spec.argv = HadoopJava(ctx, d.heap, "INFO,RFA", std::string(d.stem) + ".log");
  spec.argv.push_back(fmt::format(
      "-Xlog:gc*:file={}/{}-gc.log:time,uptime:filecount=2,filesize=10M", kHadoopLogDir, d.stem));
  spec.argv.insert(spec.argv.end(), {"-cp", Classpath(), d.main_class});
  spec.log_file = fmt::format("{}/{}.out", kHadoopLogDir, d.stem);
  return spec;
}

const char* ClassFor(const std::string& role) {
  if (role == "namenode") return kNameNodeClass;
  if (role == "datanode") return kDataNodeClass;
  return nullptr;
}

}  // namespace

std::string HdfsDb::DefaultFsUri(const DeployContext& ctx) {
  return fmt::format("hdfs://{}:{}", NameNodeHost(ctx).ip, kNameNodeRpcPort);
}

std::string HdfsDb::RenderCoreSite(const DeployContext& ctx) {
  return RenderHadoopSiteXml({
      {"fs.defaultFS", DefaultFsUri(ctx)},
      {"hadoop.tmp.dir", std::string(kHadoopDataDir) + "/tmp"},
  });
}

std::string HdfsDb::RenderHdfsSite(const DeployContext& ctx) {
  const std::string nn_ip = NameNodeHost(ctx).ip;
  const size_t replication = std::min<size_t>(3, ctx.nodes.size());
  return RenderHadoopSiteXml({
      {"dfs.namenode.rpc-address", fmt::format("{}:{}", nn_ip, kNameNodeRpcPort)},
      {"dfs.namenode.http-address", fmt::format("{}:{}", nn_ip, kNameNodeHttpPort)},
      {"dfs.datanode.address", fmt::format("0.0.0.0:{}", kDataNodeTransferPort)},
      {"dfs.datanode.http.address", fmt::format("0.0.0.0:{}", kDataNodeHttpPort)},
      {"dfs.datanode.ipc.address", fmt::format("0.0.0.0:{}", kDataNodeIpcPort)},
      {"dfs.namenode.name.dir", fmt::format("file://{}/name", kHadoopDataDir)},
      {"dfs.datanode.data.dir", fmt::format("file://{}/data", kHadoopDataDir)},
      {"dfs.replication", std::to_string(replication)},
      {"dfs.permissions.enabled", "false"},
      // The nodes' addresses have no reverse DNS; the NameNode would refuse the DataNodes.
      {"dfs.namenode.datanode.registration.ip-hostname-check", "false"},
      // Heartbeats every second (seconds) and a 5 s recheck (ms): a dead DataNode is declared
      // dead after 2 x recheck + 10 x heartbeat = 20 s instead of 10.5 min.
      {"dfs.heartbeat.interval", "1"},
      {"dfs.namenode.heartbeat.recheck-interval", "5000"},
      {"dfs.namenode.safemode.extension", std::to_string(kSafeModeExtensionMs)},
      // Every node has a DataNode, so a write pipeline that loses one cannot find a spare:
      // carry on with the rest instead of failing the write (client side; Flink reads it too).
      {"dfs.client.block.write.replace-datanode-on-failure.best-effort", "true"},
  });
}

std::string HdfsDb::RenderLog4jProperties() {
  // Hadoop 3.5 logs through SLF4J to reload4j (log4j 1.2 API). Daemons pass
  // -Dhadoop.root.logger=INFO,RFA; clients (FsShell) get the default below: warnings to stderr.
  return R"(# Written by jepsen-flink.
hadoop.root.logger=WARN,console
hadoop.log.dir=.
hadoop.log.file=hadoop.log
log4j.rootLogger=${hadoop.root.logger}
log4j.threshold=ALL

log4j.appender.console=org.apache.log4j.ConsoleAppender
log4j.appender.console.target=System.err
log4j.appender.console.layout=org.apache.log4j.PatternLayout
log4j.appender.console.layout.ConversionPattern=%d{ISO8601} %p %c{2}: %m%n

log4j.appender.RFA=org.apache.log4j.RollingFileAppender
log4j.appender.RFA.File=${hadoop.log.dir}/${hadoop.log.file}
log4j.appender.RFA.MaxFileSize=64MB
log4j.appender.RFA.MaxBackupIndex=3
log4j.appender.RFA.layout=org.apache.log4j.PatternLayout
log4j.appender.RFA.layout.ConversionPattern=%d{ISO8601} %p [%t] %c{2}: %m%n

# As in Hadoop's own log4j.properties: no audit log, and no warning about the missing native
# library on every start.
log4j.logger.org.apache.hadoop.hdfs.server.namenode.FSNamesystem.audit=WARN
log4j.logger.org.apache.hadoop.util.NativeCodeLoader=ERROR
)";
}

std::vector<std::string> HdfsDb::FsShellArgv(const DeployContext& ctx,
                                             const std::vector<std::string>& args) {
  auto argv = HadoopJava(ctx, "-Xmx256m", "WARN,console", "");
  argv.insert(argv.end(), {"-cp", Classpath(), kFsShellClass});
  argv.insert(argv.end(), args.begin(), args.end());
  return argv;
}

Result<NameNodeStatus> HdfsDb::ParseNameNodeJmx(const std::string& fs_state_json,
                                                const std::string& info_json) {
  using nlohmann::json;
  json state = json::parse(fs_state_json, nullptr, false);
  json info = json::parse(info_json, nullptr, false);
  auto bean = [](const json& j) -> const json* {
    if (!j.is_object() || !j.contains("beans") || !j["beans"].is_array() || j["beans"].empty() ||
        !j["beans"][0].is_object()) {
      return nullptr;
    }
    return &j["beans"][0];
  };
  const json* s = bean(state);
  const json* i = bean(info);
  if (!s || !s->contains("FSState") || !(*s)["FSState"].is_string() ||
      !s->contains("NumLiveDataNodes") || !(*s)["NumLiveDataNodes"].is_number_integer()) {
    return Internal("the NameNode's FSNamesystemState bean lacks FSState or NumLiveDataNodes: {}",
                    fs_state_json.substr(0, 200));
  }
  if (!i || !i->contains("Safemode") || !(*i)["Safemode"].is_string()) {
    return Internal("the NameNode's NameNodeInfo bean lacks Safemode: {}",
                    info_json.substr(0, 200));
  }
  NameNodeStatus st;
  st.live_datanodes = (*s)["NumLiveDataNodes"].get<int>();
  // FSState is "Operational" or "safeMode"; Safemode is empty unless in safe mode.
  st.safe_mode_tip = (*i)["Safemode"].get<std::string>();
  st.safe_mode = (*s)["FSState"].get<std::string>() != "Operational" || !st.safe_mode_tip.empty();
  if (st.safe_mode && st.safe_mode_tip.empty()) st.safe_mode_tip = "in safe mode";
  return st;
}

Result<NameNodeStatus> HdfsDb::QueryNameNode(const std::string& ip) {
  const std::string base =
      fmt::format("http://{}:{}/jmx?qry=Hadoop:service=NameNode,name=", ip, kNameNodeHttpPort);
  std::string bodies[2];
  const char* beans[2] = {"FSNamesystemState", "NameNodeInfo"};
  for (int k = 0; k < 2; ++k) {
    JF_ASSIGN_OR_RETURN(auto r, http::Get(base + beans[k], std::chrono::seconds(3)));
    if (r.status != 200) {
      return Unavailable("the NameNode at {} answered HTTP {} for its {} bean", ip, r.status,
                         beans[k]);
    }
    bodies[k] = std::move(r.body);
  }
  return ParseNameNodeJmx(bodies[0], bodies[1]);
}

std::vector<NodeHandle> HdfsDb::NodesWithRole(const DeployContext& ctx,
                                              const std::string& role) const {
  if (ctx.nodes.empty()) return {};
  if (role == "namenode") return {NameNodeHost(ctx)};
  if (role == "datanode") return ctx.nodes;
  return {};
}

Result<std::vector<ProcessRef>> HdfsDb::Processes(const NodeHandle& node, const std::string& role) {
  const char* cls = ClassFor(role);
  if (!cls) return InvalidArgument("HDFS has no role {}", role);
  return RoleProcesses(node, role, cls);
}

Result<std::vector<ProcessRef>> HdfsDb::Signal(const NodeHandle& node, const std::string& role,
                                               int signal) {
  const char* cls = ClassFor(role);
  if (!cls) return InvalidArgument("HDFS has no role {}", role);
  return SignalRole(node, role, cls, signal);
}

std::vector<LogPath> HdfsDb::LogPaths(const NodeHandle&) const {
  return {{kHadoopLogDir, "hadoop"}, {kHadoopConfDir, "hadoop/conf"}};
}

Status HdfsDb::Setup(DeployContext& ctx) {
  if (ctx.nodes.empty()) return InvalidArgument("HDFS needs at least one node");
  const std::string core_site = RenderCoreSite(ctx);
  const std::string hdfs_site = RenderHdfsSite(ctx);
  const std::string log4j = RenderLog4jProperties();
  const std::string nn_name = NameNodeHost(ctx).name;

  // Install everywhere; format on the NameNode's node as soon as it is installed there.
  JF_RETURN_IF_ERROR(ForEachNode(ctx.nodes, [&](const NodeHandle& n) -> Status {
    JF_RETURN_IF_ERROR(n.remote->UploadTree(hadoop_lib_dir_, kHadoopLibDir));
    auto r =
        ExecShell(*n.remote,
                  "set -e; rm -rf \"$1\" \"$2\" \"$3\"; mkdir -p \"$1\" \"$2\" \"$3\"; "
                  "printf '%s' \"$4\" > \"$1/core-site.xml\"; "
                  "printf '%s' \"$5\" > \"$1/hdfs-site.xml\"; "
                  "printf '%s' \"$6\" > \"$1/log4j.properties\"",
                  {kHadoopConfDir, kHadoopDataDir, kHadoopLogDir, core_site, hdfs_site, log4j});
    if (!r.ok()) return r.status().WithContext("installing HDFS's configuration");
    if (n.name != nn_name) return Status::Ok();

    // -format asks nothing with -nonInteractive and overwrites with -force (HDFSCommands docs);
    // the JVM exits when done. Its whole output stays in the log dir.
    std::vector<std::string> argv = {"sh", "-c", "out=$1; shift; cd / && \"$@\" > \"$out\" 2>&1",
                                     "sh", fmt::format("{}/namenode-format.out", kHadoopLogDir)};
    auto java = HadoopJava(ctx, "-Xmx256m", "INFO,console", "");
    argv.insert(argv.end(), java.begin(), java.end());
    argv.insert(argv.end(),
                {"-cp", Classpath(), kNameNodeClass, "-format", "-nonInteractive", "-force"});
    ExecOptions opts;
    opts.timeout = std::chrono::milliseconds(
        static_cast<int64_t>(std::max(60.0, ctx.readiness_timeout_s) * 1000));
    auto f = n.remote->Exec(argv, opts);
    if (!f.ok()) return f.status().WithContext("formatting the NameNode on " + n.name);
    if (!f->ok()) {
      return Internal(
          "formatting the NameNode on {} failed ({}); see {}/namenode-format.out on "
          "that node (in the store: {}/hadoop/)",
          n.name, f->Describe(), kHadoopLogDir, n.name);
    }
    spdlog::info("Formatted the HDFS NameNode on {}", n.name);
    return Status::Ok();
  }));

  JF_RETURN_IF_ERROR(ForEachNode(ctx.nodes, [&](const NodeHandle& n) -> Status {
    if (n.name == nn_name) JF_RETURN_IF_ERROR(StartService(*n.remote, SpecFor(ctx, kNameNode)));
    JF_RETURN_IF_ERROR(StartService(*n.remote, SpecFor(ctx, kDataNode)));
    spdlog::info("Started HDFS on {}: {}DataNode (supervised)", n.name,
                 n.name == nn_name ? "NameNode, " : "");
    return Status::Ok();
  }));
  return AwaitReady(ctx);
}

Status HdfsDb::AwaitReady(const DeployContext& ctx) {
  if (ctx.nodes.empty()) return InvalidArgument("HDFS needs at least one node");
  const NodeHandle& nn = NameNodeHost(ctx);
  const ServiceSpec nn_spec = SpecFor(ctx, kNameNode);
  const ServiceSpec dn_spec = SpecFor(ctx, kDataNode);
  // Exits counted from here on: deliberate stops (StopNameNode) before this call do not count.
  std::map<std::string, int> dn_exits;
  for (const auto& n : ctx.nodes) dn_exits[n.name] = ServiceExits(*n.remote, dn_spec);
  const int nn_exits = ServiceExits(*nn.remote, nn_spec);

  const int want = static_cast<int>(ctx.nodes.size());
  auto deadline = std::chrono::steady_clock::now() +
                  std::chrono::milliseconds(static_cast<int64_t>(ctx.readiness_timeout_s * 1000));
  std::string last;
  while (true) {
    auto st = QueryNameNode(nn.ip);
    if (st.ok()) {
      if (!st->safe_mode && st->live_datanodes >= want) break;
      last = fmt::format("{} of {} DataNodes live{}", st->live_datanodes, want,
                         st->safe_mode ? "; safe mode: " + st->safe_mode_tip : "");
    } else {
      last = st.status().message();
    }
    if (ctx.Cancelled()) return Cancelled("interrupted while waiting for HDFS ({})", last);
    // Exits twice: the daemon cannot start (a port taken, a broken configuration).
    if (ServiceExits(*nn.remote, nn_spec) - nn_exits >= 2) {
      return Internal(
          "the HDFS NameNode on {} keeps exiting; see namenode.log and namenode.out "
          "in {}/ on that node (in the store: {}/hadoop/)",
          nn.name, kHadoopLogDir, nn.name);
    }
    for (const auto& n : ctx.nodes) {
      if (ServiceExits(*n.remote, dn_spec) - dn_exits[n.name] >= 2) {
        return Internal(
            "the HDFS DataNode on {} keeps exiting; see datanode.log and datanode.out "
            "in {}/ on that node (in the store: {}/hadoop/)",
            n.name, kHadoopLogDir, n.name);
      }
    }
    if (std::chrono::steady_clock::now() > deadline) {
      return Timeout(
          "HDFS was not ready within {:.0f} s ({}); see {}/namenode.log on {} (in the "
          "store: {}/hadoop/)",
          ctx.readiness_timeout_s, last, kHadoopLogDir, nn.name, nn.name);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
  }
  spdlog::info("HDFS is ready at {} with {} DataNodes", DefaultFsUri(ctx), want);
  return Status::Ok();
}

Status HdfsDb::StopNameNode(const DeployContext& ctx) {
  if (ctx.nodes.empty()) return InvalidArgument("HDFS needs at least one node");
  const NodeHandle& nn = NameNodeHost(ctx);
  JF_RETURN_IF_ERROR(DownService(*nn.remote, kNameNodeService, std::chrono::seconds(10)));
  spdlog::info("Stopped the HDFS NameNode on {} (kept down)", nn.name);
  return Status::Ok();
}

Status HdfsDb::StartNameNode(const DeployContext& ctx) {
  if (ctx.nodes.empty()) return InvalidArgument("HDFS needs at least one node");
  const NodeHandle& nn = NameNodeHost(ctx);
  JF_RETURN_IF_ERROR(UpService(*nn.remote, kNameNodeService));
  spdlog::info("Started the HDFS NameNode on {} again", nn.name);
  return Status::Ok();
}

Status HdfsDb::Teardown(DeployContext& ctx) {
  if (ctx.nodes.empty()) return Status::Ok();
  const std::string nn_name = NameNodeHost(ctx).name;
  return ForEachNode(ctx.nodes, [&](const NodeHandle& n) -> Status {
    JF_RETURN_IF_ERROR(StopService(*n.remote, kDataNodeService, std::chrono::seconds(5)));
    if (n.name == nn_name) {
      JF_RETURN_IF_ERROR(StopService(*n.remote, kNameNodeService, std::chrono::seconds(5)));
    }
    // Hadoop daemon JVMs outside runit's care: a format run cut short by a timeout.
    for (const char* role : {"namenode", "datanode"}) {
      auto hit = SignalRole(n, role, ClassFor(role), SIGKILL);
      if (!hit.ok()) return hit.status();
    }
    auto r = n.remote->Exec({"rm", "-rf", kHadoopDataDir});
    return r.ok() ? Status::Ok() : r.status();
  });
}

std::string HadoopClasspathForFlink(const std::vector<std::string>& jar_names,
                                    const std::string& lib_dir, const std::string& conf_dir) {
  auto starts = [](const std::string& s, const char* p) { return s.rfind(p, 0) == 0; };
  auto excluded = [&](const std::string& n) {
    // Logging: Flink's own log4j 2 and SLF4J binding must be the only ones.
    if (starts(n, "reload4j-") || starts(n, "slf4j-") || starts(n, "log4j-") ||
        starts(n, "logback-")) {
      return true;
    }
    // The HDFS daemons and their web apps (hadoop-hdfs-<version>[-tests].jar; the client is
    // hadoop-hdfs-client) and the YARN daemons.
    if (starts(n, "hadoop-hdfs-") && n.size() > 12 &&
        std::isdigit(static_cast<unsigned char>(n[12]))) {
      return true;
    }
    return starts(n, "hadoop-yarn-server-");
  };
  std::vector<std::string> jars;
  for (const auto& n : jar_names) {
    if (n.size() > 4 && n.ends_with(".jar") && n.find('/') == std::string::npos && !excluded(n)) {
      jars.push_back(n);
    }
  }
  std::sort(jars.begin(), jars.end());
  std::string cp = conf_dir;
  for (const auto& j : jars) cp += ":" + lib_dir + "/" + j;
  return cp;
}

Result<std::string> HadoopClasspathForFlinkOnNodes(const std::string& local_lib_dir,
                                                   const std::string& node_lib_dir,
                                                   const std::string& node_conf_dir) {
  std::vector<std::string> names;
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(local_lib_dir, ec)) {
    if (e.is_regular_file()) names.push_back(e.path().filename().string());
  }
  if (names.empty()) return NotFound("no Hadoop jars in {}", local_lib_dir);
  return HadoopClasspathForFlink(names, node_lib_dir, node_conf_dir);
}

}  // namespace jf
