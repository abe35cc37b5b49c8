#include "db/yarn.h"

#include <fmt/ranges.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <csignal>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <thread>
#include <utility>

#include "client/http.h"
#include "control/supervisor.h"
#include "db/hadoop_conf.h"
#include "db/hdfs.h"

namespace jf {
namespace {

using nlohmann::json;

constexpr const char* kResourceManagerService = "yarn-resourcemanager";
constexpr const char* kNodeManagerService = "yarn-nodemanager";

// One daemon kind: its role, runit service, entry class, heap and log file stem.
struct Daemon {
  const char* role;
  const char* service;
  const char* main_class;
  const char* heap;
  const char* stem;  // <stem>.log (log4j), <stem>.out (runit), <stem>-gc.log
};
constexpr Daemon kResourceManager{"resourcemanager", kResourceManagerService, kResourceManagerClass,
                                  "-Xmx384m", "resourcemanager"};
constexpr Daemon kNodeManager{"nodemanager", kNodeManagerService, kNodeManagerClass, "-Xmx384m",
                              "nodemanager"};

const Daemon* DaemonFor(const std::string& role) {
  if (role == kResourceManager.role) return &kResourceManager;
  if (role == kNodeManager.role) return &kNodeManager;
  return nullptr;
}

// What Hadoop's own launcher (hadoop-functions.sh, hadoop_finalize_jpms_opts) adds for Java 17 and
// later: reflection into these java.base packages.
constexpr const char* kJpmsOpens[] = {
    "java.io",       "java.lang",         "java.lang.reflect", "java.math",
    "java.net",      "java.text",         "java.util",         "java.util.concurrent",
    "java.util.zip", "sun.security.util", "sun.security.x509"};

// yarn-default.xml's value, spelled out because it is what gives containers Java 17: each of these
// the container does not set itself is inherited from the NodeManager's environment.
constexpr const char* kEnvWhitelist =
    "JAVA_HOME,HADOOP_COMMON_HOME,HADOOP_HDFS_HOME,HADOOP_CONF_DIR,CLASSPATH_PREPEND_DISTCACHE,"
    "HADOOP_YARN_HOME,HADOOP_HOME,PATH,LANG,TZ";

ServiceSpec SpecFor(const DeployContext& ctx, const Daemon& d) {
  ServiceSpec spec;
  spec.name = d.service;
  spec.restart_delay = std::chrono::milliseconds(static_cast<int64_t>(ctx.restart_delay_s * 1000));
  spec.argv = YarnDb::DaemonArgv(ctx, d.role);
  // JAVA_HOME: the NodeManager hands it on to the containers (env-whitelist). HADOOP_CONF_DIR
  // likewise, for Flink's Hadoop file systems in the containers; HADOOP_HOME quiets Hadoop's
  // "HADOOP_HOME is unset" check there.
  spec.env = {
      {"JAVA_HOME", ctx.java_home}, {"HADOOP_CONF_DIR", kYarnConfDir}, {"HADOOP_HOME", kYarnHome}};
  spec.log_file = fmt::format("{}/{}.out", kYarnLogDir, d.stem);
  return spec;
}

std::vector<std::string> JarNames(const std::string& dir) {
  std::vector<std::string> names;
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(dir, ec)) {
    if (e.is_regular_file()) names.push_back(e.path().filename().string());
  }
  return names;
}

// ---- The REST API's JSON ----

Result<json> ParseJson(const std::string& body, const char* what) {
  json j = json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) {
    return Internal("the ResourceManager's {} answer is not a JSON object: {}", what,
                    body.substr(0, 200));
  }
  if (j.contains("RemoteException") && j["RemoteException"].is_object()) {
    const json& e = j["RemoteException"];
    std::string ex = e.value("exception", std::string());
    std::string msg = e.value("message", std::string());
    if (ex == "NotFoundException") return NotFound("the ResourceManager: {}", msg);
    return Internal("the ResourceManager answered {} with {}: {}", what, ex, msg);
  }
  return j;
}

