// TestOptions: everything one `jepsen-flink test` run is asked to do, as parsed from the command
// line, and its validation. Validation happens before anything starts; a bad value is an
// InvalidArgument with a one-line reason (exit 254).
#ifndef JF_CORE_TEST_OPTIONS_H_
#define JF_CORE_TEST_OPTIONS_H_

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/status.h"
#include "control/ssh_remote.h"

namespace jf {

// The jar name that stands for the harness's own test job (built by setup.sh).
inline constexpr const char* kBuiltinTestJob = "test-job";

// One job a test runs.
struct JobSpec {
  std::string jar = kBuiltinTestJob;  // a path on the harness's machine, or kBuiltinTestJob
  std::string main_class;             // empty: the jar's manifest (the test job's own for test-job)
  std::vector<std::string> args;      // as they are; the test job also gets the harness's own
};

struct TestOptions {
  std::string deployment_mode = "standalone-session";
  bool deployment_mode_given = false;
  std::string test_spec;       // --test-spec file, "" if none
  std::vector<JobSpec> jobs;   // empty: the test job alone
  bool hdfs = false;           // deploy HDFS; Flink's HA storage and checkpoints go there
  std::string nemesis_gen = "kill-task-managers";
  std::vector<std::string> nemesis;  // --nemesis families; exclusive with an explicit --nemesis-gen
  double nemesis_interval_s = 20;
  bool nemesis_gen_given = false;
  std::string client_gen = "poll-job-running";
  int job_running_healthy_threshold = 5;  // x 5 s of running at the end
  double job_recovery_grace_period_s = 180;
  double time_limit_s = 60;
  int test_count = 1;
  std::vector<std::string> flink_config;  // raw key=value arguments
  std::map<std::string, std::string> flink_overrides;  // parsed from flink_config by Validate
  uint64_t seed = 0;
  bool seed_given = false;
  std::string store_dir = "store";
  int local_nodes = 3;
  std::string subnet = "10.77.7.0/24";
  std::string state_dir;  // local cluster state; empty = default
  std::string cache_dir;  // distributions; empty = default
  std::string flink_version;  // empty = the default release (or, with a tarball, the tarball's)
  // --tarball: the Flink distribution under test by URI (file://, http(s)://; .tgz, .tar.gz,
  // .tar), instead of a known release; "" if none. May hold user:password@: log only
  // MaskUriPassword(tarball).
  std::string tarball;
  double poll_interval_s = 1;
  double job_rate = 100;     // records per second, in total
  int job_splits = 12;
  // The test job's output sink: "exactly-once" (Flink's FileSink, committed with checkpoints),
  // "append" (plain appends, no commit protocol: a negative control) or "none" (no output, the
  // original's topology). The output is checked at the end of the run.
  std::string job_sink = "exactly-once";
  // "exactly-once" or "at-least-once" (execution.checkpointing.mode); with at-least-once only
  // "nothing lost" is asserted of the output. Set from --flink-config
  // execution.checkpointing.mode when not given.
  std::string job_semantics = "exactly-once";
  bool job_semantics_given = false;
  int taskmanager_slots = 1;
  int spare_slots = 0;
  double readiness_timeout_s = 120;
  double restart_delay_s = 1;  // supervised daemons come back this long after they die
  bool leave_db_running = false;
  // The store's retention (store/retention.h): a run needs this much free space under the store
  // to start, and only the newest keep_runs runs of each test are kept (0: all). How runs are
  // kept, not what they do: not in ToJson.
  int min_free_disk_mb = 1024;
  int keep_runs = 0;
  // --progress: the live status on stderr (core/progress.h): auto, tty, plain or off. How the run
  // is shown, not what it does: not in ToJson.
  std::string progress = "auto";

  // Real hosts over SSH instead of the local cluster: --nodes (split at commas) or --nodes-file
  // (read by Validate into `nodes`).
  std::vector<std::string> nodes;
  std::string nodes_file;
  std::string ssh_user = "root";
  std::string ssh_private_key;  // a path; the key itself is never read by the harness
  int ssh_port = 22;
  bool strict_host_key_checking = true;
  std::string ssh_known_hosts;            // a known_hosts file; empty = ssh's own
  std::vector<std::string> ssh_options;   // extra `-o KEY=VALUE` for ssh
  // A directory every node mounts at the same path (e.g. NFS): Flink's HA storage, checkpoints
  // and the test job's output go there when HDFS does not hold them. SSH nodes only (the local
  // cluster brings its own).
  std::string shared_dir;

  // Only the node list and the SSH options (what `prepare-nodes` needs): reads nodes_file into
  // nodes and checks them. Validate does this too.
  Status ValidateNodes();
  // How the harness reaches `host`.
  SshOptions SshOptionsFor(const std::string& host) const;

  bool UsesSsh() const { return !nodes.empty() || !nodes_file.empty(); }
  // The number of nodes the run deploys on.
  int NodeCount() const { return UsesSsh() ? static_cast<int>(nodes.size()) : local_nodes; }

  // Checks ranges and names, parses flink_config into flink_overrides, fills defaults. With a
  // tarball only its URI's shape is checked, and flink_version stays empty unless given.
  Status Validate();

  // The checks of Validate that need the distribution's version, for a tarball's (known once it
  // is fetched): a --flink-version given must be that version, yarn-job needs Flink 1.x. Else
  // kInvalidArgument (exit 254).
  Status CheckDistributionVersion(const std::string& version) const;

  // Whether the run deploys HDFS: asked for, or needed by the schedule or the mode.
  bool UsesHdfs() const {
    return hdfs || nemesis_gen == "fail-name-node-during-recovery" ||
           deployment_mode.rfind("yarn-", 0) == 0;
  }

  // The test's name in the store: standalone-session-<nemesis-gen or families joined by '+'>.
  std::string TestName() const;
  std::string NemesisName() const;

  nlohmann::json ToJson() const;
};

// Keys per source split of the test job (its --keys-per-split; the output checker needs it).
inline constexpr int kJobKeysPerSplit = 4;
inline constexpr const char* kCheckpointingModeKey = "execution.checkpointing.mode";

// Floor of --job-recovery-grace-period (the original required at least 60 s; this harness takes
// shorter values for quick CI runs, down to this floor).
inline constexpr double kMinRecoveryGracePeriodS = 10;

// The registries of schedules this build knows.
const std::vector<std::string>& KnownNemesisGens();
const std::vector<std::string>& KnownClientGens();

}  // namespace jf

#endif  // JF_CORE_TEST_OPTIONS_H_
