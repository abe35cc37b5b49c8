// jf-ssh-rtt: the round trip of one command on a node, by each way the harness can reach it:
// through a warm SshRemote session (what faults over SSH use), one `ssh` process per command
// (with and without a warm ControlMaster), and NamespaceRemote (nsenter, the local cluster's
// path). Needs a local cluster started with `jepsen-flink cluster up --ssh` (bench/ssh_rtt.sh
// starts one). Prints the median, min and max of each, in ms.
//
// usage: jf-ssh-rtt [--state-dir DIR] [--node n1] [--calls 200] [--processes 20]
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "cluster/local_cluster.h"
#include "cluster/ssh_nodes.h"
#include "control/ssh_remote.h"
#include "control/subprocess.h"

namespace {

using Clock = std::chrono::steady_clock;

struct Stats {
  double median = 0, min = 0, max = 0;
  int n = 0;
};

Stats Measure(int n, const std::function<bool()>& call) {
  std::vector<double> ms;
  for (int i = 0; i < n; ++i) {
    auto t = Clock::now();
    if (!call()) {
      fmt::print(stderr, "a call failed; stopping this measurement\n");
      break;
    }
    ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - t).count());
  }
  Stats s;
  if (ms.empty()) return s;
  std::sort(ms.begin(), ms.end());
  s.n = static_cast<int>(ms.size());
  s.median = ms.size() % 2 ? ms[ms.size() / 2] : (ms[ms.size() / 2 - 1] + ms[ms.size() / 2]) / 2;
  s.min = ms.front();
  s.max = ms.back();
  return s;
}

void Row(const std::string& what, const Stats& s) {
  fmt::print("{:<52} {:>4} {:>9.2f} {:>9.2f} {:>9.2f}\n", what, s.n, s.median, s.min, s.max);
}

}  // namespace

int main(int argc, char** argv) {
  std::string state_dir = jf::DefaultStateDir(), node = "n1";
  int calls = 200, processes = 20;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string a = argv[i], v = argv[i + 1];
    if (a == "--state-dir") state_dir = v;
    else if (a == "--node") node = v;
    else if (a == "--calls") calls = std::atoi(v.c_str());
    else if (a == "--processes") processes = std::atoi(v.c_str());
    else {
      fmt::print(stderr, "unknown option {}\n", a);
      return 254;
    }
  }
  auto cluster = jf::LocalCluster::Load(state_dir);
  if (!cluster.ok()) {
    fmt::print(stderr, "{}\n", cluster.status().message());
    return 255;
  }
  std::string ip;
  for (const auto& n : cluster->nodes()) {
    if (n.name == node) ip = n.ip;
  }
  jf::SshFiles files = jf::SshFilesFor(state_dir);
  if (ip.empty() || !std::filesystem::exists(files.private_key)) {
    fmt::print(stderr, "no node {} with ssh (run `jepsen-flink cluster up --ssh`)\n", node);
    return 255;
  }
  jf::SshOptions opts{.host = ip, .private_key = files.private_key,
                      .known_hosts_file = files.known_hosts};

  fmt::print("{:<52} {:>4} {:>9} {:>9} {:>9}\n", "one command (`true`) on " + node, "n",
             "median ms", "min ms", "max ms");
  jf::SshRemote session(node, opts);
  auto warm = session.Exec({"true"});  // connects and starts the agent
  if (!warm.ok() || !warm->ok()) {
    fmt::print(stderr, "ssh to {} failed: {}\n", ip,
               warm.ok() ? warm->Describe() : warm.status().message());
    return 255;
  }
  Row("SshRemote, warm session", Measure(calls, [&] {
        auto r = session.Exec({"true"});
        return r.ok() && r->ok();
      }));
  Row("SshRemote, warm session, `kill -0 1` (a signal)", Measure(calls, [&] {
        auto r = session.Exec({"kill", "-0", "1"});
        return r.ok() && r->ok();
      }));
  Row("one ssh process per command", Measure(processes, [&] {
        auto r = jf::RunProcess(jf::SshArgv(opts, "true"));
        return r.ok() && r->ok();
      }));
  std::string control = "/tmp/jf-ssh-rtt-" + std::to_string(getpid());
  std::filesystem::create_directories(control);
  jf::SshOptions muxed = opts;
  muxed.control_dir = control;
  (void)jf::RunProcess(jf::SshArgv(muxed, "true"));  // the master
  Row("one ssh process per command, warm ControlMaster", Measure(processes, [&] {
        auto r = jf::RunProcess(jf::SshArgv(muxed, "true"));
        return r.ok() && r->ok();
      }));
  (void)jf::RunProcess({"ssh", "-o", "ControlPath=" + control + "/%C", "-O", "exit", ip});
  std::filesystem::remove_all(control);
  auto ns = cluster->RemoteFor(node);
  Row("NamespaceRemote (nsenter)", Measure(calls, [&] {
        auto r = ns->Exec({"true"});
        return r.ok() && r->ok();
      }));
  return 0;
}
