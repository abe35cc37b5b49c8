#include "core/run.h"

#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <mutex>
#include <optional>
#include <set>
#include <thread>
#include <utility>

#include "checker/availability.h"
#include "checker/consistency.h"
#include "core/analysis.h"
#include "core/interrupt.h"
#include "core/progress.h"
#include "core/run_lock.h"
#include "store/retention.h"
#include "checker/recovery.h"
#include "client/consistency_probe.h"
#include "client/flink_rest.h"
#include "client/job_poller.h"
#include "client/leader.h"
#include "generator/schedule.h"
#include "nemesis/freeze.h"
#include "os/debian.h"
#include "nemesis/kill.h"
#include "nemesis/namenode.h"
#include "nemesis/network.h"
#include "net/delay.h"
#include "nemesis/partition.h"
#include "nemesis/pause.h"
#include "cluster/freezer.h"
#include "cluster/local_cluster.h"
#include "control/ports.h"
#include "control/ssh_hosts.h"
#include "control/ssh_remote.h"
#include "db/flink_config.h"
#include "db/hdfs.h"
#include "db/flink_standalone_session.h"
#include "db/flink_yarn.h"
#include "db/yarn.h"
#include "db/zookeeper.h"
#include "dist/flink_dist.h"
#include "dist/flink_tarball.h"
#include "history/history.h"
#include "net/four_letter_word.h"
#include "report/report.h"
#include "store/store.h"

namespace fs = std::filesystem;

namespace jf {
namespace {

using Clock = std::chrono::steady_clock;

// The run directory on SSH nodes that share no directory (see DeployContext::shared_dir_per_node).
constexpr char kNodeLocalRunDir[] = "/var/lib/jepsen-flink/run";


// Whole-node pauses on the local cluster: the cgroup freezer, with each node's init as its root.
class LocalNodeFreeze : public NodeFreeze {
 public:
  LocalNodeFreeze(Freezer freezer, std::map<std::string, int> inits)
      : freezer_(std::move(freezer)), inits_(std::move(inits)) {}
  Result<std::vector<int>> Freeze(const std::string& node) override {
    auto it = inits_.find(node);
    if (it == inits_.end()) return NotFound("no local node {}", node);
    return freezer_.Freeze(node, it->second);
  }
  Status Thaw(const std::string& node) override { return freezer_.Thaw(node); }

