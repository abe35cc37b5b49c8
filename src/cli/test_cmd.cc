#include "cli/test_cmd.h"

#include <spdlog/spdlog.h>

#include <chrono>
#include <filesystem>
#include <memory>

#include "core/analysis.h"
#include "core/matrix.h"
#include "core/run.h"
#include "core/test_options.h"
#include "core/test_spec.h"
#include "dist/flink_dist.h"
#include "report/junit.h"
#include "report/report.h"

namespace jf {

namespace fs = std::filesystem;

void AddSshOptions(CLI::App* cmd, TestOptions* opts) {
  cmd->add_option("--nodes", opts->nodes,
                  "Run on these hosts over SSH instead of the local cluster (comma-separated host "
                  "names or IPv4 addresses; the first two run the JobManagers)")
      ->delimiter(',');
  cmd->add_option("--nodes-file", opts->nodes_file,
                  "Run on the hosts listed in this file, one per line ('#' comments)");
  cmd->add_option("--username", opts->ssh_user, "SSH user on the nodes (must be root)")
      ->capture_default_str();
  cmd->add_option("--ssh-private-key", opts->ssh_private_key,
                  "Private key file for SSH (default: ssh's own keys and agent)");
  cmd->add_option("--ssh-port", opts->ssh_port, "SSH port of the nodes")->capture_default_str();
  cmd->add_flag("--strict-host-key-checking,!--no-strict-host-key-checking",
                opts->strict_host_key_checking,
                "Check the nodes' host keys against known_hosts (on by default)");
  cmd->add_option("--ssh-known-hosts", opts->ssh_known_hosts,
                  "known_hosts file for the nodes' host keys (default: ssh's own)");
  cmd->add_option("--ssh-option", opts->ssh_options,
                  "Extra ssh option KEY=VALUE, as ssh -o takes it (repeatable; e.g. "
                  "ProxyJump=bastion)");
}

void AddRunOptions(CLI::App* cmd, TestOptions* opts) {
  cmd->add_flag("--hdfs", opts->hdfs,
                "Deploy HDFS (NameNode on n1, a DataNode per node) and keep Flink's HA storage "
                "and checkpoints there (implied by fail-name-node-during-recovery and YARN modes)");
  cmd->add_option("--job-running-healthy-threshold", opts->job_running_healthy_threshold,
                  "The job must run for THRESHOLD x 5 s at the end (the original counted polls "
                  "made every 5 s), whatever --poll-interval is")
      ->capture_default_str();
  cmd->add_option("--job-recovery-grace-period", opts->job_recovery_grace_period_s,
                  "Seconds after the last fault within which the job must run again (at least "
                  "10; the original required at least 60)")
      ->capture_default_str();
  cmd->add_option("--time-limit", opts->time_limit_s,
                  "Seconds of faults, from the first healthy poll; the run then ends once the job "
                  "ran for the healthy window, or 1.1 x the grace period after the last fault")
      ->capture_default_str();
  cmd->add_option("--flink-config", opts->flink_config,
                  "KEY=VALUE merged over the default Flink configuration (repeatable); a key "
                  "Flink does not know or did not take is refused (exit 254)");
  cmd->add_option("--seed", opts->seed, "Seed of the run's random choices (replays a run)")
      ->each([opts](const std::string&) { opts->seed_given = true; });
  cmd->add_option("--store", opts->store_dir, "Store directory")->capture_default_str();
  cmd->add_option("--min-free-disk-mb", opts->min_free_disk_mb,
                  "Refuse to start a run (exit 255) when fewer MiB are free under the store; 0: "
                  "no check")
      ->capture_default_str();
  cmd->add_option("--keep-runs", opts->keep_runs,
                  "After each run keep only this many newest runs of each test in the store "
                  "(older run directories, with their logs and job output, are removed); 0: keep "
                  "all")
      ->capture_default_str();
  cmd->add_option("--local-nodes", opts->local_nodes, "Nodes of the local namespace cluster")
      ->capture_default_str();
  cmd->add_option("--subnet", opts->subnet, "IPv4 /24 for the local cluster's bridge")
      ->capture_default_str();
  cmd->add_option("--state-dir", opts->state_dir, "Local cluster state directory");
  cmd->add_option("--cache-dir", opts->cache_dir, "Where distributions are cached");
  cmd->add_option("--flink-version", opts->flink_version,
                  fmt::format("Exact Flink release (default {})", kDefaultFlinkVersion));
  cmd->add_option("--tarball", opts->tarball,
                  "The Flink distribution under test by URI instead of a known release: "
                  "file:///path or http(s)://[user:password@]host/path of a .tgz, .tar.gz or .tar "
                  "as Apache ships it (one flink-<v>/ directory; Flink 2.x or 1.20.x), cached by "
                  "its sha256; with --flink-version the versions must agree");
  cmd->add_option("--poll-interval", opts->poll_interval_s, "Seconds between job polls")
      ->capture_default_str();
  cmd->add_option("--job-rate", opts->job_rate, "Records per second the test job emits in total")
      ->capture_default_str();
  cmd->add_option("--job-splits", opts->job_splits, "Source splits of the test job")
      ->capture_default_str();
  cmd->add_option("--job-sink", opts->job_sink,
                  "The test job's output: exactly-once (FileSink, committed with checkpoints; "
                  "checked for lost and duplicate records at the end), append (no commit "
                  "protocol: a negative control that must be found invalid under TaskManager "
                  "kills) or none")
      ->capture_default_str();
  cmd->add_option("--job-semantics", opts->job_semantics,
                  "Checkpointing mode: exactly-once, or at-least-once (then only 'nothing lost' "
                  "is asserted)")
      ->capture_default_str()
      ->each([opts](const std::string&) { opts->job_semantics_given = true; });
  cmd->add_option("--taskmanager-slots", opts->taskmanager_slots, "Slots per TaskManager")
      ->capture_default_str();
  cmd->add_option("--spare-slots", opts->spare_slots,
                  "Slots left free (parallelism = TaskManagers x slots - spare)")
      ->capture_default_str();
  cmd->add_option("--readiness-timeout", opts->readiness_timeout_s,
                  "Seconds to wait for ZooKeeper and Flink to come up")
      ->capture_default_str();
  cmd->add_option(
         "--restart-delay", opts->restart_delay_s,
         "Seconds before the supervisor (runit) restarts a killed Flink or ZooKeeper daemon")
      ->capture_default_str();
  cmd->add_option("--progress", opts->progress,
                  "Live status on stderr: phase, elapsed and remaining time, active faults, the "
                  "job's state, the last recovery. auto (in place on a terminal, else a "
                  "'progress:' line every 10 s and at each phase change), tty, plain or off")
      ->capture_default_str();
  AddSshOptions(cmd, opts);
  cmd->add_option("--shared-dir", opts->shared_dir,
                  "SSH nodes: a directory mounted at the same path on every node (e.g. NFS) for "
                  "Flink's HA storage, checkpoints and the test job's files; standalone runs "
                  "over SSH need it or --hdfs");
}

void AddTestCommand(CLI::App& app, int* exit_code) {
  auto opts = std::make_shared<TestOptions>();
  CLI::App* cmd = app.add_subcommand(
      "test",
      "Deploy ZooKeeper and a highly available Flink cluster (standalone, or on YARN and HDFS) on "
      "a local namespace cluster or on SSH hosts (--nodes), run the test job, inject faults, and "
      "check the history.");
  cmd->add_option("--deployment-mode", opts->deployment_mode,
                  "How Flink is deployed: standalone-session (ZooKeeper HA), or on YARN (with "
                  "HDFS; the JobManager is the application master, a new attempt per kill): "
                  "yarn-session, yarn-application, yarn-job (per-job, Flink 1.x only); "
                  "mesos-session is refused")
      ->capture_default_str();
  cmd->add_option("--test-spec", opts->test_spec,
                  "TOML test spec: deployment mode, dbs, jobs, Flink configuration (see "
                  "specs/); a spec that contradicts the command line is refused");
  cmd->add_option(
         "--nemesis-gen", opts->nemesis_gen,
         "The original's fault schedules: kill-task-managers (SIGKILL every TaskManager, "
         "a kill every 0-6 s), kill-single-task-manager, kill-random-task-managers, "
         "kill-task-managers-bursts (20 kills, then 300 s), kill-job-managers (every "
         "0.5 s), fail-name-node-during-recovery (partition + NameNode down; deploys "
         "HDFS), kill-single-node-manager (YARN modes: a NodeManager every 0-6 s), utopia (no "
         "faults)")
      ->capture_default_str()
      ->each([opts](const std::string&) { opts->nemesis_gen_given = true; });
  cmd->add_option(
         "--nemesis", opts->nemesis,
         "Faults drawn at random from these families: kill, pause, freeze, partition, loss, "
         "delay, bandwidth "
         "(comma-separated; exclusive with --nemesis-gen)")
      ->delimiter(',');
  cmd->add_option("--nemesis-interval", opts->nemesis_interval_s,
                  "Mean seconds between --nemesis faults; every family but kill lasts 0.5-1.5x it")
      ->capture_default_str();
  cmd->add_option(
         "--client-gen", opts->client_gen,
         "Client schedule: poll-job-running, or cancel-jobs (poll, cancel every job 15 s after "
         "it first ran, poll on; the job must be gone within 10 s)")
      ->capture_default_str();
  AddRunOptions(cmd, opts.get());
  cmd->add_option("--test-count", opts->test_count, "How many times to run the test")
      ->capture_default_str();
  cmd->add_flag("--leave-db-running", opts->leave_db_running,
                "Leave ZooKeeper, Flink and the local cluster running after the test");
  auto junit = std::make_shared<std::string>();
  cmd->add_option("--junit", *junit,
                  "Also write JUnit XML to this file: a test case per run (invalid: failure; "
                  "unknown or broken: error), for CI systems");
  cmd->callback([opts, exit_code, cmd, junit] {
    opts->deployment_mode_given = cmd->count("--deployment-mode") > 0;
    Status s;
    if (!opts->test_spec.empty()) {
      auto spec = LoadTestSpec(opts->test_spec);
      s = spec.ok() ? ApplyTestSpec(*spec, *opts) : spec.status();
    }
    if (s.ok()) s = opts->Validate();
    if (s.ok() && !junit->empty()) s = CheckJunitPath(*junit);
    if (!s.ok()) {
      fmt::print(stderr, "{}\n", s.message());
      *exit_code = kExitBadArguments;
      return;
    }
    const auto started = std::chrono::system_clock::now();
    RunOutcome outcome = RunTests(*opts);
    *exit_code = outcome.exit_code;
    if (junit->empty()) return;
    JunitSuite suite{.name = "jepsen-flink test",
                     .started = started,
                     .iterations = opts->test_count,
                     .classname = "jepsen-flink.test"};
    const std::string name = opts->TestName();
    for (std::size_t i = 0; i < outcome.runs.size(); ++i) {
      suite.results.push_back(MakeMatrixResult(
          name, static_cast<int>(i) + 1, outcome.runs[i].exit_code, outcome.runs[i].store_dir));
    }
    if (outcome.runs.empty())
      suite.results.push_back(MakeMatrixResult(name, 1, outcome.exit_code, ""));
    for (int i = static_cast<int>(suite.results.size()); i < opts->test_count; ++i) {
      suite.skipped.push_back(fmt::format("{} #{}", name, i + 1));
    }
    suite.skipped_reason = outcome.interrupted ? "not run: the test was interrupted"
                                               : "not run: an earlier run was not valid";
    if (Status w = WriteJunitXml(*junit, suite); !w.ok()) {
      spdlog::error("{}", w.message());
      if (*exit_code == kExitValid) *exit_code = kExitInternalError;
    }
  });
}

void AddAnalyzeCommand(CLI::App& app, int* exit_code) {
  auto dirs = std::make_shared<std::vector<std::string>>();
  CLI::App* cmd = app.add_subcommand(
      "analyze",
      "Re-check stored runs: read each run directory's history.jsonl and test.json, run the "
      "checkers again, rewrite the checker parts of its results.json and its report.html; prints "
      "each verdict");
  auto store = std::make_shared<std::string>(TestOptions{}.store_dir);
  cmd->add_option("RUN_DIR", *dirs,
                  "store/<test>/<time> directories; `latest` is the store's newest run, "
                  "<test>/latest the newest of a test")
      ->required();
  cmd->add_option("--store", *store, "Store directory that `latest` is looked up in")
      ->capture_default_str();
  cmd->callback([dirs, store, exit_code] {
    for (auto& dir : *dirs) {
      std::error_code ec;
      if (!fs::is_directory(dir, ec) && (dir == "latest" || dir.ends_with("/latest")) &&
          fs::is_directory(fs::path(*store) / dir, ec)) {
        dir = (fs::path(*store) / dir).string();
      }
      if (!fs::is_directory(dir, ec)) {
        fmt::print(stderr, "analyze: {} is not a run directory{}\n", dir,
                   dir.ends_with("latest") ? fmt::format(" (nor is it in --store {})", *store)
                                           : "");
        *exit_code = kExitBadArguments;
        return;
      }
    }
    *exit_code = kExitValid;
    for (const auto& dir : *dirs) {
      auto a = AnalyzeStore(dir);
      if (!a.ok()) {
        fmt::print(stderr, "{}\n", a.status().message());
        *exit_code = kExitInternalError;
        continue;
      }
      if (Status page = WriteReport(dir); !page.ok()) {
        fmt::print(stderr, "warning: report.html: {}\n", page.message());
      }
      for (const auto& an : a->anomalies)
        fmt::print("{}: anomaly at {:.1f} s: {}\n", dir, an.time / 1e9, an.what);
      const char* verdict = a->valid == Validity::kValid     ? kVerdictValid
                            : a->valid == Validity::kInvalid ? kVerdictInvalid
                                                             : kVerdictUnknown;
      fmt::print("{}: {}\n", dir, verdict);
      int rc = a->valid == Validity::kValid     ? kExitValid
               : a->valid == Validity::kInvalid ? kExitInvalid
                                                : kExitUnknown;
      if (*exit_code == kExitValid || rc == kExitInvalid) *exit_code = rc;
    }
  });
}

void AddDistCommand(CLI::App& app, int* exit_code) {
  CLI::App* dist = app.add_subcommand("dist", "Flink distributions in the cache");
  dist->require_subcommand(1);
  auto versions = std::make_shared<std::vector<std::string>>();
  auto cache = std::make_shared<std::string>();
  CLI::App* fetch = dist->add_subcommand(
      "fetch", "Download (PyPI) and lay out Flink releases; checks the pinned sha256");
  fetch->add_option("--flink-version", *versions, "Release(s) to fetch (default: all known)");
  fetch->add_option("--cache-dir", *cache, "Cache directory");
  fetch->callback([versions, cache, exit_code] {
    std::vector<std::string> wanted = *versions;
    if (wanted.empty()) {
      for (const auto& r : KnownFlinkReleases()) wanted.push_back(r.version);
    }
    std::string dir = cache->empty() ? DefaultCacheDir() : *cache;
    for (const auto& v : wanted) {
      auto rel = FindFlinkRelease(v);
      if (!rel.ok()) {
        fmt::print(stderr, "{}\n", rel.status().message());
        *exit_code = kExitBadArguments;
        return;
      }
      auto home = EnsureFlink(*rel, dir);
      if (!home.ok()) {
        fmt::print(stderr, "{}\n", home.status().message());
        *exit_code = kExitInternalError;
        return;
      }
      fmt::print("Flink {}: {}\n", v, *home);
    }
    *exit_code = 0;
  });
  CLI::App* list = dist->add_subcommand("list", "The known Flink releases");
  list->callback([exit_code] {
    for (const auto& r : KnownFlinkReleases()) {
      fmt::print("{}{}\n", r.version, r.version == kDefaultFlinkVersion ? " (default)" : "");
    }
    *exit_code = 0;
  });
}

}  // namespace jf
