#include "core/test_options.h"

#include <algorithm>
#include <filesystem>
#include <random>

#include "control/ssh_hosts.h"
#include "core/progress.h"
#include "db/flink_config.h"
#include "dist/flink_release.h"
#include "dist/flink_tarball.h"
#include "generator/schedule.h"

namespace jf {

const std::vector<std::string>& KnownNemesisGens() {
  static const std::vector<std::string> kGens = {
      "kill-task-managers",        "kill-single-task-manager", "kill-random-task-managers",
      "kill-task-managers-bursts", "kill-job-managers",        "fail-name-node-during-recovery",
      "kill-single-node-manager",  "utopia"};
  return kGens;
}

const std::vector<std::string>& KnownClientGens() {
  static const std::vector<std::string> kGens = {"poll-job-running", "cancel-jobs"};
  return kGens;
}

namespace {

std::string Join(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : ", ") + s;
  return out;
}

nlohmann::json JobsToJson(const std::vector<JobSpec>& jobs) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& j : jobs) {
    out.push_back({{"jar", j.jar}, {"main-class", j.main_class}, {"args", j.args}});
  }
  return out;
}

// Reads nodes_file into nodes, checks the hosts and the ssh options.
Status ValidateSshNodes(TestOptions& o) {
  if (!o.nodes.empty() && !o.nodes_file.empty()) {
    return InvalidArgument("--nodes and --nodes-file are exclusive: give one");
  }
  if (!o.nodes_file.empty()) {
    JF_ASSIGN_OR_RETURN(o.nodes, ReadNodesFile(o.nodes_file));
  } else if (!o.nodes.empty()) {
    JF_RETURN_IF_ERROR(CheckNodeList(o.nodes));
  }
  if (!o.UsesSsh()) {
    for (const auto& [given, flag] : {std::pair{!o.ssh_private_key.empty(), "--ssh-private-key"},
                                      {!o.ssh_known_hosts.empty(), "--ssh-known-hosts"},
                                      {!o.ssh_options.empty(), "--ssh-option"},
                                      {!o.shared_dir.empty(), "--shared-dir"}}) {
      if (given) {
        return InvalidArgument("{} is for SSH nodes (--nodes or --nodes-file); the local "
                               "cluster needs none",
                               flag);
      }
    }
    return Status::Ok();
  }
  if (o.ssh_port < 1 || o.ssh_port > 65535) return InvalidArgument("--ssh-port must be 1-65535");
  for (const auto& [path, flag] : {std::pair{o.ssh_private_key, "--ssh-private-key"},
                                   {o.ssh_known_hosts, "--ssh-known-hosts"}}) {
    std::error_code ec;
    if (!path.empty() && !std::filesystem::is_regular_file(path, ec)) {
      return InvalidArgument("{} {}: no such file", flag, path);
    }
  }
  for (const auto& kv : o.ssh_options) {
    if (kv.find('=') == std::string::npos || kv[0] == '-' || kv[0] == '=') {
      return InvalidArgument("--ssh-option '{}': must be KEY=VALUE (as ssh's -o takes it)", kv);
    }
  }
  JF_RETURN_IF_ERROR(CheckSshOptions(o.SshOptionsFor(o.nodes.front())).WithContext("--username"));
  return Status::Ok();
}

// The rest of Validate's SSH rules: what a run over SSH can and cannot do.
Status ValidateSshRun(TestOptions& o) {
  JF_RETURN_IF_ERROR(ValidateSshNodes(o));
  if (!o.UsesSsh()) return Status::Ok();
  if (!o.shared_dir.empty() && (o.shared_dir[0] != '/' || o.shared_dir == "/")) {
    return InvalidArgument("--shared-dir {}: must be an absolute path other than /", o.shared_dir);
  }
  if (std::find(o.nemesis.begin(), o.nemesis.end(), "freeze") != o.nemesis.end()) {
    return InvalidArgument("--nemesis freeze pauses whole local nodes (the cgroup freezer of this "
                           "machine); it is not available on SSH nodes: use pause");
  }
  // Standalone HA: every JobManager must see the HA storage (the leader's job graphs and
  // checkpoints); with YARN the run deploys HDFS anyway.
  if (!o.UsesHdfs() && o.shared_dir.empty()) {
    return InvalidArgument("SSH nodes need storage every JobManager sees for Flink's HA data and "
                           "checkpoints: --hdfs (deploys HDFS on the nodes), or --shared-dir DIR "
                           "(a directory mounted at the same path on every node, e.g. NFS)");
  }
  return Status::Ok();
}

}  // namespace

