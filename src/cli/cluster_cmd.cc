#include "cli/cluster_cmd.h"

#include <iostream>
#include <memory>
#include <string>

#include "cluster/leaks.h"
#include "cluster/local_cluster.h"
#include "cluster/ssh_nodes.h"
#include "common/status.h"

namespace jf {
namespace {

struct ClusterFlags {
  std::string state_dir = DefaultStateDir();
  int nodes = 3;
  std::string subnet = LocalClusterOptions{}.subnet;
  bool all = false;
  bool ssh = false;
};

int Fail(const Status& s) {
  std::cerr << "error: " << s.message() << "\n";
  return s.code() == StatusCode::kInvalidArgument ? 254 : 255;
}

int RunUp(const ClusterFlags& f) {
  LocalClusterOptions o;
  o.nodes = f.nodes;
  o.subnet = f.subnet;
  o.state_dir = f.state_dir;
  auto cluster = LocalCluster::Up(o);
  if (!cluster.ok()) return Fail(cluster.status());
  if (f.ssh) {
    auto ssh = StartSsh(*cluster);
    if (!ssh.ok()) {
      // `up` creates all or nothing.
      Status down = cluster->Down();
      if (down.ok()) return Fail(ssh.status());
      return Fail(Status(ssh.status().code(),
                         ssh.status().message() +
                             " (and removing the cluster failed too: " + down.message() + ")"));
    }
  }
  for (const auto& n : cluster->nodes()) {
    std::cout << n.name << "\t" << n.ip << "\tinit pid " << n.init_pid << "\n";
  }
  if (f.ssh) std::cout << SshUsage(SshFilesFor(cluster->state_dir()), cluster->nodes());
  return 0;
}

int RunDown(const ClusterFlags& f) {
  if (f.all) {
    Status s = DownAll(f.state_dir);
    return s.ok() ? 0 : Fail(s);
  }
  auto cluster = LocalCluster::Load(f.state_dir);
  if (!cluster.ok()) {
    if (cluster.status().code() == StatusCode::kNotFound) {
      // No state file: fine if nothing is there, but a crashed run may have left things.
      RealSystemProbe probe;
      auto leaks = FindLeaks(probe, f.state_dir);
      if (leaks.empty()) {
        std::cerr << "no local cluster in " << f.state_dir << "; nothing to do\n";
        return 0;
      }
      return Fail(FailedPrecondition(
          "no cluster state in {}, but {} leftover(s) of an earlier run exist (first: {}); "
          "remove them with `jepsen-flink cluster down --all`",
          f.state_dir, leaks.size(), leaks[0].detail));
    }
    return Fail(cluster.status());
  }
  Status s = cluster->Down();
  return s.ok() ? 0 : Fail(s);
}

int RunStatus(const ClusterFlags& f) {
  auto cluster = LocalCluster::Load(f.state_dir);
  if (!cluster.ok()) return Fail(cluster.status());
  nlohmann::json j = cluster->ToJson();
  if (auto ssh = SshStatus(*cluster); !ssh.is_null()) j["ssh"] = ssh;
  std::cout << j.dump(2) << "\n";
  return 0;
}

int RunLeaks(const ClusterFlags& f) {
  RealSystemProbe probe;
  auto leaks = FindLeaks(probe, f.state_dir);
  if (leaks.empty()) {
    std::cout << "no leaks\n";
    return 0;
  }
  for (const auto& l : leaks) std::cout << "leak: " << l.kind << ": " << l.detail << "\n";
  return 1;
}

}  // namespace

void AddClusterCommand(CLI::App& app, int* exit_code) {
  auto flags = std::make_shared<ClusterFlags>();
  CLI::App* cluster = app.add_subcommand("cluster", "Manage the local namespace cluster");
  cluster->require_subcommand(1);
  auto add_state_dir = [flags](CLI::App* cmd) {
    cmd->add_option("--state-dir", flags->state_dir,
                    "Where the cluster keeps its state (default $JEPSEN_FLINK_STATE_DIR or "
                    "/var/lib/jepsen-flink)");
  };

  CLI::App* up = cluster->add_subcommand("up", "Create the local cluster");
  up->add_option("--local-nodes", flags->nodes, "Number of nodes (1-9)")->capture_default_str();
  up->add_option("--subnet", flags->subnet, "IPv4 /24 for the nodes' bridge")
      ->capture_default_str();
  up->add_flag("--ssh", flags->ssh,
               "Also run sshd on every node (port 22, user root); keys, known_hosts and node "
               "lists go to <state-dir>/ssh");
  add_state_dir(up);
  up->callback([flags, exit_code] { *exit_code = RunUp(*flags); });

  CLI::App* down = cluster->add_subcommand("down", "Remove the local cluster");
  down->add_flag("--all", flags->all,
                 "Remove everything any run left, also without or with a stale state file");
  add_state_dir(down);
  down->callback([flags, exit_code] { *exit_code = RunDown(*flags); });

  CLI::App* status = cluster->add_subcommand("status", "Print the local cluster as JSON");
  add_state_dir(status);
  status->callback([flags, exit_code] { *exit_code = RunStatus(*flags); });

  CLI::App* leaks = cluster->add_subcommand("leaks", "List what clusters left on this machine");
  add_state_dir(leaks);
  leaks->callback([flags, exit_code] { *exit_code = RunLeaks(*flags); });
}

}  // namespace jf
