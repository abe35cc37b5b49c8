// YARN on the shared local cluster (the CTest fixture brings it up): HdfsDb, then YarnDb deploys a
// ResourceManager on n2 and a NodeManager on every node from the Maven jars. Every NodeManager is
// RUNNING in the ResourceManager's REST API; a bare YARN application whose AM command fails shows
// one attempt per try in the REST API and proves its containers run on Java 17, with their logs in
// the NodeManager's log dir; a NodeManager stopped on purpose is SHUTDOWN and RUNNING again once
// started; a silent one (paused) is LOST within seconds and re-registers when resumed; a SIGKILLed
// one comes back under runit, re-registers and takes over its container; Teardown leaves no
// Hadoop JVM and no container process, and the logs it leaves (container logs included) are
// collected into a store.
#include "db/yarn.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <thread>

#include "cluster/local_cluster.h"
#include "cluster_fixture.h"
#include "control/processes.h"
#include "db/hdfs.h"
#include "dist/flink_dist.h"
#include "store/store.h"

namespace jf {
namespace {

class YarnTest : public ClusterTest {
 protected:
  // The state the ResourceManager lists for the NodeManager on `n`, or "" if none.
  std::string NodeState(const DeployContext& ctx, const NodeHandle& n) {
    auto nodes = YarnDb::QueryNodes(ctx);
    if (!nodes.ok()) return "";
    for (const auto& r : *nodes) {
      if (r.host == n.name || r.host == n.ip || r.id.starts_with(n.name + ":") ||
          r.id.starts_with(n.ip + ":")) {
        return r.state;
      }
    }
    return "";
  }

  // PIDs (one line) of the processes on `n` that work in a YARN container directory.
  std::string ContainerPids(const NodeHandle& n) {
    auto r =
        ExecShell(*n.remote,
                  "for d in /proc/[0-9]*; do c=$(readlink \"$d/cwd\" 2>/dev/null) || continue; "
                  "case \"$c\" in \"$1\"/*) printf '%s ' \"${d#/proc/}\";; esac; done; echo",
                  {kYarnDataDir});
    return r.ok() && r->out != "\n" ? r->out : "";
  }

  // How many NodeManager reconnects the ResourceManager (on `rm`) has logged.
  int Reconnects(const NodeHandle& rm) {
    auto r = ExecShell(*rm.remote, "grep -c 'Reconnect from the node at: ' \"$1\" || true",
                       {std::string(kYarnLogDir) + "/resourcemanager.log"});
    return r.ok() ? std::atoi(r->out.c_str()) : -1;
  }