Status TestOptions::Validate() {
  if (deployment_mode == "mesos-session") {
    return InvalidArgument("--deployment-mode mesos-session: Mesos support left Flink in 1.14 "
                           "(FLINK-23118), and there is no Mesos to deploy here");
  }
  if (deployment_mode != "standalone-session" && deployment_mode != "yarn-session" &&
      deployment_mode != "yarn-application" && deployment_mode != "yarn-job") {
    return InvalidArgument("--deployment-mode '{}' is not known (known: standalone-session, "
                           "yarn-session, yarn-application, yarn-job)",
                           deployment_mode);
  }
  if (!tarball.empty()) JF_RETURN_IF_ERROR(ValidateFlinkTarballUri(tarball));
  // With a tarball and no --flink-version the version is known once it is fetched
  // (CheckDistributionVersion).
  const std::string version = !flink_version.empty() ? flink_version
                              : tarball.empty()      ? kDefaultFlinkVersion
                                                     : "";
  if (deployment_mode == "yarn-job" && !version.empty() && version.rfind("1.", 0) != 0) {
    return InvalidArgument("--deployment-mode yarn-job: Flink {} has no per-job mode (deprecated "
                           "in 1.15, removed in 2.0); use yarn-application, or --flink-version "
                           "1.20.5",
                           version);
  }
  if (nemesis_gen == "kill-single-node-manager" && deployment_mode.rfind("yarn-", 0) != 0) {
    return InvalidArgument("--nemesis-gen kill-single-node-manager kills YARN NodeManagers: it "
                           "needs a yarn-* --deployment-mode");
  }
  if ((deployment_mode == "yarn-application" || deployment_mode == "yarn-job") &&
      jobs.size() > 1) {
    return InvalidArgument("--deployment-mode {} runs one job per test (each job is a YARN "
                           "application with its own JobManager); several jobs need "
                           "yarn-session or standalone-session",
                           deployment_mode);
  }
  for (const auto& job : jobs) {
    if (job.jar == kBuiltinTestJob) continue;
    std::error_code ec;
    if (!std::filesystem::is_regular_file(job.jar, ec)) {
      return InvalidArgument("job jar {} does not exist (or is not a file)", job.jar);
    }
  }
  if (std::find(KnownNemesisGens().begin(), KnownNemesisGens().end(), nemesis_gen) ==
      KnownNemesisGens().end()) {
    return InvalidArgument("--nemesis-gen '{}' is not known; this build has: {}", nemesis_gen,
                           Join(KnownNemesisGens()));
  }
  if (!nemesis.empty() && nemesis_gen_given) {
    return InvalidArgument("--nemesis and --nemesis-gen are exclusive: give one");
  }
  if (!(nemesis_interval_s > 0) || nemesis_interval_s > 3600) {
    return InvalidArgument("--nemesis-interval must be more than 0 and at most 3600 seconds, got {}",
                           nemesis_interval_s);
  }
  if (!nemesis.empty()) {
    JF_RETURN_IF_ERROR(CombinedSchedule(nemesis, nemesis_interval_s, 1, 0).status());
  }
  if (std::find(KnownClientGens().begin(), KnownClientGens().end(), client_gen) ==
      KnownClientGens().end()) {
    return InvalidArgument("--client-gen '{}' is not known; this build has: {}", client_gen,
                           Join(KnownClientGens()));
  }
  if (job_running_healthy_threshold < 1) {
    return InvalidArgument("--job-running-healthy-threshold must be positive");
  }
  if (job_recovery_grace_period_s < kMinRecoveryGracePeriodS) {
    return InvalidArgument("--job-recovery-grace-period must be at least {:.0f} s",
                           kMinRecoveryGracePeriodS);
  }
  if (!(time_limit_s > 0)) return InvalidArgument("--time-limit must be positive");
  if (test_count < 1) return InvalidArgument("--test-count must be at least 1");
  if (min_free_disk_mb < 0) return InvalidArgument("--min-free-disk-mb must not be negative");
  if (keep_runs < 0) return InvalidArgument("--keep-runs must not be negative (0 keeps all)");
  JF_RETURN_IF_ERROR(ParseProgressMode(progress, false).status());
  if (local_nodes < 1 || local_nodes > 9) {
    return InvalidArgument("--local-nodes must be between 1 and 9");
  }
  JF_RETURN_IF_ERROR(ValidateSshRun(*this));
  if (!(poll_interval_s >= 0.1 && poll_interval_s <= 60)) {
    return InvalidArgument("--poll-interval must be between 0.1 and 60 seconds");
  }
  if (!(job_rate > 0 && job_rate <= 100000)) {
    return InvalidArgument("--job-rate must be between 1 and 100000 records/s");
  }
  if (!(restart_delay_s >= 0 && restart_delay_s <= 600)) {
    return InvalidArgument("--restart-delay must be between 0 and 600 seconds");
  }
  if (job_splits < 1) return InvalidArgument("--job-splits must be positive");
  if (taskmanager_slots < 1 || taskmanager_slots > 16) {
    return InvalidArgument("--taskmanager-slots must be between 1 and 16");
  }
  if (spare_slots < 0 || spare_slots >= NodeCount() * taskmanager_slots) {
    return InvalidArgument("--spare-slots must leave at least one slot for the job ({} in total)",
                           NodeCount() * taskmanager_slots);
  }
  if (tarball.empty()) {
    if (flink_version.empty()) flink_version = kDefaultFlinkVersion;
    JF_RETURN_IF_ERROR(FindFlinkRelease(flink_version).status());
  } else if (!flink_version.empty()) {
    // Any release of a line the test job is built for; it must be the tarball's.
    JF_RETURN_IF_ERROR(FlinkLineForVersion(flink_version).status().WithContext("--flink-version"));
  }
  flink_overrides.clear();
  for (const auto& arg : flink_config) {
    JF_ASSIGN_OR_RETURN(auto kv, ParseFlinkOverride(arg));
    flink_overrides[kv.first] = kv.second;
  }
  if (job_sink != "exactly-once" && job_sink != "append" && job_sink != "none") {
    return InvalidArgument("--job-sink must be exactly-once, append or none, got '{}'", job_sink);
  }
  if (job_semantics != "exactly-once" && job_semantics != "at-least-once") {
    return InvalidArgument("--job-semantics must be exactly-once or at-least-once, got '{}'",
                           job_semantics);
  }
  if (auto it = flink_overrides.find(kCheckpointingModeKey); it != flink_overrides.end()) {
    std::string mode = it->second;
    std::transform(mode.begin(), mode.end(), mode.begin(), ::toupper);
    std::string from_config = mode == "AT_LEAST_ONCE"  ? "at-least-once"
                              : mode == "EXACTLY_ONCE" ? "exactly-once"
                                                       : "";
    if (from_config.empty()) {
      return InvalidArgument("--flink-config {}={}: must be EXACTLY_ONCE or AT_LEAST_ONCE",
                             kCheckpointingModeKey, it->second);
    }
    if (job_semantics_given && from_config != job_semantics) {
      return InvalidArgument("--job-semantics {} contradicts --flink-config {}={}", job_semantics,
                             kCheckpointingModeKey, it->second);
    }
    job_semantics = from_config;
  }
  if (!seed_given) {
    seed = std::random_device{}();
    seed = (seed << 32) ^ std::random_device{}();
  }
  return Status::Ok();
}

