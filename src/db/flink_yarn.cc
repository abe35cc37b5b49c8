#include "db/flink_yarn.h"

#include <spdlog/spdlog.h>

#include <csignal>
#include <filesystem>
#include <regex>
#include <thread>

#include "client/flink_rest.h"
#include "client/leader.h"
#include "control/processes.h"
#include "db/hdfs.h"
#include "db/yarn.h"

namespace jf {
namespace {

using Clock = std::chrono::steady_clock;

constexpr char kJobJarDir[] = "/opt/flink-jobs";

// The TaskManagers' RPC ports: several may share a node (YARN packs containers).
constexpr char kTaskManagerRpcPorts[] = "6130-6149";

std::string ContainerGcLog() {
  // YARN replaces <LOG_DIR> in a container's command with the container's log directory.
  return "-Xlog:gc*:file=<LOG_DIR>/gc.log:time,uptime:filecount=2,filesize=10M";
}

std::string AppName(const DeployContext& ctx, int n) {
  return n == 0 ? "jepsen-flink-" + ctx.run_id : fmt::format("jepsen-flink-{}-{}", ctx.run_id, n);
}

}  // namespace

FlinkConfig YarnFlinkConfig(const FlinkConfig& cluster, const DeployContext& ctx) {
  FlinkConfig c = cluster;
  // Flink on YARN takes the application id as cluster id, so every application has its own HA
  // data and each attempt finds its predecessor's; YARN's local dirs are the temporary dirs.
  c.erase("high-availability.cluster-id");
  c.erase("io.tmp.dirs");
  c["rest.bind-port"] = std::to_string(kFlinkRestPort);
  c["taskmanager.rpc.port"] = kTaskManagerRpcPorts;
  c["taskmanager.data.port"] = "0";
  c["yarn.application-attempts"] = std::to_string(kFlinkYarnApplicationAttempts);
  c["env.java.opts.jobmanager"] = ContainerGcLog();
  c["env.java.opts.taskmanager"] = ContainerGcLog();
  for (const auto& [k, v] : ctx.flink_overrides) c[k] = v;
  return c;
}

std::string FindApplicationId(const std::string& out) {
  static const std::regex re("application_[0-9]+_[0-9]+");
  std::smatch m;
  return std::regex_search(out, m, re) ? m.str() : "";
}

std::unique_ptr<FlinkYarnDb> MakeFlinkYarnDb(const std::string& mode, std::string hadoop_lib_dir) {
  if (mode == "yarn-session")
    return std::make_unique<FlinkYarnSessionDb>(std::move(hadoop_lib_dir));
  if (mode == "yarn-application") {
    return std::make_unique<FlinkYarnApplicationDb>(std::move(hadoop_lib_dir));
  }
  if (mode == "yarn-job") return std::make_unique<FlinkYarnJobDb>(std::move(hadoop_lib_dir));
  return nullptr;
}

Status FlinkYarnDb::Setup(DeployContext& ctx) {
  auto cp = HadoopClasspathForFlinkOnNodes(hadoop_lib_dir_, kYarnLibDir, kYarnConfDir);
  if (!cp.ok()) return FailedPrecondition("{} (run setup.sh)", cp.status().message());
  client_classpath_ = *cp;
  const NodeHandle& client = ctx.nodes.front();
  FlinkConfig config = YarnFlinkConfig(ClusterFlinkConfig(ctx), ctx);
  JF_RETURN_IF_ERROR(InstallFlink(ctx, client, RenderConfigYaml(config)));
  spdlog::info("Installed the Flink client on {} (HADOOP_CONF_DIR {})", client.name, kYarnConfDir);
  return Status::Ok();
}

Status FlinkYarnDb::DeployWithClient(DeployContext& ctx, const JobLaunch* job) {
  const NodeHandle& client = ctx.nodes.front();
  std::string jar_on_node;
  if (job) {
    jar_on_node =
        std::string(kJobJarDir) + "/" + std::filesystem::path(job->jar).filename().string();
    JF_RETURN_IF_ERROR(client.remote->Upload(job->jar, jar_on_node));
  }
  std::vector<std::string> argv = {"env",
                                   "JAVA_HOME=" + ctx.java_home,
                                   std::string("FLINK_CONF_DIR=") + kFlinkHome + "/conf",
                                   std::string("FLINK_LOG_DIR=") + kFlinkLogDir,
                                   std::string("HADOOP_CONF_DIR=") + kYarnConfDir,
                                   "HADOOP_CLASSPATH=" + client_classpath_};
  for (auto& a : ClientArgv(ctx, job, jar_on_node)) argv.push_back(std::move(a));
  const std::string log = fmt::format("{}/client-{}.out", kFlinkLogDir, ++clients_run_);
  std::vector<std::string> args = {log};
  args.insert(args.end(), argv.begin(), argv.end());
  ExecOptions o;
  o.timeout = std::chrono::milliseconds(static_cast<int64_t>(ctx.readiness_timeout_s * 1000));
  auto t = Clock::now();
  spdlog::info("Deploying on YARN from {}: {}", client.name,
               fmt::join(argv.begin() + 6, argv.end(), " "));
  JF_ASSIGN_OR_RETURN(auto r, ExecShell(*client.remote,
                                        "log=$1; shift; \"$@\" >\"$log\" 2>&1; rc=$?; "
                                        "cat \"$log\"; exit $rc",
                                        args, o));
  std::string app = FindApplicationId(r.out);
  if (app.empty()) {
    // The client names it as it goes; if its output was cut, ask YARN by the name we gave.
    if (auto apps = YarnDb::QueryApps(ctx); apps.ok()) {
      for (const auto& a : *apps) {
        if (a.name == AppName(ctx, clients_run_ - 1)) app = a.id;
      }
    }
  }
  if (!r.ok() || app.empty()) {
    std::string tail = r.out.size() > 1500 ? r.out.substr(r.out.size() - 1500) : r.out;
    return Internal("the Flink client on {} {} (log {} on {}, in the store: {}/flink/):\n{}",
                    client.name, r.ok() ? "named no YARN application" : r.Describe(), log,
                    client.name, client.name, tail);
  }
  application_id_ = app;
  spdlog::info("YARN application {} deployed by the client in {:.1f} s", app,
               std::chrono::duration<double>(Clock::now() - t).count());

  // Its JobManager publishes its REST address in ZooKeeper under the application id.
  auto zk = std::make_shared<ZkLeaderLookup>(ctx.ZooKeeperQuorum());
  LeaderFinder finder(FlinkLeaderSource(zk, ctx, application_id_), RestUrls(ctx));
  auto deadline = Clock::now() + o.timeout;
  std::string problem = "no JobManager answered";
  while (Clock::now() < deadline) {
    auto leader = finder.Find();
    if (leader.ok()) {
      last_rest_url_ = leader->rest_url;
      spdlog::info("The JobManager of {} serves REST at {} ({:.1f} s after the client started)",
                   app, leader->rest_url, std::chrono::duration<double>(Clock::now() - t).count());
      if (!ctx.flink_overrides.empty()) {
        JF_ASSIGN_OR_RETURN(auto effective, FlinkRest(leader->rest_url).JobManagerConfig());
        JF_RETURN_IF_ERROR(CheckFlinkOverrides(ctx.flink_overrides, effective));
        spdlog::info("All {} --flink-config overrides are in effect", ctx.flink_overrides.size());
      }
      return Status::Ok();
    }
    problem = leader.status().message();
    if (auto a = YarnDb::QueryApp(ctx, app); a.ok()) {
      if (a->state == "FAILED" || a->state == "KILLED" || a->state == "FINISHED") {
        return Internal(
            "YARN application {} is {} before its JobManager served: {} (container "
            "logs in the store: <node>/yarn/containers/{}/)",
            app, a->state, a->diagnostics, app);
      }
    }
    if (ctx.Cancelled()) return Cancelled("interrupted while waiting for the JobManager on YARN");
    std::this_thread::sleep_for(std::chrono::seconds(1));
  }
  return Timeout("the JobManager of YARN application {} did not serve REST within {:.0f} s: {}",
                 app, ctx.readiness_timeout_s, problem);
}

Result<LaunchedJob> FlinkYarnDb::AwaitJob(const DeployContext& ctx) {
  auto zk = std::make_shared<ZkLeaderLookup>(ctx.ZooKeeperQuorum());
  LeaderFinder finder(FlinkLeaderSource(zk, ctx, application_id_), RestUrls(ctx));
  auto deadline = Clock::now() +
                  std::chrono::milliseconds(static_cast<int64_t>(ctx.readiness_timeout_s * 1000));
  Status last = Unavailable("no JobManager answered");
  while (Clock::now() < deadline && !ctx.Cancelled()) {
    auto leader = finder.Find();
    if (leader.ok()) {
      auto jobs = FlinkRest(leader->rest_url, std::chrono::seconds(5)).ListJobs();
      if (jobs.ok() && !jobs->empty()) {
        return LaunchedJob{.job_id = jobs->front().jid, .jobmanager = leader->rest_url};
      }
      last = jobs.ok() ? NotFound("the JobManager at {} lists no job yet", leader->rest_url)
                       : jobs.status();
    } else {
      last = leader.status();
    }
    std::this_thread::sleep_for(std::chrono::seconds(1));
  }
  if (ctx.Cancelled()) return Cancelled("interrupted while waiting for the job on YARN");
  return last.WithContext("waiting for the job of YARN application " + application_id_);
}

Result<LaunchedJob> FlinkYarnDb::LaunchJob(DeployContext& ctx, const JobLaunch& job) {
  if (!LaunchesJobs()) return FailedPrecondition("{} runs jobs submitted over REST", name());
  if (!application_id_.empty()) {
    return FailedPrecondition("{} runs one job per test (its own application)", name());
  }
  JF_RETURN_IF_ERROR(DeployWithClient(ctx, &job));
  return AwaitJob(ctx);
}

void FlinkYarnDb::AppendJob(std::vector<std::string>& argv, const JobLaunch& job,
                            const std::string& jar_on_node) {
  argv.push_back(fmt::format("-Dparallelism.default={}", job.parallelism));
  if (!job.entry_class.empty()) {
    argv.push_back("-c");
    argv.push_back(job.entry_class);
  }
  argv.push_back(jar_on_node);
  argv.insert(argv.end(), job.args.begin(), job.args.end());
}

Status FlinkYarnDb::Teardown(DeployContext& ctx) {
  if (ctx.nodes.empty()) return Status::Ok();
  Remote& client = *ctx.nodes.front().remote;
  for (const char* cls : {kYarnSessionCliClass, kFlinkCliClass}) {
    (void)SignalProcesses(client, cls, SIGKILL);
  }
  if (!application_id_.empty()) {
    Status s = YarnDb::KillApp(ctx, application_id_);
    if (!s.ok()) return s.WithContext("killing YARN application " + application_id_);
    // The kill is asynchronous: wait (briefly) until the application has ended, so YarnDb's
    // tear-down finds its containers stopping rather than running.
    auto deadline = Clock::now() + std::chrono::seconds(20);
    while (Clock::now() < deadline) {
      auto a = YarnDb::QueryApp(ctx, application_id_);
      if (!a.ok() || a->state == "KILLED" || a->state == "FINISHED" || a->state == "FAILED") break;
      std::this_thread::sleep_for(std::chrono::milliseconds(500));
    }
    spdlog::info("Killed YARN application {}", application_id_);
  }
  return Status::Ok();
}

std::vector<LogPath> FlinkYarnDb::LogPaths(const NodeHandle&) const {
  return {{kFlinkLogDir, "flink"}, {std::string(kFlinkHome) + "/conf", "flink/conf"}};
}

std::vector<NodeHandle> FlinkYarnDb::NodesWithRole(const DeployContext& ctx,
                                                   const std::string& role) const {
  if (role == "jobmanager" || role == "taskmanager") return ctx.nodes;
  return {};
}

Result<std::string> FlinkYarnDb::EntryClass(const std::string& role) const {
  if (role == "jobmanager") return JobManagerClass();
  if (role == "taskmanager") return std::string(kYarnTaskManagerClass);
  return InvalidArgument("no Flink role '{}'", role);
}

Result<std::vector<ProcessRef>> FlinkYarnDb::Processes(const NodeHandle& node,
                                                       const std::string& role) {
  JF_ASSIGN_OR_RETURN(std::string cls, EntryClass(role));
  return RoleProcesses(node, role, cls);
}

Result<std::vector<ProcessRef>> FlinkYarnDb::Signal(const NodeHandle& node, const std::string& role,
                                                    int signal) {
  JF_ASSIGN_OR_RETURN(std::string cls, EntryClass(role));
  return SignalRole(node, role, cls, signal);
}

std::string FlinkYarnDb::HaClusterId(const DeployContext&) const { return application_id_; }

std::vector<std::string> FlinkYarnDb::RestUrls(const DeployContext& ctx) const {
  std::vector<std::string> urls;
  for (const auto& n : ctx.nodes) urls.push_back(fmt::format("http://{}:{}", n.ip, kFlinkRestPort));
  return urls;
}

nlohmann::json FlinkYarnDb::ResourceManagerReport(const DeployContext& ctx) const {
  if (application_id_.empty()) return nullptr;
  nlohmann::json j = {{"application-id", application_id_}};
  if (auto a = YarnDb::QueryApp(ctx, application_id_); a.ok()) {
    j["application"] = {{"name", a->name},
                        {"state", a->state},
                        {"final-status", a->final_status},
                        {"am-host-http-address", a->am_host_http_address},
                        {"diagnostics", a->diagnostics}};
  } else {
    j["application-error"] = a.status().message();
  }
  if (auto at = YarnDb::QueryAppAttempts(ctx, application_id_); at.ok()) {
    j["attempts"] = nlohmann::json::array();
    for (const auto& x : *at) {
      j["attempts"].push_back({{"id", x.id},
                               {"attempt-id", x.attempt_id},
                               {"state", x.state},
                               {"container-id", x.container_id},
                               {"node-id", x.node_id}});
    }
  } else {
    j["attempts-error"] = at.status().message();
  }
  return j;
}

}  // namespace jf