// A field as a string whatever its JSON type (some REST answers quote numbers, some do not).
std::string Str(const json& o, const char* key) {
  if (!o.is_object() || !o.contains(key) || o[key].is_null()) return "";
  const json& v = o[key];
  return v.is_string() ? v.get<std::string>() : v.dump();
}

int Int(const json& o, const char* key) {
  if (!o.is_object() || !o.contains(key)) return 0;
  const json& v = o[key];
  if (v.is_number_integer()) return v.get<int>();
  if (v.is_string()) {
    try {
      return std::stoi(v.get<std::string>());
    } catch (...) {
      return 0;
    }
  }
  return 0;
}

// The entries of j[outer][inner]: none if either is absent, null or empty; an array's elements; or
// one object (a single entry may be rendered without the array).
Result<std::vector<json>> ListOf(const json& j, const char* outer, const char* inner) {
  if (!j.contains(outer)) {
    return Internal("the ResourceManager's answer has no \"{}\": {}", outer,
                    j.dump().substr(0, 200));
  }
  const json& o = j[outer];
  if (o.is_null()) return std::vector<json>{};
  if (!o.is_object())
    return Internal("\"{}\" is not an object: {}", outer, o.dump().substr(0, 200));
  if (!o.contains(inner) || o[inner].is_null()) return std::vector<json>{};
  const json& l = o[inner];
  if (l.is_array()) return std::vector<json>(l.begin(), l.end());
  if (l.is_object()) return std::vector<json>{l};
  return Internal("\"{}.{}\" is neither a list nor an object", outer, inner);
}

YarnApp AppFrom(const json& a) {
  return YarnApp{.id = Str(a, "id"),
                 .name = Str(a, "name"),
                 .state = Str(a, "state"),
                 .final_status = Str(a, "finalStatus"),
                 .am_host_http_address = Str(a, "amHostHttpAddress"),
                 .diagnostics = Str(a, "diagnostics")};
}

// GET <RestUrl><path>: the body of a 200, else the RemoteException's error or kUnavailable.
Result<std::string> RestGet(const DeployContext& ctx, const std::string& path) {
  const std::string url = YarnDb::RestUrl(ctx) + path;
  JF_ASSIGN_OR_RETURN(auto r, http::Get(url, std::chrono::seconds(5)));
  if (r.status == 200) return std::move(r.body);
  auto err = ParseJson(r.body, path.c_str());
  if (!err.ok() && err.status().code() == StatusCode::kNotFound) return err.status();
  return Unavailable("the ResourceManager answered HTTP {} for {}: {}", r.status, url,
                     r.body.substr(0, 200));
}

}  // namespace

const NodeHandle& YarnDb::ResourceManagerHost(const DeployContext& ctx) {
  return ctx.nodes.size() >= 2 ? ctx.nodes[1] : ctx.nodes.front();
}

std::string YarnDb::RestUrl(const DeployContext& ctx) {
  return fmt::format("http://{}:{}/ws/v1/cluster", ResourceManagerHost(ctx).ip,
                     kResourceManagerWebPort);
}

std::string YarnDb::DefaultFs(const DeployContext& ctx, const std::string& default_fs) {
  return default_fs.empty() ? HdfsDb::DefaultFsUri(ctx) : default_fs;
}

std::string YarnDb::ApplicationClasspath(const std::vector<std::string>& jar_names) {
  std::string cp = HadoopClasspathForFlink(jar_names, kYarnLibDir, kYarnConfDir);
  std::replace(cp.begin(), cp.end(), ':', ',');
  return cp;
}

std::vector<std::string> YarnDb::MissingJars(const std::vector<std::string>& jar_names) {
  std::vector<std::string> missing;
  for (const char* prefix : kYarnRequiredJarPrefixes) {
    bool found = std::any_of(jar_names.begin(), jar_names.end(), [&](const std::string& n) {
      return n.starts_with(prefix) && n.ends_with(".jar");
    });
    if (!found) missing.push_back(std::string(prefix) + "*.jar");
  }
  return missing;
}