 private:
  Freezer freezer_;
  std::map<std::string, int> inits_;
};

// This process's open file descriptors, threads and resident memory, from /proc/self.
std::string HarnessUsage() {
  std::error_code ec;
  int fds = 0;
  for (auto it = std::filesystem::directory_iterator("/proc/self/fd", ec);
       !ec && it != std::filesystem::directory_iterator(); it.increment(ec)) {
    ++fds;
  }
  long threads = 0, rss_kib = 0;
  std::ifstream status("/proc/self/status");
  for (std::string line; std::getline(status, line);) {
    if (line.rfind("Threads:", 0) == 0) threads = std::strtol(line.c_str() + 8, nullptr, 10);
    if (line.rfind("VmRSS:", 0) == 0) rss_kib = std::strtol(line.c_str() + 6, nullptr, 10);
  }
  return fmt::format("{} fds, {} threads, RSS {:.1f} MiB", fds, threads, rss_kib / 1024.0);
}

// Paces a loop to one iteration per interval: sleeps until *next + interval; a loop that fell
// behind starts its next interval now instead of catching up.
void SleepUntilNext(Clock::time_point* next, std::chrono::milliseconds interval) {
  *next += interval;
  auto now = Clock::now();
  if (*next > now) {
    std::this_thread::sleep_until(*next);
  } else {
    *next = now;
  }
}

double SecondsSince(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

// Logs to the terminal and to the store's jepsen.log for the duration of one run. The terminal's
// lines go through `progress`, which keeps its status line out of their way.
class RunLogger {
 public:
  RunLogger(const std::string& path, Progress& progress) {
    previous_ = spdlog::default_logger();
    auto console = std::make_shared<spdlog::sinks::stderr_color_sink_mt>();
    console->set_level(spdlog::level::info);
    file_ = std::make_shared<spdlog::sinks::basic_file_sink_mt>(path);
    file_->set_level(spdlog::level::debug);
    auto logger = std::make_shared<spdlog::logger>(
        "jepsen", spdlog::sinks_init_list{progress.ConsoleSink(console), file_});
    logger->set_pattern("%Y-%m-%d %H:%M:%S.%e %^%-5l%$ [%t] %v");
    logger->set_level(spdlog::level::debug);
    logger->flush_on(spdlog::level::debug);
    spdlog::set_default_logger(logger);
  }
  ~RunLogger() { spdlog::set_default_logger(previous_); }
  // The verdict line alone, as the last line of jepsen.log. The sink is called directly, so its
  // exceptions (a full disk) are caught here.
  void Final(const std::string& line) {
    try {
      file_->set_pattern("%v");
      file_->log(spdlog::details::log_msg("", spdlog::level::info, line));
      file_->flush();
    } catch (const std::exception& e) {
      fmt::print(stderr, "jepsen-flink: jepsen.log lacks the verdict: {}\n", e.what());
    }
  }

 private:
  std::shared_ptr<spdlog::logger> previous_;
  std::shared_ptr<spdlog::sinks::basic_file_sink_mt> file_;
};

struct Prepared {
  FlinkRelease release;  // with --tarball: the version and line found in it (nothing pinned)
  std::string flink_home;
  std::optional<FlinkTarball> tarball;  // --tarball's distribution
  std::string java_home;
  std::string zookeeper_lib;
  std::string hadoop_lib;  // only when the run deploys HDFS
  std::string job_jar;
};

// Everything that can be checked before a node is touched.
Result<Prepared> Prepare(const TestOptions& opts) {
  Prepared p;
  std::string cache = opts.cache_dir.empty() ? DefaultCacheDir() : opts.cache_dir;
  JF_ASSIGN_OR_RETURN(p.java_home, FindJava17Home());
  if (!opts.tarball.empty()) {
    JF_ASSIGN_OR_RETURN(p.tarball, EnsureFlinkTarball(opts.tarball, cache));
    JF_RETURN_IF_ERROR(opts.CheckDistributionVersion(p.tarball->version));
    p.release = {.version = p.tarball->version, .line = p.tarball->line};
    p.flink_home = p.tarball->home;
  } else {
    p.release = *FindFlinkRelease(opts.flink_version);
    JF_ASSIGN_OR_RETURN(p.flink_home, EnsureFlink(p.release, cache));
  }
  JF_ASSIGN_OR_RETURN(p.zookeeper_lib, ZooKeeperLibDir(cache));
  JF_ASSIGN_OR_RETURN(p.job_jar, TestJobJar(p.release.line));
  if (opts.UsesHdfs()) {
    JF_ASSIGN_OR_RETURN(p.hadoop_lib, HadoopLibDir(cache));
  }
  auto uses = [&](const char* family) {
    return std::find(opts.nemesis.begin(), opts.nemesis.end(), family) != opts.nemesis.end();
  };
  if (uses("delay") && DefaultDelayerPath().empty()) {
    return FailedPrecondition("--nemesis delay needs jf-delayer next to the jepsen-flink binary "
                              "(built with it; run setup.sh)");
  }
  if (uses("freeze")) JF_RETURN_IF_ERROR(Freezer::ForThisMachine().status());
  if (!opts.flink_overrides.empty()) {
    JF_ASSIGN_OR_RETURN(auto keys, FlinkConfigKeys(p.flink_home, p.java_home));
    for (const auto& [k, v] : opts.flink_overrides) {
      if (!IsKnownFlinkKey(keys, k)) {
        return InvalidArgument("--flink-config {}: Flink {} has no such configuration key (it "
                               "would ignore it silently)", k, p.release.version);
      }
    }
  }
  return p;
}

// What the client has seen of the job's health, shared between the client thread and the
// driver. Thread-safe.
class HealthTracker {
 public:
  void Record(bool running, Clock::time_point t) {
    std::lock_guard<std::mutex> lock(mu_);
    if (running) {
      if (!running_) run_start_ = t;
      running_ = true;
      last_running_ = t;
      ever_ = true;
    } else {
      running_ = false;
    }
  }
  bool ever_healthy() const {
    std::lock_guard<std::mutex> lock(mu_);
    return ever_;
  }
  // Seconds the job has been running without a break, counting only from `since`; one poll
  // covers one interval, as the original's N polls every 5 s covered N x 5 s.
  double RunningFor(Clock::time_point since, std::chrono::milliseconds interval) const {
    std::lock_guard<std::mutex> lock(mu_);
    if (!running_) return 0;
    auto from = std::max(run_start_, since);
    if (last_running_ < from) return 0;
    return std::chrono::duration<double>(last_running_ - from + interval).count();
  }

 private:
  mutable std::mutex mu_;
  bool running_ = false, ever_ = false;
  Clock::time_point run_start_, last_running_;
};

class Run {
 public:
  Run(const TestOptions& opts, const Prepared& prep, Store store, Progress& progress)
      : opts_(opts), prep_(prep), store_(std::move(store)), progress_(progress), rng_(opts.seed) {}

  int Execute();

 private:
  Status SetUpNodes();
  Status SetUpSshNodes();
  Status PrepareRemoteNodes();
  Status Deploy();
  // Before any Setup: every Db's fixed ports free on every node (FailedPrecondition naming each
  // port, node and holder otherwise). A node where ss cannot run is warned about, not refused.
  Status CheckPortsFree();
  Status SubmitJob();
  Status DriveTest();
  void ClientLoop();
  void ConsistencyLoop();
  void ObserveUntil(Clock::time_point until);
  // The run's waits end early: interrupted, or the history can no longer be written.
  bool Stopping() const { return Interrupted() || !history_.WriteError().ok(); }
  void CancelAttempt(const LeaderFinder& finder, bool final);
  Result<std::string> LaunchOne(const std::string& jar_path, const std::string& entry,
                                const std::vector<std::string>& args, int parallelism);
  Result<std::string> SubmitOne(const LeaderFinder& finder, const std::string& jar_path,
                                const std::string& entry, const std::vector<std::string>& args,
                                int parallelism);
  Result<std::string> LeaderNode(const std::string& role);
  Result<std::vector<std::string>> BusyNodes(const std::string& role);
  std::chrono::milliseconds PollInterval() const {
    return std::chrono::milliseconds(static_cast<int64_t>(opts_.poll_interval_s * 1000));
  }
  void Gather();
  void StopJobs();
  void FetchOutput();
  void SaveTaskManagers(const std::string& name);
  void TearDown();
  nlohmann::json RemoteNodesJson() const;
  int CheckAndReport(const Status& run_error);
  // A new phase, for the status line and for what a further interrupt says is under way (the
  // steps inside a phase name themselves more exactly).
  void Phase(ProgressPhase phase, std::optional<Clock::time_point> deadline = std::nullopt) {
    if (Interrupted()) progress_.SetInterrupted();
    progress_.SetPhase(phase, deadline);
    SetUndoing(UndoingText(phase));
  }
  static const char* UndoingText(ProgressPhase phase) {
    switch (phase) {
      case ProgressPhase::kSettingUp: return "setting up the nodes (what is set up is torn down next)";
      case ProgressPhase::kSubmitting: return "submitting the job";
      case ProgressPhase::kWaitingForJob:
      case ProgressPhase::kFaults:
      case ProgressPhase::kRecoveryWait: return "leaving the fault phase";
      case ProgressPhase::kStopping:
        return "asking Flink for its jobs and checkpoints, and copying the job's output";
      case ProgressPhase::kTearingDown: return "tearing down";
      case ProgressPhase::kChecking:
        return "checking the history (the cluster is already down); results.json comes next";
    }
    return "stopping the run";
  }

  nlohmann::json timings_ = nlohmann::json::object();
  const TestOptions& opts_;
  const Prepared& prep_;
  Store store_;
  Progress& progress_;  // the live status (thread-safe): phases, nemesis ops, polls
  History history_;
  // The store's copy of the test job's files failed (a full disk): its checks would judge a hole.
  Status output_copy_error_;
  Clock::time_point start_ = Clock::now();

  std::optional<LocalCluster> cluster_;
  bool own_cluster_ = false;
  std::vector<std::unique_ptr<Remote>> remotes_;
  DeployContext ctx_;
  std::vector<std::unique_ptr<Db>> dbs_;
  FlinkDeployment* flink_ = nullptr;  // the Flink Db of dbs_, in its deployment mode
  size_t dbs_set_up_ = 0;
  std::shared_ptr<ZkLeaderLookup> zk_;
  std::vector<std::string> job_ids_;  // in submission order; the first is the test job
  // The instances of the built-in test job: their id, directory name under RunSharedDir() and the
  // store ("job", "job-2", ...) and where their sink writes (a Flink path; empty for no sink).
  struct BuiltinJob {
    std::string id;
    std::string name;
    std::string output_uri;
  };
  std::vector<BuiltinJob> builtin_jobs_;
  std::string last_leader_url_;  // written by the client thread, read after it stopped
  Rng rng_;
  KillRouter kill_router_;
  std::unique_ptr<NodeFreeze> node_freeze_;  // before nemesis_, which uses it
  std::unique_ptr<Nemesis> nemesis_;
  std::atomic<bool> stop_client_{false};
  HealthTracker health_;
  Clock::time_point last_fault_;  // the last kill that hit, or the last process-started
  bool cancel_invoked_ = false;  // the client thread's own
  int cancel_refusals_ = 0;
  std::set<std::string> canceled_;  // jobs a JobManager accepted the cancellation of
  std::string cancel_last_error_;
  std::atomic<bool> cancel_done_{false};        // set by the client thread
  std::atomic<Clock::time_point> cancel_at_{};  // valid once cancel_done_
};

// Real hosts: one SshRemote per node (its sessions open on first use), each checked to answer as
// root; then every node gets what the deployment and the faults need (os/debian.h).
Status Run::SetUpSshNodes() {
  auto t = Clock::now();
  spdlog::info("Connecting to {} nodes over SSH as {}", opts_.nodes.size(), opts_.ssh_user);
  for (const auto& host : opts_.nodes) {
    JF_ASSIGN_OR_RETURN(std::string ip, ResolveIPv4(host));
    remotes_.push_back(std::make_unique<SshRemote>(host, opts_.SshOptionsFor(host)));
    ctx_.nodes.push_back({host, ip, remotes_.back().get()});
  }
  JF_RETURN_IF_ERROR(ForEachNode(ctx_.nodes, [&](const NodeHandle& n) -> Status {
    // A node that cannot be reached yet (Unavailable: refused, timed out) gets three tries;
    // authentication and host-key failures (FailedPrecondition) stop the run at once.
    auto r = ExecChecked(*n.remote, {"id", "-u"}, {.timeout = std::chrono::seconds(30)});
    for (int attempt = 2; attempt <= 3 && !r.ok() &&
                          r.status().code() == StatusCode::kUnavailable && !Interrupted();
         ++attempt) {
      spdlog::warn("{} (try {} of 3 in 2 s)", r.status().message(), attempt);
      std::this_thread::sleep_for(std::chrono::seconds(2));
      r = ExecChecked(*n.remote, {"id", "-u"}, {.timeout = std::chrono::seconds(30)});
    }
    if (!r.ok()) return r.status();
    if (r->out != "0\n") {
      return FailedPrecondition("{}: user {} is not root there (id -u says {}); jepsen-flink "
                                "needs root on the nodes (firewall rules, signals, apt): use "
                                "--username root",
                                n.name, opts_.ssh_user, r->out.substr(0, r->out.find('\n')));
    }
    return Status::Ok();
  }));
  timings_["ssh_connect_s"] = SecondsSince(t);
  spdlog::info("All {} nodes answer over SSH ({:.1f} s)", ctx_.nodes.size(), SecondsSince(t));
  t = Clock::now();
  JF_RETURN_IF_ERROR(PrepareRemoteNodes());
  timings_["prepare_nodes_s"] = SecondsSince(t);
  if (!opts_.shared_dir.empty()) {
    ctx_.shared_dir = opts_.shared_dir;
  } else {
    // HDFS holds Flink's storage and the job's output; only the test job's side files (commit
    // logs, alerts) stay on the node that wrote them, and are collected from every node.
    ctx_.shared_dir = kNodeLocalRunDir;
    ctx_.shared_dir_per_node = true;
  }
  return Status::Ok();
}

// Every node gets what the deployment and the faults need, installed with apt where missing
// (os/debian.h), and the run uses the nodes' Java 17.
Status Run::PrepareRemoteNodes() {
  JF_ASSIGN_OR_RETURN(ctx_.java_home, PrepareNodes(ctx_.nodes));
  spdlog::info("Every node has what the run needs (Java 17 at {})", ctx_.java_home);
  return Status::Ok();
}

Status Run::SetUpNodes() {
  if (opts_.UsesSsh()) return SetUpSshNodes();
  std::string state_dir = opts_.state_dir.empty() ? DefaultStateDir() : opts_.state_dir;
  auto existing = LocalCluster::Load(state_dir);
  if (existing.ok()) {
    if (static_cast<int>(existing->nodes().size()) != opts_.local_nodes) {
      return FailedPrecondition("a local cluster with {} nodes is already up (state in {}); run "
                                "`jepsen-flink cluster down` or use --local-nodes {}",
                                existing->nodes().size(), state_dir, existing->nodes().size());
    }
    if (existing->subnet() != opts_.subnet) {
      return FailedPrecondition("a local cluster on {} is already up (state in {}); run "
                                "`jepsen-flink cluster down` or use --subnet {}",
                                existing->subnet(), state_dir, existing->subnet());
    }
    spdlog::info("Using the local cluster that is already up ({} nodes)", existing->nodes().size());
    cluster_ = std::move(*existing);
  } else {
    auto t = Clock::now();
    spdlog::info("Creating a local cluster of {} nodes on {}", opts_.local_nodes, opts_.subnet);
    JF_ASSIGN_OR_RETURN(auto c, LocalCluster::Up({.nodes = opts_.local_nodes,
                                                  .subnet = opts_.subnet,
                                                  .state_dir = state_dir}));
    cluster_ = std::move(c);
    own_cluster_ = true;
    timings_["cluster_up_s"] = SecondsSince(t);
  }
  for (const auto& n : cluster_->nodes()) {
    remotes_.push_back(cluster_->RemoteFor(n.name));
    ctx_.nodes.push_back({n.name, n.ip, remotes_.back().get()});
  }
  ctx_.shared_dir = cluster_->shared_dir();
  return Status::Ok();
}

Status Run::Deploy() {
  ctx_.run_id = store_.timestamp();
  std::replace(ctx_.run_id.begin(), ctx_.run_id.end(), '.', '-');
  if (ctx_.java_home.empty()) ctx_.java_home = prep_.java_home;  // SSH nodes: found on them
  ctx_.flink_home = prep_.flink_home;
  ctx_.flink_version = opts_.flink_version;
  ctx_.zookeeper_lib_dir = prep_.zookeeper_lib;
  ctx_.flink_overrides = opts_.flink_overrides;
  if (opts_.job_semantics == "at-least-once") {
    ctx_.flink_overrides[kCheckpointingModeKey] = "AT_LEAST_ONCE";
  }
  ctx_.taskmanager_slots = opts_.taskmanager_slots;
  ctx_.spare_slots = opts_.spare_slots;
  ctx_.readiness_timeout_s = opts_.readiness_timeout_s;
  ctx_.restart_delay_s = opts_.restart_delay_s;
  ctx_.cancelled = [] { return Interrupted(); };
  if (opts_.UsesHdfs()) {
    dbs_.push_back(std::make_unique<HdfsDb>(prep_.hadoop_lib));
    // Flink's daemons reach HDFS with Hadoop's client jars and configuration on the nodes.
    JF_ASSIGN_OR_RETURN(std::string cp, HadoopClasspathForFlinkOnNodes(prep_.hadoop_lib));
    ctx_.flink_env = {{"HADOOP_CLASSPATH", cp}, {"HADOOP_CONF_DIR", kHadoopConfDir}};
    ctx_.storage_uri = HdfsDb::DefaultFsUri(ctx_) + "/jf/" + ctx_.run_id;
  }
  dbs_.push_back(std::make_unique<ZooKeeperDb>());
  if (auto yarn_flink = MakeFlinkYarnDb(opts_.deployment_mode, prep_.hadoop_lib)) {
    dbs_.push_back(std::make_unique<YarnDb>(prep_.hadoop_lib));
    flink_ = yarn_flink.get();
    dbs_.push_back(std::move(yarn_flink));
  } else {
    auto standalone = std::make_unique<FlinkStandaloneSessionDb>();
    flink_ = standalone.get();
    dbs_.push_back(std::move(standalone));
  }
  JF_RETURN_IF_ERROR(CheckPortsFree());
  for (auto& db : dbs_) {
    auto t = Clock::now();
    spdlog::info("Setting up {}", db->name());
    SetUndoing(fmt::format("setting up {} (what is set up is torn down once this step returns)",
                           db->name()));
    ++dbs_set_up_;  // a failed Setup is torn down too
    JF_RETURN_IF_ERROR(db->Setup(ctx_).WithContext("setting up " + db->name()));
    timings_["setup_" + db->name() + "_s"] = SecondsSince(t);
  }
  if (opts_.UsesHdfs()) spdlog::info("Flink's HA storage and checkpoints: {}", ctx_.StorageUri());
  zk_ = std::make_shared<ZkLeaderLookup>(ctx_.ZooKeeperQuorum());
  SaveTaskManagers("taskmanagers-start.json");
  return Status::Ok();
}

Status Run::SubmitJob() {
  std::vector<JobSpec> jobs = opts_.jobs;
  if (jobs.empty()) jobs.push_back(JobSpec{});
  // Jobs submitted through REST do not pick up parallelism.default from the JobManager's
  // configuration (they run with 1), so pass the cluster's value explicitly; several jobs share
  // the slots.
  int parallelism = DefaultParallelism(ctx_);
  auto cfg = ClusterFlinkConfig(ctx_);
  try {
    parallelism = std::stoi(cfg["parallelism.default"]);
  } catch (...) {
    return InvalidArgument("parallelism.default '{}' is not a number", cfg["parallelism.default"]);
  }
  parallelism = std::max(1, parallelism / static_cast<int>(jobs.size()));
  for (const auto& spec : jobs) {
    std::string jar_path = spec.jar, entry = spec.main_class;
    std::vector<std::string> args;
    std::optional<BuiltinJob> builtin;
    if (spec.jar == kBuiltinTestJob) {
      // Each instance of the test job has its own commit log, alert and output directories.
      builtin = BuiltinJob{.name = builtin_jobs_.empty()
                                       ? "job"
                                       : fmt::format("job-{}", builtin_jobs_.size() + 1)};
      std::string dir = ctx_.RunSharedDir() + "/" + builtin->name;
      jar_path = prep_.job_jar;
      if (entry.empty()) entry = "io.jepsenflink.job.TestJob";
      args = {"--splits", std::to_string(opts_.job_splits),
              "--keys-per-split", std::to_string(kJobKeysPerSplit),
              "--rate", fmt::format("{}", opts_.job_rate),
              "--commit-log-dir", dir + "/commits",
              "--alert-dir", dir + "/alerts"};
      if (opts_.job_sink != "none") {
        // On HDFS when the run has it (FetchOutput copies it back), else on the shared storage.
        builtin->output_uri = opts_.UsesHdfs()
                                  ? ctx_.StorageUri() + "/" + builtin->name + "/output"
                                  : "file://" + dir + "/output";
        args.insert(args.end(), {"--output-dir", builtin->output_uri, "--sink", opts_.job_sink});
      }
    }
    args.insert(args.end(), spec.args.begin(), spec.args.end());
    std::string id;
    if (flink_->LaunchesJobs()) {
      JF_ASSIGN_OR_RETURN(id, LaunchOne(jar_path, entry, args, parallelism));
    } else {
      // The session's HA cluster id is known once it is set up.
      LeaderFinder finder(FlinkLeaderSource(zk_, ctx_, flink_->HaClusterId(ctx_)),
                          flink_->RestUrls(ctx_));
      JF_ASSIGN_OR_RETURN(id, SubmitOne(finder, jar_path, entry, args, parallelism));
    }
    job_ids_.push_back(id);
    if (builtin) {
      builtin->id = id;
      builtin_jobs_.push_back(*builtin);
    }
  }
  return Status::Ok();
}

Status Run::CheckPortsFree() {
  std::map<int, std::string> wanted;
  for (const auto& db : dbs_) {
    if (const auto* p = dynamic_cast<const ListenPorts*>(db.get())) wanted.merge(p->Ports(ctx_));
  }
  std::mutex mu;
  std::vector<std::string> conflicts;
  (void)ForEachNode(ctx_.nodes, [&](const NodeHandle& n) -> Status {
    auto listeners = ListeningPorts(*n.remote);
    if (!listeners.ok()) {
      spdlog::warn("Not checking that the ports are free on {}: {}", n.name,
                   listeners.status().message());
      return Status::Ok();
    }
    std::lock_guard<std::mutex> lock(mu);
    for (auto& c : PortConflicts(*listeners, wanted)) conflicts.push_back(n.name + ": " + c);
    return Status::Ok();
  });
  if (conflicts.empty()) {
    spdlog::info("The {} ports the daemons listen on are free on every node", wanted.size());
    return Status::Ok();
  }
  std::sort(conflicts.begin(), conflicts.end());
  return FailedPrecondition(
      "{}. Stop what holds {} (a run with --leave-db-running leaves its daemons up until "
      "`jepsen-flink cluster down --all`)",
      fmt::join(conflicts, "; "), conflicts.size() == 1 ? "it" : "them");
}

// A job whose cluster is deployed with it (YARN application and per-job modes): one attempt,
// since a second deployment would be a second cluster.
Result<std::string> Run::LaunchOne(const std::string& jar_path, const std::string& entry,
                                   const std::vector<std::string>& args, int parallelism) {
  history_.Append(Op{.type = OpType::kInvoke, .process = 0, .f = "submit-job",
                     .value = {{"jar", jar_path}, {"parallelism", parallelism}}});
  auto job = flink_->LaunchJob(ctx_, JobLaunch{.jar = jar_path, .entry_class = entry,
                                               .args = args, .parallelism = parallelism});
  if (!job.ok()) {
    history_.Append(Op{.type = job.status().code() == StatusCode::kTimeout ? OpType::kInfo
                                                                            : OpType::kFail,
                       .process = 0, .f = "submit-job", .error = job.status().message()});
    return job.status().WithContext("deploying " + jar_path);
  }
  history_.Append(Op{.type = OpType::kOk, .process = 0, .f = "submit-job",
                     .value = {{"job-id", job->job_id}, {"jar", jar_path},
                               {"jobmanager", job->jobmanager}, {"parallelism", parallelism},
                               {"cluster-id", flink_->HaClusterId(ctx_)}}});
  spdlog::info("Deployed {} as job {} (cluster {}, JobManager {})",
               std::filesystem::path(jar_path).filename().string(), job->job_id,
               flink_->HaClusterId(ctx_), job->jobmanager);
  return job->job_id;
}

Result<std::string> Run::SubmitOne(const LeaderFinder& finder, const std::string& jar_path,
                                   const std::string& entry,
                                   const std::vector<std::string>& args, int parallelism) {
  Status last;
  // The leader may still be settling right after start-up: retry for a while.
  for (int attempt = 1; attempt <= 10 && !Interrupted(); ++attempt) {
    auto leader = finder.Find();
    if (leader.ok()) {
      FlinkRest rest(leader->rest_url, std::chrono::seconds(30), std::chrono::seconds(120));
      auto jar = rest.UploadJar(jar_path);
      if (jar.ok()) {
        history_.Append(Op{.type = OpType::kInvoke, .process = 0, .f = "submit-job",
                           .value = {{"jar", jar_path}, {"parallelism", parallelism}}});
        auto job = rest.RunJar(*jar, entry, args, parallelism);
        if (job.ok()) {
          history_.Append(Op{.type = OpType::kOk, .process = 0, .f = "submit-job",
                             .value = {{"job-id", *job}, {"jar", jar_path},
                                       {"jobmanager", leader->rest_url},
                                       {"parallelism", parallelism}}});
          spdlog::info("Submitted {} as job {} through {} (leader found via {})",
                       std::filesystem::path(jar_path).filename().string(), *job,
                       leader->rest_url, leader->source);
          return *job;
        }
        last = job.status();
        history_.Append(Op{.type = last.code() == StatusCode::kTimeout ? OpType::kInfo : OpType::kFail,
                           .process = 0, .f = "submit-job", .error = last.message()});
      } else {
        last = jar.status();
      }
    } else {
      last = leader.status();
    }
    spdlog::warn("Submitting the job failed (attempt {}/10): {}", attempt, last.message());
    std::this_thread::sleep_for(std::chrono::seconds(2));
  }
  if (Interrupted()) return Cancelled("interrupted (SIGINT/SIGTERM) before the job was submitted");
  return last.WithContext("submitting " + jar_path);
}

void Run::ClientLoop() {
  try {
    LeaderFinder finder(FlinkLeaderSource(zk_, ctx_, flink_->HaClusterId(ctx_)),
                        flink_->RestUrls(ctx_));
    JobPoller poller(finder, job_ids_);
    auto interval = PollInterval();
    auto submitted = Clock::now();
    bool seen_running = false;
    std::string last_state;
    auto next = Clock::now();
    std::optional<Clock::time_point> first_healthy;
    while (!stop_client_.load()) {
      // cancel-jobs: the original polled for 15 s, then canceled every job once, then polled on.
      if (opts_.client_gen == "cancel-jobs" && first_healthy && !cancel_done_ &&
          Clock::now() - *first_healthy >= std::chrono::seconds(15)) {
        CancelAttempt(finder, /*final=*/false);
      }
      history_.Append(Op{.type = OpType::kInvoke, .process = 0, .f = kJobsRunningF});
      PollOutcome out = poller.Poll(interval);
      Op done{.type = out.type, .process = 0, .f = kJobsRunningF, .value = out.value,
              .error = out.error};
      if (!out.flink.empty()) done.ext["flink"] = out.flink;
      if (!out.leader_url.empty()) {
        done.ext["leader"] = {{"rest", out.leader_url}, {"via", out.leader_source}};
        if (!out.leader_session.empty()) done.ext["leader"]["session"] = out.leader_session;
      }
      history_.Append(done);
      // Healthy when every job runs (a canceled run is judged by the checker, not here).
      bool running = out.type == OpType::kOk &&
                     std::all_of(job_ids_.begin(), job_ids_.end(), [&](const std::string& id) {
                       return out.value.value(id, false);
                     });
      health_.Record(running, Clock::now());
      if (running && !first_healthy) first_healthy = Clock::now();
      if (out.type == OpType::kOk) {
        last_leader_url_ = out.leader_url;
        if (running && !seen_running) {
          seen_running = true;
          timings_["submit_to_running_s"] = SecondsSince(submitted);
          spdlog::info("The job runs with all its tasks ({:.1f} s after submission)",
                       SecondsSince(submitted));
        }
        std::string state;
        for (const auto& id : job_ids_) {
          if (!state.empty()) state += ", ";
          state += out.states.count(id) ? out.states[id] : "?";
        }
        std::string shown = running ? "RUNNING (all tasks)" : state;
        if (shown != last_state) spdlog::info("Job state: {}", shown);
        last_state = shown;
        progress_.OnPoll(true, running, state);
      } else {
        spdlog::info("Poll {}: {}", OpTypeName(out.type), out.error.value_or(""));
        last_state.clear();
        progress_.OnPoll(false, false, "");
      }
      SleepUntilNext(&next, interval);
    }
    if (cancel_invoked_ && !cancel_done_) CancelAttempt(finder, /*final=*/true);
  } catch (const std::exception& e) {
    spdlog::error("The client thread crashed: {}", e.what());
  }
}

// The consistency probe (client/consistency_probe.h), beside the job poller so that a JobManager
// that answers slowly (paused, partitioned) does not delay the polls: every poll interval, what
// every JobManager lists (process 1, `jobmanagers`) and the leader's checkpoint statistics
// (process 2, `checkpoints`; skipped while no leader is found).
void Run::ConsistencyLoop() {
  try {
    LeaderFinder finder(FlinkLeaderSource(zk_, ctx_, flink_->HaClusterId(ctx_)),
                        flink_->RestUrls(ctx_));
    ConsistencyProbe probe(flink_->RestUrls(ctx_), job_ids_);
    auto interval = PollInterval();
    auto next = Clock::now();
    while (!stop_client_.load()) {
      history_.Append(Op{.type = OpType::kInvoke, .process = 1, .f = kJobManagersF});
      ProbeOutcome jm = probe.SampleJobManagers();
      history_.Append(Op{.type = jm.type, .process = 1, .f = kJobManagersF, .value = jm.value,
                         .error = jm.error});
      if (auto leader = finder.Find(); leader.ok() && !stop_client_.load()) {
        history_.Append(Op{.type = OpType::kInvoke, .process = 2, .f = kCheckpointsF});
        ProbeOutcome cp = probe.SampleCheckpoints(leader->rest_url);
        history_.Append(Op{.type = cp.type, .process = 2, .f = kCheckpointsF, .value = cp.value,
                           .error = cp.error, .ext = {{"jobmanager", leader->rest_url}}});
      }
      SleepUntilNext(&next, interval);
    }
  } catch (const std::exception& e) {
    spdlog::error("The consistency probe thread crashed: {}", e.what());
  }
}

// The node of a role's leader: the leading JobManager as ZooKeeper names it, or the ZooKeeper
// server whose `srvr` says leader.
Result<std::string> Run::LeaderNode(const std::string& role) {
  if (role == "jobmanager") {
    JF_ASSIGN_OR_RETURN(auto info, zk_->RestLeader("/flink", flink_->HaClusterId(ctx_)));
    for (const auto& n : ctx_.nodes) {
      if (info.address.find("//" + n.ip + ":") != std::string::npos ||
          info.address.find("//" + n.name + ":") != std::string::npos) {
        return n.name;
      }
    }
    return NotFound("the leader's address {} is no node's", info.address);
  }
  if (role == "zookeeper") {
    for (const auto& n : ctx_.nodes) {
      auto mode = ZooKeeperMode(n.ip, kZooKeeperClientPort);
      if (mode.ok() && *mode == "leader") return n.name;
    }
    return Unavailable("no ZooKeeper server says it leads");
  }
  return InvalidArgument("{} has no leader", role);
}

// The nodes whose TaskManager runs tasks of the job (holds slots), as a JobManager reports them.
Result<std::vector<std::string>> Run::BusyNodes(const std::string& role) {
  if (role != "taskmanager") return InvalidArgument("only TaskManagers can be busy, not {}", role);
  Status last = Unavailable("no JobManager to ask");
  for (const auto& url : flink_->RestUrls(ctx_)) {
    auto tms = FlinkRest(url, std::chrono::seconds(3)).TaskManagers();
    if (tms.ok()) return BusyTaskManagerNodes(ctx_, *tms);
    last = tms.status();
  }
  return last;
}

// The cancel-jobs op: PATCH /jobs/:id?mode=cancel on the leader. One attempt per call; the client
// calls it on every poll until it is done, so a cancellation during JobManager faults lands once a
// JobManager serves again (the original's "reliable" cancel), while polls go on. No JobManager to
// ask, 503s, timeouts and 404s (a new leader that has not recovered the job yet) are transient;
// a definite refusal ten times over is a failed op; a cancellation still pending when the client
// stops is indeterminate (info).
void Run::CancelAttempt(const LeaderFinder& finder, bool final) {
  if (!cancel_invoked_) {
    history_.Append(Op{.type = OpType::kInvoke, .process = 0, .f = kCancelJobsF,
                       .value = job_ids_});
    cancel_invoked_ = true;
  }
  auto complete = [&](OpType type, const Status& st) {
    history_.Append(Op{.type = type, .process = 0, .f = kCancelJobsF, .value = job_ids_,
                       .error = st.ok() ? std::nullopt : std::optional(st.message())});
    spdlog::info("cancel-jobs: {}",
                 st.ok() ? fmt::format("canceled {}", fmt::join(job_ids_, ", ")) : st.message());
    cancel_at_ = Clock::now();
    cancel_done_ = true;
  };
  if (final) {
    complete(OpType::kInfo, Status(StatusCode::kUnavailable,
                                   "no JobManager took the cancellation before the end: " +
                                       cancel_last_error_));
    return;
  }
  auto leader = finder.Find();
  Status st = leader.status();
  for (const auto& id : job_ids_) {
    if (!leader.ok() || canceled_.count(id)) continue;
    st = FlinkRest(leader->rest_url).CancelJob(id);
    if (!st.ok()) break;
    canceled_.insert(id);
  }
  if (st.ok()) return complete(OpType::kOk, st);
  cancel_last_error_ = st.message();
  bool transient = st.code() == StatusCode::kUnavailable || st.code() == StatusCode::kTimeout ||
                   st.code() == StatusCode::kNotFound;
  if (!transient && ++cancel_refusals_ >= 10) complete(OpType::kFail, st);
}

// Records nemesis events (a process came back) until `until`, checking every 200 ms and once more
// at the end, so an event is recorded before the next fault.
void Run::ObserveUntil(Clock::time_point until) {
  for (bool last = false; !last;) {
    last = Clock::now() >= until || Stopping();
    if (nemesis_) {
      for (auto& ev : nemesis_->Observe()) {
        history_.Append(Op{.type = OpType::kInfo, .process = kNemesisProcess, .f = ev.f,
                           .value = ev.value});
        last_fault_ = Clock::now();
        spdlog::info("Nemesis: {} {}", ev.f, ev.value.dump());
      }
    }
    if (!last) {
      std::this_thread::sleep_until(std::min(until, Clock::now() + std::chrono::milliseconds(200)));
    }
  }
}

Status Run::DriveTest() {
  auto interval = PollInterval();
  std::vector<ScheduledOp> schedule;
  if (!opts_.nemesis.empty()) {
    JF_ASSIGN_OR_RETURN(schedule, CombinedSchedule(opts_.nemesis, opts_.nemesis_interval_s,
                                                   opts_.time_limit_s, opts_.seed));
  } else {
    JF_ASSIGN_OR_RETURN(schedule,
                        NemesisSchedule(opts_.nemesis_gen, opts_.time_limit_s, opts_.seed));
  }
  if (!schedule.empty()) {
    for (auto& db : dbs_) {
      if (auto* k = dynamic_cast<Kill*>(db.get())) kill_router_.Add(k);
    }
    TargetLocator leader = [this](const std::string& role,
                                  Targeting t) -> Result<std::vector<std::string>> {
      if (t == Targeting::kBusy) return BusyNodes(role);
      JF_ASSIGN_OR_RETURN(std::string node, LeaderNode(role));
      return std::vector<std::string>{node};
    };
    auto composite = std::make_unique<CompositeNemesis>();
    composite->Add(std::make_unique<KillNemesis>(
        std::vector<KillSpec>{{"kill-task-managers", "taskmanager", Targeting::kAll},
                              {"kill-single-task-manager", "taskmanager", Targeting::kOne},
                              {"kill-random-task-managers", "taskmanager", Targeting::kRandomHalf},
                              {"kill-job-managers", "jobmanager", Targeting::kAll},
                              {"kill", "taskmanager", Targeting::kOne},
                              {"kill-single-node-manager", "nodemanager", Targeting::kOne}},
        &kill_router_, &ctx_, &rng_, leader));
    composite->Add(std::make_unique<PauseNemesis>(&kill_router_, &ctx_, &rng_, leader));
    if (auto freezer = Freezer::ForThisMachine(); cluster_ && freezer.ok()) {
      std::map<std::string, int> inits;
      for (const auto& n : cluster_->nodes()) inits[n.name] = n.init_pid;
      node_freeze_ = std::make_unique<LocalNodeFreeze>(std::move(*freezer), std::move(inits));
    }
    composite->Add(std::make_unique<FreezeNemesis>(node_freeze_.get(), &kill_router_, &ctx_,
                                                   &rng_, leader));
    composite->Add(std::make_unique<PartitionNemesis>(&ctx_, &rng_, &kill_router_, leader));
    composite->Add(std::make_unique<NetworkNemesis>(&ctx_, &rng_));
    HdfsDb* hdfs = nullptr;
    for (auto& db : dbs_) {
      if (auto* h = dynamic_cast<HdfsDb*>(db.get())) hdfs = h;
    }
    composite->Add(std::make_unique<NameNodeNemesis>(hdfs, &ctx_));
    nemesis_ = std::move(composite);
  }
  std::thread client([this] { ClientLoop(); });
  std::thread probe([this] { ConsistencyLoop(); });
  struct Joiner {
    Run* run;
    std::thread* t;
    std::thread* u;
    ~Joiner() {
      run->stop_client_ = true;
      if (t->joinable()) t->join();
      if (u->joinable()) u->join();
    }
  } joiner{this, &client, &probe};

  // Faults start only once the job has run with all its tasks (the original waited 60 s).
  auto wait_healthy_until =
      Clock::now() + std::chrono::milliseconds(static_cast<int64_t>(opts_.job_recovery_grace_period_s * 1000));
  Phase(ProgressPhase::kWaitingForJob, wait_healthy_until);
  while (!health_.ever_healthy() && Clock::now() < wait_healthy_until && !Stopping()) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  if (!health_.ever_healthy()) {
    spdlog::error("The job never ran with all its tasks within {:.0f} s; no faults injected",
                  opts_.job_recovery_grace_period_s);
    return Status::Ok();  // the checker judges the history
  }

  auto phase_start = Clock::now();
  Phase(ProgressPhase::kFaults,
        phase_start + std::chrono::milliseconds(static_cast<int64_t>(opts_.time_limit_s * 1000)));
  spdlog::info("Fault phase: {} for {} s ({} fault ops scheduled)", opts_.NemesisName(),
               opts_.time_limit_s, schedule.size());
  int hits = 0;
  for (const auto& sop : schedule) {
    if (Stopping()) break;
    ObserveUntil(phase_start + std::chrono::milliseconds(static_cast<int64_t>(sop.at_s * 1000)));
    history_.Append(Op{.type = OpType::kInfo, .process = kNemesisProcess, .f = sop.f,
                       .ext = sop.args.is_null() ? nlohmann::json() : nlohmann::json{{"args", sop.args}}});
    NemesisResult r = nemesis_->Invoke(sop.f, sop.args);
    history_.Append(Op{.type = OpType::kInfo, .process = kNemesisProcess, .f = sop.f,
                       .value = r.value, .error = r.error});
    progress_.OnNemesisOp(sop.f, sop.args, r.hit);
    if (r.hit) {
      ++hits;
      last_fault_ = Clock::now();
    }
    spdlog::info("Nemesis: {} {}{}", sop.f, r.value.dump(), r.error ? " error: " + *r.error : "");
  }
  ObserveUntil(phase_start + std::chrono::milliseconds(static_cast<int64_t>(opts_.time_limit_s * 1000)));
  if (nemesis_) {
    SetUndoing(fmt::format("healing every fault of the nemesis ({})", opts_.NemesisName()));
    Status healed = nemesis_->Heal();
    if (!healed.ok()) spdlog::error("Healing: {}", healed.message());
    progress_.OnHeal();
  }
  timings_["fault_ops"] = schedule.size();
  timings_["fault_hits"] = hits;

  // The end: the job has run for the healthy window since the faults ended, or 1.1 x the grace
  // period has passed since the last fault (a killed process that came back late is the last
  // fault, so the grace period always elapses before a run gives up).
  auto phase_end = Clock::now();
  double window = opts_.job_running_healthy_threshold * kHealthyPollUnitSeconds;
  auto grace = std::chrono::milliseconds(
      static_cast<int64_t>(1.1 * opts_.job_recovery_grace_period_s * 1000));
  spdlog::info("Waiting for the job to run for {:.0f} s (at most {:.0f} s after the last fault)",
               window, 1.1 * opts_.job_recovery_grace_period_s);
  Phase(ProgressPhase::kRecoveryWait, std::max(phase_end, last_fault_) + grace);
  auto done = [&] {
    // A canceled job is done once the cancellation grace period (and a few polls) are past.
    if (cancel_done_) return Clock::now() > cancel_at_.load() + std::chrono::seconds(15);
    // One poll more than the window: the checker measures the window from the polls' completion
    // times, which jitter around the nominal interval (a last gap of 0.99 s made a run that this
    // loop saw healthy end 0.01 s short of the window in the checker).
    return health_.RunningFor(phase_end, interval) + 1e-9 >=
           window + std::chrono::duration<double>(interval).count();
  };
  while (!Stopping() && Clock::now() < std::max(phase_end, last_fault_) + grace && !done()) {
    ObserveUntil(Clock::now() + std::chrono::milliseconds(250));
    progress_.SetDeadline(std::max(phase_end, last_fault_) + grace);  // a late process-started
  }
  timings_["recovery_wait_s"] = SecondsSince(phase_end);
  if (Interrupted()) return Status(StatusCode::kCancelled, "interrupted (SIGINT/SIGTERM)");
  if (!schedule.empty() && hits == 0) {
    return Internal("no kill of {} ever hit a process", opts_.nemesis_gen);
  }
  return Status::Ok();
}

// What Flink itself knows at the end: the effective configuration, version and the job's
// exceptions.
void Run::Gather() {
  std::vector<std::string> urls;
  if (!last_leader_url_.empty()) urls.push_back(last_leader_url_);
  if (flink_) {
    for (const auto& u : flink_->RestUrls(ctx_)) urls.push_back(u);
    nlohmann::json rm = flink_->ResourceManagerReport(ctx_);
    if (!rm.is_null()) (void)store_.WriteJson("yarn-application.json", rm);
  }
  for (const auto& url : urls) {
    FlinkRest rest(url, std::chrono::seconds(5));
    auto config = rest.JobManagerConfig();
    if (!config.ok()) continue;
    (void)store_.WriteJson("flink-config.json", *config);
    SaveTaskManagers("taskmanagers-end.json");
    if (auto c = rest.Config(); c.ok()) {
      (void)store_.WriteJson("flink-version.json",
                             {{"flink-version", c->value("flink-version", "")},
                              {"flink-revision", c->value("flink-revision", "")},
                              {"release", opts_.flink_version},
                              {"rest", url}});
    }
    // The first job's files keep their plain names; further jobs' carry their number.
    for (size_t i = 0; i < job_ids_.size(); ++i) {
      const std::string& id = job_ids_[i];
      std::string suffix = i == 0 ? "" : fmt::format("-{}", i + 1);
      if (auto e = rest.JobExceptions(id); e.ok()) {
        (void)store_.WriteJson("job-exceptions" + suffix + ".json", *e);
      }
      if (auto j = rest.GetJob(id); j.ok()) (void)store_.WriteJson("job" + suffix + ".json", j->raw);
      if (auto cp = rest.JobCheckpoints(id); cp.ok()) {
        (void)store_.WriteJson("job-checkpoints" + suffix + ".json", *cp);
      }
      if (auto cc = rest.JobCheckpointConfig(id); cc.ok()) {
        (void)store_.WriteJson("job-checkpoint-config" + suffix + ".json", *cc);
      }
    }
    return;
  }
  spdlog::warn("No JobManager answered at the end; flink-config.json and job-exceptions.json "
               "are missing");
}

// The end of the test job's output: each instance with a sink is stopped with a savepoint, so its
// sink commits everything up to the savepoint and its sources log the savepoint's positions (the
// output checker's committed bound). A job that cannot be stopped is left to tear-down; its
// output is still checked (see AnalyzeJobOutputs). Ops: stop-job invoke, then ok {job-id, dir,
// savepoint, state} / fail (Flink refused or the savepoint failed) / info (no answer in time).
void Run::StopJobs() {
  for (const auto& job : builtin_jobs_) {
    if (job.output_uri.empty() || Interrupted()) continue;
    history_.Append(Op{.type = OpType::kInvoke, .process = 0, .f = kStopJobF,
                       .value = {{"job-id", job.id}, {"dir", job.name}}});
    auto finish = [&](OpType type, nlohmann::json value, std::optional<std::string> error) {
      history_.Append(Op{.type = type, .process = 0, .f = kStopJobF, .value = std::move(value),
                         .error = std::move(error)});
    };
    spdlog::info("Stopping job {} with a savepoint", job.id);
    LeaderFinder finder(FlinkLeaderSource(zk_, ctx_, flink_->HaClusterId(ctx_)),
                        flink_->RestUrls(ctx_));
    auto deadline = Clock::now() + std::chrono::seconds(90);
    Status last;
    std::string trigger, rest_url;
    // Trigger (retried while no leader answers), then follow the savepoint, then the job until
    // it is FINISHED (its sinks committed) or, in application and per-job modes, until its
    // cluster is gone, which happens only after the job finished.
    while (trigger.empty() && Clock::now() < deadline && !Interrupted()) {
      auto leader = finder.Find();
      if (leader.ok()) {
        rest_url = leader->rest_url;
        auto t = FlinkRest(rest_url, std::chrono::seconds(10)).StopWithSavepoint(job.id, false);
        if (t.ok()) {
          trigger = *t;
          break;
        }
        last = t.status();
        if (last.code() == StatusCode::kNotFound || last.code() == StatusCode::kInvalidArgument) {
          break;
        }
      } else {
        last = leader.status();
      }
      std::this_thread::sleep_for(std::chrono::seconds(1));
    }
    if (trigger.empty()) {
      spdlog::warn("Stopping job {} failed: {}", job.id, last.message());
      finish(last.code() == StatusCode::kTimeout || last.ok() ? OpType::kInfo : OpType::kFail,
             nlohmann::json(), last.ok() ? "no answer in 90 s" : last.message());
      continue;
    }
    std::optional<SavepointState> sp;
    while (Clock::now() < deadline && !Interrupted()) {
      auto st = FlinkRest(rest_url, std::chrono::seconds(5)).GetSavepointState(job.id, trigger);
      if (st.ok() && st->completed) {
        sp = *st;
        break;
      }
      if (!st.ok()) last = st.status();
      std::this_thread::sleep_for(std::chrono::milliseconds(250));
    }
    if (!sp || !sp->failure.empty()) {
      std::string why = sp ? "the savepoint failed: " + sp->failure
                           : "the savepoint did not complete in 90 s (" + last.message() + ")";
      spdlog::warn("Stopping job {}: {}", job.id, why);
      finish(sp ? OpType::kFail : OpType::kInfo, nlohmann::json(), why);
      continue;
    }
    std::string state = "?";
    while (Clock::now() < deadline && !Interrupted()) {
      auto j = FlinkRest(rest_url, std::chrono::seconds(5)).GetJob(job.id);
      if (j.ok()) {
        state = j->state;
        if (state == "FINISHED" || state == "FAILED" || state == "CANCELED") break;
      } else if (flink_->LaunchesJobs() && j.status().code() == StatusCode::kUnavailable) {
        state = "FINISHED (its application cluster shut down)";
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(250));
    }
    nlohmann::json value = {{"job-id", job.id}, {"dir", job.name}, {"savepoint", sp->location},
                            {"state", state}};
    if (state.rfind("FINISHED", 0) == 0) {
      spdlog::info("Job {} stopped with savepoint {}", job.id, sp->location);
      finish(OpType::kOk, value, std::nullopt);
    } else {
      finish(OpType::kInfo, value, "the savepoint completed but the job is " + state);
    }
  }
}

// With HDFS, the test job's output is copied from HDFS into the shared directory, next to its
// commit logs, before HDFS is torn down (tear-down then copies both into the store).
void Run::FetchOutput() {
  for (const auto& job : builtin_jobs_) {
    if (job.output_uri.rfind("hdfs://", 0) != 0) continue;
    std::string local = ctx_.RunSharedDir() + "/" + job.name + "/output";
    auto t = Clock::now();
    auto r = ExecChecked(*ctx_.nodes.front().remote,
                         HdfsDb::FsShellArgv(ctx_, {"-get", job.output_uri, local}),
                         {.timeout = std::chrono::seconds(300)});
    if (!r.ok()) {
      spdlog::warn("Copying the output of job {} from HDFS failed: {}", job.id,
                   r.status().message());
    } else {
      spdlog::info("Copied the output of job {} from {} ({:.1f} s)", job.id, job.output_uri,
                   SecondsSince(t));
    }
  }
}

// The registered TaskManagers (ids, RPC paths), so a run shows which ones were replaced.
void Run::SaveTaskManagers(const std::string& name) {
  if (!flink_) return;
  for (const auto& url : flink_->RestUrls(ctx_)) {
    auto tms = FlinkRest(url, std::chrono::seconds(5)).TaskManagers();
    if (!tms.ok()) continue;
    nlohmann::json j = nlohmann::json::array();
    for (const auto& tm : *tms) j.push_back({{"id", tm.id}, {"path", tm.path}});
    (void)store_.WriteJson(name, j);
    return;
  }
}

void Run::TearDown() {
  auto t = Clock::now();
  // Whatever happened, no fault stays: nothing paused, partitioned or left down by us.
  if (nemesis_) {
    SetUndoing(fmt::format("healing every fault of the nemesis ({})", opts_.NemesisName()));
    Status healed = nemesis_->Heal();
    history_.Append(Op{.type = OpType::kInfo, .process = kNemesisProcess, .f = "heal",
                       .value = healed.ok() ? "healed" : healed.message()});
    if (!healed.ok()) spdlog::error("Healing: {}", healed.message());
  }
  if (opts_.leave_db_running) {
    spdlog::info("--leave-db-running: Flink and ZooKeeper stay up on the nodes");
  } else {
    for (size_t i = dbs_set_up_; i-- > 0;) {
      SetUndoing(fmt::format("tearing down {}", dbs_[i]->name()));
      Status s = dbs_[i]->Teardown(ctx_);
      if (!s.ok()) spdlog::warn("Tearing down {}: {}", dbs_[i]->name(), s.message());
    }
  }
  // Logs after the daemons stopped, so they are complete (Jepsen's order).
  for (const auto& n : ctx_.nodes) {
    SetUndoing(fmt::format("collecting the logs of {}", n.name));
    std::vector<LogPath> paths;
    for (auto& db : dbs_) {
      if (auto* lf = dynamic_cast<LogFiles*>(db.get())) {
        auto p = lf->LogPaths(n);
        paths.insert(paths.end(), p.begin(), p.end());
      }
    }
    (void)store_.CollectLogs(n, paths);
  }
  if (!ctx_.nodes.empty() && !ctx_.run_id.empty()) {
    std::vector<LogPath> job_dirs;
    for (const auto& job : builtin_jobs_) {
      job_dirs.push_back({ctx_.RunSharedDir() + "/" + job.name, "../" + job.name});
    }
    // A node-local run directory holds what that node's tasks wrote: the union of all is the
    // job's (every file name carries its writer's subtask and a UUID).
    std::vector<NodeHandle> holders(ctx_.nodes.begin(),
                                    ctx_.shared_dir_per_node ? ctx_.nodes.end()
                                                             : ctx_.nodes.begin() + 1);
    for (const auto& n : holders) {
      SetUndoing(fmt::format("copying the job's output from {}", n.name));
      if (Status s = store_.CollectLogs(n, job_dirs); !s.ok() && output_copy_error_.ok()) {
        output_copy_error_ = s;
      }
      if (!opts_.leave_db_running) (void)n.remote->Exec({"rm", "-rf", ctx_.RunSharedDir()});
    }
  }
  if (own_cluster_ && !opts_.leave_db_running) {
    SetUndoing("removing the local cluster (its namespaces, bridge, veths and chains)");
    Status s = cluster_->Down();
    if (!s.ok()) spdlog::warn("Removing the local cluster: {}", s.message());
  }
  timings_["teardown_s"] = SecondsSince(t);
}

// cluster.json of a run on SSH nodes: how they were reached (never a key, only its path).
nlohmann::json Run::RemoteNodesJson() const {
  if (!opts_.UsesSsh()) return nullptr;
  nlohmann::json nodes = nlohmann::json::array();
  for (const auto& n : ctx_.nodes) nodes.push_back({{"name", n.name}, {"ip", n.ip}});
  return {{"control", "ssh"}, {"nodes", nodes}, {"user", opts_.ssh_user},
          {"port", opts_.ssh_port}, {"shared_dir", ctx_.shared_dir},
          {"shared_dir_per_node", ctx_.shared_dir_per_node}};
}

int Run::CheckAndReport(const Status& run_error_in) {
  Status run_error = run_error_in;
  std::vector<Op> ops;
  bool history_lost = false;  // begun, then not written or not readable: unknown, not 255
  if (auto snapshot = history_.Snapshot(); snapshot.ok()) {
    ops = std::move(*snapshot);
  } else {
    history_lost = true;
    if (run_error.ok()) run_error = snapshot.status().WithContext("reading the history back");
  }
  const bool interrupted_before = Interrupted();
  Analysis analysis = AnalyzeRun(store_.dir(), opts_.ToJson(), ops, run_error);
  nlohmann::json results = analysis.results;
  Validity valid = analysis.valid;
  auto make_unknown = [&](const std::string& why) {
    valid = Validity::kUnknown;
    results["valid?"] = ValidityJson(valid);
    results["error"] = why;
    spdlog::error("{}", why);
  };
  // Without a whole copy of the job's files, only the history's own checks can still fail it.
  auto history_check_failed = [&](const char* k) {
    return results.contains(k) && results[k].is_object() &&
           results[k].value("valid?", nlohmann::json(true)) == false;
  };
  if (!output_copy_error_.ok() && valid != Validity::kUnknown &&
      !history_check_failed("availability") && !history_check_failed("consistency")) {
    make_unknown("the store's copy of the job's output is incomplete, so it was not judged: " +
                 output_copy_error_.message());
  }
  // Interrupted while checking: as for any interrupted run, unknown unless an anomaly was found
  // already (the checkers ran to their end; `analyze` repeats them from the store).
  if (!interrupted_before && Interrupted() && valid == Validity::kValid) {
    make_unknown("interrupted (SIGINT/SIGTERM) during the analysis; `jepsen-flink analyze " +
                 store_.dir() + "` checks the stored history again");
  }
  bool client_ran = std::any_of(ops.begin(), ops.end(),
                                [](const Op& op) { return op.f == kJobsRunningF; });
  results["nemesis-gen"] = opts_.nemesis_gen;
  results["job-id"] = job_ids_.empty() ? "" : job_ids_.front();
  results["job-ids"] = job_ids_;
  results["deployment-mode"] = opts_.deployment_mode;
  timings_["total_s"] = SecondsSince(start_);
  results["timings"] = timings_;
  (void)store_.WriteJson("results.json", results);
  // The page is a view of the store: failing to write it never changes the verdict.
  if (Status page = WriteReport(store_.dir()); !page.ok()) {
    spdlog::warn("report.html: {}", page.message());
  }
  for (const auto& a : analysis.anomalies) {
    spdlog::info("Anomaly at {:.1f} s: {}", a.time / 1e9, a.what);
  }
  for (const char* m : {"harness", "flink"}) {
    const auto& sum = results["recovery"][m]["summary"];
    const int superseded = sum.value("superseded", 0);
    const std::string also =
        superseded > 0 ? fmt::format(" ({} more fault(s) superseded by a later one before the job "
                                     "ran again)",
                                     superseded)
                       : "";
    if (sum["count"].get<int>() > 0) {
      spdlog::info("Recovery ({}): {} recoveries, min {:.1f} s, median {:.1f} s, max {:.1f} s{}",
                   m, sum["count"].get<int>(), sum["min"].get<double>(),
                   sum["median"].get<double>(), sum["max"].get<double>(), also);
    } else if (superseded > 0) {
      spdlog::info("Recovery ({}): none{}", m, also);
    }
  }
  spdlog::info("Store: {}", store_.dir());
  // An interrupted run is unknown, not broken: the harness did what it was told.
  if (!run_error.ok() && !client_ran && !history_lost && valid != Validity::kInvalid &&
      run_error.code() != StatusCode::kCancelled) {
    return kExitInternalError;
  }
  switch (valid) {
    case Validity::kValid: return kExitValid;
    case Validity::kInvalid: return kExitInvalid;
    case Validity::kUnknown: return kExitUnknown;
  }
  return kExitUnknown;
}

int Run::Execute() {
  (void)history_.StreamTo(store_.Path("history.jsonl"));
  nlohmann::json test = opts_.ToJson();
  test["flink-home"] = prep_.flink_home;
  test["job-jar"] = prep_.job_jar;
  test["tarball"] = prep_.tarball ? nlohmann::json{{"uri", prep_.tarball->uri},
                                                   {"sha256", prep_.tarball->sha256},
                                                   {"flink-version", prep_.tarball->version}}
                                  : nlohmann::json();
  test["store"] = store_.dir();
  (void)store_.WriteJson("test.json", test);
  spdlog::info("Running {} (seed {}); store {}", opts_.TestName(), opts_.seed, store_.dir());

  // An interrupt between steps (or inside a Setup's readiness wait) skips what is left and goes
  // straight to tear-down.
  auto step = [this](Status& err, const std::function<Status()>& fn) {
    if (err.ok() && Interrupted()) err = Cancelled("interrupted (SIGINT/SIGTERM)");
    if (err.ok()) err = fn();
    // A history that could not be written (a full disk) ends the run: nothing after it counts.
    if (err.ok()) err = history_.WriteError();
  };
  Status err;
  Phase(ProgressPhase::kSettingUp);
  step(err, [&] { return SetUpNodes(); });
  step(err, [&] { return Deploy(); });
  if (err.ok()) timings_["start_to_flink_ready_s"] = SecondsSince(start_);
  if (err.ok()) Phase(ProgressPhase::kSubmitting);
  step(err, [&] { return SubmitJob(); });
  step(err, [&] { return DriveTest(); });  // waiting for the job, faults, recovery wait
  if (flink_) Phase(ProgressPhase::kStopping);
  // Nothing to ask before Flink's Setup began (it is the last Db).
  if (flink_ && dbs_set_up_ == dbs_.size()) Gather();
  if (err.ok()) StopJobs();
  if (dbs_set_up_ == dbs_.size() && !dbs_.empty()) FetchOutput();
  if (!err.ok()) spdlog::error("{}", err.message());
  (void)store_.WriteJson("cluster.json", cluster_ ? cluster_->ToJson() : RemoteNodesJson());
  Phase(ProgressPhase::kTearingDown);
  TearDown();
  Phase(ProgressPhase::kChecking);
  // Argument errors found only once Flink runs (an override it did not take) are still 254.
  if (err.code() == StatusCode::kInvalidArgument) {
    (void)CheckAndReport(err);
    return kExitBadArguments;
  }
  return CheckAndReport(err);
}

}  // namespace

RunOutcome RunTests(const TestOptions& opts) {
  InstallInterruptHandlers();
  // On the local cluster, one run at a time: a second one would set up its ZooKeeper and Flink
  // on the same nodes and ports, fail, and tear down the first run's daemons as it undoes its own.
  std::optional<RunLock> lock;
  if (!opts.UsesSsh()) {
    if (auto subnet = ParseSubnet(opts.subnet); !subnet.ok()) {
      spdlog::error("--subnet {}: {}", opts.subnet, subnet.status().message());
      return {kExitBadArguments, "", Interrupted()};
    }
    auto locked = RunLock::Take(opts.state_dir.empty() ? DefaultStateDir() : opts.state_dir);
    if (!locked.ok()) {
      spdlog::error("{}", locked.status().message());
      return {locked.status().code() == StatusCode::kInvalidArgument ? kExitBadArguments
                                                                      : kExitInternalError,
              "", Interrupted()};
    }
    lock.emplace(std::move(*locked));
  }
  auto prep = Prepare(opts);
  if (!prep.ok()) {
    spdlog::error("{}", prep.status().message());
    return {prep.status().code() == StatusCode::kInvalidArgument ? kExitBadArguments
                                                                  : kExitInternalError,
            "", Interrupted()};
  }
  // The version the run renders for, records and checks against Flink's REST answers: with
  // --tarball the one found in it.
  TestOptions effective = opts;
  effective.flink_version = prep->release.version;
  const ProgressMode progress_mode =
      ParseProgressMode(opts.progress, StderrIsTerminal()).value_or(ProgressMode::kOff);
  RunOutcome outcome;
  for (int i = 0; i < opts.test_count; ++i) {
    // Before every run: a disk that fills half way through loses the history and the logs.
    if (Status s = CheckFreeDisk(opts.store_dir, static_cast<uint64_t>(opts.min_free_disk_mb) << 20);
        !s.ok()) {
      spdlog::error("{}", s.message());
      outcome.exit_code = kExitInternalError;
      outcome.store_dir.clear();
      outcome.interrupted = Interrupted();
      return outcome;
    }
    auto store = Store::Create(opts.store_dir, opts.TestName(), std::chrono::system_clock::now());
    if (!store.ok()) {
      spdlog::error("{}", store.status().message());
      outcome.exit_code = kExitInternalError;
      outcome.store_dir.clear();
      outcome.interrupted = Interrupted();
      return outcome;
    }
    outcome.store_dir = store->dir();
    // Before the logger, which logs through it; stopped on every way out of the run (its
    // destructor), and before the verdict.
    Progress progress(progress_mode);
    RunLogger logger(store->Path("jepsen.log"), progress);
    if (opts.test_count > 1) {
      // What the harness holds between runs, so repeated runs show a leak (bench/soak.sh).
      spdlog::info("Test {} of {} (harness: {})", i + 1, opts.test_count, HarnessUsage());
    }
    Run run(effective, *prep, *store, progress);
    outcome.exit_code = run.Execute();
    progress.Stop();
    outcome.runs.push_back({store->dir(), outcome.exit_code});
    const char* verdict = outcome.exit_code == kExitValid     ? kVerdictValid
                          : outcome.exit_code == kExitInvalid ? kVerdictInvalid
                                                              : kVerdictUnknown;
    if (outcome.exit_code == kExitBadArguments || outcome.exit_code == kExitInternalError) {
      verdict = kVerdictUnknown;
    }
    if (opts.keep_runs > 0) {
      auto pruned = PruneRuns(opts.store_dir, opts.keep_runs, store->dir());
      if (!pruned.ok()) spdlog::warn("--keep-runs: {}", pruned.status().message());
      if (pruned.ok() && !pruned->empty()) {
        spdlog::info("--keep-runs {}: removed {} older run(s), the oldest {}", opts.keep_runs,
                     pruned->size(), pruned->front());
      }
    }
    logger.Final(verdict);
    fmt::print("\n{}\n", verdict);
    fflush(stdout);
    if (outcome.exit_code != kExitValid || Interrupted()) break;
  }
  if (opts.test_count > 1) spdlog::info("After the runs (harness: {})", HarnessUsage());
  outcome.interrupted = Interrupted();
  return outcome;
}

}  // namespace jf
