// HDFS on the shared local cluster (the CTest fixture brings it up): HdfsDb deploys a NameNode on
// n1 and a DataNode on every node from the Maven jars; files written through HDFS on one node are
// read on another with Hadoop's own FsShell; the NameNode can be stopped on purpose (runit keeps
// it down) and started again; a killed DataNode comes back; Teardown leaves no Hadoop JVM.
#include "db/hdfs.h"

#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <thread>

#include "cluster/local_cluster.h"
#include "cluster_fixture.h"
#include "control/processes.h"
#include "dist/flink_dist.h"
#include "dist/flink_release.h"

namespace jf {
namespace {

// Run with the single-file source launcher: writes a file through Flink's FileSystem and reads it
// back; prints the FileSystem class that served the URI.
constexpr const char* kFlinkCheckSource = R"(
import java.nio.charset.StandardCharsets;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.fs.FSDataInputStream;
import org.apache.flink.core.fs.FSDataOutputStream;
import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.core.fs.Path;

public class FlinkHdfsCheck {
  public static void main(String[] args) throws Exception {
    FileSystem.initialize(new Configuration(), null);
    Path p = new Path(args[0]);
    FileSystem fs = p.getFileSystem();
    try (FSDataOutputStream out = fs.create(p, FileSystem.WriteMode.OVERWRITE)) {
      out.write("flink-wrote-this".getBytes(StandardCharsets.UTF_8));
    }
    byte[] buf = new byte[64];
    int n;
    try (FSDataInputStream in = fs.open(p)) {
      n = in.read(buf);
    }
    System.out.println(fs.getClass().getSimpleName() + " read back: "
        + new String(buf, 0, n, StandardCharsets.UTF_8));
  }
}
)";

class HdfsTest : public ClusterTest {
 protected:
  // Flink's own FileSystem (flink-dist's HadoopFsFactory) writes and reads hdfs:// on n2 with
  // Flink's lib/ first and HadoopClasspathForFlinkOnNodes after it, as Flink's scripts order a
  // HADOOP_CLASSPATH, and HADOOP_CONF_DIR set: both a full URI and hdfs:/// (fs.defaultFS).
  void FlinkUsesHdfs(const DeployContext& ctx) {
    const std::string home = FlinkHomeFor(DefaultCacheDir(), kDefaultFlinkVersion);
    if (!std::filesystem::exists(home + "/lib")) {
      std::cout << "Flink " << kDefaultFlinkVersion << " is not in the cache: no Flink check\n";
      return;
    }
    auto lib = HadoopLibDir(DefaultCacheDir());
    ASSERT_TRUE(lib.ok());
    auto hadoop_cp = HadoopClasspathForFlinkOnNodes(*lib);
    ASSERT_TRUE(hadoop_cp.ok()) << hadoop_cp.status().ToString();
    std::string flink_cp, dist;
    for (const auto& e : std::filesystem::directory_iterator(home + "/lib")) {
      std::string p = e.path().string();
      if (e.path().filename().string().starts_with("flink-dist")) {
        dist = p;
      } else if (p.ends_with(".jar")) {
        flink_cp += p + ":";
      }
    }
    ASSERT_FALSE(dist.empty());
    const NodeHandle& n = nodes_[1];
    ASSERT_TRUE(ExecShell(*n.remote,
                          "mkdir -p /tmp/jf-flink-check && printf '%s' \"$1\" > "
                          "/tmp/jf-flink-check/FlinkHdfsCheck.java",
                          {kFlinkCheckSource})
                    .ok());
    for (const std::string& uri : {HdfsDb::DefaultFsUri(ctx) + "/jf-flink-check/a",
                                   std::string("hdfs:///jf-flink-check/b")}) {
      std::vector<std::string> argv = {
          "env",
          "HADOOP_CONF_DIR=" + std::string(kHadoopConfDir),
          ctx.java_home + "/bin/java",
          "-Xmx256m",
          "-XX:+UseSerialGC",
          "-Dlog4j.configurationFile=file:" + home + "/conf/log4j-console.properties",
          "-cp",
          flink_cp + dist + ":" + *hadoop_cp,
          "/tmp/jf-flink-check/FlinkHdfsCheck.java",
          uri};
      ExecOptions o;
      o.timeout = std::chrono::seconds(90);
      auto r = n.remote->Exec(argv, o);
      ASSERT_TRUE(r.ok()) << r.status().ToString();
      EXPECT_EQ(r->exit_code, 0) << r->out << r->err;
      std::cout << "Flink on n2, " << uri << ": " << r->out;
      EXPECT_NE(r->out.find("HadoopFileSystem read back: flink-wrote-this"), std::string::npos)
          << r->out << r->err;
      EXPECT_EQ(r->err.find("multiple SLF4J bindings"), std::string::npos) << r->err;
    }
    auto cat = n.remote->Exec(
        HdfsDb::FsShellArgv(ctx, {"-cat", HdfsDb::DefaultFsUri(ctx) + "/jf-flink-check/b"}));
    ASSERT_TRUE(cat.ok());
    EXPECT_EQ(cat->out, "flink-wrote-this") << "hdfs:/// did not resolve to this HDFS";
  }
};

TEST_F(HdfsTest, ServesFilesAcrossNodesAndSurvivesNameNodeStopAndDataNodeKill) {
  DeployContext ctx;
  ctx.nodes = nodes_;
  ctx.run_id = "hdfs-test";
  auto java = FindJava17Home();
  ASSERT_TRUE(java.ok()) << java.status().ToString();
  ctx.java_home = *java;
  ctx.readiness_timeout_s = 90;
  auto lib = HadoopLibDir(DefaultCacheDir());
  ASSERT_TRUE(lib.ok()) << lib.status().ToString();
  HdfsDb hdfs(*lib);
  // Tears down even when an assertion ends the test early.
  struct Guard {
    HdfsDb& db;
    DeployContext& ctx;
    bool done = false;
    ~Guard() {
      if (!done) (void)db.Teardown(ctx);
    }
  } guard{hdfs, ctx};

  const NodeHandle &n1 = nodes_[0], &n2 = nodes_[1], &n3 = nodes_[2];
  auto t0 = std::chrono::steady_clock::now();
  Status up = hdfs.Setup(ctx);
  ASSERT_TRUE(up.ok()) << up.ToString();
  std::cout << "HDFS set up on " << nodes_.size() << " nodes in "
            << std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count()
            << " s\n";
  auto st = HdfsDb::QueryNameNode(n1.ip);
  ASSERT_TRUE(st.ok()) << st.status().ToString();
  EXPECT_EQ(st->live_datanodes, static_cast<int>(nodes_.size()));
  EXPECT_FALSE(st->safe_mode);

  // Memory of the daemons (resident set), for the budget.
  for (const auto& [node, role] : std::vector<std::pair<NodeHandle, std::string>>{
           {n1, "namenode"}, {n1, "datanode"}, {n2, "datanode"}}) {
    auto p = hdfs.Processes(node, role);
    ASSERT_TRUE(p.ok() && p->size() == 1u) << role << " on " << node.name;
    auto rss = node.remote->Exec({"ps", "-o", "rss=", "-p", std::to_string(p->front().pid)});
    if (rss.ok()) std::cout << role << " on " << node.name << ": RSS " << rss->out;
  }

  const std::string uri = HdfsDb::DefaultFsUri(ctx) + "/jf-hdfs-test/hello.txt";
  const std::string content = fmt::format(
      "written on n2 at {}", std::chrono::system_clock::now().time_since_epoch().count());
  // FsShell on `n` with `args`; the exit code and what it printed.
  auto fs = [&](const NodeHandle& n, const std::vector<std::string>& args) {
    ExecOptions o;
    o.timeout = std::chrono::seconds(60);
    return n.remote->Exec(HdfsDb::FsShellArgv(ctx, args), o);
  };
  // A read that gives up at once when the NameNode does not answer (no IPC connect retries).
  auto cat = [&](const NodeHandle& n) {
    return fs(n, {"-D", "ipc.client.connect.max.retries=0", "-cat", uri});
  };

  ASSERT_TRUE(ExecShell(*n2.remote, "printf '%s' \"$1\" > /tmp/jf-hdfs-in.txt", {content}).ok());
  auto mkdir = fs(n2, {"-mkdir", "-p", HdfsDb::DefaultFsUri(ctx) + "/jf-hdfs-test"});
  ASSERT_TRUE(mkdir.ok());
  ASSERT_EQ(mkdir->exit_code, 0) << mkdir->err;
  auto put = fs(n2, {"-put", "-f", "/tmp/jf-hdfs-in.txt", uri});
  ASSERT_TRUE(put.ok());
  ASSERT_EQ(put->exit_code, 0) << put->err;
  auto read = cat(n3);
  ASSERT_TRUE(read.ok());
  EXPECT_EQ(read->exit_code, 0) << read->err;
  EXPECT_EQ(read->out, content);
  auto stat = fs(n3, {"-stat", "%r", uri});  // the replication the file got
  ASSERT_TRUE(stat.ok());
  EXPECT_EQ(stat->out, "3\n") << stat->err;

  // The NameNode stopped on purpose stays down: runit does not restart it.
  auto nn_before = hdfs.Processes(n1, "namenode");
  ASSERT_TRUE(nn_before.ok() && nn_before->size() == 1u);
  Status stopped = hdfs.StopNameNode(ctx);
  ASSERT_TRUE(stopped.ok()) << stopped.ToString();
  for (int i = 0; i < 20; ++i) {  // 5 s
    auto p = hdfs.Processes(n1, "namenode");
    ASSERT_TRUE(p.ok());
    ASSERT_TRUE(p->empty()) << "the stopped NameNode is running again after " << i * 0.25 << " s";
    std::this_thread::sleep_for(std::chrono::milliseconds(250));
  }
  auto refused = cat(n3);
  ASSERT_TRUE(refused.ok());
  EXPECT_NE(refused->exit_code, 0) << "a read worked without a NameNode: " << refused->out;
  EXPECT_EQ(hdfs.Processes(n2, "datanode").value_or({}).size(), 1u) << "the DataNodes went too";

  // Started again, it serves the same file (no re-format).
  t0 = std::chrono::steady_clock::now();
  Status started = hdfs.StartNameNode(ctx);
  ASSERT_TRUE(started.ok()) << started.ToString();
  Status ready = hdfs.AwaitReady(ctx);
  ASSERT_TRUE(ready.ok()) << ready.ToString();
  std::cout << "NameNode back and out of safe mode in "
            << std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count()
            << " s\n";
  auto nn_after = hdfs.Processes(n1, "namenode");
  ASSERT_TRUE(nn_after.ok() && nn_after->size() == 1u);
  EXPECT_NE(nn_after->front().pid, nn_before->front().pid);
  read = cat(n3);
  ASSERT_TRUE(read.ok());
  EXPECT_EQ(read->exit_code, 0) << read->err;
  EXPECT_EQ(read->out, content);

  // A SIGKILLed DataNode comes back under runit and registers again.
  auto killed = hdfs.Signal(n3, "datanode", SIGKILL);
  ASSERT_TRUE(killed.ok());
  ASSERT_EQ(killed->size(), 1u);
  EXPECT_TRUE(WaitFor(
      [&] {
        auto p = hdfs.Processes(n3, "datanode");
        return p.ok() && p->size() == 1u && p->front().pid != killed->front().pid;
      },
      30))
      << "the killed DataNode did not come back";
  // The NameNode still counts the old incarnation as live (for 20 s), so ask the new one.
  EXPECT_TRUE(WaitFor(
      [&] {
        auto r = ExecShell(*n3.remote, "grep -c 'successfully registered with NN' \"$1\" || true",
                           {std::string(kHadoopLogDir) + "/datanode.log"});
        return r.ok() && std::atoi(r->out.c_str()) >= 2;
      },
      30))
      << "the restarted DataNode did not register with the NameNode";
  ready = hdfs.AwaitReady(ctx);
  EXPECT_TRUE(ready.ok()) << ready.ToString();
  auto put2 =
      fs(n3, {"-put", "-f", "/etc/hostname", HdfsDb::DefaultFsUri(ctx) + "/jf-hdfs-test/h"});
  ASSERT_TRUE(put2.ok());
  EXPECT_EQ(put2->exit_code, 0) << put2->err;

  FlinkUsesHdfs(ctx);

  // Teardown: no Hadoop JVM anywhere, and no data left.
  guard.done = true;
  Status down = hdfs.Teardown(ctx);
  ASSERT_TRUE(down.ok()) << down.ToString();
  for (const auto& n : nodes_) {
    for (const char* cls : {kNameNodeClass, kDataNodeClass}) {
      auto p = FindProcesses(*n.remote, cls);
      ASSERT_TRUE(p.ok());
      EXPECT_TRUE(p->empty()) << cls << " still runs on " << n.name;
    }
    auto any = ExecShell(*n.remote, "pgrep -f 'org[.]apache[.]hadoop' || true");
    ASSERT_TRUE(any.ok());
    EXPECT_EQ(any->out, "") << "a Hadoop JVM is left on " << n.name;
    auto data = n.remote->Exec({"test", "-e", kHadoopDataDir});
    ASSERT_TRUE(data.ok());
    EXPECT_NE(data->exit_code, 0) << kHadoopDataDir << " is left on " << n.name;
  }
}

}  // namespace
}  // namespace jf