std::string YarnDb::RenderYarnSite(const DeployContext& ctx, const NodeHandle& node,
                                   const std::string& application_classpath) {
  const std::string rm = ResourceManagerHost(ctx).ip;
  auto at = [](const std::string& host, int port) { return fmt::format("{}:{}", host, port); };
  return RenderHadoopSiteXml({
      // The ResourceManager, at fixed addresses.
      {"yarn.resourcemanager.hostname", rm},
      {"yarn.resourcemanager.address", at(rm, kResourceManagerPort)},
      {"yarn.resourcemanager.scheduler.address", at(rm, kResourceManagerSchedulerPort)},
      {"yarn.resourcemanager.resource-tracker.address", at(rm, kResourceManagerTrackerPort)},
      {"yarn.resourcemanager.admin.address", at(rm, kResourceManagerAdminPort)},
      {"yarn.resourcemanager.webapp.address", at(rm, kResourceManagerWebPort)},
      // The default scheduler; its queues come from our capacity-scheduler.xml, because the
      // Maven jar ships none.
      {"yarn.resourcemanager.scheduler.class",
       "org.apache.hadoop.yarn.server.resourcemanager.scheduler.capacity.CapacityScheduler"},
      // The ResourceManager's node attribute store (and the label store, should labels be
      // enabled) would default to /tmp/hadoop-yarn-<user>/: under the data dir, so Teardown
      // removes them.
      {"yarn.node-attribute.fs-store.root-dir",
       fmt::format("file://{}/node-attribute", kYarnDataDir)},
      {"yarn.node-labels.fs-store.root-dir", fmt::format("file://{}/node-labels", kYarnDataDir)},
      // HA of applications: many attempts (Flink's yarn.application-attempts is capped by this).
      {"yarn.resourcemanager.am.max-attempts", std::to_string(kAmMaxAttempts)},
      {"yarn.am.liveness-monitor.expiry-interval-ms", std::to_string(kAmExpiryMs)},
      // A NodeManager that stops heartbeating is LOST within seconds.
      {"yarn.resourcemanager.nodemanagers.heartbeat-interval-ms",
       std::to_string(kNodeManagerHeartbeatMs)},
      {"yarn.nm.liveness-monitor.expiry-interval-ms", std::to_string(kNodeManagerExpiryMs)},
      // NodeManagers (and clients) retry a ResourceManager that is not up yet every second, not
      // every 30 s: they start at the same time as it.
      {"yarn.resourcemanager.connect.retry-interval.ms", "1000"},
      // Container sizes: what one NodeManager offers, in steps of 256 MB.
      {"yarn.scheduler.minimum-allocation-mb", std::to_string(kMinimumAllocationMb)},
      {"yarn.scheduler.maximum-allocation-mb", std::to_string(kNodeManagerMemoryMb)},
      {"yarn.scheduler.maximum-allocation-vcores", std::to_string(kNodeManagerVcores)},
      // This node's NodeManager, bound to the node's address at fixed ports (the node id stays
      // the same across restarts).
      {"yarn.nodemanager.hostname", node.ip},
      {"yarn.nodemanager.address", at(node.ip, kNodeManagerPort)},
      {"yarn.nodemanager.localizer.address", at(node.ip, kNodeManagerLocalizerPort)},
      {"yarn.nodemanager.webapp.address", at(node.ip, kNodeManagerWebPort)},
      {"yarn.nodemanager.resource.memory-mb", std::to_string(kNodeManagerMemoryMb)},
      {"yarn.nodemanager.resource.cpu-vcores", std::to_string(kNodeManagerVcores)},
      // JVMs reserve far more virtual memory than they use (FLINK-10951).
      {"yarn.nodemanager.vmem-check-enabled", "false"},
      // At the default 90 % a nearly full disk takes every NodeManager out of service.
      {"yarn.nodemanager.disk-health-checker.max-disk-utilization-per-disk-percentage", "99"},
      {"yarn.nodemanager.local-dirs", std::string(kYarnDataDir) + "/local"},
      // A NodeManager that runit restarts after a crash recovers its containers (they keep
      // running) from this state store. Without it, it would not know them, and it would delete
      // the logs of every earlier application on its node as it starts. Not "supervised": a
      // NodeManager stopped on purpose (SIGTERM) still stops its containers.
      {"yarn.nodemanager.recovery.enabled", "true"},
      {"yarn.nodemanager.recovery.dir", std::string(kYarnDataDir) + "/recovery"},
      {"yarn.nodemanager.recovery.supervised", "false"},
      {"yarn.nodemanager.log-dirs", kYarnContainerLogDir},
      // Container logs stay on their node (LogPaths collects them), not in HDFS.
      {"yarn.log-aggregation-enable", "false"},
      {"yarn.nodemanager.env-whitelist", kEnvWhitelist},
      {"yarn.application.classpath", application_classpath},
  });
}