  static double Since(std::chrono::steady_clock::time_point t0) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  }
};

TEST_F(YarnTest, RunsContainersOnJava17AndNoticesLostNodeManagers) {
  DeployContext ctx;
  ctx.nodes = nodes_;
  ctx.run_id = "yarn-test";
  auto java = FindJava17Home();
  ASSERT_TRUE(java.ok()) << java.status().ToString();
  ctx.java_home = *java;
  ctx.readiness_timeout_s = 90;
  auto lib = HadoopLibDir(DefaultCacheDir());
  ASSERT_TRUE(lib.ok()) << lib.status().ToString();
  HdfsDb hdfs(*lib);
  YarnDb yarn(*lib);
  // Tears down even when an assertion ends the test early.
  struct Guard {
    HdfsDb& hdfs;
    YarnDb& yarn;
    DeployContext& ctx;
    bool done = false;
    ~Guard() {
      if (done) return;
      (void)yarn.Teardown(ctx);
      (void)hdfs.Teardown(ctx);
    }
  } guard{hdfs, yarn, ctx};

  const NodeHandle &n1 = nodes_[0], &n2 = nodes_[1], &n3 = nodes_[2];
  auto t0 = std::chrono::steady_clock::now();
  Status hdfs_up = hdfs.Setup(ctx);
  ASSERT_TRUE(hdfs_up.ok()) << hdfs_up.ToString();
  std::cout << "HDFS set up in " << Since(t0) << " s\n";
  t0 = std::chrono::steady_clock::now();
  Status up = yarn.Setup(ctx);
  ASSERT_TRUE(up.ok()) << up.ToString();
  std::cout << "YARN set up on " << nodes_.size() << " nodes in " << Since(t0) << " s\n";

  auto listed = YarnDb::QueryNodes(ctx);
  ASSERT_TRUE(listed.ok()) << listed.status().ToString();
  EXPECT_TRUE(YarnDb::NodeManagersNotRunning(*listed, nodes_).empty());
  for (const auto& r : *listed) std::cout << "NodeManager " << r.id << ": " << r.state << "\n";
  for (const auto& n : nodes_) EXPECT_EQ(NodeState(ctx, n), "RUNNING") << n.name;

  // Memory of the daemons (resident set), for the budget.
  for (const auto& [node, role] : std::vector<std::pair<NodeHandle, std::string>>{
           {n2, "resourcemanager"}, {n1, "nodemanager"}, {n2, "nodemanager"}}) {
    auto p = yarn.Processes(node, role);
    ASSERT_TRUE(p.ok() && p->size() == 1u) << role << " on " << node.name;
    auto rss = node.remote->Exec({"ps", "-o", "rss=", "-p", std::to_string(p->front().pid)});
    if (rss.ok()) std::cout << role << " on " << node.name << ": RSS (KiB) " << rss->out;
  }

  // A bare application whose AM command records the container's Java and fails: YARN tries it
  // three times, each a new attempt in the REST API, and each attempt's container logs stay in
  // the NodeManager's log dir.
  auto app = YarnDb::SubmitCommandApp(ctx, "jf-java-check",
                                      "echo \"JAVA_HOME=$JAVA_HOME\" > <LOG_DIR>/java.txt; "
                                      "$JAVA_HOME/bin/java -version 2>> <LOG_DIR>/java.txt; exit 3",
                                      3);
  ASSERT_TRUE(app.ok()) << app.status().ToString();
  std::cout << "submitted " << *app << "\n";
  std::string state;
  EXPECT_TRUE(WaitFor(
      [&] {
        auto a = YarnDb::QueryApp(ctx, *app);
        state = a.ok() ? a->state : a.status().ToString();
        return a.ok() && (a->state == "FAILED" || a->state == "FINISHED" || a->state == "KILLED");
      },
      90))
      << "the application did not end: " << state;
  EXPECT_EQ(state, "FAILED");
  auto attempts = YarnDb::QueryAppAttempts(ctx, *app);
  ASSERT_TRUE(attempts.ok()) << attempts.status().ToString();
  EXPECT_EQ(attempts->size(), 3u);
  for (const auto& a : *attempts) {
    std::cout << "attempt " << a.id << " " << a.state << " on " << a.node_id << " ("
              << a.container_id << ")\n";
  }
  auto apps = YarnDb::QueryApps(ctx);
  ASSERT_TRUE(apps.ok()) << apps.status().ToString();
  EXPECT_TRUE(
      std::any_of(apps->begin(), apps->end(), [&](const YarnApp& a) { return a.id == *app; }));
  // Each attempt's AM container wrote its Java into its log dir on the node that ran it.
  int found = 0;
  for (const auto& n : nodes_) {
    auto r = ExecShell(*n.remote, "cat \"$1\"/\"$2\"/*/java.txt 2>/dev/null; exit 0",
                       {kYarnContainerLogDir, *app});
    ASSERT_TRUE(r.ok());
    if (r->out.empty()) continue;
    std::cout << "container output on " << n.name << ":\n" << r->out;
    for (size_t p = r->out.find("JAVA_HOME="); p != std::string::npos;
         p = r->out.find("JAVA_HOME=", p + 1)) {
      ++found;
    }
    EXPECT_NE(r->out.find("JAVA_HOME=" + ctx.java_home + "\n"), std::string::npos) << r->out;
    EXPECT_NE(r->out.find("version \"17."), std::string::npos) << r->out;
    EXPECT_EQ(r->out.find("version \"25"), std::string::npos) << r->out;
  }
  EXPECT_EQ(found, 3) << "not every attempt's container log was found";

  // A NodeManager stopped on purpose says goodbye: SHUTDOWN at once, RUNNING again once back.
  ASSERT_TRUE(yarn.StopNodeManager(n3).ok());
  EXPECT_TRUE(WaitFor([&] { return NodeState(ctx, n3) == "SHUTDOWN"; }, 10))
      << "the stopped NodeManager is " << NodeState(ctx, n3);
  ASSERT_TRUE(yarn.StartNodeManager(n3).ok());
  t0 = std::chrono::steady_clock::now();
  EXPECT_TRUE(WaitFor([&] { return NodeState(ctx, n3) == "RUNNING"; }, 60))
      << "the restarted NodeManager is " << NodeState(ctx, n3);
  std::cout << "the stopped NodeManager on n3 was RUNNING again " << Since(t0)
            << " s after it was started\n";

  // A NodeManager that goes silent (SIGSTOP: no goodbye, no heartbeats) is LOST within the expiry
  // interval plus the liveness monitor's period (a third of it); resumed, it is told to resync and
  // registers again.
  auto paused = yarn.Signal(n3, "nodemanager", SIGSTOP);
  ASSERT_TRUE(paused.ok());
  ASSERT_EQ(paused->size(), 1u);
  t0 = std::chrono::steady_clock::now();
  EXPECT_TRUE(WaitFor([&] { return NodeState(ctx, n3) == "LOST"; }, 30))
      << "the silent NodeManager is still " << NodeState(ctx, n3);
  const double lost_after = Since(t0);
  std::cout << "the silent NodeManager on n3 was LOST after " << lost_after << " s\n";
  EXPECT_LE(lost_after, kNodeManagerExpiryMs / 1000.0 * 4 / 3 + 2);
  ASSERT_TRUE(yarn.Signal(n3, "nodemanager", SIGCONT).ok());
  t0 = std::chrono::steady_clock::now();
  EXPECT_TRUE(WaitFor([&] { return NodeState(ctx, n3) == "RUNNING"; }, 60))
      << "the resumed NodeManager is " << NodeState(ctx, n3);
  std::cout << "it was RUNNING again " << Since(t0) << " s after it was resumed\n";

  // A SIGKILLed NodeManager comes back under runit and registers again (with the same node id:
  // a reconnect, which the ResourceManager logs). Its container outlives it, and the new
  // NodeManager takes it over (recovery) instead of leaving it an orphan.
  auto sleeper = YarnDb::SubmitCommandApp(ctx, "jf-sleeper", "sleep 600", 1);
  ASSERT_TRUE(sleeper.ok()) << sleeper.status().ToString();
  const NodeHandle* victim = nullptr;
  EXPECT_TRUE(WaitFor(
      [&] {
        auto a = YarnDb::QueryAppAttempts(ctx, *sleeper);
        if (!a.ok() || a->empty()) return false;
        for (const auto& n : nodes_) {
          if (a->front().node_id.starts_with(n.name + ":") ||
              a->front().node_id.starts_with(n.ip + ":")) {
            victim = &n;
          }
        }
        return victim != nullptr && !ContainerPids(*victim).empty();
      },
      60))
      << "the sleeping container did not start";
  ASSERT_NE(victim, nullptr);
  const std::string container_pids = ContainerPids(*victim);
  std::cout << "container processes on " << victim->name << ": " << container_pids;
  const int reconnects = Reconnects(n2);
  auto killed = yarn.Signal(*victim, "nodemanager", SIGKILL);
  ASSERT_TRUE(killed.ok());
  ASSERT_EQ(killed->size(), 1u);
  t0 = std::chrono::steady_clock::now();
  EXPECT_TRUE(WaitFor(
      [&] {
        auto p = yarn.Processes(*victim, "nodemanager");
        return p.ok() && p->size() == 1u && p->front().pid != killed->front().pid;
      },
      30))
      << "the killed NodeManager did not come back";
  EXPECT_TRUE(WaitFor([&] { return Reconnects(n2) > reconnects; }, 60))
      << "the restarted NodeManager did not register with the ResourceManager again";
  std::cout << "the killed NodeManager re-registered " << Since(t0) << " s after the kill\n";
  Status ready = yarn.AwaitReady(ctx);
  EXPECT_TRUE(ready.ok()) << ready.ToString();
  EXPECT_EQ(ContainerPids(*victim), container_pids) << "the container did not survive";
  EXPECT_TRUE(WaitFor(
      [&] {
        auto r = ExecShell(*victim->remote, "grep -c 'Recovering container' \"$1\" || true",
                           {std::string(kYarnLogDir) + "/nodemanager.log"});
        return r.ok() && std::atoi(r->out.c_str()) >= 1;
      },
      30))
      << "the restarted NodeManager did not recover the container";

  // Teardown: no Hadoop JVM anywhere, no YARN data left, the logs kept.
  guard.done = true;
  t0 = std::chrono::steady_clock::now();
  Status down = yarn.Teardown(ctx);
  ASSERT_TRUE(down.ok()) << down.ToString();
  std::cout << "YARN torn down in " << Since(t0) << " s\n";
  Status hdfs_down = hdfs.Teardown(ctx);
  ASSERT_TRUE(hdfs_down.ok()) << hdfs_down.ToString();
  for (const auto& n : nodes_) {
    for (const char* cls : {kResourceManagerClass, kNodeManagerClass}) {
      auto p = FindProcesses(*n.remote, cls);
      ASSERT_TRUE(p.ok());
      EXPECT_TRUE(p->empty()) << cls << " still runs on " << n.name;
    }
    auto any = ExecShell(*n.remote, "pgrep -f 'org[.]apache[.]hadoop' || true");
    ASSERT_TRUE(any.ok());
    EXPECT_EQ(any->out, "") << "a Hadoop JVM is left on " << n.name;
    EXPECT_EQ(ContainerPids(n), "") << "container processes are left on " << n.name;
    auto data = n.remote->Exec({"test", "-e", kYarnDataDir});
    ASSERT_TRUE(data.ok());
    EXPECT_NE(data->exit_code, 0) << kYarnDataDir << " is left on " << n.name;
    auto tmp = ExecShell(*n.remote, "ls -d /tmp/hadoop-yarn-* 2>/dev/null; exit 0");
    ASSERT_TRUE(tmp.ok());
    EXPECT_EQ(tmp->out, "") << "YARN left files in /tmp on " << n.name;
  }

  // The logs in a store, as a run collects them after Teardown: the daemons' logs per node and
  // every attempt's container log dir on the node that ran it.
  const std::string base =
      (std::filesystem::temp_directory_path() / fmt::format("jf_yarn_store_{}", getpid())).string();
  auto store = Store::Create(base, "yarn-test", std::chrono::system_clock::now());
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  int attempt_logs = 0;
  for (const auto& n : nodes_) {
    ASSERT_TRUE(store->CollectLogs(n, yarn.LogPaths(n)).ok()) << n.name;
    const std::filesystem::path dir = std::filesystem::path(store->dir()) / n.name / "hadoop-yarn";
    EXPECT_GT(std::filesystem::file_size(dir / "nodemanager.log"), 0u) << n.name;
    EXPECT_TRUE(std::filesystem::exists(dir / "conf" / "yarn-site.xml")) << n.name;
    if (n.name == n2.name) {
      EXPECT_GT(std::filesystem::file_size(dir / "resourcemanager.log"), 0u);
    }
    std::error_code ec;
    for (const auto& c : std::filesystem::directory_iterator(dir / "containers" / *app, ec)) {
      EXPECT_TRUE(std::filesystem::exists(c.path() / "java.txt")) << c.path();
      ++attempt_logs;
    }
  }
  EXPECT_EQ(attempt_logs, 3) << "not every attempt's container logs are in the store";
  std::filesystem::remove_all(base);
}

}  // namespace
}  // namespace jf