Status TestOptions::CheckDistributionVersion(const std::string& version) const {
  if (!flink_version.empty() && flink_version != version) {
    return InvalidArgument("--flink-version {} contradicts --tarball {}, which holds Flink {}: "
                           "give that version or leave --flink-version out",
                           flink_version, MaskUriPassword(tarball), version);
  }
  if (deployment_mode == "yarn-job" && version.rfind("1.", 0) != 0) {
    return InvalidArgument("--deployment-mode yarn-job: Flink {} (--tarball {}) has no per-job "
                           "mode (deprecated in 1.15, removed in 2.0); use yarn-application, or "
                           "a Flink 1.20 distribution",
                           version, MaskUriPassword(tarball));
  }
  return Status::Ok();
}

Status TestOptions::ValidateNodes() { return ValidateSshNodes(*this); }

SshOptions TestOptions::SshOptionsFor(const std::string& host) const {
  return SshOptions{.host = host,
                    .user = ssh_user,
                    .port = ssh_port,
                    .private_key = ssh_private_key,
                    .strict_host_key_checking = strict_host_key_checking,
                    .known_hosts_file = ssh_known_hosts,
                    .extra_options = ssh_options};
}

std::string TestOptions::NemesisName() const {
  if (nemesis.empty()) return nemesis_gen;
  std::string out;
  for (const auto& f : nemesis) out += (out.empty() ? "" : "+") + f;
  return out;
}

std::string TestOptions::TestName() const { return deployment_mode + "-" + NemesisName(); }

nlohmann::json TestOptions::ToJson() const {
  return {{"name", TestName()},
          {"deployment-mode", deployment_mode},
          {"test-spec", test_spec},
          {"hdfs", UsesHdfs()},
          {"jobs", JobsToJson(jobs)},
          {"nemesis-gen", nemesis.empty() ? nlohmann::json(nemesis_gen) : nlohmann::json()},
          {"nemesis", nemesis},
          {"nemesis-interval", nemesis_interval_s},
          {"client-gen", client_gen},
          {"job-running-healthy-threshold", job_running_healthy_threshold},
          {"job-recovery-grace-period", job_recovery_grace_period_s},
          {"time-limit", time_limit_s},
          {"test-count", test_count},
          {"flink-config", flink_overrides},
          {"seed", seed},
          {"local-nodes", local_nodes},
          {"subnet", subnet},
          {"flink-version", flink_version},
          {"poll-interval", poll_interval_s},
          {"job-rate", job_rate},
          {"job-splits", job_splits},
          {"job-keys-per-split", kJobKeysPerSplit},
          {"job-sink", job_sink},
          {"job-semantics", job_semantics},
          {"taskmanager-slots", taskmanager_slots},
          {"spare-slots", spare_slots},
          {"restart-delay", restart_delay_s},
          {"leave-db-running", leave_db_running},
          {"nodes", nodes},
          {"ssh", UsesSsh() ? nlohmann::json{{"username", ssh_user},
                                             {"port", ssh_port},
                                             {"private-key", ssh_private_key},
                                             {"known-hosts", ssh_known_hosts},
                                             {"strict-host-key-checking", strict_host_key_checking},
                                             {"options", ssh_options}}
                            : nlohmann::json()},
          {"shared-dir", shared_dir}};
}

}  // namespace jf