std::string YarnDb::RenderCoreSite(const std::string& default_fs) {
  return RenderHadoopSiteXml({
      {"fs.defaultFS", default_fs},
      {"hadoop.tmp.dir", std::string(kYarnDataDir) + "/tmp"},
      // The REST API's caller when nobody authenticates (SubmitCommandApp): root, who runs
      // everything here, instead of dr.who.
      {"hadoop.http.staticuser.user", "root"},
  });
}

std::string YarnDb::RenderCapacitySchedulerXml() {
  // One queue with the whole cluster. Application masters may take half of it (the default,
  // 10 %, is about one Flink JobManager for the whole cluster).
  return RenderHadoopSiteXml({
      {"yarn.scheduler.capacity.root.queues", "default"},
      {"yarn.scheduler.capacity.root.default.capacity", "100"},
      {"yarn.scheduler.capacity.root.default.maximum-capacity", "100"},
      {"yarn.scheduler.capacity.root.default.state", "RUNNING"},
      {"yarn.scheduler.capacity.root.default.acl_submit_applications", "*"},
      {"yarn.scheduler.capacity.maximum-am-resource-percent", "0.5"},
  });
}

std::vector<std::string> YarnDb::DaemonArgv(const DeployContext& ctx, const std::string& role) {
  const Daemon* d = DaemonFor(role);
  if (!d) return {};
  std::vector<std::string> argv = {ctx.java_home + "/bin/java", d->heap, "-XX:+UseSerialGC",
                                   "-XX:TieredStopAtLevel=1"};
  for (const char* p : kJpmsOpens) {
    argv.push_back(fmt::format("--add-opens=java.base/{}=ALL-UNNAMED", p));
  }
  argv.insert(
      argv.end(),
      {// Hadoop's scripts set this too: the IPC code assumes IPv4.
       "-Djava.net.preferIPv4Stack=true", "-Dhadoop.home.dir=" + std::string(kYarnHome),
       "-Dhadoop.log.dir=" + std::string(kYarnLogDir), "-Dyarn.log.dir=" + std::string(kYarnLogDir),
       // Jetty's work dirs and the extracted LevelDB library go where Teardown removes them, not
       // into /tmp.
       "-Djava.io.tmpdir=" + std::string(kYarnDataDir) + "/tmp",
       fmt::format("-Dhadoop.log.file={}.log", d->stem), "-Dhadoop.root.logger=INFO,RFA",
       "-Dlog4j.configuration=file:" + std::string(kYarnConfDir) + "/log4j.properties",
       fmt::format("-Xlog:gc*:file={}/{}-gc.log:time,uptime:filecount=2,filesize=10M", kYarnLogDir,
                   d->stem),
       "-cp", std::string(kYarnConfDir) + ":" + std::string(kYarnLibDir) + "/*", d->main_class});
  return argv;
}

Result<std::vector<YarnNode>> YarnDb::ParseNodes(const std::string& body) {
  JF_ASSIGN_OR_RETURN(json j, ParseJson(body, "/nodes"));
  JF_ASSIGN_OR_RETURN(auto list, ListOf(j, "nodes", "node"));
  std::vector<YarnNode> nodes;
  for (const auto& n : list) {
    nodes.push_back({.id = Str(n, "id"),
                     .host = Str(n, "nodeHostName"),
                     .state = Str(n, "state"),
                     .http_address = Str(n, "nodeHTTPAddress"),
                     .health_report = Str(n, "healthReport")});
  }
  return nodes;
}

Result<std::vector<YarnApp>> YarnDb::ParseApps(const std::string& body) {
  JF_ASSIGN_OR_RETURN(json j, ParseJson(body, "/apps"));
  JF_ASSIGN_OR_RETURN(auto list, ListOf(j, "apps", "app"));
  std::vector<YarnApp> apps;
  for (const auto& a : list) apps.push_back(AppFrom(a));
  return apps;
}

Result<YarnApp> YarnDb::ParseApp(const std::string& body) {
  JF_ASSIGN_OR_RETURN(json j, ParseJson(body, "/apps/{id}"));
  if (!j.contains("app") || !j["app"].is_object() || Str(j["app"], "id").empty()) {
    return Internal("the ResourceManager's application answer has no \"app\": {}",
                    body.substr(0, 200));
  }
  return AppFrom(j["app"]);
}

Result<std::vector<YarnAppAttempt>> YarnDb::ParseAppAttempts(const std::string& body) {
  JF_ASSIGN_OR_RETURN(json j, ParseJson(body, "/appattempts"));
  JF_ASSIGN_OR_RETURN(auto list, ListOf(j, "appAttempts", "appAttempt"));
  std::vector<YarnAppAttempt> attempts;
  for (const auto& a : list) {
    attempts.push_back({.id = Int(a, "id"),
                        .attempt_id = Str(a, "appAttemptId"),
                        .state = Str(a, "appAttemptState"),
                        .container_id = Str(a, "containerId"),
                        .node_id = Str(a, "nodeId")});
  }
  return attempts;
}

Result<int> YarnDb::ParseAppAttemptCount(const std::string& body) {
  JF_ASSIGN_OR_RETURN(auto attempts, ParseAppAttempts(body));
  return static_cast<int>(attempts.size());
}

std::vector<std::string> YarnDb::NodeManagersNotRunning(const std::vector<YarnNode>& reported,
                                                        const std::vector<NodeHandle>& nodes) {
  auto names = [](const YarnNode& r, const NodeHandle& n) {
    for (const std::string& k : {n.name, n.ip}) {
      if (r.host == k || r.id.starts_with(k + ":") || r.host.starts_with(k + ".")) return true;
    }
    return false;
  };
  std::vector<std::string> missing;
  for (const auto& n : nodes) {
    bool running = std::any_of(reported.begin(), reported.end(), [&](const YarnNode& r) {
      return r.state == "RUNNING" && names(r, n);
    });
    if (!running) missing.push_back(n.name);
  }
  const auto running = std::count_if(reported.begin(), reported.end(),
                                     [](const YarnNode& r) { return r.state == "RUNNING"; });
  if (!missing.empty() && static_cast<size_t>(running) >= nodes.size() &&
      std::none_of(reported.begin(), reported.end(), [&](const YarnNode& r) {
        return std::any_of(nodes.begin(), nodes.end(),
                           [&](const NodeHandle& n) { return names(r, n); });
      })) {
    missing.clear();  // the ResourceManager knows the nodes by names of its own
  }
  return missing;
}

Result<std::vector<YarnNode>> YarnDb::QueryNodes(const DeployContext& ctx) {
  JF_ASSIGN_OR_RETURN(auto body, RestGet(ctx, "/nodes"));
  return ParseNodes(body);
}

Result<std::vector<YarnApp>> YarnDb::QueryApps(const DeployContext& ctx) {
  JF_ASSIGN_OR_RETURN(auto body, RestGet(ctx, "/apps"));
  return ParseApps(body);
}

Result<YarnApp> YarnDb::QueryApp(const DeployContext& ctx, const std::string& app_id) {
  JF_ASSIGN_OR_RETURN(auto body, RestGet(ctx, "/apps/" + app_id));
  return ParseApp(body);
}

Result<std::vector<YarnAppAttempt>> YarnDb::QueryAppAttempts(const DeployContext& ctx,
                                                             const std::string& app_id) {
  JF_ASSIGN_OR_RETURN(auto body, RestGet(ctx, "/apps/" + app_id + "/appattempts"));
  return ParseAppAttempts(body);
}

Status YarnDb::KillApp(const DeployContext& ctx, const std::string& app_id) {
  const std::string url = RestUrl(ctx) + "/apps/" + app_id + "/state";
  JF_ASSIGN_OR_RETURN(auto r, http::Put(url, R"({"state":"KILLED"})", std::chrono::seconds(10)));
  if (r.status == 200 || r.status == 202) return Status::Ok();
  return Unavailable("the ResourceManager answered HTTP {} for PUT {}: {}", r.status, url,
                     r.body.substr(0, 200));
}

std::string YarnDb::RenderCommandAppSubmission(const std::string& app_id, const std::string& name,
                                               const std::string& command, int max_attempts,
                                               int memory_mb) {
  // Field names of the REST API's ApplicationSubmissionContextInfo.
  json j = {{"application-id", app_id},
            {"application-name", name},
            {"application-type", "YARN"},
            {"queue", "default"},
            {"am-container-spec", {{"commands", {{"command", command}}}}},
            {"max-app-attempts", max_attempts},
            {"resource", {{"memory", memory_mb}, {"vCores", 1}}},
            {"keep-containers-across-application-attempts", false}};
  return j.dump();
}

Result<std::string> YarnDb::SubmitCommandApp(const DeployContext& ctx, const std::string& name,
                                             const std::string& command, int max_attempts,
                                             int memory_mb) {
  const std::string base = RestUrl(ctx);
  JF_ASSIGN_OR_RETURN(auto created,
                      http::Post(base + "/apps/new-application", "", std::chrono::seconds(10)));
  if (created.status != 200) {
    return Unavailable("the ResourceManager answered HTTP {} for a new application: {}",
                       created.status, created.body.substr(0, 300));
  }
  JF_ASSIGN_OR_RETURN(json j, ParseJson(created.body, "new-application"));
  const std::string id = Str(j, "application-id");
  if (id.empty()) {
    return Internal("no application id in the ResourceManager's answer: {}",
                    created.body.substr(0, 200));
  }
  JF_ASSIGN_OR_RETURN(auto submitted, http::Post(base + "/apps",
                                                 RenderCommandAppSubmission(
                                                     id, name, command, max_attempts, memory_mb),
                                                 std::chrono::seconds(10)));
  if (submitted.status != 202 && submitted.status != 200) {
    return Unavailable("the ResourceManager answered HTTP {} for submitting {}: {}",
                       submitted.status, id, submitted.body.substr(0, 300));
  }
  return id;
}

std::vector<NodeHandle> YarnDb::NodesWithRole(const DeployContext& ctx,
                                              const std::string& role) const {
  if (ctx.nodes.empty()) return {};
  if (role == kResourceManager.role) return {ResourceManagerHost(ctx)};
  if (role == kNodeManager.role) return ctx.nodes;
  return {};
}

Result<std::vector<ProcessRef>> YarnDb::Processes(const NodeHandle& node, const std::string& role) {
  const Daemon* d = DaemonFor(role);
  if (!d) return InvalidArgument("YARN has no role {}", role);
  return RoleProcesses(node, role, d->main_class);
}

Result<std::vector<ProcessRef>> YarnDb::Signal(const NodeHandle& node, const std::string& role,
                                               int signal) {
  const Daemon* d = DaemonFor(role);
  if (!d) return InvalidArgument("YARN has no role {}", role);
  return SignalRole(node, role, d->main_class, signal);
}

std::vector<LogPath> YarnDb::LogPaths(const NodeHandle&) const {
  return {{kYarnLogDir, "hadoop-yarn"}, {kYarnConfDir, "hadoop-yarn/conf"}};
}

Status YarnDb::Setup(DeployContext& ctx) {
  if (ctx.nodes.empty()) return InvalidArgument("YARN needs at least one node");
  const std::vector<std::string> jars = JarNames(hadoop_lib_dir_);
  if (jars.empty()) return NotFound("no Hadoop jars in {}; run setup.sh", hadoop_lib_dir_);
  if (auto missing = MissingJars(jars); !missing.empty()) {
    return FailedPrecondition(
        "the Hadoop jars in {} lack {} (src/dist/hadoop-pom.xml must list them); run setup.sh",
        hadoop_lib_dir_, fmt::join(missing, ", "));
  }
  const std::string classpath = ApplicationClasspath(jars);
  const std::string core_site = RenderCoreSite(DefaultFs(ctx, default_fs_));
  // With HDFS, its client settings (e.g. the write pipeline's best-effort replacement) reach the
  // NodeManagers' localizers and every container that has the conf dir on its classpath.
  const std::string hdfs_site = default_fs_.empty() ? HdfsDb::RenderHdfsSite(ctx) : "";
  const std::string scheduler = RenderCapacitySchedulerXml();
  const std::string log4j = HdfsDb::RenderLog4jProperties();
  const std::string rm_name = ResourceManagerHost(ctx).name;

  JF_RETURN_IF_ERROR(ForEachNode(ctx.nodes, [&](const NodeHandle& n) -> Status {
    JF_RETURN_IF_ERROR(n.remote->UploadTree(hadoop_lib_dir_, kYarnLibDir));
    auto r = ExecShell(*n.remote,
                       "set -e; rm -rf \"$1\" \"$2\" \"$3\"; "
                       "mkdir -p \"$1\" \"$2/local\" \"$2/tmp\" \"$3\" \"$4\"; "
                       "printf '%s' \"$5\" > \"$1/yarn-site.xml\"; "
                       "printf '%s' \"$6\" > \"$1/core-site.xml\"; "
                       "if [ -n \"$7\" ]; then printf '%s' \"$7\" > \"$1/hdfs-site.xml\"; fi; "
                       "printf '%s' \"$8\" > \"$1/capacity-scheduler.xml\"; "
                       "printf '%s' \"$9\" > \"$1/log4j.properties\"",
                       {kYarnConfDir, kYarnDataDir, kYarnLogDir, kYarnContainerLogDir,
                        RenderYarnSite(ctx, n, classpath), core_site, hdfs_site, scheduler, log4j});
    if (!r.ok()) return r.status().WithContext("installing YARN's configuration on " + n.name);
    if (!r->ok()) {
      return Internal("installing YARN's configuration on {} failed: {}", n.name, r->Describe());
    }
    if (n.name == rm_name) {
      JF_RETURN_IF_ERROR(StartService(*n.remote, SpecFor(ctx, kResourceManager)));
    }
    JF_RETURN_IF_ERROR(StartService(*n.remote, SpecFor(ctx, kNodeManager)));
    spdlog::info("Started YARN on {}: {}NodeManager (supervised)", n.name,
                 n.name == rm_name ? "ResourceManager, " : "");
    return Status::Ok();
  }));
  return AwaitReady(ctx);
}

Status YarnDb::AwaitReady(const DeployContext& ctx) {
  if (ctx.nodes.empty()) return InvalidArgument("YARN needs at least one node");
  const NodeHandle& rm = ResourceManagerHost(ctx);
  const ServiceSpec rm_spec = SpecFor(ctx, kResourceManager);
  const ServiceSpec nm_spec = SpecFor(ctx, kNodeManager);
  // Exits counted from here on: deliberate stops before this call do not count.
  std::map<std::string, int> nm_exits;
  for (const auto& n : ctx.nodes) nm_exits[n.name] = ServiceExits(*n.remote, nm_spec);
  const int rm_exits = ServiceExits(*rm.remote, rm_spec);

  auto deadline = std::chrono::steady_clock::now() +
                  std::chrono::milliseconds(static_cast<int64_t>(ctx.readiness_timeout_s * 1000));
  std::string last;
  while (true) {
    auto nodes = QueryNodes(ctx);
    if (nodes.ok()) {
      auto missing = NodeManagersNotRunning(*nodes, ctx.nodes);
      if (missing.empty()) break;
      std::string seen;
      for (const auto& r : *nodes) seen += fmt::format(" {}={}", r.id, r.state);
      last = fmt::format("no RUNNING NodeManager on {}; the ResourceManager lists:{}",
                         fmt::join(missing, ", "), seen.empty() ? " none" : seen);
    } else {
      last = nodes.status().message();
    }
    if (ctx.Cancelled()) return Cancelled("interrupted while waiting for YARN ({})", last);
    // Exits twice: the daemon cannot start (a port taken, a missing class, a broken config).
    if (ServiceExits(*rm.remote, rm_spec) - rm_exits >= 2) {
      return Internal(
          "the YARN ResourceManager on {} keeps exiting; see resourcemanager.log and "
          "resourcemanager.out in {}/ on that node (in the store: {}/hadoop-yarn/)",
          rm.name, kYarnLogDir, rm.name);
    }
    for (const auto& n : ctx.nodes) {
      if (ServiceExits(*n.remote, nm_spec) - nm_exits[n.name] >= 2) {
        return Internal(
            "the YARN NodeManager on {} keeps exiting; see nodemanager.log and nodemanager.out "
            "in {}/ on that node (in the store: {}/hadoop-yarn/)",
            n.name, kYarnLogDir, n.name);
      }
    }
    if (std::chrono::steady_clock::now() > deadline) {
      return Timeout(
          "YARN was not ready within {:.0f} s ({}); see {}/resourcemanager.log on {} and "
          "nodemanager.log on each node (in the store: <node>/hadoop-yarn/)",
          ctx.readiness_timeout_s, last, kYarnLogDir, rm.name);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
  }
  spdlog::info("YARN is ready: ResourceManager at {}, {} NodeManagers running", RestUrl(ctx),
               ctx.nodes.size());
  return Status::Ok();
}

Status YarnDb::StopNodeManager(const NodeHandle& node) {
  JF_RETURN_IF_ERROR(DownService(*node.remote, kNodeManagerService, std::chrono::seconds(10)));
  spdlog::info("Stopped the YARN NodeManager on {} (kept down)", node.name);
  return Status::Ok();
}

Status YarnDb::StartNodeManager(const NodeHandle& node) {
  JF_RETURN_IF_ERROR(UpService(*node.remote, kNodeManagerService));
  spdlog::info("Started the YARN NodeManager on {} again", node.name);
  return Status::Ok();
}

Status YarnDb::Teardown(DeployContext& ctx) {
  if (ctx.nodes.empty()) return Status::Ok();
  // The NodeManagers first, while the ResourceManager still takes their goodbye. On SIGTERM a
  // NodeManager unregisters and stops its containers at once; then it waits for its applications
  // to finish, which those that ran here in the last yarn.nodemanager.log.retain-seconds (3 h)
  // never do while their logs are kept, so the SIGKILL after the grace period ends the wait.
  JF_RETURN_IF_ERROR(ForEachNode(ctx.nodes, [&](const NodeHandle& n) {
    return StopService(*n.remote, kNodeManagerService, std::chrono::seconds(5));
  }));
  JF_RETURN_IF_ERROR(StopService(*ResourceManagerHost(ctx).remote, kResourceManagerService,
                                 std::chrono::seconds(5)));
  return ForEachNode(ctx.nodes, [&](const NodeHandle& n) -> Status {
    for (const Daemon* d : {&kResourceManager, &kNodeManager}) {
      auto hit = SignalRole(n, d->role, d->main_class, SIGKILL);
      if (!hit.ok()) return hit.status();
    }
    // Containers no NodeManager stopped (theirs was down, or did not get to them in time): every
    // process that works in a container directory under the local dirs.
    auto k =
        ExecShell(*n.remote,
                  "for d in /proc/[0-9]*; do c=$(readlink \"$d/cwd\" 2>/dev/null) || continue; "
                  "case \"$c\" in \"$1\"/*) kill -9 \"${d#/proc/}\" 2>/dev/null && "
                  "echo \"${d#/proc/}\";; esac; done; exit 0",
                  {kYarnDataDir});
    if (!k.ok()) return k.status();
    if (std::string pids = k->out; !pids.empty()) {
      std::replace(pids.begin(), pids.end(), '\n', ' ');
      spdlog::info("Killed leftover YARN container processes on {}: {}", n.name, pids);
    }
    auto r = n.remote->Exec({"rm", "-rf", kYarnDataDir});
    return r.ok() ? Status::Ok() : r.status();
  });
}

}  // namespace jf
